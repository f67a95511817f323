/** What a path is, after following links. */
export interface EntryStat {
  type: 'file' | 'directory' | 'other';
  /** Bytes. */
  size: number;
  /** Milliseconds since the epoch. */
  mtimeMs: number;
  /** Names the file has (hard links); more than one means a write changes it under another name too. Unknown: undefined. */
  links?: number;
}

/** A folder entry as listed, links not followed. */
export interface DirEntry {
  name: string;
  type: 'file' | 'directory' | 'link' | 'other';
}

/**
 * The file access workspace functions need: only what confinement, bounded reads and walking a
 * folder use. The extension host and the tests both use the Node implementation,
 * `nodeWorkspaceFs` in core/workspace/fileSystem.ts (the host runs where the workspace's files are); the port keeps the functions testable against a folder.
 */
export interface WorkspaceFs {
  /** The path with every link resolved, or undefined when it does not exist (or is a dangling link). */
  realPath(absolute: string): Promise<string | undefined>;
  /** The target of a link as written in it (maybe relative, maybe missing); undefined when the path is no link. */
  readLink(absolute: string): Promise<string | undefined>;
  /** Follows links; undefined when nothing is there. */
  stat(absolute: string): Promise<EntryStat | undefined>;
  /** Entries of a folder, links not followed; empty when the folder does not exist. */
  readDir(absolute: string): Promise<DirEntry[]>;
  /**
   * The file's bytes in chunks of at most `chunkBytes`; stopping the iteration closes the file.
   * `absolute` is a canonical path (no link in it, as the confinement gives): a path that is a
   * link, or that has become one between its check and the opening, is not read (Node's: throws
   * `SwappedFileError`, or ELOOP).
   */
  readChunks(absolute: string, chunkBytes: number, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /** Whole-file write, creating missing folders. */
  writeFile(absolute: string, data: Uint8Array): Promise<void>;
}
