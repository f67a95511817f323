import type { SyntaxKind } from 'jsonc-parser';
import { createScanner } from 'jsonc-parser';

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

/**
 * Keys one object of JSON from outside may hold (a call's arguments, an assistant file): parsing an
 * object of many keys, and going through it, costs far more per key than small objects do (an
 * argument of 1,000,000 keys, 12 MB, held the extension host 1.6 s before any check). Real ones
 * hold tens; a schema's `properties` fit under its 1,000 subschemas.
 */
export const MAX_OBJECT_KEYS = 10_000;

/**
 * Whether JSON `text` holds an object of more than `limit` keys, read character by character
 * before it is parsed (colons outside strings, counted for the object they are in), without
 * recursion. Text that is no JSON is read as far as it goes; the parse then refuses it.
 */
export function jsonObjectWiderThan(text: string, limit: number): boolean {
  // Keys counted so far in each open object; -1 for an open array.
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      // A string: skip to its closing quote.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (code === 0x7b) open.push(0);
    else if (code === 0x5b) open.push(-1);
    else if (code === 0x7d || code === 0x5d) open.pop();
    else if (code === 0x3a && open.length > 0 && open[open.length - 1] >= 0 && ++open[open.length - 1] > limit) return true;
  }
  return false;
}

/** jsonc-parser's token kinds (`SyntaxKind`, a const enum this build cannot read at run time) that open and close a level, and the end. */
const OPEN: readonly SyntaxKind[] = [1, 3];
const CLOSE: readonly SyntaxKind[] = [2, 4];
const EOF = 17 as SyntaxKind;

/** Whether JSONC `text` opens more than `limit` objects and arrays inside one another; read token by token, without recursion. */
export function jsoncNestsDeeper(text: string, limit: number): boolean {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (OPEN.includes(token)) {
      if (++depth > limit) return true;
    } else if (CLOSE.includes(token)) depth--;
  }
  return false;
}

/**
 * Whether YAML `text` opens more than `limit` flow collections (`[ ]`, `{ }`) inside one another,
 * read character by character: quoted strings (a quote where a value starts) and `#` comments are
 * skipped; a bracket inside a plain scalar counts, which can only make a pathological file look deeper, never a deep one shallower.
 */
export function yamlFlowNestsDeeper(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return true;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return false;
}
