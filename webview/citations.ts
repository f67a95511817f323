/**
 * Turns a message's annotations into numbered footnotes. Pure: it rewrites the text with marker
 * characters the Markdown renderer passes through untouched, and the DOM side swaps them for chips.
 */
import type { Annotation } from '../src/core/model';

/** Private-use characters: the model never writes them, and markdown-it leaves them alone. */
export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';

export interface Footnote {
  number: number;
  label: string;
  /** Only URL citations link anywhere; file citations name a file the webview cannot open. */
  url?: string;
  quote?: string;
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

  // Number in reading order, then rewrite from the end so earlier indices stay valid.
  const placed = annotations
    .map((annotation) => ({ annotation, at: position(text, annotation) }))
    .filter((p): p is { annotation: Annotation; at: { start: number; end: number } } => p.at !== undefined)
    .sort((a, b) => a.at.start - b.at.start)
    .filter((p, i, all) => i === 0 || p.at.start >= all[i - 1].at.end)
    .map((p) => ({ ...p, number: numberFor(p.annotation) }));

  let out = text;
  for (const p of [...placed].reverse()) {
    out = out.slice(0, p.at.start) + `${MARK_OPEN}${p.number}${MARK_CLOSE}` + out.slice(p.at.end);
  }
  // Annotations without a position still deserve a footnote.
  for (const annotation of annotations) numberFor(annotation);
  return { text: out, footnotes, files };
}

function position(text: string, annotation: Annotation): { start: number; end: number } | undefined {
  const marker = annotation.type === 'url_citation' ? undefined : annotation.text;
  if (marker) {
    const { startIndex: s, endIndex: e } = annotation;
    if (s !== undefined && e !== undefined && text.slice(s, e) === marker) return { start: s, end: e };
    const start = text.indexOf(marker);
    if (start >= 0) return { start, end: start + marker.length };
  }
  const { startIndex, endIndex } = annotation;
  if (startIndex === undefined && endIndex === undefined) return undefined;
  // A URL citation spans the linked words: keep them and put the mark after them.
  const end = Math.min(text.length, Math.max(0, endIndex ?? startIndex ?? 0));
  if (annotation.type === 'url_citation' || marker === undefined) return { start: end, end };
  const start = Math.min(end, Math.max(0, startIndex ?? end));
  return { start, end };
}

function footnoteOf(annotation: Annotation, number: number): Footnote {
  switch (annotation.type) {
    case 'url_citation':
      return { number, label: annotation.title || annotation.url, url: annotation.url };
    case 'file_citation':
      return { number, label: annotation.filename || annotation.fileId, quote: annotation.quote };
    case 'file_path':
      return { number, label: annotation.filename || annotation.fileId };
  }
}
