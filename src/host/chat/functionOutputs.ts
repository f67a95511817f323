import * as vscode from 'vscode';
import type { OutputAsker, OutputRequest } from '../../core/functions/functionToolHandler';
import type { OutputDraftStore } from '../../core/functions/outputRequests';
import { OutputRequests } from '../../core/functions/outputRequests';
import type { OutputRequestView } from '../../common/protocol';
import { Disposable } from '../platform/lifecycle';

/**
 * Asks in the chat for the output of a custom function the user answers (the Playground's way):
 * the call shows under its run step with a field and Submit, and the chat comes into view. What the
 * user types is kept here as they type it, and in `store` on disk, so hiding the view (which
 * destroys the page) or reloading the window (which resumes the run, asking again) loses nothing.
 * A stopped run takes its questions away.
 */
export class ChatOutputAsker extends Disposable implements OutputAsker {
  private readonly changed = this.register(new vscode.EventEmitter<OutputRequestView[]>());
  /** Fires with the whole waiting list whenever it changes (not for draft edits: the page has them). */
  readonly onDidChange = this.changed.event;
  private readonly requests: OutputRequests;

  constructor(store?: OutputDraftStore) {
    super();
    this.requests = new OutputRequests({
      store,
      onChange: (waiting) => this.changed.fire(waiting),
      onAsk: () => void vscode.commands.executeCommand('assistants.chat.focus'),
    });
  }

  ask(request: OutputRequest, signal: AbortSignal): Promise<string | undefined> {
    return this.requests.ask(request, signal);
  }

  /** The user's output from the chat, submitted as the call's output; unknown ids are ignored. */
  submit(callId: string, output: string): void {
    void this.requests.submit(callId, output);
  }

  /** What the user has typed so far for `callId`, kept for the next page and the next window. */
  saveDraft(callId: string, draft: string): void {
    void this.requests.saveDraft(callId, draft);
  }

  /** The calls waiting for an output, oldest first. */
  list(): OutputRequestView[] {
    return this.requests.list();
  }

  override dispose(): void {
    this.requests.dispose();
    super.dispose();
  }
}
