import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditDecision, EditProposer, ProposedEdit } from '../../core/functions/proposeEdit';
import { Disposable } from '../platform/lifecycle';

type Choice = 'apply' | 'discard';

/**
 * Shows a proposed edit as a diff: the file on the left, the proposal on the right, editable, so
 * the user can revert blocks (the diff editor's arrows) or change lines before applying. *Apply
 * Edit* (the diff's title bar) checks the path again (`ProposedEdit.recheck`) and writes what the
 * right side then holds; *Discard Edit*, or closing the notification, writes nothing. The proposals live in memory under their own URI scheme.
 */
export class DiffEditProposer extends Disposable implements EditProposer {
  static readonly scheme = 'assistants-proposal';
  private readonly memory = new ProposalFileSystem();
  private readonly waiting = new Map<string, (choice: Choice) => void>();
  private counter = 0;

  constructor() {
    super();
    this.register(vscode.workspace.registerFileSystemProvider(DiffEditProposer.scheme, this.memory, { isCaseSensitive: true }));
  }

  async propose(edit: ProposedEdit, signal: AbortSignal): Promise<EditDecision> {
    const id = ++this.counter;
    const name = path.basename(edit.absolute);
    const right = vscode.Uri.from({ scheme: DiffEditProposer.scheme, path: `/${id}/${name}` });
    const target = vscode.Uri.file(edit.absolute);
    this.memory.set(right, edit.proposed);
    let left = target;
    if (edit.original === undefined) {
      left = vscode.Uri.from({ scheme: DiffEditProposer.scheme, path: `/${id}/before/${name}` });
      this.memory.set(left, '');
    }
    try {
      const choice = await new Promise<Choice>((resolve) => {
        let closeNotification: () => void = () => undefined;
        let settled = false;
        const settle = (value: Choice) => {
          settled = true;
          this.waiting.delete(right.toString());
          signal.removeEventListener('abort', onAbort);
          closeNotification();
          resolve(value);
        };
        const onAbort = () => settle('discard');
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.set(right.toString(), settle);
        void vscode.commands.executeCommand('vscode.diff', left, right, `${edit.display} ↔ proposed edit`, { preview: false });
        void vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `The assistant proposes an edit to ${edit.display}. Revert or change parts on the right, then Apply Edit (✓ in the diff's title bar); Cancel discards it.`,
            cancellable: true,
          },
          (_progress, token) =>
            new Promise<void>((done) => {
              closeNotification = done;
              if (settled) done();
              token.onCancellationRequested(() => settle('discard'));
            }),
        );
      });
      if (choice === 'discard') return { applied: false, reason: signal.aborted ? 'stopped' : 'rejected' };
      const accepted = (await vscode.workspace.openTextDocument(right)).getText();
      // The review can take minutes: the file, or a folder above it, may have become a link out since.
      const refusal = await edit.recheck();
      const decision: EditDecision = refusal ? { applied: false, reason: 'refused', detail: refusal } : await this.write(target, edit, accepted);
      if (!decision.applied && decision.reason === 'refused') {
        void vscode.window.showWarningMessage(`The edit to ${edit.display} was not applied: ${decision.detail.replace(/^Refused: /, '')} Check the file, then ask again.`);
      }
      return decision;
    } finally {
      await this.closeDiff(right);
      this.memory.drop(id);
    }
  }

  /** Apply Edit / Discard Edit: for the proposal in the active diff, else the latest one. */
  settle(choice: Choice, uri?: vscode.Uri): void {
    const active = uri ?? vscode.window.activeTextEditor?.document.uri;
    const key = active?.scheme === DiffEditProposer.scheme ? active.toString() : [...this.waiting.keys()].pop();
    if (key) this.waiting.get(key)?.(choice);
  }

  /**
   * Writes the accepted text, unless the file changed while the user was looking at the proposal.
   * The path is checked once more right before the edit is made, after the file was read: the
   * moment left for a swap is the edit and its save.
   */
  private async write(target: vscode.Uri, proposal: ProposedEdit, text: string): Promise<EditDecision> {
    const { original } = proposal;
    const edit = new vscode.WorkspaceEdit();
    if (original === undefined) {
      const refusal = await proposal.recheck();
      if (refusal) return { applied: false, reason: 'refused', detail: refusal };
      edit.createFile(target, { contents: new TextEncoder().encode(text), overwrite: false, ignoreIfExists: false });
      if (!(await vscode.workspace.applyEdit(edit))) return { applied: false, reason: 'changed' };
      return { applied: true, text };
    }
    const document = await vscode.workspace.openTextDocument(target);
    if (document.getText() !== original) return { applied: false, reason: 'changed' };
    const refusal = await proposal.recheck();
    if (refusal) return { applied: false, reason: 'refused', detail: refusal };
    edit.replace(target, new vscode.Range(document.positionAt(0), document.positionAt(original.length)), text);
    if (!(await vscode.workspace.applyEdit(edit))) return { applied: false, reason: 'changed' };
    await document.save();
    return { applied: true, text };
  }

  private async closeDiff(right: vscode.Uri): Promise<void> {
    const key = right.toString();
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    // Saved into memory first, so closing never asks whether to save the proposal.
    if (document?.isDirty) await document.save();
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === key);
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }
}

/** Proposals in memory: readable and writable, so the diff's right side can be edited and saved. */
class ProposalFileSystem implements vscode.FileSystemProvider {
  private readonly files = new Map<string, { data: Uint8Array; mtime: number }>();
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.files.set(uri.path, { data: new TextEncoder().encode(text), mtime: Date.now() });
  }

  drop(id: number): void {
    for (const key of [...this.files.keys()]) if (key.startsWith(`/${id}/`)) this.files.delete(key);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const file = this.files.get(uri.path);
    if (!file) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: file.mtime, mtime: file.mtime, size: file.data.length };
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const file = this.files.get(uri.path);
    if (!file) throw vscode.FileSystemError.FileNotFound(uri);
    return file.data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    if (!this.files.has(uri.path)) throw vscode.FileSystemError.NoPermissions('Only proposals shown in a diff can be saved here.');
    this.files.set(uri.path, { data: content, mtime: Date.now() });
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Proposals have no folders.');
  }

  delete(): void {
    throw vscode.FileSystemError.NoPermissions('Proposals are removed when they are applied or discarded.');
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Proposals cannot be renamed.');
  }
}
