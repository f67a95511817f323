import Ajv from 'ajv';
import type { AnySchema, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types';
import { MAX_SCHEMA_DEPTH } from './jsonDepth';
import { linearRegExp, PatternError } from './linearRegExp';

/**
 * Work one check of a value may do, in steps: one for each subschema applied to a value, one for
 * each ENUM_UNITS items of an `enum` there, PATTERN_TEST_STEPS for each pattern test (more for a long text), and, where a keyword goes through the whole value (SIZED), one for
 * each VALUE_UNITS of its size (characters, items, keys). A schema whose alternatives and references multiply (`anyOf` of two `$ref`s,
 * chained 40 times, tries 2^40 subschemas on one value) stops there instead of holding the
 * extension host for hours: about 100 milliseconds at worst.
 */
export const CHECK_STEP_BUDGET = 250_000;
/**
 * Steps a pattern's test counts: PATTERN_TEST_STEPS, and one for each PATTERN_UNITS characters times
 * RE2 instructions (a step is about 0.3 µs; a test costs 3 µs and up to 20 ns a unit). At one step a
 * test, and one per 1,000 units, 30 strings of `a.{900}c` against 11,000 characters each in a call's
 * arguments held the extension host a second within the budget.
 */
const PATTERN_TEST_STEPS = 10;
const PATTERN_UNITS = 20;
/** Items of an `enum` that count as one step each time a value is compared with them (a comparison each). */
const ENUM_UNITS = 16;
/** Size of a value (characters, items or keys) that counts as one step each time a SIZED keyword goes through it. */
const VALUE_UNITS = 1_024;
/** Keywords that go through the whole value: string lengths count characters, `const` and `enum` compare it, `uniqueItems` reads every item. */
const SIZED = ['minLength', 'maxLength', 'format', 'const', 'enum', 'uniqueItems'];

/** The keywords put on every subschema to count the steps (the second where it holds a SIZED keyword); names no schema uses. */
const STEP = 'x-assistants-bounded-step';
const SIZED_STEP = 'x-assistants-bounded-sized-step';
/** What an applicator holds: a map of subschemas by name. Other objects and arrays under a keyword are subschemas, but for values. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'dependencies']);
/** Keywords whose values are data, never subschemas. */
const DATA = new Set(['enum', 'const', 'default', 'examples', 'required']);

/**
 * Subschemas one schema may hold, and RE2 instructions its patterns may add up to: compiling is
 * synchronous and grows with both (100,000 properties took 7 s, 3,000 patterns of `[a-z]{900}`
 * 13 s, before failing). Real parameter schemas hold tens.
 */
export const SCHEMA_MAX_SUBSCHEMAS = 1_000;
export const SCHEMA_MAX_PATTERN_INSTRUCTIONS = 50_000;
/**
 * `enum` values one schema may list, all its enums counted: checking a schema against the
 * meta-schema reads each value (`uniqueItems`), so an assistant file whose parameters had an enum
 * of 100,000 objects held the extension host 0.2 to 1 s at each reading. Real enums hold tens
 * (every country code is about 250).
 */
export const SCHEMA_MAX_ENUM_VALUES = 10_000;

/**
 * Why a schema lists too many `enum` values (SCHEMA_MAX_ENUM_VALUES, all its enums counted), or
 * undefined. Walks the value without recursion, so it is safe on a schema of any depth; values
 * under data keywords (`const`, `default`, ...) are not schemas and are not counted.
 */
export function tooManyEnumValues(schema: unknown): string | undefined {
  let room = SCHEMA_MAX_ENUM_VALUES;
  const pending: unknown[] = [schema];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    if (Array.isArray(next)) {
      pending.push(...next);
      continue;
    }
    for (const [key, value] of Object.entries(next)) {
      if (key === 'enum' && Array.isArray(value) && (room -= value.length) < 0) {
        return `the schema's enums list more than ${SCHEMA_MAX_ENUM_VALUES.toLocaleString('en-US')} values; list fewer, or say what the values are in the description`;
      }
      if (!DATA.has(key)) pending.push(value);
    }
  }
  return undefined;
}

/** A check stopped: more than CHECK_STEP_BUDGET steps. */
class StepsExceeded extends Error {}

/** A schema too large to compile in bounded time, with a sentence saying why (thrown by `compile`). */
export class SchemaTooLargeError extends Error {}

/**
 * An Ajv whose checks all end in bounded time, for schemas and values a repository, a server or a
 * model wrote: `pattern`s run on RE2 (`linearRegExp`), and `uniqueItems` compares each item's
 * canonical JSON (keys sorted) in a set instead of Ajv's own pairwise comparison, which takes time
 * quadratic in the list (an `enum` of 200,000 objects, checked against the meta-schema's
 * `uniqueItems`, took minutes). Items are equal as Ajv's deep equality has them: same JSON, with
 * object keys in any order. Every function `compile` returns counts its steps (CHECK_STEP_BUDGET)
 * and never throws: a check that runs out of steps, a value too long for its pattern, and a schema
 * that refers to itself without end (`$ref` in a loop, a stack overflow) each fail the check with
 * one error saying so. `compile` throws a SchemaTooLargeError for a schema nesting deeper than
 * MAX_SCHEMA_DEPTH, holding more than SCHEMA_MAX_SUBSCHEMAS subschemas or SCHEMA_MAX_ENUM_VALUES enum
 * values, or whose patterns add up to more than SCHEMA_MAX_PATTERN_INSTRUCTIONS, before compiling
 * (or at the pattern) rather than after seconds; `validateSchema` refuses a schema of too many enum
 * values with one error saying so, before reading them.
 */
export function boundedAjv(options: Omit<Options, 'code'> = {}): Ajv {
  let patternRoom = SCHEMA_MAX_PATTERN_INSTRUCTIONS;
  let steps = 0;
  const spend = (more: number) => {
    steps += more;
    if (steps > CHECK_STEP_BUDGET) throw new StepsExceeded();
  };
  // Every `pattern` and `patternProperties` on RE2, their instructions counted when compiled and
  // each test counted as a step (patternProperties tries every pattern on every key).
  const regExp: RegExpEngine = Object.assign(
    (source: string) => {
      const compiled = linearRegExp(source);
      patternRoom -= compiled.instructions;
      if (patternRoom < 0) throw new SchemaTooLargeError(`the schema's patterns add up to more than ${SCHEMA_MAX_PATTERN_INSTRUCTIONS.toLocaleString('en-US')} RE2 instructions; use fewer or smaller ones`);
      return {
        toString: () => compiled.toString(),
        test: (text: string) => {
          // A text too long for the pattern fails with its own sentence (a PatternError), before a step is spent.
          if (text.length <= compiled.maxChars) spend(PATTERN_TEST_STEPS + Math.floor((text.length * compiled.instructions) / PATTERN_UNITS));
          return compiled.test(text);
        },
      };
    },
    { code: 'linearRegExp' },
  );
  // No logger: Ajv writes the whole generated code of a schema it fails to compile (megabytes) to the console.
  const ajv = new Ajv({ strict: false, logger: false, ...options, code: { regExp } });
  ajv.removeKeyword('uniqueItems');
  const validate: DataValidateFunction = (unique: boolean, items: unknown[]) => {
    const duplicate = unique ? firstDuplicate(items) : undefined;
    validate.errors = duplicate ? [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${duplicate[1]} and ${duplicate[0]} are identical)`, params: { i: duplicate[1], j: duplicate[0] } }] : undefined;
    return duplicate === undefined;
  };
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', validate });
  // The step keywords run first (Ajv's first keyword is `$comment`): after the others they would not
  // run where one failed (a branch of `anyOf` that does not match, an `anyOf` none of whose branches
  // does), and alternatives that fail at every level went uncounted.
  ajv.addKeyword({
    keyword: STEP,
    before: '$comment',
    schemaType: 'number',
    errors: false,
    validate: (weight: number) => {
      spend(weight);
      return true;
    },
  });
  ajv.addKeyword({
    keyword: SIZED_STEP,
    before: '$comment',
    schemaType: 'boolean',
    errors: false,
    validate: (_sized: boolean, data: unknown) => {
      spend(sizeOf(data) / VALUE_UNITS);
      return true;
    },
  });
  const validateSchema = ajv.validateSchema.bind(ajv);
  ajv.validateSchema = ((schema: AnySchema, throwOrLogError?: boolean) => {
    const tooMany = tooManyEnumValues(schema);
    if (tooMany === undefined) return validateSchema(schema, throwOrLogError);
    ajv.errors = [{ keyword: 'bounded', instancePath: '', schemaPath: '#', params: {}, message: tooMany }];
    return false;
  }) as Ajv['validateSchema'];
  const compile = ajv.compile.bind(ajv);
  ajv.compile = (<T>(schema: AnySchema, meta?: boolean): ValidateFunction<T> => {
    const tooMany = tooManyEnumValues(schema);
    if (tooMany !== undefined) throw new SchemaTooLargeError(tooMany);
    patternRoom = SCHEMA_MAX_PATTERN_INSTRUCTIONS;
    const inner = compile<T>(counted(schema, 1, { room: SCHEMA_MAX_SUBSCHEMAS }), meta);
    const bounded = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
      steps = 0;
      try {
        const valid = inner(data, context);
        bounded.errors = inner.errors;
        return valid;
      } catch (error) {
        bounded.errors = [{ keyword: 'bounded', instancePath: '', schemaPath: '#', params: {}, message: cannotCheck(error) }];
        return false;
      }
    }) as ValidateFunction<T>;
    return Object.assign(bounded, { schema: inner.schema, schemaEnv: inner.schemaEnv });
  }) as Ajv['compile'];
  return ajv;
}

function cannotCheck(error: unknown): string {
  if (error instanceof StepsExceeded) return `cannot be checked in bounded time: checking the value against the schema takes more than ${CHECK_STEP_BUDGET.toLocaleString('en-US')} steps (alternatives and references such as anyOf and $ref, or patterns tried on many keys, multiply them)`;
  if (error instanceof PatternError) return `cannot be checked: ${error.message}`;
  if (error instanceof RangeError) return 'cannot be checked: the schema refers to itself without end (a $ref loop that never reaches a value)';
  throw error;
}

/**
 * A copy of the schema with the step keyword on every subschema; throws a SchemaTooLargeError past
 * MAX_SCHEMA_DEPTH levels or past `budget.room` subschemas.
 */
function counted(schema: unknown, depth: number, budget: { room: number }): AnySchema {
  if (depth > MAX_SCHEMA_DEPTH) throw new SchemaTooLargeError(`the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels`);
  if (Array.isArray(schema)) return schema.map((item: unknown) => counted(item, depth + 1, budget));
  if (typeof schema !== 'object' || schema === null) return schema as AnySchema;
  if (--budget.room < 0) throw new SchemaTooLargeError(`the schema holds more than ${SCHEMA_MAX_SUBSCHEMAS.toLocaleString('en-US')} subschemas; split or shorten it`);
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DATA.has(key)) copy[key] = value;
    else if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) copy[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, counted(sub, depth + 2, budget)]));
    else copy[key] = counted(value, depth + 1, budget);
  }
  const values = (schema as { enum?: unknown }).enum;
  copy[STEP] = 1 + (Array.isArray(values) ? Math.ceil(values.length / ENUM_UNITS) : 0);
  if (SIZED.some((keyword) => keyword in schema)) copy[SIZED_STEP] = true;
  return copy;
}

/** Characters of a string, items of an array, keys of an object: what one subschema's keywords may go through. */
function sizeOf(data: unknown): number {
  if (typeof data === 'string' || Array.isArray(data)) return data.length;
  if (typeof data !== 'object' || data === null) return 0;
  let keys = 0;
  for (const key in data) if (Object.prototype.hasOwnProperty.call(data, key)) keys++;
  return keys;
}

type DataValidateFunction = ((unique: boolean, items: unknown[]) => boolean) & { errors?: Array<Partial<ErrorObject>> };

/** The indexes of the first item equal to an earlier one, and of that earlier one (as JSON, object keys in any order). */
function firstDuplicate(items: readonly unknown[]): [number, number] | undefined {
  const seen = new Map<string, number>();
  for (let index = 0; index < items.length; index++) {
    const key = canonicalJson(items[index]);
    const earlier = seen.get(key);
    if (earlier !== undefined) return [earlier, index];
    seen.set(key, index);
  }
  return undefined;
}

/** JSON with every object's keys sorted: equal for values that differ only in key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
