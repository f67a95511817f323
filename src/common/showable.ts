/**
 * Control characters (line breaks and tabs too, C0 and C1), the line and paragraph separators
 * (U+2028, U+2029) and the marks, embeddings, overrides and isolates that change the direction of
 * text (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
 * In a name or a server's words they would break a notification or a log line in two, or show the
 * text after them reversed ("Good‮gnp.exe" reads "Goodexe.png").
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Runs of the characters {@link oneLine} replaces (global: reset `lastIndex` when using `exec`). */
export const UNSHOWABLE_RUNS = new RegExp(`${UNSHOWABLE.source}+`, 'g');
/** Each character {@link oneLine} replaces, one by one. */
const UNSHOWABLE_EACH = new RegExp(UNSHOWABLE.source, 'g');

/** The first character of `text` that {@link oneLine} would replace, as `U+XXXX`; undefined when there is none. */
export function unshowableIn(text: string): string | undefined {
  const found = UNSHOWABLE.exec(text);
  return found ? `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** `text` on one line as written: each run of control and text-direction characters shown as one space. */
export function oneLine(text: string): string {
  return text.replace(UNSHOWABLE_RUNS, ' ');
}

/**
 * A name (a workspace path) as a listing shows it, one to a line: as written, or, when it holds a
 * character {@link oneLine} would replace, as a JSON string with each such character escaped
 * (`"src/a\nb.txt"`, `"Good\u202egnp.exe"`), so a file named with a line break cannot forge
 * another line of the listing, and the name can still be given back whole.
 */
export function listedName(name: string): string {
  if (!unshowableIn(name)) return name;
  return quoted(name);
}

/**
 * `text` as a JSON string whose every character {@link oneLine} would replace is escaped (JSON
 * leaves C1 controls, the line and paragraph separators and the direction marks as they are), so
 * it reads on one line, in its own order, and can be given back whole.
 */
export function quoted(text: string): string {
  return escapedUnshowable(JSON.stringify(text));
}

/** `text` with each character {@link oneLine} would replace written as `\uXXXX` (for text that is JSON already). */
export function escapedUnshowable(text: string): string {
  return text.replace(UNSHOWABLE_EACH, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
