import * as path from 'path';
import { ASSISTANT_FILE_SUFFIX, MAX_ASSISTANT_FILE_BYTES, describeErrors, draftFromFile, oversizedReason, parseAssistantFile } from '../assistants/assistantFile';
import type { Backend } from '../backend';
import { AssistantsError } from '../errors';
import type { FileSystem } from '../workspace/fileSystem';
import { FileTooLargeError, NotRegularFileError, nodeWorkspaceFs } from '../workspace/fileSystem';
import { Confinement } from '../workspace/confinement';
import type { WorkspaceFs } from '../workspace/workspaceFs';
import { defaultToolFor, uploadFiles } from '../attachments/uploads';
import type { UploadIndex } from '../attachments/uploads';
import { listFilesFunction, readFileFunction, searchTextFunction } from '../functions/fileFunctions';
import { functionToolHandler } from '../functions/functionToolHandler';
import { FunctionRegistry } from '../functions/registry';
import type { Assistant, Attachment, ToolDefinition } from '../../common/model';
import type { ToolHandler } from '../toolHandler';
import type { TestRunnerDeps } from './runner';
import { TEST_FILE_PATTERN } from './testFile';

/**
 * `TestRunnerDeps.loadAssistant` for files on disk: reads an assistant file named relative to the
 * test file, which must stay inside `root` (the workspace folder) and end in `.assistant.json`,
 * validates it as the Assistants view does, and gives it the view's id (`workspace:<slug>`). A path
 * that leads out of `root` through a link (a repository may commit `helper.assistant.json` pointing
 * anywhere) is refused, as the Assistants view refuses it; `links` resolves them. Its size
 * is looked at before it is read, and the reading stops there: one larger than the Assistants view lists (`MAX_ASSISTANT_FILE_BYTES`)
 * is refused unread, with a sentence naming both sizes. A folder, a pipe or device, a name with a
 * NUL character, a loop of links or a file the system will not read is refused with a sentence of
 * its own (`bad_request`), never Node's error.
 */
export function assistantLoader(fs: Pick<FileSystem, 'readFile' | 'stat'>, testFile: string, root: string, links: Pick<WorkspaceFs, 'realPath' | 'readLink'> = nodeWorkspaceFs): TestRunnerDeps['loadAssistant'] {
  const confinement = new Confinement(links, () => ({ roots: [root], deny: [], exclude: [] }));
  return async (relative) => {
    const named = `The assistant file ${JSON.stringify(relative)}`;
    // Said as attachments say it, before any file system call (Node's own error names the argument and the bytes).
    if (relative.includes('\u0000')) throw new AssistantsError('bad_request', `${named} contains a NUL character; name the file in the test file's "assistant" without one.`);
    const lexical = path.resolve(path.dirname(testFile), relative);
    const inside = path.relative(root, lexical);
    if (inside.startsWith('..') || path.isAbsolute(inside)) throw new AssistantsError('bad_request', `${named} is outside the workspace folder.`);
    const confined = await confinement.admit(lexical).catch((error: unknown) => unreadable(named, error));
    if (!confined.ok) {
      const loop = /loop/.test(confined.about ?? '');
      throw new AssistantsError('bad_request', loop ? `${named} goes through a loop of links; make it a file, or a link to one inside the workspace folder.` : `${named} links to a place outside the workspace folder; copy the file into the folder instead of linking to it.`);
    }
    // Read where it leads; named, and given its id, by the name the test file gives it (as the Assistants view lists a link).
    const absolute = confined.absolute;
    if (!lexical.endsWith(ASSISTANT_FILE_SUFFIX)) throw new AssistantsError('bad_request', `${JSON.stringify(relative)} is not an assistant file (its name must end in ${ASSISTANT_FILE_SUFFIX}).`);
    const missing = `${named} does not exist; create it or name another in the test file's "assistant".`;
    const stat = await fs.stat(absolute).catch((error: unknown) => unreadable(named, error));
    if (stat === undefined) throw new AssistantsError('bad_request', missing);
    if (stat.kind === 'directory') throw new AssistantsError('bad_request', `${named} is a folder, not a file; name an assistant file in the test file's "assistant".`);
    if (stat.kind !== 'file') throw new AssistantsError('bad_request', NOT_REGULAR(named));
    if (stat.size > MAX_ASSISTANT_FILE_BYTES) throw new AssistantsError('bad_request', `${named} ${oversizedReason(stat.size)}.`);
    const bytes = await fs.readFile(absolute, { maxBytes: MAX_ASSISTANT_FILE_BYTES }).catch((error: unknown) => {
      if (error instanceof FileTooLargeError) throw new AssistantsError('bad_request', `${named} ${oversizedReason()}.`);
      // Replaced by a pipe or a device since it was looked at.
      if (error instanceof NotRegularFileError) throw new AssistantsError('bad_request', NOT_REGULAR(named));
      return unreadable(named, error);
    });
    if (!bytes) throw new AssistantsError('bad_request', missing);
    const parsed = parseAssistantFile(Buffer.from(bytes).toString('utf8'));
    if (!parsed.file) throw new AssistantsError('bad_request', `The assistant file ${JSON.stringify(relative)} is not valid: ${describeErrors(parsed.errors)}`);
    const slug = path.basename(lexical).slice(0, -ASSISTANT_FILE_SUFFIX.length);
    return { ...draftFromFile(parsed.file), id: `workspace:${slug}`, createdAt: 0 } satisfies Assistant;
  };
}

const NOT_REGULAR = (named: string): string => `${named} is not a regular file (a pipe, socket or device), so it is not read; name an assistant file in the test file's "assistant".`;

/** Throws the sentence for an assistant file the file system would not look at or read (permissions, a name too long): what went wrong, by Node's code, without Node's words. */
function unreadable(named: string, error: unknown): never {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission to read it is denied' : code === 'ENAMETOOLONG' ? 'its path is too long for this system' : code === 'ELOOP' ? 'it goes through a loop of links' : 'the file system refused to read it';
  throw new AssistantsError('bad_request', `${named} cannot be read: ${why}; fix it or name another file in the test file's "assistant".`, { cause: error });
}

/**
 * `TestRunnerDeps.attach` for workspace files: each path goes through the same confinement as the
 * assistant's functions (inside `root`, links resolved, the deny list applied), then is uploaded
 * as the chat uploads attachments (content hash reused within this run), to file search or the code
 * interpreter by its type. The first path refused or not uploaded throws its sentence.
 */
export function workspaceAttacher(options: { root: string; fs: WorkspaceFs; backend: Backend; deny: readonly unknown[]; provider: string }): NonNullable<TestRunnerDeps['attach']> {
  const confinement = new Confinement(options.fs, () => ({ roots: [options.root], deny: options.deny, exclude: [] }));
  const known = new Map<string, string>();
  const index: UploadIndex = {
    get: (provider, sha) => known.get(`${provider}\n${sha}`),
    set: async (provider, sha, id) => void known.set(`${provider}\n${sha}`, id),
    forget: async (_provider, id) => {
      for (const [key, value] of known) if (value === id) known.delete(key);
    },
  };
  return async (paths, signal) => {
    const items = [];
    for (const requested of paths) {
      const confined = await confinement.resolve(requested);
      if (!confined.ok) throw new AssistantsError('bad_request', `Attachment ${JSON.stringify(requested)}: ${confined.reason}`);
      items.push({ absolute: confined.absolute, display: confined.display, tool: defaultToolFor(confined.display) });
    }
    const results = await uploadFiles(items, { files: options.backend, fs: options.fs, index, provider: options.provider, signal });
    return results.map((result): Attachment => {
      if (!result.ok) throw new AssistantsError('bad_request', `Attachment ${JSON.stringify(result.item.display)} was not uploaded: ${result.reason}`);
      return { fileId: result.fileId, filename: result.filename, tools: [result.item.tool] };
    });
  };
}

/**
 * The functions of headless test runs (the CLI): the workspace's read-only functions (`read_file`,
 * `list_files`, `search_text`, confined and with the deny list, as in the chat), as tools for the
 * run and the handler that runs them; a call that would ask the user (a write, a custom function)
 * is denied, and the model is told so, as is every call while `trusted` (default: always) says no.
 */
export function headlessFunctions(options: { root: string; fs: WorkspaceFs; deny: readonly unknown[]; trusted?: () => boolean }): { toolHandler: ToolHandler; functions: ToolDefinition[] } {
  const confinement = new Confinement(options.fs, () => ({ roots: [options.root], deny: options.deny, exclude: [] }));
  const deps = { fs: options.fs, confinement };
  const registry = new FunctionRegistry([readFileFunction(deps), listFilesFunction(deps), searchTextFunction(deps)]);
  const toolHandler = functionToolHandler({
    registry,
    trusted: options.trusted ?? (() => true),
    policy: () => undefined,
    approver: { ask: async () => 'deny' },
    roots: () => [options.root],
  });
  return { toolHandler, functions: registry.tools() };
}

/** Folders never searched for test files. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);
/** Entries looked at, at most, when searching a workspace for test files. */
const MAX_FIND_ENTRIES = 50_000;

/**
 * The test files of a workspace folder (`*.assistant-tests.json`, `.yaml`, `.yml`), sorted, found by
 * walking it without following links, skipping `node_modules`, `.git` and build output, and
 * stopping after 50,000 entries.
 */
export async function findTestFiles(fs: Pick<WorkspaceFs, 'readDir'>, root: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [root];
  let seen = 0;
  while (pending.length > 0 && seen < MAX_FIND_ENTRIES) {
    const dir = pending.pop()!;
    const entries = await fs.readDir(dir).catch(() => []);
    for (const entry of entries) {
      if (++seen > MAX_FIND_ENTRIES) break;
      const absolute = path.join(dir, entry.name);
      if (entry.type === 'directory' && !SKIPPED_FOLDERS.has(entry.name)) pending.push(absolute);
      else if (entry.type === 'file' && TEST_FILE_PATTERN.test(entry.name)) found.push(absolute);
    }
  }
  return found.sort();
}
