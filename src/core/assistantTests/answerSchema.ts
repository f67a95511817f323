import type { ErrorObject, ValidateFunction } from 'ajv';
import { boundedAjv, SchemaTooLargeError } from '../text/boundedAjv';
import { deeperThan, MAX_SCHEMA_DEPTH } from '../text/jsonDepth';
import { PatternError } from '../text/linearRegExp';
import type { JsonSchema } from '../../common/model';

/** Checks schemas against the draft-07 meta-schema; registers none of them, so it is shared. */
const meta = boundedAjv({ allErrors: true });
/** What a schema compiled, or why it cannot be: parsing a test file compiles its schemas, checking an answer reuses them. */
const compiled = new WeakMap<JsonSchema, ValidateFunction | string>();

/**
 * The function checking answers against a json-schema expectation's schema, or, when the runner
 * cannot check it, the end of a sentence saying why (put after "The schema" or the expectation's
 * place). Refused: a schema that is not draft-07 JSON Schema, names another `$schema`, refers to
 * schemas it does not hold, is asynchronous (`$async`: its check answers a promise, never a
 * verdict), or holds a part Ajv would ignore (an unknown keyword such as a misspelt `required`
 * or a 2020-12 `prefixItems`, any `format`, `then` without `if`): such a case would pass unchecked.
 * Each schema compiles on its own Ajv (under a millisecond), so schemas sharing an `$id`, in
 * one file or several or run again, never meet.
 */
export function answerValidator(schema: JsonSchema): ValidateFunction | string {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Ajv's errors of an answer that does not match, as one line: "data/days must be integer, …". */
export function answerErrorsText(errors: ErrorObject[] | null | undefined): string {
  return meta.errorsText(errors);
}

function compile(schema: JsonSchema): ValidateFunction | string {
  if (deeperThan(schema, MAX_SCHEMA_DEPTH)) return `nests deeper than ${MAX_SCHEMA_DEPTH} levels; flatten it`;
  try {
    if (!meta.validateSchema(schema)) return `is not a usable JSON Schema: ${meta.errorsText(meta.errors)}`;
    // Strict: an unknown keyword or format throws where Ajv would skip it; a property that a
    // patternProperties also matches is checked by both, as JSON Schema says, and is no problem.
    const validate = boundedAjv({ strictSchema: true, allowMatchingProperties: true, validateSchema: false }).compile(schema);
    return validate.schemaEnv.$async ? ASYNC : validate;
  } catch (error) {
    return cannotUse(error);
  }
}

const ASYNC = 'is asynchronous ("$async": true), which cannot be checked here; remove "$async"';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** Ajv's reason for refusing a schema, as the end of a sentence. */
function cannotUse(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SchemaTooLargeError || error instanceof PatternError) return `cannot be used: ${message}`;
  const quoted = /"([^"]*)"/.exec(message)?.[1] ?? '';
  if (message.startsWith('no schema with key or ref')) return `names "$schema": "${quoted}", which the runner does not support; use "${DRAFT_07}" or leave "$schema" out`;
  if (message === '$schema must be a string') return `has a "$schema" that is not a text; use "${DRAFT_07}" or leave "$schema" out`;
  if (message.startsWith('strict mode: unknown keyword')) return `uses "${quoted}", which is not a draft-07 keyword the runner checks; correct its spelling or remove it`;
  if (message.startsWith('unknown format')) return `uses the format "${quoted}", which the runner cannot check (it checks no formats); remove it, or use a pattern`;
  if (message.startsWith('strict mode: ')) return `holds a part the runner would ignore (${message.slice('strict mode: '.length)}); complete or remove it`;
  if (message.startsWith('async schema')) return ASYNC;
  if (message.startsWith("can't resolve reference")) return `refers to "${/reference (\S+)/.exec(message)?.[1] ?? ''}", which it does not hold; the runner fetches no other schema, so put it under "definitions"`;
  if (message.includes('resolves to more than one schema')) return `gives the "$id" "${quoted}" to two different subschemas; give each its own`;
  if (message.startsWith('schema with key or id')) return `uses the "$id" "${quoted}", which names the draft-07 meta-schema; give it another`;
  return `cannot be used: ${message}`;
}
