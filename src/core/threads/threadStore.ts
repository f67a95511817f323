import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { FileStamp, FileSystem } from '../workspace/fileSystem';
import { readJsonFile } from '../workspace/fileSystem';
import { IMAGE_EXTENSIONS, imageFromDataUrl, sniffImage } from './images';
import { dataUrlBytes, extensionOf, filesOfThread, forEachKeptFile } from './keptFiles';
import { STORED_OUTPUT_PREFIX, isStoredOutput } from '../../common/model';
import { THREAD_ID, isSummary, parseThreadFile, summaryOf } from './threadFile';
import type { StoredThread, ThreadSummary } from './threadFile';

// What the store keeps is the thread file's shape, defined beside the file's checks (threadFile.ts)
// so that neither module imports the other; the store's callers name it from here.
export type { RunRecord, StoredThread, ThreadSummary } from './threadFile';

/** A thread file that could not be read (not JSON, cut short, not a thread) and was moved out of the way. */
export interface SetAsideFile {
  /** The thread id its name carried. */
  id: string;
  /** Where the file is now (inside `ThreadStore.corruptDir`). */
  file: string;
}

export interface ThreadStoreOptions {
  /**
   * Thread files found corrupt and moved to `corruptDir`, once each (all found by one listing come
   * in one call). Tell the user: the thread no longer shows in the list.
   */
  onSetAside?(files: SetAsideFile[]): void;
}

/** An index entry: the summary, and the stamp of the file it was read from. */
interface IndexEntry extends ThreadSummary {
  file: Pick<FileStamp, 'size' | 'mtimeMs' | 'ino'>;
}

const INDEX = 'index.json';
/** 3: entries carry the thread's `assistantId`. */
const INDEX_VERSION = 3;
const THREAD_FILE = /^thread-([A-Za-z0-9_-]{1,128})\.json$/;
const OUTPUTS = 'outputs';
const CORRUPT = 'corrupt';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/**
 * The workspace's threads, in a folder: one file per thread (`thread-<id>.json`, the truth), the
 * images a thread holds beside it (`outputs/<id>/<sha256>.<ext>`, written once each), corrupt
 * thread files moved to `corrupt/`, and `index.json`, a cache of the list.
 *
 * The index is never trusted: each entry carries the size, modification time and inode of the file
 * it was read from, the list is the folder's thread files, and any file whose stamp differs is read
 * again. So writers never update shared state: two windows (or two stores in one) saving at once,
 * or a process killed between any two writes, cannot hide or lose a thread. Every write is atomic
 * (temporary file, flush, rename); temporary files a killed writer left are removed when the store
 * starts. Saves through one store are queued, so they never interleave.
 *
 * Methods throw the file system's errors (disk full, no permission); a corrupt file is not an
 * error: it is set aside, reported through `onSetAside`, and the rest loads.
 *
 * Commands on threads build on these: rename is `load`, a new title, `save`; clear is `load`, no
 * messages or runs, `save`, then `removeUnusedOutputs`; export is `load`, with `readOutput` for the
 * images it holds; delete is `delete`.
 */
export class ThreadStore {
  /** Where corrupt thread files are moved. */
  readonly corruptDir: string;
  private queue: Promise<unknown> = Promise.resolve();
  private starting: Promise<void> | undefined;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly options: ThreadStoreOptions = {},
  ) {
    this.corruptDir = path.join(dir, CORRUPT);
  }

  /** Threads, most recently updated first. */
  async list(): Promise<ThreadSummary[]> {
    await this.start();
    const cached = await this.readIndex();
    const entries: IndexEntry[] = [];
    const setAside: SetAsideFile[] = [];
    let changed = false;
    await Promise.all(
      (await this.fs.readDir(this.dir)).map(async (name) => {
        const id = THREAD_FILE.exec(name)?.[1];
        if (!id) return;
        const stamp = await this.fs.stat(path.join(this.dir, name));
        if (stamp?.kind !== 'file') return;
        const hit = cached.get(id);
        if (hit && sameFile(hit.file, stamp)) {
          entries.push(hit);
          return;
        }
        changed = true;
        const read = await this.read(id);
        if (read.stored) entries.push({ ...summaryOf(read.stored.thread), file: { size: stamp.size, mtimeMs: stamp.mtimeMs, ino: stamp.ino } });
        if (read.setAside) setAside.push(read.setAside);
      }),
    );
    if (changed || entries.length !== cached.size) await this.writeIndex(entries);
    if (setAside.length) this.options.onSetAside?.(setAside);
    return entries.map(summaryOf).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /**
   * The thread, or undefined when there is none by that id (or its file was corrupt: it is then set
   * aside and reported). Images it holds come as stored outputs (`readOutput`). Throws on an id
   * that is not a thread id.
   */
  async load(id: string): Promise<StoredThread | undefined> {
    this.threadFile(id);
    await this.start();
    const read = await this.read(id);
    if (read.setAside) this.options.onSetAside?.([read.setAside]);
    return read.stored;
  }

  /** The most recently updated thread that can be read, if any. */
  async mostRecent(): Promise<StoredThread | undefined> {
    for (const summary of await this.list()) {
      const stored = await this.load(summary.id);
      if (stored) return stored;
    }
    return undefined;
  }

  /**
   * Saves the thread. Images it holds inline (base64 `data:` URLs in message parts and
   * code-interpreter outputs) are written once each beside the thread, named by content hash, and
   * replaced **in `stored` itself** by stored-output URLs (`isStoredOutput`): the thread file stays
   * small, and saving it again (every half second while a run streams) rewrites only the text.
   */
  save(stored: StoredThread): Promise<void> {
    const file = this.threadFile(stored.thread.id);
    return this.enqueue(async () => {
      await this.start();
      // Writing outputs yields: a run event may add another image meanwhile. The last pass finds
      // none and does not yield, so what is serialized next holds no inline image.
      while ((await this.keepOutputs(stored)) > 0);
      await this.fs.writeFileAtomic(file, encode(stored));
    });
  }

  /** Deletes the thread's file and its outputs. The list drops it at once (the index is only a cache). */
  delete(id: string): Promise<void> {
    const file = this.threadFile(id);
    return this.enqueue(async () => {
      await this.start();
      await this.fs.delete(file);
      await this.fs.delete(this.outputsDir(id));
    });
  }

  /**
   * Removes the outputs kept beside the thread that its saved file no longer refers to (after its
   * messages were cleared or edited, say); resolves to how many. A thread with no file loses them all.
   */
  removeUnusedOutputs(id: string): Promise<number> {
    this.threadFile(id);
    return this.enqueue(async () => {
      await this.start();
      const stored = (await this.read(id)).stored;
      const used = new Set<string>();
      if (stored) forEachImageUrl(stored, (url) => void (isStoredOutput(url) && used.add(url.slice(STORED_OUTPUT_PREFIX.length))));
      if (stored) forEachKeptFile(stored, (_ref, holder) => void (holder.kept?.url && isStoredOutput(holder.kept.url) && used.add(holder.kept.url.slice(STORED_OUTPUT_PREFIX.length))));
      const unused = (await this.fs.readDir(this.outputsDir(id))).filter((name) => !used.has(name) && !name.endsWith('.tmp'));
      for (const name of unused) await this.fs.delete(path.join(this.outputsDir(id), name));
      return unused.length;
    });
  }

  /**
   * Takes into `stored` (a new thread carrying another's messages) the images and kept files
   * beside thread `fromId`: each stored-output URL becomes the image (or file) inline again, so the
   * next save keeps it beside `stored`'s own thread. One no longer there stays as it was (it shows
   * as missing).
   */
  async adoptOutputs(fromId: string, stored: StoredThread): Promise<void> {
    const kept: Array<[string, (url: string) => void]> = [];
    forEachImageUrl(stored, (url, replace) => void (isStoredOutput(url) && kept.push([url, replace])));
    for (const [url, replace] of kept) {
      const bytes = await this.readOutput(fromId, url);
      const mime = bytes && sniffImage(bytes);
      if (bytes && mime) replace(`data:${mime};base64,${Buffer.from(bytes).toString('base64')}`);
    }
    for (const { holder } of filesOfThread(stored)) {
      const url = holder.kept?.url;
      const bytes = url !== undefined && isStoredOutput(url) ? await this.readOutput(fromId, url) : undefined;
      if (holder.kept && bytes) holder.kept = { ...holder.kept, url: `data:application/octet-stream;base64,${Buffer.from(bytes).toString('base64')}` };
    }
  }

  /**
   * Keeps a file beside the thread (a server file the assistant made, see `KeptFile`), once: it is
   * named by the hash of its bytes, with `extension` (lower-case letters and digits; anything else
   * becomes `bin`). Resolves to its stored-output URL. Throws the file system's errors.
   */
  keepFile(threadId: string, bytes: Uint8Array, extension: string): Promise<string> {
    this.threadFile(threadId);
    const ext = /^[a-z0-9]{1,8}$/.test(extension) ? extension : 'bin';
    return this.enqueue(async () => {
      await this.start();
      return this.writeBytes(threadId, bytes, ext);
    });
  }

  /** The bytes of an output kept beside the thread (`url` as `isStoredOutput` accepts), or undefined when it is not there. */
  async readOutput(threadId: string, url: string): Promise<Uint8Array | undefined> {
    this.threadFile(threadId);
    if (!isStoredOutput(url)) return undefined;
    return this.fs.readFile(path.join(this.outputsDir(threadId), url.slice(STORED_OUTPUT_PREFIX.length)));
  }

  /** Once per store: remove what killed writers left (their temporary files). Best effort: leftovers harm nothing but disk space. */
  private start(): Promise<void> {
    this.starting ??= (async () => {
      await this.fs.removeStaleTemporaryFiles(this.dir);
      const outputs = path.join(this.dir, OUTPUTS);
      for (const name of await this.fs.readDir(outputs)) await this.fs.removeStaleTemporaryFiles(path.join(outputs, name));
    })().catch(() => undefined);
    return this.starting;
  }

  /** Reads and checks a thread file; a corrupt one is moved aside. */
  private async read(id: string): Promise<{ stored?: StoredThread; setAside?: SetAsideFile }> {
    const file = this.threadFile(id);
    if ((await this.fs.stat(file))?.kind !== 'file') return {};
    const bytes = await this.fs.readFile(file);
    if (!bytes) return {};
    const stored = parseThreadFile(bytes, id);
    if (stored) return { stored };
    return { setAside: await this.setAside(id, file) };
  }

  private async setAside(id: string, file: string): Promise<SetAsideFile | undefined> {
    const target = path.join(this.corruptDir, `thread-${id}-${Date.now()}.json`);
    // False: another window moved it first, and reports it.
    if (!(await this.fs.rename(file, target))) return undefined;
    const moved = await this.fs.readFile(target);
    if (moved && parseThreadFile(moved, id)) {
      // A writer replaced the corrupt file just before the move: that one is good, put it back
      // (unless an even newer one is there already).
      if (await this.fs.stat(file)) await this.fs.delete(target);
      else await this.fs.rename(target, file);
      return undefined;
    }
    return { id, file: target };
  }

  /**
   * Moves the inline images of `stored`, and kept files that came inline (a thread exported to
   * JSON), into output files; resolves to how many it moved.
   */
  private async keepOutputs(stored: StoredThread): Promise<number> {
    const inline: [string, (url: string) => void][] = [];
    forEachImageUrl(stored, (url, replace) => void (url.startsWith('data:') && inline.push([url, replace])));
    let moved = 0;
    for (const [url, replace] of inline) {
      const kept = await this.writeOutput(stored.thread.id, url);
      if (kept === undefined) continue;
      replace(kept);
      moved++;
    }
    for (const { holder } of filesOfThread(stored)) {
      const bytes = holder.kept?.url?.startsWith('data:') ? dataUrlBytes(holder.kept.url) : undefined;
      if (!holder.kept || !bytes) continue;
      const mime = sniffImage(bytes);
      holder.kept = { ...holder.kept, url: await this.writeBytes(stored.thread.id, bytes, mime ? IMAGE_EXTENSIONS[mime] : extensionOf(holder.kept.filename)) };
      moved++;
    }
    return moved;
  }

  /** Writes an inline image beside the thread (once: the name is its hash); undefined when it is no image we keep. */
  private async writeOutput(threadId: string, dataUrl: string): Promise<string | undefined> {
    const bytes = imageFromDataUrl(dataUrl);
    const mime = bytes && sniffImage(bytes);
    if (!bytes || !mime) return undefined;
    return this.writeBytes(threadId, bytes, IMAGE_EXTENSIONS[mime]);
  }

  /** Writes bytes beside the thread under their hash (once); resolves to their stored-output URL. */
  private async writeBytes(threadId: string, bytes: Uint8Array, extension: string): Promise<string> {
    const name = `${createHash('sha256').update(bytes).digest('hex')}.${extension}`;
    const file = path.join(this.outputsDir(threadId), name);
    if ((await this.fs.stat(file))?.size !== bytes.byteLength) await this.fs.writeFileAtomic(file, bytes);
    return `${STORED_OUTPUT_PREFIX}${name}`;
  }

  /** The cached list, entries checked one by one; whatever is wrong in it is simply not used. */
  private async readIndex(): Promise<Map<string, IndexEntry>> {
    const entries = new Map<string, IndexEntry>();
    const index = await readJsonFile(this.fs, path.join(this.dir, INDEX)).catch(() => undefined);
    if (typeof index !== 'object' || index === null || (index as { version?: unknown }).version !== INDEX_VERSION) return entries;
    const threads = (index as { threads?: unknown }).threads;
    if (!Array.isArray(threads)) return entries;
    for (const entry of threads) {
      if (isSummary(entry) && isStamp((entry as Partial<IndexEntry>).file)) entries.set(entry.id, entry as IndexEntry);
    }
    return entries;
  }

  /** Best effort: the index only spares the next listing some reads. */
  private async writeIndex(threads: IndexEntry[]): Promise<void> {
    const entries = threads.map((entry) => ({ ...summaryOf(entry), file: entry.file }));
    await this.fs.writeFileAtomic(path.join(this.dir, INDEX), encode({ version: INDEX_VERSION, threads: entries })).catch(() => undefined);
  }

  /** The file thread `id` is kept in (whether or not it exists). Throws on an id that is not a thread id. */
  fileOf(id: string): string {
    return this.threadFile(id);
  }

  private threadFile(id: string): string {
    if (!THREAD_ID.test(id)) throw new Error(`Invalid thread id: ${id}`);
    return path.join(this.dir, `thread-${id}.json`);
  }

  private outputsDir(id: string): string {
    return path.join(this.dir, OUTPUTS, id);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Calls `visit` with every image URL a thread holds (message parts, code-interpreter outputs), and a way to replace it. */
function forEachImageUrl(stored: StoredThread, visit: (url: string, replace: (url: string) => void) => void): void {
  for (const message of stored.messages) {
    for (const part of message.content) {
      if (part.type === 'image_url') visit(part.url, (url) => (part.url = url));
    }
  }
  for (const record of Object.values(stored.runs)) {
    for (const step of record.steps) {
      if (step.details.type !== 'tool_calls') continue;
      for (const call of step.details.toolCalls) {
        if (call.type !== 'code_interpreter') continue;
        for (const output of call.outputs) {
          if (output.type === 'image' && output.url !== undefined) visit(output.url, (url) => (output.url = url));
        }
      }
    }
  }
}

function isStamp(value: unknown): value is IndexEntry['file'] {
  const stamp = value as Partial<IndexEntry['file']> | undefined;
  return typeof stamp === 'object' && stamp !== null && [stamp.size, stamp.mtimeMs, stamp.ino].every((n) => typeof n === 'number' && Number.isFinite(n));
}

function sameFile(cached: IndexEntry['file'], now: FileStamp): boolean {
  return cached.size === now.size && cached.mtimeMs === now.mtimeMs && cached.ino === now.ino;
}
