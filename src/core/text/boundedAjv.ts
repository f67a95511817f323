import Ajv from 'ajv';
import type { ErrorObject, Options } from 'ajv';
import { ajvRegExp } from './linearRegExp';

/**
 * An Ajv whose checks all take time linear in what they check, for schemas and values a repository
 * or a model wrote: `pattern`s run on RE2 (`ajvRegExp`), and `uniqueItems` compares each item's
 * canonical JSON (keys sorted) in a set instead of Ajv's own pairwise comparison, which takes time
 * quadratic in the list (an `enum` of 200,000 objects, checked against the meta-schema's
 * `uniqueItems`, took minutes). Items are equal as Ajv's deep equality has them: same JSON, with
 * object keys in any order.
 */
export function boundedAjv(options: Omit<Options, 'code'> = {}): Ajv {
  const ajv = new Ajv({ strict: false, ...options, code: { regExp: ajvRegExp } });
  ajv.removeKeyword('uniqueItems');
  const validate: DataValidateFunction = (unique: boolean, items: unknown[]) => {
    const duplicate = unique ? firstDuplicate(items) : undefined;
    validate.errors = duplicate ? [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${duplicate[1]} and ${duplicate[0]} are identical)`, params: { i: duplicate[1], j: duplicate[0] } }] : undefined;
    return duplicate === undefined;
  };
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', validate });
  return ajv;
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
