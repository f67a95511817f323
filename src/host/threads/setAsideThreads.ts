import * as vscode from 'vscode';
import type { SetAsideFile } from '../../core/threads/threadStore';

/**
 * Tells the user, once per batch the thread store reports, that thread files could not be read and
 * were moved out of the list, with an action that shows the folder they are in (so they can be
 * sent in or repaired). The other threads load as usual.
 */
export function showSetAsideThreads(files: SetAsideFile[], corruptDir: string, log: vscode.LogOutputChannel): void {
  for (const file of files) log.warn(`The file of thread ${file.id} could not be read (not a whole thread); it was moved to ${file.file}.`);
  const message =
    files.length === 1
      ? 'One thread could not be read (its file is damaged), so it was moved out of the thread list. Your other threads are fine.'
      : `${files.length} threads could not be read (their files are damaged), so they were moved out of the thread list. Your other threads are fine.`;
  void vscode.window.showWarningMessage(message, 'Show Folder').then((choice) => {
    if (choice) void revealFolder(vscode.Uri.file(corruptDir), log);
  });
}

/** The OS file manager where there is one at hand; a remote or web window opens the folder in a new window instead. */
async function revealFolder(folder: vscode.Uri, log: vscode.LogOutputChannel): Promise<void> {
  try {
    if (vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop) await vscode.commands.executeCommand('revealFileInOS', folder);
    else await vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: true });
  } catch (error) {
    log.error(`Could not show ${folder.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage(`The folder could not be shown. It is ${folder.fsPath}.`);
  }
}
