/**
 * Turns a message's annotations into numbered footnotes. Pure: it rewrites the text with marks the
 * Markdown renderer passes through untouched, and the DOM side swaps them for chips in text nodes.
 *
 * The marks are C0 control characters, and every C0 control character the model or the server sent
 * (bar tab and line breaks) is removed from the text first, so a mark can only be one of ours. Those
 * characters are invisible anyway, and linkify ends a URL at them, so a mark never joins a link.
 */
import type { Annotation } from '../src/core/model';

/** Opens a citation mark; the footnote number and `MARK_CLOSE` follow. */
export const MARK_OPEN = '\u0002';
export const MARK_CLOSE = '\u0003';

/** Control characters the text may not keep (they would be marks, or they are invisible). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * The citation markers OpenAI models write in private-use characters: `\uE200cite\uE202turn0file3\uE201`
 * (kind, then one or more references, each after `\uE202`). Any other character of that block on
 * its own is a broken marker and goes too.
 */
const PRIVATE_MARKER = /\uE200[^\uE200\uE201]*\uE201|[\uE200-\uE20F]/g;

export interface Footnote {
  number: number;
  label: string;
  /** Only URL citations link anywhere; file citations name a file. */
  url?: string;
  quote?: string;
  /** The cited file's name as the server gave it (file citations), for opening it in the workspace. */
  filename?: string;
}

/** A file the code interpreter wrote, which the host can download and save. */
export interface SavableFile {
  fileId: string;
  containerId?: string;
  filename?: string;
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
      files.set(number, { fileId: annotation.fileId, containerId: annotation.containerId, filename: annotation.filename });
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
  const edits: { start: number; end: number; insert: string }[] = placed.map((p) => ({ ...p.at, insert: citationMark(p.number) }));
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

function clean(segment: string): string {
  return segment.replace(CONTROL, '').replace(PRIVATE_MARKER, '');
}

function privateMarkers(text: string): Span[] {
  return Array.from(text.matchAll(PRIVATE_MARKER), (m) => ({ start: m.index, end: m.index + m[0].length }));
}

function position(text: string, annotation: Annotation, markers: readonly Span[]): Span | undefined {
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
  if (annotation.type === 'url_citation' || marker === undefined) return { start: end, end };
  return { start, end };
}

function footnoteOf(annotation: Annotation, number: number): Footnote {
  switch (annotation.type) {
    case 'url_citation':
      return { number, label: annotation.title || annotation.url, url: annotation.url };
    case 'file_citation':
      return { number, label: annotation.filename || annotation.fileId, quote: annotation.quote, filename: annotation.filename };
    case 'file_path':
      return { number, label: annotation.filename || annotation.fileId };
  }
}
