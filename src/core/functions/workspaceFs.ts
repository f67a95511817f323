import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** What a path is, after following links. */
export interface EntryStat {
  type: 'file' | 'directory' | 'other';
  /** Bytes. */
  size: number;
  /** Milliseconds since the epoch. */
  mtimeMs: number;
}

/** A folder entry as listed, links not followed. */
export interface DirEntry {
  name: string;
  type: 'file' | 'directory' | 'link' | 'other';
}

/**
 * The file access workspace functions need: only what confinement, bounded reads and walking a
 * folder use. The extension host and the tests both use the Node implementation below (the host
 * runs where the workspace's files are); the port keeps the functions testable against a folder.
 */
export interface WorkspaceFs {
  /** The path with every link resolved, or undefined when it does not exist (or is a dangling link). */
  realPath(absolute: string): Promise<string | undefined>;
  /** Follows links; undefined when nothing is there. */
  stat(absolute: string): Promise<EntryStat | undefined>;
  /** Entries of a folder, links not followed; empty when the folder does not exist. */
  readDir(absolute: string): Promise<DirEntry[]>;
  /** The file's bytes in chunks of at most `chunkBytes`; stopping the iteration closes the file. */
  readChunks(absolute: string, chunkBytes: number, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /** Whole-file write, creating missing folders. */
  writeFile(absolute: string, data: Uint8Array): Promise<void>;
}

export const nodeWorkspaceFs: WorkspaceFs = {
  async realPath(absolute) {
    try {
      return await fs.realpath(absolute);
    } catch {
      return undefined;
    }
  },
  async stat(absolute) {
    try {
      const stat = await fs.stat(absolute);
      return { type: stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other', size: stat.size, mtimeMs: stat.mtimeMs };
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
    const stream = createReadStream(absolute, { highWaterMark: chunkBytes, signal });
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
