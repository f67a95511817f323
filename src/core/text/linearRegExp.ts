import { RE2JS } from 're2js';

/** A pattern longer than this, in characters, is refused: no search or schema needs more (a 1,000-character search with every character escaped fits). */
export const PATTERN_MAX_CHARS = 2_000;
/**
 * A pattern compiling to more RE2 instructions than this is refused. Matching is linear in the
 * text, but each character may cost a step per instruction: `.{1000}` written 20 times (20,000
 * instructions) took 6 s on one 10,000-character line, `[a-z]{1000}[a-z]{990}z` up to 1 s, and
 * `a{0,1000}` written 200 times compiled for a second. `[0-9a-f]{990}` still fits.
 */
export const PATTERN_MAX_INSTRUCTIONS = 1_000;
/**
 * Characters times instructions one `test` may cost (about 50 ms at worst, case ignored): a longer
 * text is not matched, and the test throws a PatternError saying so. At 10,000,000 one test of
 * `[ab].{990}c` on a 10,000-character line held the extension host 200 ms, and a search paid that
 * for every such line. A pattern of 200 instructions fits a 10,000-character search line; one of
 * 1,000 is matched on the first 2,000 characters (`maxChars`).
 */
export const MATCH_BUDGET = 2_000_000;

/** A pattern the linear-time engine cannot take, or a text too long to match it against in bounded time, with a sentence saying why. */
export class PatternError extends Error {}

/** What a compiled pattern offers: an unanchored search of one string, like `RegExp.prototype.test`. */
export interface LinearRegExp {
  /** Whether the pattern occurs in `text`; throws a PatternError when the text is too long for MATCH_BUDGET. */
  test(text: string): boolean;
  /** `/pattern/` with `i` when case is ignored: Ajv keeps one compiled pattern per distinct text. */
  toString(): string;
  /** RE2 instructions the pattern compiled to (at most PATTERN_MAX_INSTRUCTIONS). */
  readonly instructions: number;
  /** The longest text `test` matches (MATCH_BUDGET over `instructions`); a longer one throws. */
  readonly maxChars: number;
}

/**
 * Compiles a JavaScript regular expression for RE2 (re2js): matching takes time linear in the text,
 * whatever the pattern, so `(a+)+$` from a model or a repository cannot block the extension host
 * (Node's own engine backtracks: 30 characters of it take seconds, 40 take hours). RE2 has no
 * backreferences and no lookaround; a pattern using them, one longer than PATTERN_MAX_CHARS, one
 * RE2 finds too large (`(a{1000}){1000}`), or one whose program passes PATTERN_MAX_INSTRUCTIONS
 * (counted repetitions add up: `.{1000}.{1000}…`), throws a PatternError with a sentence saying so.
 * The estimate is checked before compiling (compiling a large program blocks too), the real size after.
 */
export function linearRegExp(pattern: string, options: { caseInsensitive?: boolean } = {}): LinearRegExp {
  if (pattern.length > PATTERN_MAX_CHARS) throw new PatternError(`the regular expression has ${pattern.length} characters; at most ${PATTERN_MAX_CHARS} are accepted.`);
  const shown = JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern);
  const tooLarge = () => new PatternError(`the regular expression ${shown} is too large: its counted repetitions ({n}) add up to more than ${PATTERN_MAX_INSTRUCTIONS} steps a character; use fewer or smaller counts.`);
  // The estimate may count several times the real program (RE2 makes `a|b` one class): the real size decides below.
  if (estimatedInstructions(pattern) > 4 * PATTERN_MAX_INSTRUCTIONS) throw tooLarge();
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(pattern), options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PatternError(`the regular expression ${shown} cannot be used: ${reason} (patterns are matched in linear time, without backreferences or lookaround).`, { cause: error });
  }
  const size = compiled.programSize();
  if (size > PATTERN_MAX_INSTRUCTIONS) throw tooLarge();
  const flags = options.caseInsensitive ? '/i' : '/';
  const maxChars = Math.floor(MATCH_BUDGET / size);
  return {
    instructions: size,
    maxChars,
    // Ajv keeps one compiled pattern per distinct toString(), as it does for RegExp objects.
    toString: () => `/${pattern}${flags}`,
    test(text: string): boolean {
      if (text.length > maxChars) throw new PatternError(`a text of ${text.length} characters is too long to match against the regular expression ${shown} in bounded time (at most ${maxChars} characters for it).`);
      return compiled.test(text);
    },
  };
}

/**
 * An upper estimate of the RE2 instructions a JavaScript pattern compiles to, read from its text
 * alone: each atom (a character, an escape, a class) one, a group its contents and two, `|`, `*`,
 * `+` and `?` one more, and a counted repetition `{n,m}` its atom m times over. Unbalanced or odd
 * syntax is counted as it comes (the compiler refuses it afterwards).
 */
export function estimatedInstructions(pattern: string): number {
  const frames: Array<{ total: number; last: number }> = [{ total: 0, last: 0 }];
  const cap = Number.MAX_SAFE_INTEGER / 4;
  const atom = (size: number) => {
    const frame = frames[frames.length - 1];
    frame.total = Math.min(cap, frame.total + size);
    frame.last = size;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      // \p{…}, \P{…}, \u{…}, \k<…>: their braces are not a count.
      const close = /[pPu]/.test(next) && pattern[i + 2] === '{' ? pattern.indexOf('}', i + 3) : next === 'k' && pattern[i + 2] === '<' ? pattern.indexOf('>', i + 3) : -1;
      i = close > 0 ? close : i + 1;
      atom(1);
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      atom(1);
    } else if (c === '(') {
      // (?:, (?<name>, (?=, (?!, (?<=, (?<! open a group like ( does.
      const opener = /^\(\?(?::|=|!|<=|<!|P?<[^>]*>)/.exec(pattern.slice(i, i + 64));
      if (opener) i += opener[0].length - 1;
      frames.push({ total: 0, last: 0 });
    } else if (c === ')' && frames.length > 1) {
      const inner = frames.pop() as { total: number };
      atom(inner.total + 2);
    } else if (c === '|') {
      frames[frames.length - 1].total += 1;
      frames[frames.length - 1].last = 0;
    } else if (c === '*' || c === '+' || c === '?') {
      frames[frames.length - 1].total += 1;
    } else if (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i, i + 24))) {
      const [, low, high] = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i, i + 24)) as RegExpExecArray;
      // x{n,m} is n copies of x, then m - n optional ones; x{n,} is n copies and a loop.
      const least = Math.min(cap, Number(low));
      const optional = high === undefined ? 0 : high === '' ? 1 : Math.max(0, Math.min(cap, Number(high)) - least);
      const frame = frames[frames.length - 1];
      const grown = Math.min(cap, frame.last * least + (frame.last + 1) * optional);
      frame.total = Math.min(cap, frame.total - frame.last + grown);
      frame.last = grown;
      i = pattern.indexOf('}', i);
    } else {
      atom(1);
    }
  }
  return frames.reduce((sum, frame) => Math.min(cap, sum + frame.total), 0);
}
