import * as vscode from 'vscode';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../../core/functions/functionToolHandler';
import type { ApprovalView } from '../../common/protocol';
import { Disposable } from '../platform/lifecycle';

/**
 * Asks in the chat: the call shows with its arguments and Allow once, Allow for this thread and
 * Deny. The chat view is brought forward when a call waits; a stopped run denies what it waited on.
 */
export class ChatApprover extends Disposable implements Approver {
  private readonly pending = new Map<string, { view: ApprovalView; resolve(answer: ApprovalAnswer): void }>();
  private readonly changed = this.register(new vscode.EventEmitter<ApprovalView[]>());
  /** Fires with the whole waiting list whenever it changes. */
  readonly onDidChange = this.changed.event;

  ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
    if (signal.aborted) return Promise.resolve('deny');
    return new Promise<ApprovalAnswer>((resolve) => {
      const settle = (answer: ApprovalAnswer) => {
        if (!this.pending.delete(request.callId)) return;
        signal.removeEventListener('abort', onAbort);
        this.changed.fire(this.list());
        resolve(answer);
      };
      const onAbort = () => settle('deny');
      signal.addEventListener('abort', onAbort, { once: true });
      const { callId, runId, name, arguments: args, writes, command, onceOnly, server, vscodeTool } = request;
      const view: ApprovalView = { callId, runId, name, arguments: args, writes, ...(command ? { command } : {}), ...(onceOnly ? { onceOnly } : {}), ...(server ? { server } : {}), ...(vscodeTool ? { vscodeTool } : {}) };
      this.pending.set(callId, { view, resolve: settle });
      this.changed.fire(this.list());
      void vscode.commands.executeCommand('assistants.chat.focus');
    });
  }

  /** The user's answer from the chat; unknown ids (answered already, run stopped) are ignored. */
  answer(callId: string, answer: ApprovalAnswer): void {
    const entry = this.pending.get(callId);
    // "Allow for this thread" was not offered for this call: it counts once.
    entry?.resolve(answer === 'thread' && entry.view.onceOnly ? 'once' : answer);
  }

  /** The calls waiting, oldest first. */
  list(): ApprovalView[] {
    return [...this.pending.values()].map((entry) => entry.view);
  }

  override dispose(): void {
    for (const entry of [...this.pending.values()]) entry.resolve('deny');
    super.dispose();
  }
}
