/** How deep a JSON Schema from an assistant file may nest (objects and arrays); real ones nest under 20. */
export const MAX_SCHEMA_DEPTH = 64;
/** How deep a call's JSON arguments may nest. */
export const MAX_ARGUMENTS_DEPTH = 100;

/**
 * Whether a parsed JSON value nests objects and arrays deeper than `limit` (the value itself is
 * depth 1). Iterative, so a value nested 100,000 deep is measured without a stack overflow; stops
 * at the first branch past the limit.
 */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
