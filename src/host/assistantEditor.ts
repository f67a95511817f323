import * as vscode from 'vscode';
import { parseAssistantFile, serializeAssistantFile } from '../core/assistantFile';
import type { AssistantFile } from '../core/assistantFile';
import type { Backend } from '../core/backend';
import type { EditorToHost, HostToEditor, ServerChoices } from '../common/assistantEditorProtocol';
import { fileFromForm, formFromFile } from './assistantForm';
import { Disposable } from './lifecycle';
import { ASSISTANT_EDITOR_PAGE, webviewHtml, webviewResourceRoots } from './webviewHtml';

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
    const post = (message: HostToEditor) => (ready ? panel.webview.postMessage(message) : Promise.resolve(false));
    const show = () => {
      const { file, errors } = parseAssistantFile(document.getText());
      void post({ type: 'document/show', form: file ? formFromFile(file) : undefined, errors });
    };
    const subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() !== document.uri.toString() || event.contentChanges.length === 0) return;
        if (document.getText() === written) return;
        written = undefined;
        show();
      }),
      vscode.workspace.onDidSaveTextDocument((saved) => {
        if (saved.uri.toString() === document.uri.toString()) void post({ type: 'document/saved' });
      }),
      this.refusedSaves((refused) => {
        if (refused.uri.toString() === document.uri.toString()) void post({ type: 'document/saveRefused', message: refused.message });
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
        this.receive(message, document, post, (text) => (written = text)).catch((error: unknown) =>
          this.log.error(`Assistant editor: ${error instanceof Error ? error.message : String(error)}`),
        );
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((s) => s.dispose()));
  }

  private async receive(
    message: Exclude<EditorToHost, { type: 'ready' }>,
    document: vscode.TextDocument,
    post: (message: HostToEditor) => Thenable<boolean>,
    wrote: (text: string) => void,
  ): Promise<void> {
    switch (message.type) {
      case 'form/change': {
        const base = parseAssistantFile(document.getText()).file ?? lenientParse(document.getText());
        const { file, errors } = fileFromForm(message.form, base);
        let saved = false;
        if (file) {
          const text = serializeAssistantFile(file);
          if (text !== document.getText()) {
            wrote(text);
            const edit = new vscode.WorkspaceEdit();
            edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
            saved = await vscode.workspace.applyEdit(edit);
          }
        }
        await post({ type: 'form/validated', requestId: message.requestId, errors, saved });
        return;
      }
      case 'choices/request':
        await post({ type: 'choices/result', requestId: message.requestId, choices: await this.choices() });
        return;
      case 'editor/openText':
        await vscode.commands.executeCommand('vscode.openWith', document.uri, 'default');
        return;
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

/** What can be kept from a file that is not valid (its metadata), so a form edit does not drop it. */
function lenientParse(text: string): AssistantFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<AssistantFile>;
    return typeof value === 'object' && value !== null ? (value as AssistantFile) : undefined;
  } catch {
    return undefined;
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
      return typeof message.requestId === 'string' && typeof message.form === 'object' && message.form !== null && Array.isArray((message.form as { functions?: unknown }).functions);
    default:
      return false;
  }
}
