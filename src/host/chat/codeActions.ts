import * as path from 'node:path';
import * as vscode from 'vscode';
import { findPassage } from '../../core/text/passage';

/**
 * What the chat's answers let the user do in the editor: put a code block at the cursor or in a new
 * editor, and open the workspace file a file-search citation names.
 */

/** Inserts `code` at the active editor's cursor (replacing its selections); says so when no editor is open. */
export async function insertAtCursor(code: string): Promise<void> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showInformationMessage('Open a file first: Insert at Cursor puts the code where the cursor is in the active editor.');
    return;
  }
  const ok = await editor.edit((edit) => {
    for (const selection of editor.selections) edit.replace(selection, code);
  });
  if (!ok) {
    void vscode.window.showWarningMessage('The code could not be inserted: the editor is read-only or changed meanwhile.');
    return;
  }
  await vscode.window.showTextDocument(editor.document, editor.viewColumn);
}

/** Shows `code` in a new untitled editor, in `language` when VS Code knows it. */
export async function openInNewEditor(code: string, language?: string): Promise<void> {
  const known = language ? await languageId(language) : undefined;
  const document = await vscode.workspace.openTextDocument({ content: code, ...(known ? { language: known } : {}) });
  await vscode.window.showTextDocument(document, { preview: false });
}

/** Common fence names that are not VS Code language ids. */
const LANGUAGE_ALIASES: Record<string, string> = {
  js: 'javascript',
  ts: 'typescript',
  py: 'python',
  sh: 'shellscript',
  bash: 'shellscript',
  shell: 'shellscript',
  zsh: 'shellscript',
  md: 'markdown',
  yml: 'yaml',
  'c++': 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  rs: 'rust',
};

async function languageId(fence: string): Promise<string | undefined> {
  const name = fence.trim().toLowerCase();
  const id = LANGUAGE_ALIASES[name] ?? name;
  return (await vscode.languages.getLanguages()).includes(id) ? id : undefined;
}

/**
 * Opens the workspace file a citation names. The server knows only the uploaded file's name, so the
 * workspace is searched for it by name; several matches are offered in a quick pick.
 */
export async function openCitedFile(filename: string, quote?: string): Promise<void> {
  const base = path.basename(filename.replace(/\\/g, '/'));
  if (!base || !vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showInformationMessage(`"${filename}" is a file the assistant searched; open a folder that holds it to jump to it.`);
    return;
  }
  const matches = await vscode.workspace.findFiles(`**/${escapeGlob(base)}`, undefined, 20);
  if (matches.length === 0) {
    void vscode.window.showInformationMessage(`"${base}" is not in this workspace: it was uploaded to the assistant from elsewhere.`);
    return;
  }
  let target = matches[0];
  if (matches.length > 1) {
    const picked = await vscode.window.showQuickPick(
      matches.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { placeHolder: `Several files are named ${base}: which one was cited?` },
    );
    if (!picked) return;
    target = picked.uri;
  }
  const editor = await vscode.window.showTextDocument(target, { preview: true });
  const found = quote ? findPassage(editor.document.getText(), quote) : undefined;
  if (!found) return;
  const range = new vscode.Range(editor.document.positionAt(found.start), editor.document.positionAt(found.end));
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** A file name as a literal glob (no `*`, `?`, braces or brackets acting as patterns). */
function escapeGlob(name: string): string {
  return name.replace(/[*?[\]{}]/g, (c) => `[${c}]`);
}
