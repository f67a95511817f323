import * as vscode from 'vscode';
import { parseAssistantFile, serializeAssistantFile } from '../../core/assistants/assistantFile';
import { sameAssistantFile } from '../../core/assistants/assistantMerge';
import type { Backend } from '../../core/backend';
import type { AssistantForm, EditorToHost, HostToEditor, ServerChoices } from '../../common/assistantEditorProtocol';
import { fileFromFormChange, formFromFile, mergeIntoDocument } from './assistantForm';
import { Disposable } from '../platform/lifecycle';
import { ASSISTANT_EDITOR_PAGE, webviewHtml, webviewResourceRoots } from '../platform/webviewHtml';

/** How long the form waits for the provider's lists before falling back to free text. */
const CHOICES_TIMEOUT_MS = 8000;

/**
 * The assistant form: a custom text editor over an `.assistant.json` file, like the left panel of
 * the Assistants Playground. The document stays the truth, so undo/redo, dirty state, save, diff
 * and "Reopen Editor With… Text Editor" keep working. A change in the form is validated (the JSON
 * Schema at run time, function parameters as JSON Schemas) and written to the document only when
 * the whole file is valid; the problems are shown at their fields and nothing typed is lost.
 */
export class AssistantEditorProvider extends Disposable implements vscode.CustomTextEditorProvider {
  static readonly viewType = 'assistants.assistantEditor';

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly backend: () => Promise<Backend>,
    private readonly log: vscode.LogOutputChannel,
    /** Saves refused by a document's file system, with the sentence saying why. */
    private readonly refusedSaves: vscode.Event<{ uri: vscode.Uri; message: string }>,
  ) {
    super();
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri) };
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, ASSISTANT_EDITOR_PAGE);
    let ready = false;
    // The text this editor wrote last: its own edit coming back is not re-sent to the form.
    let written: string | undefined;
    const forms = new FormRevisions();
    const post = (message: HostToEditor) => (ready ? panel.webview.postMessage(message) : Promise.resolve(false));
    const show = () => {
      const { file, errors } = parseAssistantFile(document.getText());
      const form = file ? formFromFile(file) : undefined;
      void post({ type: 'document/show', form, errors, revision: form ? forms.add(form) : 0 });
    };
    // The text the file had when the document was last loaded, saved or reloaded: the base a change on disk is merged against.
    // (A document's first edit can still read as clean in its change event, so that event does not set it.)
    let saved = document.isDirty ? undefined : document.getText();
    const subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() !== document.uri.toString() || event.contentChanges.length === 0) return;
        if (document.getText() === written) return;
        written = undefined;
        show();
      }),
      vscode.workspace.onDidSaveTextDocument((done) => {
        if (done.uri.toString() !== document.uri.toString()) return;
        saved = document.getText();
        void post({ type: 'document/saved', problems: parseAssistantFile(saved).errors.length });
      }),
      this.refusedSaves((refused) => {
        if (refused.uri.toString() === document.uri.toString()) void post({ type: 'document/saveRefused', message: refused.message });
      }),
      ...this.watchDisk(document, async () => {
        const disk = new TextDecoder().decode(await vscode.workspace.fs.readFile(document.uri));
        // A clean document reloads by itself; one with unsaved edits takes the fields only the disk changed.
        if (!document.isDirty) saved = disk;
        if (!document.isDirty || saved === undefined || disk === saved) return;
        const merged = mergeIntoDocument(saved, document.getText(), disk);
        saved = disk;
        if (!merged) {
          void post({ type: 'document/notice', warning: true, message: 'The file was changed on disk meanwhile. Saving offers Compare or Overwrite.' });
          return;
        }
        if (merged.text !== document.getText()) {
          const edit = new vscode.WorkspaceEdit();
          edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), merged.text);
          await vscode.workspace.applyEdit(edit);
        }
        void post(
          merged.conflicts.length > 0
            ? { type: 'document/notice', warning: true, message: `The file was changed on disk meanwhile; its other fields were taken in, and ${merged.conflicts.join(', ')} keeps your value. Saving offers Compare or Overwrite.` }
            : { type: 'document/notice', warning: false, message: 'The file was changed on disk meanwhile; its changes were taken into the form beside yours. Save to write both.' },
        );
      }),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (!isEditorToHost(message)) {
          this.log.warn('Assistant editor sent an unknown message; ignored.');
          return;
        }
        if (message.type === 'ready') {
          // Sent again whenever the page is rebuilt: it gets the whole document again.
          ready = true;
          show();
          return;
        }
        this.receive(message, document, post, forms, (text) => (written = text)).catch((error: unknown) =>
          this.log.error(`Assistant editor: ${error instanceof Error ? error.message : String(error)}`),
        );
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((s) => s.dispose()));
  }

  /** Calls `changed` when the document's file changes on disk (only `file:` documents are watched). */
  private watchDisk(document: vscode.TextDocument, changed: () => Promise<void>): vscode.Disposable[] {
    if (document.uri.scheme !== 'file') return [];
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), document.uri.path.split('/').pop() ?? ''), true, false, true);
    const listener = watcher.onDidChange(() =>
      changed().catch((error: unknown) => this.log.error(`Assistant editor: the change on disk could not be read: ${error instanceof Error ? error.message : String(error)}`)),
    );
    return [listener, watcher];
  }

  private async receive(
    message: Exclude<EditorToHost, { type: 'ready' }>,
    document: vscode.TextDocument,
    post: (message: HostToEditor) => Thenable<boolean>,
    forms: FormRevisions,
    wrote: (text: string) => void,
  ): Promise<void> {
    switch (message.type) {
      case 'form/change': {
        const { file, mine, errors, conflicts } = fileFromFormChange(message.form, forms.get(message.baseRevision), document.getText());
        if (!file || !mine) {
          await post({ type: 'form/validated', requestId: message.requestId, errors, saved: false });
          return;
        }
        let saved = false;
        const text = serializeAssistantFile(file);
        if (text !== document.getText()) {
          wrote(text);
          const edit = new vscode.WorkspaceEdit();
          edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
          saved = await vscode.workspace.applyEdit(edit);
        }
        // The page's next change starts from its own form; the fields it lacks come with a show.
        await post({ type: 'form/validated', requestId: message.requestId, errors, saved, revision: forms.add(formFromFile(mine)), conflicts });
        if (!sameAssistantFile(file, mine)) {
          const form = formFromFile(file);
          await post({ type: 'document/show', form, errors: [], revision: forms.add(form) });
        }
        return;
      }
      case 'choices/request':
        await post({ type: 'choices/result', requestId: message.requestId, choices: await this.choices() });
        return;
      case 'editor/openText': {
        // The text takes the form's place: two tabs of one name beside each other read as one file open twice.
        const form = vscode.window.tabGroups.all
          .flatMap((group) => group.tabs)
          .find((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.viewType === AssistantEditorProvider.viewType && tab.input.uri.toString() === document.uri.toString());
        await vscode.commands.executeCommand('vscode.openWith', document.uri, 'default', form?.group.viewColumn);
        if (form) await vscode.window.tabGroups.close(form);
        return;
      }
      default: {
        const exhaustive: never = message;
        return exhaustive;
      }
    }
  }

  /** Models, vector stores and files from the provider; a sentence instead where they cannot be listed. */
  private async choices(): Promise<ServerChoices> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), CHOICES_TIMEOUT_MS);
    try {
      const backend = await this.backend();
      const [models, stores, files] = await Promise.allSettled([
        backend.listModels(abort.signal),
        backend.listVectorStores(abort.signal),
        backend.listFiles(abort.signal),
      ]);
      const choices: ServerChoices = {};
      if (models.status === 'fulfilled') choices.models = models.value.map((id) => ({ id, label: id }));
      if (stores.status === 'fulfilled') choices.vectorStores = stores.value.map((s) => ({ id: s.id, label: s.name || s.id }));
      if (files.status === 'fulfilled') choices.files = files.value.map((f) => ({ id: f.id, label: f.filename || f.id }));
      const failed = [models, stores, files].find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) choices.problem = `Some lists could not be read: ${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}`;
      return choices;
    } catch (error) {
      return { problem: `The provider's models could not be listed (${error instanceof Error ? error.message : String(error)}); type a model name.` };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The forms last shown to (or written for) one page, by revision: the bases its changes name. */
class FormRevisions {
  private static readonly KEPT = 16;
  private readonly forms = new Map<number, AssistantForm>();
  private last = 0;

  add(form: AssistantForm): number {
    this.forms.set(++this.last, structuredClone(form));
    for (const old of this.forms.keys()) if (this.forms.size > FormRevisions.KEPT) this.forms.delete(old);
    return this.last;
  }

  get(revision: number): AssistantForm | undefined {
    return this.forms.get(revision);
  }
}

/** Messages from the page are checked before they touch the document. */
function isEditorToHost(value: unknown): value is EditorToHost {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
    case 'editor/openText':
      return true;
    case 'choices/request':
      return typeof message.requestId === 'string';
    case 'form/change':
      return (
        typeof message.requestId === 'string' &&
        typeof message.baseRevision === 'number' &&
        typeof message.form === 'object' &&
        message.form !== null &&
        Array.isArray((message.form as { functions?: unknown }).functions)
      );
    default:
      return false;
  }
}
