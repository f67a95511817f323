import * as path from 'node:path';
import type { FieldError } from './assistantFile';
import { ASSISTANT_FILE_SUFFIX, MAX_ASSISTANT_FILE_BYTES, draftFromFile, oversizedReason, fileFromDraft, parseAssistantFile, serializeAssistantFile, slugify } from './assistantFile';
import type { ConflictPlace } from './assistantMerge';
import { mergeOrConflict } from './assistantMerge';
import { AssistantConflictError, AssistantsError } from '../errors';
import { oneLine } from '../../common/showable';
import type { FileSystem } from '../workspace/fileSystem';
import { FileChangedError, FileGoneError, FileTooLargeError, ForeignLockError, LockTimeoutError, NotRegularFileError } from '../workspace/fileSystem';
import type { Confinement } from '../workspace/confinement';
import type { Assistant, AssistantDraft } from '../../common/model';

/** Where an assistant lives: a file in the workspace, a file in the user's own storage, or an Assistants v2 server. */
export type AssistantLocation = 'workspace' | 'user' | 'server';

/** An assistant as a store lists it: valid (`assistant` set) or not (`errors` say why; it is never run). */
export interface AssistantEntry {
  /** Stable id: `workspace:<slug>`, `user:<slug>`, or the server's `asst_…`. */
  id: string;
  location: AssistantLocation;
  /** The name to show, also for an invalid file (then its file name). */
  name: string;
  /** The file's absolute path, for file stores. */
  file?: string;
  assistant?: Assistant;
  errors?: FieldError[];
  /** Set when the file was not read at all (it leads out of the workspace); `errors` says why. */
  refused?: true;
}

/** How an update meets changes made since its draft was read. */
export interface UpdateOptions {
  /**
   * The assistant as it was read before `draft` was made from it. The store compares it with what
   * it holds now: fields changed meanwhile that the draft left alone are kept, and a field both
   * changed differently throws `AssistantConflictError`, writing nothing. Without it, the draft
   * replaces the stored assistant (an overwrite).
   */
  base?: AssistantDraft;
  signal?: AbortSignal;
}

/**
 * The port every assistant store implements: the files of a folder, or the assistant objects of an
 * Assistants v2 server. Every method throws `AssistantsError` (`not_found` for an unknown id, also
 * for an update of one deleted meanwhile, which is never brought back).
 */
export interface AssistantStore {
  readonly location: AssistantLocation;
  list(signal?: AbortSignal): Promise<AssistantEntry[]>;
  /** Always a new assistant: a name already taken gets a numbered file (`helper-2`), never the same one. */
  create(draft: AssistantDraft, signal?: AbortSignal): Promise<AssistantEntry>;
  update(id: string, draft: AssistantDraft, options?: UpdateOptions): Promise<AssistantEntry>;
  delete(id: string, signal?: AbortSignal): Promise<void>;
}

/** How many numbered names a create tries (`helper`, `helper-2`, …) before it gives up. */
const MAX_NAMES = 1000;
/** Merges an update tries when another program keeps writing the file between its read and its write. */
const MAX_MERGE_ATTEMPTS = 3;

/**
 * Assistants as `<slug>.assistant.json` files in one folder (the workspace's `.assistants/`, or the
 * user's global storage). The id is `<location>:<slug>`, so it survives edits of the name. Writers
 * never lose each other's changes: a create takes a name no file has (created exclusively), and an
 * update or delete holds the file's lock (`FileSystem.withLock`, shared by every window) while it
 * reads, merges (see `UpdateOptions.base`) and writes.
 */
export class FileAssistantStore implements AssistantStore {
  constructor(
    private readonly fs: FileSystem,
    /** Absolute folder path. */
    readonly dir: string,
    readonly location: 'workspace' | 'user',
    /**
     * Where the files may really be (links resolved): the workspace's files go through the
     * workspace confinement, so a link (or a linked folder) leading out of the workspace is listed
     * as refused and never read, and nothing is created, written, locked or deleted in a folder
     * that leads out of it (a repository may commit `.assistants` as a link to any folder). Without
     * one, every file of `dir` is read.
     */
    private readonly confinement?: Pick<Confinement, 'admit'>,
  ) {}

  /** The id of the assistant kept in `file`, or undefined when the file is not one of this store's. */
  idOf(file: string): string | undefined {
    if (path.dirname(file) !== this.dir || !file.endsWith(ASSISTANT_FILE_SUFFIX)) return undefined;
    return `${this.location}:${path.basename(file).slice(0, -ASSISTANT_FILE_SUFFIX.length)}`;
  }

  /** The file an id of this store names. */
  fileOf(id: string): string {
    const prefix = `${this.location}:`;
    if (!id.startsWith(prefix)) throw new AssistantsError('not_found', `No assistant with id ${id} here.`);
    return path.join(this.dir, `${id.slice(prefix.length)}${ASSISTANT_FILE_SUFFIX}`);
  }

  async list(): Promise<AssistantEntry[]> {
    const names = (await this.fs.readDir(this.dir)).filter((name) => name.endsWith(ASSISTANT_FILE_SUFFIX)).sort();
    const entries = await Promise.all(names.map((name) => this.read(path.join(this.dir, name))));
    return entries.filter((entry): entry is AssistantEntry => entry !== undefined);
  }

  /** One file as an entry; undefined when it vanished. A file that cannot be read is listed with the reason, so it hides no other. */
  async read(file: string): Promise<AssistantEntry | undefined> {
    const id = this.idOf(file);
    let source = file;
    if (this.confinement) {
      const admitted = await this.confinement.admit(file);
      if (!admitted.ok) {
        if (!id) return undefined;
        const message = `${admitted.reason} Assistant files are read only from inside the workspace: copy the file into the folder instead of linking to it.`;
        return { id, location: this.location, file, name: path.basename(file, ASSISTANT_FILE_SUFFIX), errors: [{ path: '', message }], refused: true };
      }
      source = admitted.absolute;
    }
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.bytesOf(source);
    } catch (error) {
      if (id && error instanceof OversizedFileError) return { id, location: this.location, file, name: path.basename(file, ASSISTANT_FILE_SUFFIX), errors: [{ path: '', message: error.reason }] };
      if (!id) return undefined;
      return { id, location: this.location, file, name: path.basename(file, ASSISTANT_FILE_SUFFIX), errors: [{ path: '', message: unreadable(error, file) }] };
    }
    if (!id || !bytes) return undefined;
    const text = new TextDecoder().decode(bytes);
    const { file: parsed, errors } = parseAssistantFile(text);
    if (!parsed) return { id, location: this.location, file, name: nameOf(text) ?? path.basename(file, ASSISTANT_FILE_SUFFIX), errors };
    return { id, location: this.location, file, name: parsed.name, assistant: { ...draftFromFile(parsed), id, createdAt: 0 } };
  }

  async create(draft: AssistantDraft): Promise<AssistantEntry> {
    await this.folderInside();
    const taken = new Set(await this.fs.readDir(this.dir));
    const stem = slugify(draft.name);
    const data = new TextEncoder().encode(serializeAssistantFile(fileFromDraft(draft)));
    for (let n = 1; n <= MAX_NAMES; n++) {
      const name = `${stem}${n === 1 ? '' : `-${n}`}${ASSISTANT_FILE_SUFFIX}`;
      if (taken.has(name)) continue;
      // Another window may have taken the name since the folder was listed: then try the next.
      if (await this.fs.createExclusive(path.join(this.dir, name), data)) return this.readBack(path.join(this.dir, name));
    }
    throw new AssistantsError('file_system', `There are already ${MAX_NAMES} assistant files named after "${draft.name}"; give this one another name.`);
  }

  async update(id: string, draft: AssistantDraft, options: UpdateOptions = {}): Promise<AssistantEntry> {
    const file = this.fileOf(id);
    await this.folderInside();
    await this.locked(file, 'saved', async () => {
      for (let attempt = 1; ; attempt++) {
        const bytes = await this.bytesOf(await this.source(file));
        if (!bytes) throw gone();
        const current = new TextDecoder().decode(bytes);
        const next = nextText(current, draft, options.base, { assistantId: id, file, current });
        if (next === current) return;
        // The folder may have been swapped for a link out while the change was merged: looked at again, and at the rename.
        const inFolder = await this.folderInside();
        try {
          // Only replaced, and only while it holds what was merged with: a hand delete is not undone, and
          // a save that takes no lock (an editor's, a checkout's) meanwhile is merged with, not written over.
          await this.fs.writeFileAtomic(file, new TextEncoder().encode(next), { replaceOnly: true, expect: bytes, ...(inFolder ? { inFolder } : {}) });
          return;
        } catch (error) {
          if (error instanceof FileGoneError) throw gone();
          if (!(error instanceof FileChangedError)) throw error;
          if (attempt >= MAX_MERGE_ATTEMPTS) throw new AssistantsError('file_system', `${path.basename(file)} was not saved: another program changed it ${MAX_MERGE_ATTEMPTS} times while this change was merged into it. Try again in a moment.`);
        }
      }
    });
    return this.readBack(file);
  }

  async delete(id: string): Promise<void> {
    const file = this.fileOf(id);
    await this.folderInside();
    // A file that is itself a link is removed as a link: its target stays.
    await this.locked(file, 'deleted', () => this.fs.delete(file));
  }

  /**
   * Throws `permission` when the folder itself leads out of the workspace (it, or a folder above
   * it, is a link): a create, a lock, a write or a delete there would land outside. Checked again
   * before each, as the folder may be swapped for a link at any time. Resolves to the folder's real
   * path (undefined without a confinement), for a write to check once more at its rename.
   */
  private async folderInside(): Promise<string | undefined> {
    if (!this.confinement) return undefined;
    const admitted = await this.confinement.admit(this.dir);
    if (!admitted.ok) throw new AssistantsError('permission', `${admitted.reason} Assistant files are created, changed and deleted only inside the workspace: make ${path.basename(this.dir)} a folder of the workspace instead of a link.`);
    return admitted.absolute;
  }

  /** The bytes of an assistant file (undefined: none there); throws `OversizedFileError` for one over `MAX_ASSISTANT_FILE_BYTES`, which is not read. */
  private async bytesOf(source: string): Promise<Uint8Array | undefined> {
    const size = (await this.fs.stat(source))?.size ?? 0;
    if (size > MAX_ASSISTANT_FILE_BYTES) throw new OversizedFileError(source, size);
    return this.fs.readFile(source, { maxBytes: MAX_ASSISTANT_FILE_BYTES }).catch((error: unknown) => Promise.reject(error instanceof FileTooLargeError ? new OversizedFileError(source) : error));
  }

  /** Where `file`'s bytes really are; throws `permission` for one leading out of the workspace, which is never read. */
  private async source(file: string): Promise<string> {
    if (!this.confinement) return file;
    const admitted = await this.confinement.admit(file);
    if (!admitted.ok) throw new AssistantsError('permission', `${admitted.reason} Assistant files are read and written only inside the workspace: copy the file into the folder instead of linking to it.`);
    return admitted.absolute;
  }

  /** Runs `action` under the file's lock; whatever fails in it is one sentence naming no local path (`what`: what did not happen). */
  private async locked<T>(file: string, what: 'saved' | 'deleted', action: () => Promise<T>): Promise<T> {
    try {
      return await this.fs.withLock(file, action);
    } catch (error) {
      if (error instanceof AssistantsError) throw error;
      if (error instanceof LockTimeoutError) throw new AssistantsError('file_system', `Another window has been saving ${path.basename(file)} for 5 seconds; try again in a moment.`);
      if (error instanceof ForeignLockError) throw new AssistantsError('file_system', `${path.basename(file)} was not ${what}: beside it, ${path.basename(file)}.lock is ${error.what}, where windows keep the file's lock while they save it. Remove ${path.basename(file)}.lock, then save again.`);
      throw notDone(error, file, what);
    }
  }

  private async readBack(file: string): Promise<AssistantEntry> {
    const entry = await this.read(file);
    if (!entry) throw new AssistantsError('server', `Could not read back ${path.basename(file)}.`);
    return entry;
  }
}

/**
 * The text an update writes over `current`: `draft` merged field-wise with what changed since
 * `base` (see `mergeAssistantFiles`), or, without a base, the draft keeping the file's `$schema`.
 * Throws `AssistantConflictError` when both changed a field, or the file is no longer valid.
 */
function nextText(current: string, draft: AssistantDraft, base: AssistantDraft | undefined, where: ConflictPlace): string {
  const mine = fileFromDraft(draft);
  if (!base) {
    const schema = schemaOf(current);
    return serializeAssistantFile({ ...(schema ? { $schema: schema } : {}), ...mine });
  }
  const { file: theirs } = parseAssistantFile(current);
  if (!theirs) throw new AssistantConflictError([], current, serializeAssistantFile(mine), { assistantId: where.assistantId, file: where.file });
  return serializeAssistantFile(mergeOrConflict(fileFromDraft(base), mine, theirs, where));
}

/** An update of a file deleted meanwhile (by another window, or by hand): refused, never written back. */
function gone(): AssistantsError {
  return new AssistantsError('not_found', 'That assistant\'s file no longer exists (it was deleted meanwhile), so the change was not saved.');
}

/** The `$schema` a file's text names, if any: a hand-written pointer the draft does not carry. */
function schemaOf(text: string): string | undefined {
  try {
    const schema = (JSON.parse(text) as { $schema?: unknown }).$schema;
    return typeof schema === 'string' ? schema : undefined;
  } catch {
    return undefined;
  }
}

/** An assistant file too large to read: `reason` as a field error says it, the message as a sentence. */
class OversizedFileError extends AssistantsError {
  readonly reason: string;
  constructor(file: string, size?: number) {
    const reason = oversizedReason(size);
    super('bad_request', `${path.basename(file)} ${reason}.`);
    this.reason = reason;
  }
}

/**
 * A file system failure under the lock (the file, or its folder, changed by another program while
 * it was saved or deleted) as one sentence naming no local path; a folder deleted meanwhile reads as
 * the file gone.
 */
function notDone(error: unknown, file: string, what: 'saved' | 'deleted'): AssistantsError {
  const code = (error as { code?: unknown }).code;
  const name = path.basename(file);
  if (code === 'ENOENT' && what === 'saved') return gone();
  if (error instanceof NotRegularFileError) return new AssistantsError('file_system', `${name} was not ${what}: a pipe, socket or device is in its place now. Put the assistant's file back, then try again.`);
  if (code === 'EISDIR') return new AssistantsError('file_system', `${name} was not ${what}: a folder is in its place now. Put the assistant's file back, then try again.`);
  if (code === 'ELOOP') return new AssistantsError('file_system', `${name} was not ${what}: it leads through a loop of links now. Put the assistant's file back, then try again.`);
  return new AssistantsError('file_system', `${name} was not ${what}: it ${unreadable(error, file)}.`);
}

/** Why a file could not be read, as a sentence naming no local path. */
function unreadable(error: unknown, file: string): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'EISDIR') return 'cannot be read: it is a folder, not a file (EISDIR)';
  if (code === 'EACCES' || code === 'EPERM') return `cannot be read: permission denied (${code})`;
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return `cannot be read: ${reason.split(file).join(path.basename(file))}`;
}

/** The `name` of an assistant file that is not valid, when it has one, to list it by: on one line, at most 256 characters. */
function nameOf(text: string): string | undefined {
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === 'string' && name.trim() ? oneLine(name.slice(0, 256)) : undefined;
  } catch {
    return undefined;
  }
}
