/**
 * What a screen reader hears while an answer streams: whole sentences, once each, instead of every
 * delta (which would be read as fragments, or not at all). Pure, so the splitting is tested in Node.
 */

/** Markdown syntax a listener does not need: code fences, emphasis marks, heading and list marks. */
function speakable(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?(```|$)/g, ' (code block) ')
    .replace(/[*_`#>]+/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

/**
 * The sentences of `text` (the answer so far, as Markdown) completed after the first `spoken`
 * characters, and how far they reach. With `final` the unfinished rest counts as a sentence too.
 */
export function nextSentences(text: string, spoken: number, final: boolean): { speech: string; upTo: number } {
  const rest = text.slice(spoken);
  let end = 0;
  const boundary = /[.!?…](?=\s)|\n\n/g;
  for (let match = boundary.exec(rest); match; match = boundary.exec(rest)) end = match.index + match[0].length;
  if (final) end = rest.length;
  const speech = speakable(rest.slice(0, end)).replace(/\s+/g, ' ').trim();
  return { speech, upTo: spoken + end };
}
