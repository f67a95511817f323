import * as vscode from 'vscode';
import { parseAssistantFile, serializeAssistantFile } from '../../core/assistants/assistantFile';
import { sameAssistantFile } from '../../core/assistants/assistantMerge';
import type { Backend } from '../../core/backend';
import type { AssistantForm, EditorRequests, FormValidated, HostToEditor, ServerChoices } from '../../common/assistantEditorProtocol';
import { isEditorToHost } from '../../common/assistantEditorProtocol';
import type { RequestHandlers } from '../../common/requests';
import { answerRequest } from '../../common/requests';
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
    /** The form's requests; `afterReply` takes what to post once the reply is posted (a change's merged form). */
    const requests = (afterReply: HostToEditor[]): RequestHandlers<EditorRequests> => ({
      'form/change': ({ form, baseRevision }) => this.change(form, baseRevision, document, forms, (text) => (written = text), (show) => afterReply.push(show)),
      'choices/list': () => this.choices(),
    });
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
        switch (message.type) {
          case 'ready':
            // Sent again whenever the page is rebuilt: it gets the whole document again.
            ready = true;
            show();
            return;
          case 'request': {
            const afterReply: HostToEditor[] = [];
            answerRequest(requests(afterReply), message)
              .then(async (reply) => {
                await post(reply);
                for (const next of afterReply) await post(next);
              })
              .catch((error: unknown) => this.log.error(`Assistant editor: ${error instanceof Error ? error.message : String(error)}`));
            return;
          }
          case 'editor/openText':
            this.openText(document).catch((error: unknown) => this.log.error(`Assistant editor: ${error instanceof Error ? error.message : String(error)}`));
            return;
          default: {
            const exhaustive: never = message;
            return exhaustive;
          }
        }
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

  /**
   * A change of the form: validated, and written to the document when the whole file is valid.
   * The page's next change starts from its own form; the fields it lacks (merged from elsewhere)
   * come with a `document/show`, given to `thenShow` to post after the reply.
   */
  private async change(
    form: AssistantForm,
    baseRevision: number,
    document: vscode.TextDocument,
    forms: FormRevisions,
    wrote: (text: string) => void,
    thenShow: (show: HostToEditor) => void,
  ): Promise<FormValidated> {
    const { file, mine, errors, conflicts } = fileFromFormChange(form, forms.get(baseRevision), document.getText());
    if (!file || !mine) return { errors, saved: false };
    let saved = false;
    const text = serializeAssistantFile(file);
    if (text !== document.getText()) {
      wrote(text);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
      saved = await vscode.workspace.applyEdit(edit);
    }
    const revision = forms.add(formFromFile(mine));
    if (!sameAssistantFile(file, mine)) {
      const merged = formFromFile(file);
      thenShow({ type: 'document/show', form: merged, errors: [], revision: forms.add(merged) });
    }
    return { errors, saved, revision, conflicts };
  }

  /** Opens the file as plain JSON: the text takes the form's place. */
  private async openText(document: vscode.TextDocument): Promise<void> {
    // Two tabs of one name beside each other read as one file open twice.
    const form = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .find((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.viewType === AssistantEditorProvider.viewType && tab.input.uri.toString() === document.uri.toString());
    await vscode.commands.executeCommand('vscode.openWith', document.uri, 'default', form?.group.viewColumn);
    if (form) await vscode.window.tabGroups.close(form);
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
