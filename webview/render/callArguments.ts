/**
 * A function call's arguments as a reader at 300 px can take them in: one row per argument, short
 * values inline, and every long text (a file's new content, a replaced snippet) as wrapping text of
 * its own with *Open in Editor*. Nested values stay indented JSON, their long texts lifted out the
 * same way. The model writes the arguments: they are only ever text here.
 */
import { append, h } from '../ui/dom';
import { actionIcon } from '../ui/kit';

/** A text longer than this, or with a line break, gets a block of its own. */
const LONG_TEXT_CHARS = 80;

/** Opens `text` in a new editor, in the language `language` names when VS Code knows it. */
export type OpenText = (text: string, language: string | undefined) => void;

/** A long text lifted out of the arguments: where it was (`content`, `edits[0].newText`) and what it says. */
export interface LongText {
  path: string;
  text: string;
}

/** One argument: its name and either a short value or a block of long text. */
export interface ArgumentRow {
  name: string;
  /** Short value, as JSON text (strings unquoted); nested values as indented JSON. */
  value?: string;
  /** Long texts in this argument, each with where it sits. */
  long: LongText[];
}

/**
 * The arguments as rows (`json` the model's text). Text that is not a JSON object is one row named
 * `arguments`, as written (a long one as a block of its own).
 */
export function argumentRows(json: string): ArgumentRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json || '{}');
  } catch {
    return [isLong(json) ? { name: 'arguments', long: [{ path: 'arguments', text: json }] } : { name: 'arguments', value: json, long: [] }];
  }
  if (!isObject(parsed)) return [{ name: 'arguments', ...lifted(parsed, 'arguments') }];
  return Object.entries(parsed).map(([name, value]) => ({ name, ...lifted(value, name) }));
}

/** A value with its long texts taken out (and named in its place), and those texts. */
function lifted(value: unknown, path: string): { value?: string; long: LongText[] } {
  if (typeof value === 'string') return isLong(value) ? { long: [{ path, text: value }] } : { value, long: [] };
  if (value === null || typeof value !== 'object') return { value: JSON.stringify(value), long: [] };
  const long: LongText[] = [];
  const walk = (node: unknown, at: string): unknown => {
    if (typeof node === 'string' && isLong(node)) {
      long.push({ path: at, text: node });
      return `‹${at}: ${describe(node)}, below›`;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${at}[${i}]`));
    if (isObject(node)) return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, `${at}.${key}`)]));
    return node;
  };
  return { value: JSON.stringify(walk(value, path), null, 2), long };
}

function isLong(text: string): boolean {
  return text.length > LONG_TEXT_CHARS || text.includes('\n');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** "12 lines" or "240 characters". */
function describe(text: string): string {
  const lines = text.split('\n').length;
  return lines > 1 ? `${lines} lines` : `${text.length} characters`;
}

/** The language a file path's extension names (`src/a.ts` → `ts`), for the editor a long text opens in. */
function languageOf(json: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    const path = isObject(parsed) && typeof parsed.path === 'string' ? parsed.path : undefined;
    return path ? /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Draws the arguments (`json` as the model wrote it); `open` offers each long text in an editor. */
export function renderArguments(json: string, open?: OpenText): HTMLElement {
  const language = languageOf(json);
  const list = h('dl', { className: 'call-args' });
  for (const row of argumentRows(json)) {
    const nested = row.value !== undefined && /^[[{]/.test(row.value) && row.value.includes('\n');
    // A long text alone is named in its own heading, beside its size.
    append(
      list,
      row.value !== undefined ? h('dt', { className: 'call-arg-name', text: row.name }) : null,
      row.value !== undefined ? h(nested ? 'pre' : 'dd', { className: nested ? 'call-arg-value call-arg-json' : 'call-arg-value', text: row.value }) : null,
      ...row.long.map((text) => longText(text, language, open)),
    );
  }
  return list;
}

function longText({ path, text }: LongText, language: string | undefined, open: OpenText | undefined): HTMLElement {
  const head = h('div', { className: 'call-arg-long-head' }, h('span', { className: 'call-arg-name', text: path }), h('span', { className: 'call-arg-size', text: describe(text) }));
  if (open) head.append(actionIcon({ label: `Open ${path} in an editor`, icon: 'go-to-file', onClick: () => open(text, language) }));
  return h('dd', { className: 'call-arg-long' }, head, h('pre', { className: 'call-arg-text', text }));
}
