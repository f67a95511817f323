import { deeperThan, MAX_ARGUMENTS_DEPTH } from '../text/jsonDepth';
import { answerErrorsText, answerValidator } from './answerSchema';
import { includesText } from '../text/findText';
import { linearRegExp, PatternError } from '../text/linearRegExp';
import type { Annotation, JsonSchema, ToolCall, Usage } from '../../common/model';
import type { Expectation } from './testFile';

/** What one asking of a question produced: what the expectations are checked against. */
export interface Answer {
  /** The text of the run's messages, one part a line. */
  text: string;
  /** Every tool call of the run's steps, in order. */
  toolCalls: ToolCall[];
  /** The annotations of the run's messages (file and URL citations). */
  citations: Annotation[];
  usage?: Usage;
  /** US dollars, when the model's price is known. */
  cost?: number;
  latencyMs: number;
}

/** An expectation's verdict; a failure says why, with what was expected and what came. */
export interface Verdict {
  pass: boolean;
  /** One sentence, on failure. */
  reason?: string;
  expected?: string;
  actual?: string;
}

/** Asks a grader assistant whether `answer` meets `rubric`; resolves its verdict and reason. */
export type Grade = (rubric: string, grader: string | undefined, answer: Answer) => Promise<{ pass: boolean; reason: string }>;

/** An answer longer than this, in characters, is parsed as JSON only this far (it then fails as JSON). */
const MAX_JSON_CHARS = 1_000_000;
/** At most this many characters of an answer are quoted in a failure. */
const QUOTE_CHARS = 2_000;

/**
 * Checks one expectation against an answer. Patterns run on the linear-time engine, schemas with
 * Ajv on the same engine (a repository's `(a+)+$` cannot hang it); a rubric asks `grade`. Never
 * throws for a bad pattern or schema: that is a failure saying so.
 */
export async function check(expectation: Expectation, answer: Answer, grade: Grade): Promise<Verdict> {
  const text = answer.text;
  switch (expectation.type) {
    case 'contains':
    case 'icontains':
    case 'not-contains':
    case 'not-icontains': {
      const fold = expectation.type.includes('icontains');
      const found = includesText(fold ? text.toLowerCase() : text, fold ? expectation.value.toLowerCase() : expectation.value);
      const wanted = !expectation.type.startsWith('not-');
      return found === wanted ? ok() : fail(`The answer ${wanted ? 'does not contain' : 'contains'} ${JSON.stringify(expectation.value)}${fold ? ' (ignoring case)' : ''}.`, `${wanted ? '' : 'not '}${expectation.value}`, quote(text));
    }
    case 'regex':
    case 'not-regex': {
      let found: boolean;
      try {
        found = linearRegExp(expectation.value, { caseInsensitive: expectation.ignoreCase }).test(text);
      } catch (error) {
        return fail(error instanceof PatternError ? `The pattern cannot be used: ${error.message}` : String(error));
      }
      const wanted = expectation.type === 'regex';
      return found === wanted ? ok() : fail(`The answer ${wanted ? 'does not match' : 'matches'} /${expectation.value}/.`, `${wanted ? 'matching' : 'not matching'} /${expectation.value}/`, quote(text));
    }
    case 'json-schema':
      return checkJson(expectation.value, text);
    case 'function-call': {
      const calls = answer.toolCalls.filter((c): c is ToolCall & { type: 'function' } => c.type === 'function');
      const named = calls.filter((c) => c.name === expectation.name);
      const expected = `${expectation.name}(${expectation.arguments ? JSON.stringify(expectation.arguments) : '…'})`;
      const actual = calls.map((c) => `${c.name}(${c.arguments})`).join('\n') || '(no function called)';
      if (named.length === 0) return fail(`${expectation.name} was not called.`, expected, actual);
      if (!expectation.arguments) return ok();
      const wanted = expectation.arguments;
      return named.some((c) => includesAll(parseArguments(c.arguments), wanted)) ? ok() : fail(`${expectation.name} was called, but never with these arguments.`, expected, actual);
    }
    case 'file-cited': {
      const names = answer.citations.flatMap((c) => (c.type === 'url_citation' ? [c.url] : [c.filename ?? c.fileId]));
      const wanted = expectation.value.toLowerCase();
      return names.some((n) => n.toLowerCase() === wanted || n.toLowerCase().endsWith(`/${wanted}`) || n.toLowerCase().endsWith(wanted)) ? ok() : fail(`No citation names ${JSON.stringify(expectation.value)}.`, expectation.value, names.join('\n') || '(no citations)');
    }
    case 'tool-used': {
      const kinds = answer.toolCalls.map((c) => (c.type === 'mcp_list_tools' ? 'mcp' : c.type));
      return kinds.includes(expectation.value) ? ok() : fail(`The ${expectation.value} tool was not used.`, expectation.value, [...new Set(kinds)].join(', ') || '(no tools used)');
    }
    case 'max-tokens': {
      const total = answer.usage?.totalTokens;
      if (total === undefined) return fail('The server reported no token usage.', `at most ${expectation.value} tokens`, '(not reported)');
      return total <= expectation.value ? ok() : fail(`The run took ${total} tokens, more than ${expectation.value}.`, `at most ${expectation.value} tokens`, `${total} tokens`);
    }
    case 'max-cost': {
      if (answer.cost === undefined) return fail('The cost is unknown: the model has no price (add it to assistants.prices) or no usage was reported.', `at most $${expectation.value}`, '(unknown)');
      return answer.cost <= expectation.value ? ok() : fail(`The run cost $${answer.cost.toFixed(6)}, more than $${expectation.value}.`, `at most $${expectation.value}`, `$${answer.cost.toFixed(6)}`);
    }
    case 'max-latency':
      return answer.latencyMs <= expectation.value ? ok() : fail(`The answer took ${Math.round(answer.latencyMs)} ms, more than ${expectation.value} ms.`, `at most ${expectation.value} ms`, `${Math.round(answer.latencyMs)} ms`);
    case 'rubric': {
      const verdict = await grade(expectation.value, expectation.grader, answer);
      return verdict.pass ? ok() : fail(`The grader failed it: ${verdict.reason}`, expectation.value, quote(text));
    }
  }
}

function checkJson(schema: JsonSchema | undefined, text: string): Verdict {
  const body = stripFence(text);
  if (body.length > MAX_JSON_CHARS) return fail(`The answer has ${body.length} characters, more than the ${MAX_JSON_CHARS} read as JSON.`);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return fail(`The answer is not JSON: ${error instanceof Error ? error.message : String(error)}`, 'JSON', quote(text));
  }
  if (!schema) return ok();
  if (deeperThan(value, MAX_ARGUMENTS_DEPTH)) return fail(`The answer nests deeper than ${MAX_ARGUMENTS_DEPTH} levels.`);
  const validate = answerValidator(schema);
  if (typeof validate === 'string') return fail(`The schema ${validate}.`);
  // An asynchronous schema, whose check answers a promise instead of a verdict, is refused by answerValidator.
  return validate(value) === true ? ok() : fail(`The answer does not match the schema: ${answerErrorsText(validate.errors)}.`, JSON.stringify(schema, null, 2), quote(JSON.stringify(value, null, 2)));
}

/** An answer that is one fenced block (```json … ```) is read as the block's body. */
function stripFence(text: string): string {
  const fenced = /^\s*```[A-Za-z0-9_-]*\n([\s\S]*?)\n```\s*$/.exec(text);
  return (fenced ? fenced[1] : text).trim();
}

function parseArguments(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** Whether `actual` has every key of `wanted` with an equal value (objects compared the same way, arrays element by element). */
function includesAll(actual: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) return Array.isArray(actual) && actual.length === wanted.length && wanted.every((w, i) => includesAll(actual[i], w));
  if (typeof wanted === 'object' && wanted !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    return Object.entries(wanted).every(([key, value]) => Object.hasOwn(actual, key) && includesAll((actual as Record<string, unknown>)[key], value));
  }
  return actual === wanted;
}

function quote(text: string): string {
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}… (${text.length - QUOTE_CHARS} more characters)` : text;
}

function ok(): Verdict {
  return { pass: true };
}

function fail(reason: string, expected?: string, actual?: string): Verdict {
  return { pass: false, reason, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) };
}
