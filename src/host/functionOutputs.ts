import * as vscode from 'vscode';
import type { OutputAsker, OutputRequest } from '../core/functions/functionToolHandler';
import type { OutputRequestView } from '../common/protocol';
import { Disposable } from './lifecycle';

/**
 * Asks in the chat for the output of a custom function the user answers (the Playground's way):
 * the call shows under its run step with a field and Submit. What the user types is kept here as
 * they type it, so hiding the view (which destroys the page) loses nothing. A stopped run takes
 * its questions away.
 */
export class ChatOutputAsker extends Disposable implements OutputAsker {
  private readonly pending = new Map<string, { view: OutputRequestView; resolve(output: string | undefined): void }>();
  private readonly changed = this.register(new vscode.EventEmitter<OutputRequestView[]>());
  /** Fires with the whole waiting list whenever it changes (not for draft edits: the page has them). */
  readonly onDidChange = this.changed.event;

  ask(request: OutputRequest, signal: AbortSignal): Promise<string | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise<string | undefined>((resolve) => {
      const settle = (output: string | undefined) => {
        if (!this.pending.delete(request.callId)) return;
        signal.removeEventListener('abort', onAbort);
        this.changed.fire(this.list());
        resolve(output);
      };
      const onAbort = () => settle(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      const { callId, runId, name, arguments: args } = request;
      this.pending.set(callId, { view: { callId, runId, name, arguments: args, draft: '' }, resolve: settle });
      this.changed.fire(this.list());
      void vscode.commands.executeCommand('assistants.chat.focus');
    });
  }

  /** The user's output from the chat, submitted as the call's output; unknown ids are ignored. */
  submit(callId: string, output: string): void {
    this.pending.get(callId)?.resolve(output);
  }

  /** What the user has typed so far for `callId`, kept for the next page. */
  saveDraft(callId: string, draft: string): void {
    const entry = this.pending.get(callId);
    if (entry) entry.view = { ...entry.view, draft };
  }

  /** The calls waiting for an output, oldest first. */
  list(): OutputRequestView[] {
    return [...this.pending.values()].map((entry) => entry.view);
  }

  override dispose(): void {
    for (const entry of [...this.pending.values()]) entry.resolve(undefined);
    super.dispose();
  }
}
