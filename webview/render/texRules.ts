/**
 * markdown-it rules for math beside `@mdit/plugin-tex` (which finds `$…$`):
 *
 * - `$$` or `\[` on lines of their own, closed by a line that ends in `$$` or `\]` before a blank
 *   line. The plugin's own block rules run to the end of the answer when the closing delimiter is
 *   missing (an answer still streaming, or one that never closes it) and cross blank lines, so the
 *   rest of the answer became one formula; these leave an unclosed block as text.
 * - `$$…$$` and `\[…\]` inside a paragraph, which the plugin leaves as text (and Markdown's escape
 *   turned `\[` into `[`, losing the backslash), and `\(…\)`: the plugin looked for the closing
 *   `\)` from each `\(` to the end of the paragraph, so a paragraph of openings took seconds; a
 *   `\(` not closed (yet) before math is kept as written, where Markdown's escape showed `(`.
 *
 * Each reads a bounded stretch of text once. All give the plugin's tokens (`math_block`, `math_inline`) with the delimiter as `markup`.
 */
import type { MarkdownIt, StateBlock, StateInline } from 'markdown-it';

/** The delimiters that mean display math, by their opening one. */
export const DISPLAY_CLOSING: Readonly<Record<string, string>> = { $$: '$$', '\\[': '\\]' };
/** Every delimiter these rules read, by its opening one. */
const CLOSING: Readonly<Record<string, string>> = { ...DISPLAY_CLOSING, '\\(': '\\)' };
/** The most text one formula may span: a longer stretch is not read as one. */
const MAX_MATH = 20_000;

/** Installs the rules on `md`, which already uses the plugin with `delimiters: 'all'`. */
export function useDisplayMath(md: MarkdownIt): void {
  const alt = { alt: ['paragraph', 'reference', 'blockquote', 'list'] };
  md.block.ruler.before('math_block_dollar', 'math_block_closed_dollar', (state, start, end, silent) => displayBlock(state, start, end, silent, '$$'), alt);
  md.block.ruler.before('math_block_bracket', 'math_block_closed_bracket', (state, start, end, silent) => displayBlock(state, start, end, silent, '\\['), alt);
  md.block.ruler.disable(['math_block_dollar', 'math_block_bracket']);
  md.inline.ruler.before('math_inline_bracket', 'math_inline_paren', (state, silent) => inlineMath(state, silent, '\\('));
  md.inline.ruler.disable('math_inline_bracket');
  md.inline.ruler.before('escape', 'math_inline_display_bracket', (state, silent) => inlineMath(state, silent, '\\['));
  md.inline.ruler.before('math_inline_dollar', 'math_inline_display_dollar', (state, silent) => inlineMath(state, silent, '$$'));
}

/** A display block opened by `open` at `startLine`, when its closing delimiter ends a line before a blank one. */
function displayBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean, open: string): boolean {
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  const close = DISPLAY_CLOSING[open];
  let from = state.bMarks[startLine] + state.tShift[startLine];
  if (!state.src.startsWith(open, from)) return false;
  from += open.length;
  const lines: string[] = [];
  for (let line = startLine; line < endLine; ) {
    const text = state.src.slice(from, state.skipSpacesBack(state.eMarks[line], from));
    // A closing delimiter inside the line: this is text with inline math, not a block.
    const inner = text.indexOf(close);
    if (inner >= 0 && inner !== text.length - close.length) return false;
    if (inner >= 0) {
      lines.push(text.slice(0, inner));
      // As the plugin gives it: a line each, without the empty ones beside the delimiters.
      const content = lines.filter((l, i) => l || (i > 0 && i < lines.length - 1)).map((l) => `${l}\n`).join('');
      if (!content.trim()) return false;
      if (silent) return true;
      const token = state.push('math_block', 'math', 0);
      token.block = true;
      token.content = content;
      token.markup = open;
      token.map = [startLine, line + 1];
      state.line = line + 1;
      return true;
    }
    // Another opening ends it unclosed: a page of openings is read once, not once each.
    if (line > startLine && text.startsWith(open)) return false;
    lines.push(text);
    line++;
    if (line >= endLine) return false;
    from = state.bMarks[line] + state.tShift[line];
    // So do a blank line, a line outside the block's list item or quote, and more text than any formula.
    if (from >= state.eMarks[line] || state.sCount[line] < state.blkIndent || from - state.bMarks[startLine] > MAX_MATH) return false;
  }
  return false;
}

/**
 * `\(…\)`, `$$…$$` or `\[…\]` inside a paragraph, closed within it and within `MAX_MATH`; the
 * last two are drawn as display math. The delimiters and code spans after a position are found
 * through `Ahead`, so a paragraph of many openings without a closing is read once, not once per
 * opening.
 */
function inlineMath(state: StateInline, silent: boolean, open: string): boolean {
  const { src, pos, posMax } = state;
  if (!src.startsWith(open, pos)) return false;
  const close = CLOSING[open];
  const ahead = Ahead.of(src);
  let end = ahead.next(close, pos + open.length);
  // A closing delimiter after an odd number of backslashes is escaped (`\$$`, `\\)`).
  while (end >= 0 && backslashesBefore(src, end) % 2 === 1) end = ahead.next(close, end + 1);
  if (end < 0 || end + close.length > posMax || end - pos > MAX_MATH) return open === '\\(' && unclosedParen(state, silent);
  // A code span is not math: a `$$` before `` `$$` `` pairs with nothing.
  const backtick = ahead.next('`', pos);
  if (open !== '\\(' && backtick >= 0 && backtick < end) return false;
  const content = src.slice(pos + open.length, end);
  if (!/\S/.test(content)) return false;
  // A dollar after the closing `$$` is a third one, and a digit makes it an amount ($$5 and $$10).
  if (close === '$$' && /[$\d]/.test(src[end + close.length] ?? '')) return false;
  // Markdown writes a literal bracket `\[`: words in escaped brackets ("\[citation needed\]") are no formula.
  if (close === '\\]' && !/[\\^_=+\-*/<>{}|\d]/.test(content)) return false;
  if (!silent) {
    const token = state.push('math_inline', 'math', 0);
    token.markup = open;
    token.content = content;
  }
  state.pos = end + close.length;
  return true;
}

/**
 * A `\(` with no `\)` after it (a formula still streaming, or never closed) before what reads as
 * math is kept as written: Markdown's escape would show it as `(`. One before words alone ("\(sic")
 * is left to the escape.
 */
function unclosedParen(state: StateInline, silent: boolean): boolean {
  const after = state.src.slice(state.pos + 2, Math.min(state.posMax, state.pos + 2 + 200));
  if (!/[\\^_=+\-*/<>{}|\d]/.test(after)) return false;
  if (!silent) state.pending += '\\(';
  state.pos += 2;
  return true;
}

function backslashesBefore(src: string, at: number): number {
  let count = 0;
  while (at - count - 1 >= 0 && src.charCodeAt(at - count - 1) === 0x5c /* \ */) count++;
  return count;
}

/** Where a string next occurs in one text, remembered: asked again from a later position before it, the answer is the same. */
class Ahead {
  private static last: Ahead | undefined;
  private readonly found = new Map<string, { from: number; at: number }>();

  private constructor(private readonly src: string) {}

  /** The finder for `src`: the last one made, when it was for the same text. */
  static of(src: string): Ahead {
    if (Ahead.last?.src !== src) Ahead.last = new Ahead(src);
    return Ahead.last;
  }

  /** The index of `needle` at or after `from`, or -1. */
  next(needle: string, from: number): number {
    const known = this.found.get(needle);
    if (known && known.from <= from && (known.at < 0 || known.at >= from)) return known.at;
    const at = this.src.indexOf(needle, from);
    this.found.set(needle, { from, at });
    return at;
  }
}
