/** Finding a cited passage in a file's text. */
import { prefixFunction } from './findText';

/**
 * Whether a UTF-16 code is what may stand between a passage's words: whitespace (as `\s` has it) or
 * a comment leader (`*`, `#`, `/`, `>`).
 */
function isSeparator(code: number): boolean {
  return (
    code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x2a || code === 0x23 || code === 0x2f || code === 0x3e ||
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

/**
 * Where the cited passage `quote` starts in `text` (character offsets), its first words matched
 * whatever the whitespace (and comment leaders: `*`, `#`, `/`, `>`) between them, since a search
 * result's text is often reflowed; undefined when it is not there. The quote comes from the server: only its first words are used, as literal text.
 * The text and the words are compared without those characters, in one pass (Knuth–Morris–Pratt):
 * as a backtracking pattern, words of `**` against a line of 60 `*` took 20 s, and 100 forever.
 */
export function findPassage(text: string, quote: string): { start: number; end: number } | undefined {
  const words = quote.slice(0, 2000).split(/\s+/).filter(Boolean).slice(0, 12);
  const needle = [...words.join('')].filter((char) => !isSeparator(char.charCodeAt(0))).join('');
  if (needle.length === 0) return undefined;
  const fallback = prefixFunction(needle);
  // Where in `text` each of the last `needle.length` characters compared was.
  const at = new Int32Array(needle.length);
  let compared = 0;
  let matched = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isSeparator(code)) continue;
    at[compared++ % needle.length] = i;
    while (matched > 0 && code !== needle.charCodeAt(matched)) matched = fallback[matched - 1];
    if (code === needle.charCodeAt(matched)) matched++;
    if (matched === needle.length) return { start: at[(compared - needle.length) % needle.length], end: i + 1 };
  }
  return undefined;
}
