import type { AssistantFile, FileTool } from './assistantFile';
import { describeErrors, draftFromFile, fileFromDraft, parseAssistantFile, serializeAssistantFile, validateAssistantFile } from './assistantFile';
import { AssistantConflictError } from '../errors';
import type { AssistantDraft } from '../../common/model';

/**
 * What a three-way merge of two edits of one assistant file gives: the merged file, and the fields
 * both edits changed differently (then `file` holds this side's values for them). A field is a
 * top-level key of the file, except that each tool (`tools.file_search`, `tools.code_interpreter`,
 * `tools.function:<name>`, `tools.mcp:<label>`), each list of `tool_resources` and each `metadata` key is a field of its
 * own: adding a vector store and editing a function's schema at once merge cleanly.
 */
export interface AssistantMerge {
  file: AssistantFile;
  /** Field names, as written above; empty when the edits merge cleanly. */
  conflicts: string[];
}

/**
 * Merges `mine` and `theirs`, two edits of `base`, field by field: a field only one side changed
 * takes that side's value; a field both changed to the same value takes it; a field both changed
 * differently is a conflict. Fields the file format does not know (`$schema`) merge the same way,
 * so a hand-written one survives an edit made from a draft.
 */
export function mergeAssistantFiles(base: AssistantFile, mine: AssistantFile, theirs: AssistantFile): AssistantMerge {
  const [b, m, t] = [fieldsOf(base), fieldsOf(mine), fieldsOf(theirs)];
  const merged = new Map<string, unknown>();
  const conflicts: string[] = [];
  for (const key of mergeOrder([...m.keys()], mergeOrder([...t.keys()], [...b.keys()]))) {
    const [bv, mv, tv] = [canonical(b.get(key)), canonical(m.get(key)), canonical(t.get(key))];
    let value: unknown;
    if (mv === tv || tv === bv) value = m.get(key);
    else if (mv === bv) value = t.get(key);
    else {
      conflicts.push(key);
      value = m.get(key);
    }
    if (value !== undefined) merged.set(key, value);
  }
  return { file: fileOf(merged), conflicts };
}

/**
 * `mine` merged onto `theirs` (see `mergeAssistantFiles`), when the result is a valid file. Throws
 * `AssistantConflictError` (with `theirs` as `current`, the merge as `proposed`) when a field
 * conflicts, or when the merge is not valid although each side is (a function made strict on one
 * side, its schema opened on the other).
 */
export function mergeOrConflict(base: AssistantFile, mine: AssistantFile, theirs: AssistantFile, where: ConflictPlace): AssistantFile {
  const { file, conflicts } = mergeAssistantFiles(base, mine, theirs);
  const invalid = conflicts.length > 0 ? [] : validateAssistantFile(file).map((error) => error.path.slice(1).replace(/\//g, '.') || 'file');
  const { current = serializeAssistantFile(theirs), ...place } = where;
  if (conflicts.length > 0 || invalid.length > 0) throw new AssistantConflictError([...conflicts, ...invalid], current, serializeAssistantFile(file), place);
  return file;
}

/** Where a merge happens, for its conflict: the assistant, its file, and the text it holds (default: `theirs` written out). */
export interface ConflictPlace {
  assistantId: string;
  file?: string;
  current?: string;
}

/** `mergeOrConflict` on drafts: for a store that keeps drafts (an Assistants v2 server). */
export function mergeDrafts(base: AssistantDraft, mine: AssistantDraft, theirs: AssistantDraft, where: ConflictPlace): AssistantDraft {
  return draftFromFile(mergeOrConflict(fileFromDraft(base), fileFromDraft(mine), fileFromDraft(theirs), where));
}

/** Whether two assistant files hold the same fields (key order, an empty list or map aside). */
/**
 * What *Overwrite* of a conflict writes: this side's change (`proposed`) as an update based on the
 * version the user was shown beside it (`current`). The fields in conflict take this side's values;
 * whatever was changed elsewhere after the conflict was shown (another field saved meanwhile) is
 * kept, and a field changed again meanwhile is a conflict of its own. When `current` is no valid
 * assistant (a hand edit broke it), there is no base and `proposed` is written whole. `problem`
 * (a sentence's worth, from `describeErrors`) when `proposed` is no valid assistant.
 */
export function overwriteOf(conflict: { current: string; proposed: string }): { draft: AssistantDraft; base?: AssistantDraft } | { problem: string } {
  const { file, errors } = parseAssistantFile(conflict.proposed);
  if (!file) return { problem: describeErrors(errors) };
  const shown = parseAssistantFile(conflict.current).file;
  return { draft: draftFromFile(file), ...(shown ? { base: draftFromFile(shown) } : {}) };
}

export function sameAssistantFile(a: AssistantFile, b: AssistantFile): boolean {
  const [fa, fb] = [fieldsOf(a), fieldsOf(b)];
  return fa.size === fb.size && [...fa].every(([key, value]) => canonical(value) === canonical(fb.get(key)));
}

const TOOL = 'tools.';
const RESOURCE = 'tool_resources.';
const META = 'metadata.';

/** The fields of a file, in its order. */
function fieldsOf(file: AssistantFile): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [key, value] of Object.entries(file)) {
    if (key === 'tools' && Array.isArray(value)) for (const tool of value as FileTool[]) fields.set(`${TOOL}${toolKey(tool)}`, tool);
    else if ((key === 'tool_resources' || key === 'metadata') && isRecord(value)) {
      for (const [name, inner] of Object.entries(value)) fields.set(`${key === 'metadata' ? META : RESOURCE}${name}`, inner);
    } else if (value !== undefined) fields.set(key, value);
  }
  return fields;
}

/** A file from its fields, tools, resources and metadata gathered back where the first of each stood. */
function fileOf(fields: Map<string, unknown>): AssistantFile {
  const file: Record<string, unknown> = {};
  const group = (name: string): unknown[] | Record<string, unknown> => {
    if (!(name in file)) file[name] = name === 'tools' ? [] : {};
    return file[name] as unknown[] | Record<string, unknown>;
  };
  for (const [key, value] of fields) {
    if (key.startsWith(TOOL)) (group('tools') as unknown[]).push(value);
    else if (key.startsWith(RESOURCE)) put(group('tool_resources') as Record<string, unknown>, key.slice(RESOURCE.length), value);
    else if (key.startsWith(META)) put(group('metadata') as Record<string, unknown>, key.slice(META.length), value);
    else put(file, key, value);
  }
  if (!('tools' in file)) file.tools = [];
  return file as unknown as AssistantFile;
}

/**
 * Sets `key` as a plain own field, as JSON.parse makes it: a metadata key named `__proto__` (valid
 * JSON, and kept by the parse) set by assignment would change the object's prototype instead and
 * be lost from the file.
 */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A tool's field name: its type, and a function's name or an MCP server's label (one file holds one of each). */
function toolKey(tool: FileTool): string {
  if (tool.type === 'function') return `function:${tool.function.name}`;
  return tool.type === 'mcp' ? `mcp:${tool.server_label.toLowerCase()}` : tool.type;
}

/**
 * `primary`'s keys in its order, with `secondary`'s other keys each placed after the key that
 * precedes it in `secondary` (at the start when none does).
 */
function mergeOrder(primary: string[], secondary: string[]): string[] {
  const order = [...primary];
  secondary.forEach((key, index) => {
    if (order.includes(key)) return;
    const before = secondary.slice(0, index).reverse().find((other) => order.includes(other));
    order.splice(before === undefined ? 0 : order.indexOf(before) + 1, 0, key);
  });
  return order;
}

/** JSON with object keys sorted, to compare values whatever order their keys were written in. */
function canonical(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return JSON.stringify(value, (_key, inner: unknown) =>
    isRecord(inner) ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, inner[key]])) : inner,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
