import type { RegExpEngine } from 'ajv/dist/types';
import { RE2JS } from 're2js';

/** A pattern longer than this, in characters, is refused: no search or schema needs more (a 1,000-character search with every character escaped fits). */
export const PATTERN_MAX_CHARS = 2_000;

/** A pattern the linear-time engine cannot take, with a sentence saying why. */
export class PatternError extends Error {}

/** What a compiled pattern offers: an unanchored search of one string, like `RegExp.prototype.test`. */
export interface LinearRegExp {
  test(text: string): boolean;
}

/**
 * Compiles a JavaScript regular expression for RE2 (re2js): matching takes time linear in the text,
 * whatever the pattern, so `(a+)+$` from a model or a repository cannot block the extension host
 * (Node's own engine backtracks: 30 characters of it take seconds, 40 take hours). RE2 has no
 * backreferences and no lookaround; a pattern using them, one longer than PATTERN_MAX_CHARS, or one
 * RE2 finds too large (`(a{1000}){1000}`) throws a PatternError with a sentence saying so.
 */
export function linearRegExp(pattern: string, options: { caseInsensitive?: boolean } = {}): LinearRegExp {
  if (pattern.length > PATTERN_MAX_CHARS) throw new PatternError(`the regular expression has ${pattern.length} characters; at most ${PATTERN_MAX_CHARS} are accepted.`);
  try {
    return RE2JS.compile(RE2JS.translateRegExp(pattern), options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PatternError(`the regular expression ${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern)} cannot be used: ${reason} (patterns are matched in linear time, without backreferences or lookaround).`, { cause: error });
  }
}

/**
 * Ajv's `code.regExp`: every `pattern` and `patternProperties` of a schema compiled by
 * `linearRegExp`, so a schema a repository wrote cannot make validating arguments hang. A pattern
 * RE2 cannot take makes the schema fail to compile (the caller reports it as unusable).
 */
export const ajvRegExp: RegExpEngine = Object.assign((pattern: string) => linearRegExp(pattern), { code: 'linearRegExp' });
