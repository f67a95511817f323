import type { WorkspaceFs } from './workspaceFs';

/** Bytes read at a time: memory stays near this plus the text kept, whatever the file's size. */
export const READ_CHUNK_BYTES = 64 * 1024;

export interface TextRangeRequest {
  /** First line to keep, 1-based; default 1. */
  startLine?: number;
  /** Last line to keep, inclusive; default: to the end. */
  endLine?: number;
  /** Characters kept at most; reading stops there. */
  maxChars: number;
  signal?: AbortSignal;
}

export type TextRange =
  | { kind: 'binary' }
  | {
      kind: 'text';
      text: string;
      /** 1-based first and last line kept (lastLine < firstLine when nothing was kept). */
      firstLine: number;
      lastLine: number;
      /** True when `maxChars` stopped the reading before `endLine` or the end of the file. */
      cut: boolean;
      /** True when the file ended before `startLine`. */
      pastEnd: boolean;
    };

/**
 * Reads only the lines that will be sent: the file streams through in small chunks, lines before
 * `startLine` are counted and dropped, and reading stops at `endLine` or once `maxChars` are kept.
 * A NUL byte marks the file as binary (its bytes are never decoded into the answer).
 */
export async function readTextRange(fs: Pick<WorkspaceFs, 'readChunks'>, absolute: string, request: TextRangeRequest): Promise<TextRange> {
  const startLine = Math.max(1, Math.floor(request.startLine ?? 1));
  const endLine = request.endLine === undefined ? Number.POSITIVE_INFINITY : Math.floor(request.endLine);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const kept: string[] = [];
  let keptChars = 0;
  let line = 1;
  let cut = false;
  let lineHasText = false;
  reading: for await (const chunk of fs.readChunks(absolute, READ_CHUNK_BYTES, request.signal)) {
    if (chunk.includes(0)) return { kind: 'binary' };
    const text = decoder.decode(chunk, { stream: true });
    let position = 0;
    while (position < text.length) {
      const newline = text.indexOf('\n', position);
      const end = newline === -1 ? text.length : newline + 1;
      if (line >= startLine && line <= endLine) {
        const piece = text.slice(position, end);
        if (keptChars + piece.length > request.maxChars) {
          kept.push(piece.slice(0, request.maxChars - keptChars));
          keptChars = request.maxChars;
          cut = true;
          break reading;
        }
        kept.push(piece);
        keptChars += piece.length;
      }
      lineHasText = newline === -1;
      if (newline === -1) break;
      line += 1;
      position = newline + 1;
      if (line > endLine) break reading;
    }
  }
  if (!cut) {
    const tail = decoder.decode();
    if (tail && line >= startLine && line <= endLine) kept.push(tail.slice(0, request.maxChars - keptChars));
  }
  // `line` is the line being read when we stopped; it holds nothing when the file ended on a newline.
  const lastLine = cut || lineHasText ? line : line - 1;
  return {
    kind: 'text',
    text: kept.join(''),
    firstLine: startLine,
    lastLine: Math.min(lastLine, endLine),
    cut,
    pastEnd: lastLine < startLine,
  };
}

/** Lines longer than this are cut before they are looked at (minified files, data on one line). */
export const MAX_LINE_CHARS = 10_000;
/** `forEachLine` lets the event loop run after this many milliseconds of calling `onLine` (a chunk holds thousands of lines). */
const LINES_TURN_MS = 15;

/**
 * Calls `onLine` with each line (without its newline, cut at MAX_LINE_CHARS; `cut` is true when
 * the line was longer) until it returns false or the file ends; memory stays at one chunk and one
 * line. Between lines it lets the event loop run every LINES_TURN_MS, so a costly `onLine` (a
 * large pattern tried on every line) holds the extension host for one line at a time, not a chunk. Resolves `binary` when the file holds a NUL byte (no line of it is reported after that).
 */
export async function forEachLine(
  fs: Pick<WorkspaceFs, 'readChunks'>,
  absolute: string,
  onLine: (text: string, line: number, cut: boolean) => boolean,
  signal?: AbortSignal,
): Promise<'done' | 'stopped' | 'binary'> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let current = '';
  let cut = false;
  let line = 1;
  let turn = performance.now();
  for await (const chunk of fs.readChunks(absolute, READ_CHUNK_BYTES, signal)) {
    if (chunk.includes(0)) return 'binary';
    const text = decoder.decode(chunk, { stream: true });
    let position = 0;
    for (;;) {
      if (performance.now() - turn > LINES_TURN_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
        turn = performance.now();
      }
      const newline = text.indexOf('\n', position);
      const piece = text.slice(position, newline === -1 ? text.length : newline);
      const room = MAX_LINE_CHARS - current.length;
      // A line ending in "\r" exactly at the limit is not cut: the "\r" is dropped anyway.
      if (piece.length > room && piece.slice(room) !== '\r') cut = true;
      if (room > 0) current += piece.slice(0, room);
      if (newline === -1) break;
      if (!onLine(current.replace(/\r$/, ''), line, cut)) return 'stopped';
      current = '';
      cut = false;
      line += 1;
      position = newline + 1;
    }
  }
  const tail = decoder.decode();
  if (tail && current.length + tail.length > MAX_LINE_CHARS) cut = true;
  current = (current + tail).slice(0, MAX_LINE_CHARS);
  if (current && !onLine(current.replace(/\r$/, ''), line, cut)) return 'stopped';
  return 'done';
}
