/** Finding a cited passage in a file's text. */

/**
 * Where the cited passage `quote` starts in `text` (character offsets), its first words matched
 * whatever the whitespace (and comment leaders: `*`, `#`, `//`, `>`) between them, since a search
 * result's text is often reflowed; undefined when it is not there. The quote comes from the server: only its first words are used, as literal text.
 */
export function findPassage(text: string, quote: string): { start: number; end: number } | undefined {
  const words = quote.slice(0, 2000).split(/\s+/).filter(Boolean).slice(0, 12);
  if (words.length === 0) return undefined;
  const pattern = new RegExp(words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s*#/>]+'));
  const match = pattern.exec(text);
  return match ? { start: match.index, end: match.index + match[0].length } : undefined;
}
