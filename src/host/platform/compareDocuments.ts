import * as vscode from 'vscode';

/** The scheme of the read-only documents `CompareDocuments` serves. */
export const COMPARE_SCHEME = 'assistants-compare';
/** How many documents are kept (the oldest go first): each holds a thread's text, and a comparison is two. */
const KEPT = 20;

/**
 * Read-only Markdown documents made by a command (Replay's side-by-side view): each is served from
 * memory under its own URI, so the editor opens it without a file on disk and without asking to
 * save it on close. The last `KEPT` are kept; an older one reads as a sentence saying so.
 */
export class CompareDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly registration: vscode.Disposable;
  private serial = 0;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, this);
  }

  /** A new document holding `text`, named `name` (shown as the editor's tab, `.md` added). */
  add(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${++this.serial}/${name.replace(/[\\/]+/g, ' ').slice(0, 80)}.md` });
    this.texts.set(uri.toString(), text);
    for (const key of this.texts.keys()) {
      if (this.texts.size <= KEPT) break;
      this.texts.delete(key);
    }
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This comparison is no longer kept. Run "Assistants: Replay Questions on Another Assistant…" again.\n';
  }

  dispose(): void {
    this.registration.dispose();
    this.texts.clear();
  }
}
