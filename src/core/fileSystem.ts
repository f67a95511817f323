import { promises as fs } from 'node:fs';
import * as path from 'node:path';

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
