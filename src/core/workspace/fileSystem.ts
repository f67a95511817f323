import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, createReadStream, fstatSync, lstatSync, openSync, promises as fs, readSync, realpathSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import type { WorkspaceFs } from './workspaceFs';

/** What `stat` tells about a path: enough to tell files from folders and to see that a file changed. */
export interface FileStamp {
  kind: 'file' | 'directory' | 'other';
  size: number;
  /** Last modification, epoch milliseconds (with the file system's precision). */
  mtimeMs: number;
  /** The file's inode (file index on Windows): an atomic replace gives the path a new one. */
  ino: number;
}

/**
 * The little file system the stores need. The host and the tests both use the Node implementation
 * (the extension host is Node); the port keeps the stores free of any editor API.
 */
export interface FileSystem {
  /**
   * The file's bytes, or undefined when it does not exist. Throws when the path is a folder, and
   * `FileTooLargeError` when it holds more than `maxBytes` (read that far and no further: a link to
   * `/proc/self/pagemap` says it is empty and holds terabytes, so its size alone does not bound it).
   */
  readFile(file: string, options?: { maxBytes?: number }): Promise<Uint8Array | undefined>;
  /**
   * Writes to a temporary file beside the target (`<file>.<pid>-<random>.tmp`), flushes it to disk,
   * then renames it over the target: readers, and whoever opens the file after a crash, see the old
   * or the new bytes, never part of them. Creates missing folders. With `replaceOnly`, the file is
   * only replaced: when it is gone by the moment of the rename (deleted by hand meanwhile), nothing
   * is written and `FileGoneError` is thrown, and no folder is created. With `expect`, the file is
   * only replaced while it still holds exactly those bytes (compare-and-swap): a write by someone who
   * takes no lock (an editor's save, a checkout) since the caller read it throws `FileChangedError`,
   * and nothing is written. With `inFolder` (a real path), so does the file's folder found elsewhere
   * at the rename (swapped for a link meanwhile: the write would land where the link leads).
   */
  writeFileAtomic(file: string, data: Uint8Array, options?: { replaceOnly?: boolean; expect?: Uint8Array; inFolder?: string }): Promise<void>;
  /**
   * Writes `data` to `file` only when nothing is there yet, all at once (written beside it, flushed,
   * then linked in, so no reader sees part of it); false, and nothing written, when `file` exists.
   * Creates missing folders.
   */
  createExclusive(file: string, data: Uint8Array): Promise<boolean>;
  /**
   * Runs `action` while holding `<file>.lock`, a file every process of this extension creates
   * exclusively before it writes `file` (so two windows take turns), and removes it afterwards. A
   * lock whose process died, or older than 10 s, is taken over. Throws `LockTimeoutError` when
   * another writer held it for 5 s, and `ForeignLockError` at once when `<file>.lock` is no file
   * this extension makes (a folder, a link, a pipe: a repository may hold one by that name).
   */
  withLock<T>(file: string, action: () => Promise<T>): Promise<T>;
  /** Names in a folder; empty when the folder does not exist. */
  readDir(dir: string): Promise<string[]>;
  /** What is at `file`, or undefined when nothing is. */
  stat(file: string): Promise<FileStamp | undefined>;
  /** Moves a file or folder, creating the target's folder; false when `from` no longer exists. */
  rename(from: string, to: string): Promise<boolean>;
  /** Removes a file, or a folder with everything in it; nothing happens when it does not exist. */
  delete(file: string): Promise<void>;
  /**
   * Removes the temporary files `writeFileAtomic` left in `dir` (not below it) because their writer
   * died before renaming them. Another live process's writes in progress are left alone. Resolves to
   * how many were removed.
   */
  removeStaleTemporaryFiles(dir: string): Promise<number>;
}

/** `<pid>-<random>`; earlier versions wrote `<pid>.<counter>`, which killed writers may have left too. */
const TEMP_FILE = /\.(\d+)[.-][0-9a-f]+\.tmp$/;

/** A temporary file this old has no writer left, whatever its process id says (ids get reused). */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** A lock older than this has no writer left: a write of an assistant file takes milliseconds. */
const STALE_LOCK_MS = 10_000;
/** How long a writer waits for another to let go of a lock. */
const LOCK_WAIT_MS = 5_000;

/** `withLock` waited 5 s for another writer. */
export class LockTimeoutError extends Error {
  constructor(readonly file: string) {
    super(`Another writer holds ${path.basename(file)}.lock.`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * `<file>.lock` is something no writer of this extension made (a lock is always a regular file):
 * a folder, a symbolic link (dangling or not), a pipe or a device. It is left as it is; `file`
 * cannot be written until it is removed.
 */
export class ForeignLockError extends Error {
  constructor(
    readonly file: string,
    /** What is there, in words: "a folder", "a link", "a pipe or device". */
    readonly what: string,
  ) {
    super(`${path.basename(file)}.lock is ${what}, not a lock this extension made.`);
    this.name = 'ForeignLockError';
  }
}

/** `writeFileAtomic` with `replaceOnly` found the file gone: nothing was written. */
export class FileGoneError extends Error {
  constructor(readonly file: string) {
    super(`${path.basename(file)} was deleted meanwhile, so it was not written again.`);
    this.name = 'FileGoneError';
  }
}

/** `writeFileAtomic` with `expect` found other bytes in the file: someone wrote it meanwhile, and nothing was written. */
export class FileChangedError extends Error {
  constructor(readonly file: string) {
    super(`${path.basename(file)} was changed meanwhile, so it was not written over.`);
    this.name = 'FileChangedError';
  }
}

/** The locks this process holds or waits for, by file: its own writers queue here instead of polling. */
const localLocks = new Map<string, Promise<unknown>>();

/** What reading a pipe, a socket or a device throws, with a sentence naming the file (not its folder). */
export class NotRegularFileError extends Error {
  constructor(file: string) {
    super(`${path.basename(file)} is not a regular file (a pipe, socket or device), so it is not read.`);
    this.name = 'NotRegularFileError';
  }
}

/**
 * Opens a file for reading only if it is a regular file. Opening is non-blocking, so a FIFO (named
 * `x.assistant.json`, or anything a workspace function reads) opens at once instead of waiting for
 * a writer forever, and holding one of the few threads Node reads files with; the open file is then
 * checked, so a file swapped for a FIFO after a `stat` is caught too.
 */
async function openRegularFile(file: string, noFollow = false): Promise<fs.FileHandle> {
  const handle = await fs.open(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (noFollow ? (fsConstants.O_NOFOLLOW ?? 0) : 0));
  let stats: Awaited<ReturnType<fs.FileHandle['stat']>>;
  try {
    stats = await handle.stat();
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (stats.isFile()) return handle;
  await handle.close();
  // A folder fails as `fs.readFile` fails on one.
  if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
  throw new NotRegularFileError(file);
}

/** A file holds more bytes than `readFile`'s `maxBytes`; no more of it than that was read. */
export class FileTooLargeError extends Error {
  constructor(
    file: string,
    /** The limit it passed, in bytes. */
    readonly maxBytes: number,
  ) {
    super(`${path.basename(file)} holds more than ${maxBytes} bytes, so it is not read.`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * The bytes of an open file up to `maxBytes`, read in whole chunks of 64 kB (some files take no
 * other reads: `/proc/self/pagemap` refuses one that is no multiple of 8); throws FileTooLargeError
 * as soon as there are more.
 */
async function readAtMost(handle: fs.FileHandle, file: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) throw new FileTooLargeError(file, maxBytes);
  }
}

/** A file swapped for a link (or a folder above it) between the check of its path and its opening. */
export class SwappedFileError extends Error {
  constructor(file: string) {
    super(`${path.basename(file)} changed while it was being opened (it, or a folder above it, became a link), so it was not read; ask again.`);
    this.name = 'SwappedFileError';
  }
}

/**
 * Checks that an open file is the one its canonical path names, after opening it: no part of the
 * path is a link now (its real path is itself), and the path names the file that was opened. A
 * check of the path, then an open, leave a moment in which a folder on the way can be swapped for a
 * link out of the workspace (and back); the open would follow it. Throws SwappedFileError.
 */
async function openedAsNamed(handle: fs.FileHandle, absolute: string): Promise<void> {
  const fold = (p: string) => (process.platform === 'darwin' || process.platform === 'win32' ? p.toLowerCase() : p);
  const [opened, named, real] = await Promise.all([handle.stat(), fs.stat(absolute).catch(() => undefined), fs.realpath(absolute).catch(() => undefined)]);
  if (!named || real === undefined || fold(real) !== fold(path.resolve(absolute)) || named.ino !== opened.ino || named.dev !== opened.dev) throw new SwappedFileError(absolute);
}

/**
 * Whether `file` holds exactly `bytes` now, read synchronously from one non-blocking open: only a
 * plain file of that size is read, and no further than one byte past it, so a pipe or device put in
 * its place (which would never end a blocking read), a file grown large or swapped between a look
 * and a read, costs no more than reading `bytes` once.
 */
function holdsNow(file: string, bytes: Uint8Array): boolean {
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch {
    // Gone, a loop of links, no longer readable: not what was read.
    return false;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size !== bytes.byteLength) return false;
    const held = Buffer.alloc(bytes.byteLength + 1);
    let length = 0;
    while (length < held.length) {
      const read = readSync(fd, held, length, held.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return length === bytes.byteLength && held.subarray(0, length).equals(bytes);
  } finally {
    closeSync(fd);
  }
}

/**
 * Where `folder` really is now (undefined: gone, or a loop), for `writeFileAtomic`'s last check: the
 * native real path, as `fs.promises.realpath` (and so `WorkspaceFs.realPath`) gives it, letter case included.
 */
function realPathNow(folder: string): string | undefined {
  try {
    return realpathSync.native(folder);
  } catch {
    return undefined;
  }
}

/** Whether something is at `file` now (a one-syscall look, for `writeFileAtomic`'s last check). */
function existsNow(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Whether process `pid` runs (on this machine), whoever owns it. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The JSON value in `file`, or undefined when the file is missing or holds no JSON (a damaged file
 * reads as none). Throws what `fs.readFile` throws (no permission, a folder).
 */
export async function readJsonFile(fs: FileSystem, file: string): Promise<unknown> {
  const bytes = await fs.readFile(file);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

export const nodeFileSystem: FileSystem = {
  async readFile(file, options) {
    let handle: fs.FileHandle;
    try {
      handle = await openRegularFile(file);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      return options?.maxBytes === undefined ? await handle.readFile() : await readAtMost(handle, file, options.maxBytes);
    } finally {
      await handle.close();
    }
  },
  async writeFileAtomic(file, data, options) {
    const replaceOnly = options?.replaceOnly === true;
    if (!replaceOnly) await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    try {
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(temp, 'w');
      } catch (error) {
        // The folder itself was deleted: the file with it.
        if (replaceOnly && isMissing(error)) throw new FileGoneError(file);
        throw error;
      }
      try {
        await handle.writeFile(data);
        // Without this a crash soon after the rename can leave an empty file under the real name.
        await handle.sync();
      } finally {
        await handle.close();
      }
      // Looked at last, after the slow flush, and renamed in the same step, so no code of this process
      // runs between: a delete or a write before is seen (only another process's, in the instant
      // between the look and the rename, is not). One rename, so the host is held a moment at most.
      if (replaceOnly && !existsNow(file)) throw new FileGoneError(file);
      if (options?.expect && !holdsNow(file, options.expect)) throw new FileChangedError(file);
      if (options?.inFolder !== undefined && realPathNow(path.dirname(file)) !== options.inFolder) throw new FileChangedError(file);
      if (replaceOnly || options?.expect || options?.inFolder !== undefined) renameSync(temp, file);
      else await fs.rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  },
  async createExclusive(file, data) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // A hard link fails when the name is taken, and shows the whole file at once.
      await fs.link(temp, file);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // File systems without hard links: create the name exclusively, then fill it.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV') return createByOpening(file, data);
      throw error;
    } finally {
      await fs.rm(temp, { force: true });
    }
  },
  async withLock(file, action) {
    const previous = localLocks.get(file) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(async () => {
      const lock = `${file}.lock`;
      await acquire(this, lock);
      try {
        return await action();
      } finally {
        await fs.rm(lock, { force: true });
      }
    });
    localLocks.set(file, mine);
    try {
      return await mine;
    } finally {
      if (localLocks.get(file) === mine) localLocks.delete(file);
    }
  },
  async readDir(dir) {
    try {
      return await fs.readdir(dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  },
  async stat(file) {
    try {
      const stats = await fs.stat(file);
      return { kind: stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other', size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
  async rename(from, to) {
    await fs.mkdir(path.dirname(to), { recursive: true });
    try {
      await fs.rename(from, to);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  },
  async delete(file) {
    await fs.rm(file, { recursive: true, force: true });
  },
  async removeStaleTemporaryFiles(dir) {
    let removed = 0;
    for (const name of await this.readDir(dir)) {
      const match = TEMP_FILE.exec(name);
      if (!match) continue;
      const file = path.join(dir, name);
      const stamp = await this.stat(file);
      if (!stamp || stamp.kind !== 'file') continue;
      const pid = Number(match[1]);
      const orphaned = (pid !== process.pid && !processAlive(pid)) || Date.now() - stamp.mtimeMs > STALE_TEMP_MS;
      if (!orphaned) continue;
      await fs.rm(file, { force: true });
      removed++;
    }
    return removed;
  },
};

async function createByOpening(file: string, data: Uint8Array): Promise<boolean> {
  let handle;
  try {
    handle = await fs.open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** Creates `lock` exclusively, taking over one whose process died or that is stale; waits for a live one. */
async function acquire(files: FileSystem, lock: string): Promise<void> {
  const holder = new TextEncoder().encode(JSON.stringify({ pid: process.pid, at: Date.now() }));
  for (const deadline = Date.now() + LOCK_WAIT_MS; ; ) {
    if (await files.createExclusive(lock, holder)) return;
    // Judged as it is, not where it leads: a link is never a lock, whatever it points at (a dangling one never goes stale).
    const itself = await fs.lstat(lock).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    if (itself === undefined) continue;
    if (!itself.isFile()) throw new ForeignLockError(lock.slice(0, -'.lock'.length), itself.isDirectory() ? 'a folder' : itself.isSymbolicLink() ? 'a link' : 'a pipe, socket or device');
    const held = (await readJsonFile(files, lock).catch(() => undefined)) as { pid?: unknown; at?: unknown } | undefined;
    const stamp = await files.stat(lock);
    const pid = typeof held?.pid === 'number' ? held.pid : undefined;
    const dead = pid !== undefined && pid !== process.pid && !processAlive(pid);
    if (stamp && (dead || Date.now() - stamp.mtimeMs > STALE_LOCK_MS)) {
      await fs.rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new LockTimeoutError(lock.slice(0, -'.lock'.length));
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 30));
  }
}

/**
 * Whether `file` may be written as a file of its own: nothing is there yet, or a regular file is.
 * False for a link (a repository may commit one pointing anywhere, dangling or not, and a write
 * follows it), a folder, a pipe, a socket or a device.
 */
export async function plainFileOrNone(file: string): Promise<boolean> {
  try {
    return (await fs.lstat(file)).isFile();
  } catch (error) {
    if (isMissing(error)) return true;
    throw error;
  }
}

/**
 * What writing `bytes` at `relative` (`/`-separated) below `base` would meet: `free` when nothing is
 * there and each folder on the way is a folder or not there yet; `same` when a regular file holding
 * exactly these bytes is; `taken` otherwise (a file with other bytes, a folder, a pipe, or a link,
 * dangling or not, at the end or on the way: a repository may commit one pointing anywhere, and a
 * write would follow it).
 */
export async function slotFor(base: string, relative: string, bytes: Uint8Array): Promise<'free' | 'same' | 'taken'> {
  const parts = relative.split('/');
  let current = base;
  for (const [index, part] of parts.entries()) {
    current = path.join(current, part);
    let stat: Awaited<ReturnType<typeof fs.lstat>>;
    try {
      stat = await fs.lstat(current);
    } catch (error) {
      if (isMissing(error)) return 'free';
      throw error;
    }
    if (index < parts.length - 1) {
      if (!stat.isDirectory()) return 'taken';
    } else if (!stat.isFile() || stat.size !== bytes.byteLength) {
      return 'taken';
    }
  }
  const there = await fs.readFile(current, { flag: fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW });
  return Buffer.compare(there, bytes) === 0 ? 'same' : 'taken';
}

/**
 * `name`, or `name-2`, `name-3`… up to `tries` names: the first that nothing is at in `base` or
 * that is a folder (not a file, and not a link, which a write into it would follow anywhere).
 * Undefined when all are taken.
 */
export async function folderNameFree(base: string, name: string, tries: number): Promise<string | undefined> {
  for (let n = 1; n <= tries; n++) {
    const folder = n === 1 ? name : `${name}-${n}`;
    const stamp = await fs.lstat(path.join(base, folder)).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    if (!stamp || stamp.isDirectory()) return folder;
  }
  return undefined;
}

/**
 * Writes `bytes` at `relative` (`/`-separated) below `base` as a new file, making its folders, and
 * never through a link: a folder on the way that is a link or no folder throws, and a file already
 * there (a link too, dangling or not) is left as it is and makes the result false.
 */
export async function createNewFile(base: string, relative: string, bytes: Uint8Array): Promise<boolean> {
  const parts = relative.split('/');
  let current = base;
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    await fs.mkdir(current).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
    if (!(await fs.lstat(current)).isDirectory()) throw new Error(`${part} is a link or not a folder, so nothing is written into it.`);
  }
  try {
    await fs.writeFile(path.join(current, parts[parts.length - 1]), bytes, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The workspace functions' file access, on Node's file system. */
export const nodeWorkspaceFs: WorkspaceFs = {
  async realPath(absolute) {
    try {
      return await fs.realpath(absolute);
    } catch {
      return undefined;
    }
  },
  async readLink(absolute) {
    try {
      return await fs.readlink(absolute);
    } catch {
      return undefined;
    }
  },
  async stat(absolute) {
    try {
      const stat = await fs.stat(absolute);
      return { type: stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other', size: stat.size, mtimeMs: stat.mtimeMs, links: stat.nlink };
    } catch {
      return undefined;
    }
  },
  async readDir(absolute) {
    try {
      const entries = await fs.readdir(absolute, { withFileTypes: true });
      return entries.map((entry) => ({
        name: entry.name,
        type: entry.isSymbolicLink() ? 'link' : entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other',
      }));
    } catch {
      return [];
    }
  },
  async *readChunks(absolute, chunkBytes, signal) {
    // ELOOP: the path itself is a link now (O_NOFOLLOW).
    const handle = await openRegularFile(absolute, true).catch((error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'ELOOP' ? new SwappedFileError(absolute) : error;
    });
    try {
      await openedAsNamed(handle, absolute);
    } catch (error) {
      await handle.close();
      throw error;
    }
    const stream = createReadStream('', { fd: handle, highWaterMark: chunkBytes, signal });
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } finally {
      stream.destroy();
    }
  },
  async writeFile(absolute, data) {
    await fs.mkdir(path.dirname(absolute), { recursive: true });
    await fs.writeFile(absolute, data);
  },
};
