import * as path from 'node:path';
import type { FieldError } from './assistantFile';
import { ASSISTANT_FILE_SUFFIX, draftFromFile, fileFromDraft, parseAssistantFile, serializeAssistantFile, slugify } from './assistantFile';
import { AssistantsError } from './errors';
import type { FileSystem } from './fileSystem';
import type { Confinement } from './functions/confinement';
import type { Assistant, AssistantDraft } from './model';

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

/**
 * The port every assistant store implements: the files of a folder, or the assistant objects of an
 * Assistants v2 server. Every method throws `AssistantsError` (`not_found` for an unknown id).
 */
export interface AssistantStore {
  readonly location: AssistantLocation;
  list(signal?: AbortSignal): Promise<AssistantEntry[]>;
  create(draft: AssistantDraft, signal?: AbortSignal): Promise<AssistantEntry>;
  update(id: string, draft: AssistantDraft, signal?: AbortSignal): Promise<AssistantEntry>;
  delete(id: string, signal?: AbortSignal): Promise<void>;
}

/**
 * Assistants as `<slug>.assistant.json` files in one folder (the workspace's `.assistants/`, or the
 * user's global storage). The id is `<location>:<slug>`, so it survives edits of the name.
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
     * as refused and never read. Without one, every file of `dir` is read.
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
      bytes = await this.fs.readFile(source);
    } catch (error) {
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
    const taken = new Set(await this.fs.readDir(this.dir));
    const stem = slugify(draft.name);
    let name = `${stem}${ASSISTANT_FILE_SUFFIX}`;
    for (let n = 2; taken.has(name); n++) name = `${stem}-${n}${ASSISTANT_FILE_SUFFIX}`;
    return this.write(path.join(this.dir, name), draft);
  }

  async update(id: string, draft: AssistantDraft): Promise<AssistantEntry> {
    const file = this.fileOf(id);
    if (!(await this.fs.stat(file))) throw new AssistantsError('not_found', 'That assistant\'s file no longer exists.');
    return this.write(file, draft);
  }

  async delete(id: string): Promise<void> {
    await this.fs.delete(this.fileOf(id));
  }

  private async write(file: string, draft: AssistantDraft): Promise<AssistantEntry> {
    await this.fs.writeFileAtomic(file, new TextEncoder().encode(serializeAssistantFile(fileFromDraft(draft))));
    const entry = await this.read(file);
    if (!entry) throw new AssistantsError('server', `Could not read back ${file}.`);
    return entry;
  }
}

/** Why a file could not be read, as a sentence naming no local path. */
function unreadable(error: unknown, file: string): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'EISDIR') return 'cannot be read: it is a folder, not a file (EISDIR)';
  if (code === 'EACCES' || code === 'EPERM') return `cannot be read: permission denied (${code})`;
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return `cannot be read: ${reason.split(file).join(path.basename(file))}`;
}

/** The `name` of an assistant file that is not valid, when it has one, to list it by. */
function nameOf(text: string): string | undefined {
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === 'string' && name.trim() ? name : undefined;
  } catch {
    return undefined;
  }
}
