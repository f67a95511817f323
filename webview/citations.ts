/**
 * Turns a message's annotations into numbered footnotes. Pure: it rewrites the text with marks the
 * Markdown renderer passes through untouched, and the DOM side swaps them for chips in text nodes.
 *
 * The marks are C0 control characters, and every C0 control character the model or the server sent
 * (bar tab and line breaks) is removed from the text first, so a mark can only be one of ours. Those
 * characters are invisible anyway, and linkify ends a URL at them, so a mark never joins a link.
 */
import type { Annotation, KeptFile } from '../src/common/model';
import { withoutEscapes } from '../src/common/terminal';

/** Opens a citation mark; the footnote number and `MARK_CLOSE` follow. */
export const MARK_OPEN = '\u0002';
export const MARK_CLOSE = '\u0003';

/** Control characters the text may not keep (they would be marks, or they are invisible). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * The citation markers OpenAI models write in private-use characters: `\uE200cite\uE202turn0file3\uE201`
 * (kind, then one or more references, each after `\uE202`; an entity's reference is a JSON array).
 * A closed marker is taken whole, within bounds and one line. A marker without its closing
 * character (cut off mid-stream, or never closed) is taken only as far as its kind and references
 * look like ids (lower-case letters, digits, `_`, `-`), so it never takes the sentences after it:
 * a reference that runs straight into a word ends at its last digit (`turn0file3Next` keeps
 * `Next`) unless the text ends in it, and a kind with no reference after it is taken only where
 * the text ends (`\uE200Next` keeps `Next`). Any other character of that block on its own is a
 * broken marker and goes too.
 */
const PRIVATE_MARKER = new RegExp(
  [
    // Closed: a kind, then references (ids, or an entity's JSON array), then the closing character.
    '\uE200[A-Za-z_]{0,40}(?:\uE202(?:\\[[^\n\uE200-\uE20F]{0,300}?\\]|[^\\s\uE200-\uE20F]{0,120}))*\uE201',
    // Unclosed: references that are ids or a JSON array (one the text ends in is still being written)…
    '\uE200[A-Za-z_]{0,40}(?:\uE202(?:\\[[^\n\uE200-\uE20F\\]]{0,300}$|\\[[^\n\uE200-\uE20F]{0,300}?\\]|[A-Za-z0-9_-]{0,64}$|[a-z0-9_-]{1,64}(?![A-Za-z0-9_-])|[a-z0-9_-]{0,63}\\d|))+',
    // …or a kind the text ends in.
    '\uE200[A-Za-z_]{1,40}$',
    '[\uE200-\uE20F]',
  ].join('|'),
  'g',
);

/**
 * Markdown link syntax a citation mark must stay out of, or the link breaks (a control character
 * ends a link destination and a bare URL, and a label with a mark in it names no definition): a
 * link's destination and title `(…)`, a reference `[…]` after link text, a shortcut or collapsed
 * reference `[label]` / `[label][]` to a defined label, an autolink `<…>`, a bare URL, and a whole
 * reference definition, in a quote or a list too, with its destination and title on lines of their
 * own; and a line of block syntax alone (`SYNTAX_LINE`). A citation placed in one goes just after
 * it; in a definition or a syntax line it keeps only its footnote.
 */
interface LinkSpan extends Span {
  /** A reference definition or a syntax line: nothing may follow it on its line. */
  definition?: boolean;
}

const AUTOLINK = /<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>/g;
const BARE_URL = /(?:\b[A-Za-z][A-Za-z0-9+.-]{1,31}:\/\/|\bwww\.)[^\s<>]*/g;
/** Quote and list markers, and indentation, before a block's text on its line. */
const CONTAINER_PREFIX = String.raw`(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*`;
/** A reference definition's first line: its label (group 1) and the rest of the line (group 2). */
const DEFINITION = new RegExp(String.raw`^${CONTAINER_PREFIX}\[([^\]\n]{1,999})\]:([^\n]*)$`, 'gm');
/** A line that goes on a definition: its destination (after a label alone on its line) or its title. */
const CONTINUED = new RegExp(String.raw`^${CONTAINER_PREFIX}\S[^\n]*`);
const TITLE_LINE = new RegExp(String.raw`^${CONTAINER_PREFIX}["'(][^\n]*`);
/**
 * A line that is Markdown syntax alone: a code fence, a heading's underline, a rule, a table's
 * delimiter row. A mark after one makes it text, and a closing fence that no longer closes takes
 * the rest of the answer into its code block.
 */
const SYNTAX_LINE = new RegExp(String.raw`^${CONTAINER_PREFIX}(?:\`{3,}[^\`\n]*|~{3,}[^\n]*|=+|-+|(?:[-*_][ \t]*){3,}|\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?)?)[ \t]*$`);
/** A bracketed text that may be a shortcut `[label]` or collapsed `[label][]` reference. */
const SHORTCUT = /\[([^[\]\n]{1,999})\](?:\[\])?(?![([:])/g;
/** How far a link destination and title are followed before the text is taken as no link. */
const MAX_DESTINATION = 4096;
/** Characters walked looking for link destinations in one text, all links together. */
const MAX_LINK_WALK = 200_000;

/** A reference label as CommonMark matches it: case and runs of white space aside, with no marker in it. */
function labelKey(label: string): string {
  return label.replace(PRIVATE_MARKER, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

function linkSpans(text: string): LinkSpan[] {
  const spans: LinkSpan[] = [];
  // Such a line keeps only the footnote of a citation on it, at its end too (the span takes in its line break).
  let lineStart = 0;
  for (const line of text.split('\n')) {
    if (SYNTAX_LINE.test(line.replace(PRIVATE_MARKER, ''))) spans.push({ start: lineStart, end: lineStart + line.length + 1, definition: true });
    lineStart += line.length + 1;
  }
  const labels = new Set<string>();
  for (const m of text.matchAll(DEFINITION)) {
    labels.add(labelKey(m[1]));
    let end = m.index + m[0].length;
    // The destination on the next line, when the label stands alone on its own.
    if (!m[2].replace(PRIVATE_MARKER, '').trim()) end = lineAfter(text, end, CONTINUED) ?? end;
    // A title on the line after the destination.
    end = lineAfter(text, end, TITLE_LINE) ?? end;
    spans.push({ start: m.index, end, definition: true });
  }
  if (labels.size) {
    for (const m of text.matchAll(SHORTCUT)) if (labels.has(labelKey(m[1]))) spans.push({ start: m.index, end: m.index + m[0].length });
  }
  for (const m of text.matchAll(AUTOLINK)) spans.push({ start: m.index, end: m.index + m[0].length });
  // A bare URL ends before the punctuation after it, as linkify ends it: a citation there goes before the full stop.
  for (const m of text.matchAll(BARE_URL)) spans.push({ start: m.index, end: m.index + m[0].replace(/[.,;:!?'"]+$/, '').length });
  // Text made of `](` over and over would have each followed far: the walks share one budget.
  const budget = { steps: MAX_LINK_WALK };
  for (let at = text.indexOf(']'); at >= 0 && budget.steps > 0; at = text.indexOf(']', at + 1)) {
    const next = text[at + 1];
    if (next === '(') {
      const end = destinationEnd(text, at + 2, budget);
      if (end !== undefined) spans.push({ start: at + 1, end });
    } else if (next === '[') {
      const end = text.indexOf(']', at + 2);
      if (end >= 0 && end - at <= 1000 && !text.slice(at + 2, end).includes('\n')) spans.push({ start: at + 1, end: end + 1 });
    }
  }
  return spans;
}

/** The end of the line after the one ending at `end`, when that line matches `shape`. */
function lineAfter(text: string, end: number, shape: RegExp): number | undefined {
  if (text[end] !== '\n') return undefined;
  const next = text.indexOf('\n', end + 1);
  const line = text.slice(end + 1, next < 0 ? text.length : next);
  return shape.test(line) ? end + 1 + line.length : undefined;
}

/** Where an inline link's `(destination "title")` that starts at `from` (after its `(`) ends, past its `)`. */
function destinationEnd(text: string, from: number, budget: { steps: number }): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length && i - from < MAX_DESTINATION && budget.steps-- > 0; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (quote) quote = c === quote ? undefined : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return i + 1;
    else if (c === '\n' && text[i + 1] === '\n') return undefined;
  }
  return undefined;
}

export interface Footnote {
  number: number;
  label: string;
  /** Only URL citations link anywhere; file citations name a file. */
  url?: string;
  quote?: string;
  /** The cited file's name as the server gave it (file citations), for opening it in the workspace. */
  filename?: string;
}

/** A file the code interpreter wrote, which the host keeps with the thread (`kept`) to save. */
export interface SavableFile {
  fileId: string;
  containerId?: string;
  filename?: string;
  kept?: KeptFile;
}

export interface Cited {
  text: string;
  footnotes: Footnote[];
  /** The footnotes that name a file the code interpreter wrote (`file_path`), by footnote number. */
  files: Map<number, SavableFile>;
}

interface Span {
  start: number;
  end: number;
}

/** A citation mark for footnote `number`, as `applyCitations` writes it. */
export function citationMark(number: number): string {
  return `${MARK_OPEN}${number}${MARK_CLOSE}`;
}

export function applyCitations(text: string, annotations: readonly Annotation[]): Cited {
  const footnotes: Footnote[] = [];
  const files = new Map<number, SavableFile>();
  const numbers = new Map<string, number>();
  const numberFor = (annotation: Annotation): number => {
    const key = annotation.type === 'url_citation' ? `url:${annotation.url}` : `file:${annotation.fileId}`;
    const known = numbers.get(key);
    if (known !== undefined) return known;
    const number = footnotes.length + 1;
    numbers.set(key, number);
    footnotes.push(footnoteOf(annotation, number));
    if (annotation.type === 'file_path') {
      files.set(number, { fileId: annotation.fileId, containerId: annotation.containerId, filename: annotation.filename, ...(annotation.kept ? { kept: annotation.kept } : {}) });
    }
    return number;
  };

  const markers = privateMarkers(text);
  // Number in reading order; overlapping placements keep the first.
  const placed = annotations
    .map((annotation) => ({ annotation, at: position(text, annotation, markers) }))
    .filter((p): p is { annotation: Annotation; at: Span } => p.at !== undefined)
    .sort((a, b) => a.at.start - b.at.start)
    .filter((p, i, all) => i === 0 || p.at.start >= all[i - 1].at.end)
    .map((p) => ({ ...p, number: numberFor(p.annotation) }));

  // Edits in order: a placed citation replaces its span; a private-use marker no citation took vanishes.
  // A citation inside link syntax leaves its place empty and goes just after the link.
  const links = linkSpans(text);
  const edits: { start: number; end: number; insert: string }[] = placed.flatMap((p) => {
    // The outermost syntax holds it (a URL inside a link's destination is part of that link).
    const link = links.filter((l) => l.start <= p.at.start && p.at.start < l.end).sort((a, b) => b.end - a.end)[0];
    if (!link) return [{ ...p.at, insert: citationMark(p.number) }];
    const emptied = { start: p.at.start, end: Math.min(p.at.end, link.end), insert: '' };
    return link.definition ? [emptied] : [emptied, { start: link.end, end: link.end, insert: citationMark(p.number) }];
  });
  for (const marker of markers) {
    if (!placed.some((p) => p.at.start < marker.end && marker.start < p.at.end)) edits.push({ ...marker, insert: '' });
  }
  edits.sort((a, b) => a.start - b.start || a.end - b.end);

  let out = '';
  let at = 0;
  for (const edit of edits) {
    if (edit.start < at) continue;
    out += clean(text.slice(at, edit.start)) + edit.insert;
    at = Math.max(at, edit.end);
  }
  out += clean(text.slice(at));
  // Annotations without a position still deserve a footnote.
  for (const annotation of annotations) numberFor(annotation);
  return { text: out, footnotes, files };
}

/** A stretch of the text without control characters, private-use markers and whole escape sequences (a coloured log the model copied would show `[31m`). */
function clean(segment: string): string {
  return withoutEscapes(segment).replace(CONTROL, '').replace(PRIVATE_MARKER, '');
}

function privateMarkers(text: string): Span[] {
  return Array.from(text.matchAll(PRIVATE_MARKER), (m) => ({ start: m.index, end: m.index + m[0].length }));
}

function position(text: string, annotation: Annotation, markers: readonly Span[]): Span | undefined {
  // A citation of a `sandbox:` link (Assistants v2) spans the link's target: the link itself leads to the file.
  if (annotation.type === 'file_path' && annotation.text?.startsWith('sandbox:')) return undefined;
  const marker = annotation.type === 'url_citation' ? undefined : annotation.text;
  if (marker) {
    const { startIndex: s, endIndex: e } = annotation;
    if (s !== undefined && e !== undefined && text.slice(s, e) === marker) return { start: s, end: e };
    const start = text.indexOf(marker);
    if (start >= 0) return { start, end: start + marker.length };
  }
  const { startIndex, endIndex } = annotation;
  if (startIndex === undefined && endIndex === undefined) return undefined;
  const end = Math.min(text.length, Math.max(0, endIndex ?? startIndex ?? 0));
  const start = Math.min(end, Math.max(0, startIndex ?? end));
  // A citation that points at a private-use marker (its start, inside it, or just after it) takes its place.
  const point = annotation.type === 'url_citation' ? end : start;
  const atMarker = markers.find((m) => point >= m.start && point <= m.end);
  if (atMarker) return { ...atMarker };
  // A URL citation spans the linked words: keep them and put the mark after them.
  if (annotation.type === 'url_citation' || marker === undefined) return insertionPoint(text, end);
  return { start, end };
}

/**
 * Where a mark placed at `at` goes: at once, unless the cited words ended with a line break, which
 * puts `at` at the start of the next line, where the mark would turn a list item, heading or quote
 * into text: then just after the words.
 */
function insertionPoint(text: string, at: number): Span {
  let point = at;
  let brokeLine = false;
  while (point > 0 && /\s/.test(text[point - 1])) {
    brokeLine ||= text[point - 1] === '\n';
    point--;
  }
  return brokeLine ? { start: point, end: point } : { start: at, end: at };
}

function footnoteOf(annotation: Annotation, number: number): Footnote {
  switch (annotation.type) {
    case 'url_citation':
      return { number, label: annotation.title || annotation.url, url: annotation.url };
    case 'file_citation':
      return { number, label: annotation.filename || annotation.fileId, quote: annotation.quote, filename: annotation.filename };
    case 'file_path':
      return { number, label: annotation.kept?.filename || annotation.filename || annotation.fileId };
  }
}
