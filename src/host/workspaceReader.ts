import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { WorkspaceReader } from '../core/workspaceFunctions';

/** Workspace files through VS Code's file system, so remote workspaces work too. */
export function workspaceReader(): WorkspaceReader {
  return {
    roots: () => (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
    async realPath(absolutePath) {
      try {
        return await fs.realpath(absolutePath);
      } catch {
        return absolutePath;
      }
    },
    async readFile(absolutePath) {
      try {
        return await vscode.workspace.fs.readFile(vscode.Uri.file(absolutePath));
      } catch (error) {
        if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return undefined;
        throw error;
      }
    },
  };
}
