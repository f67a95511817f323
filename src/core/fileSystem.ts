import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { WorkspaceFs } from './functions/workspaceFs';

/**
 * The little file system the stores need. The host and the tests both use the Node implementation
 * (the extension host is Node); the port keeps the stores free of any editor API.
 */
export interface FileSystem {
  /** The file's bytes, or undefined when it does not exist. */
  readFile(file: string): Promise<Uint8Array | undefined>;
  /** Writes to a temporary file beside the target, then renames it over: readers never see half a file. */
  writeFileAtomic(file: string, data: Uint8Array): Promise<void>;
  /** Names in a folder; empty when the folder does not exist. */
  readDir(dir: string): Promise<string[]>;
  delete(file: string): Promise<void>;
}

let tempCounter = 0;

export const nodeFileSystem: FileSystem = {
  async readFile(file) {
    try {
      return await fs.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  async writeFileAtomic(file, data) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
    await fs.writeFile(temp, data);
    try {
      await fs.rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  },
  async readDir(dir) {
    try {
      return await fs.readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
  async delete(file) {
    await fs.rm(file, { force: true });
  },
};

/** The workspace functions' file access, on Node's file system. */
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
