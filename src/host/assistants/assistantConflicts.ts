import * as vscode from 'vscode';
import { overwriteOf } from '../../core/assistants/assistantMerge';
import type { AssistantService } from '../../core/assistants/assistantService';
import { AssistantConflictError } from '../../core/errors';

/**
 * Where an update of an assistant met another change of the same fields (another window, a hand
 * edit): the user is told in one sentence and chooses. *Compare* opens a diff of what is kept now
 * (the file itself, or the server's version) and the change that was not saved, then asks again;
 * *Overwrite* writes the change over the version shown (`overwriteOf`: what was saved elsewhere
 * after that is kept). Dismissing keeps what is there. The unsaved
 * versions are read-only documents of the `assistants-conflict` scheme.
 */
export class AssistantConflicts implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'assistants-conflict';
  private readonly texts = new Map<string, string>();
  private count = 0;

  constructor(private readonly service: AssistantService) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  /** Offers Compare and Overwrite for `error`; resolves once the user chose (and an overwrite was written) or dismissed it. */
  async offer(error: AssistantConflictError): Promise<void> {
    const choice = await vscode.window.showWarningMessage(error.message, 'Compare', 'Overwrite');
    if (choice === 'Compare') {
      const name = error.where.file ? vscode.workspace.asRelativePath(error.where.file) : error.where.assistantId;
      const kept = error.where.file ? vscode.Uri.file(error.where.file) : this.document('kept', name, error.current);
      await vscode.commands.executeCommand('vscode.diff', kept, this.document('not-saved', name, error.proposed), `${name}: saved ↔ your change (not saved)`);
      return this.offer(error);
    }
    if (choice !== 'Overwrite') return;
    const overwrite = overwriteOf(error);
    if ('problem' in overwrite) {
      void vscode.window.showErrorMessage(`The two versions do not make a valid assistant together (${overwrite.problem}); edit the file by hand instead.`);
      return;
    }
    try {
      await this.service.update(error.where.assistantId, overwrite.draft, overwrite.base ? { base: overwrite.base } : undefined);
    } catch (again) {
      // The same field was changed once more while the user chose: asked again, about that change.
      if (again instanceof AssistantConflictError) return this.offer(again);
      throw again;
    }
    void vscode.window.showInformationMessage(`Saved your version of ${error.where.file ? vscode.workspace.asRelativePath(error.where.file) : error.where.assistantId} over the other.`);
  }

  private document(side: string, name: string, text: string): vscode.Uri {
    const path = `/${++this.count}/${side}/${name.replace(/[\\/:]/g, '-')}`;
    this.texts.set(path, text);
    return vscode.Uri.from({ scheme: AssistantConflicts.scheme, path });
  }
}
