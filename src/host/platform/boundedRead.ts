import * as vscode from 'vscode';
import { FileTooLargeError, nodeFileSystem } from '../../core/workspace/fileSystem';

/**
 * A file's bytes, read no further than `maxBytes`: its size alone does not bound it (a repository's
 * link to `/proc/self/pagemap` says it is empty and holds terabytes, which VS Code's `readFile`
 * reads whole). Throws `tooLarge()` past the limit, and what the file system throws (not found, a
 * folder, a pipe). Files of schemes other than `file` are read through VS Code.
 */
export async function readAtMost(uri: vscode.Uri, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  if (uri.scheme !== 'file') return vscode.workspace.fs.readFile(uri);
  const bytes = await nodeFileSystem.readFile(uri.fsPath, { maxBytes }).catch((error: unknown) => Promise.reject(error instanceof FileTooLargeError ? tooLarge() : error));
  if (!bytes) throw vscode.FileSystemError.FileNotFound(uri);
  return bytes;
}
