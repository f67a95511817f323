import * as vscode from 'vscode';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../core/functions/functionToolHandler';

const ARGUMENT_CHARS = 600;

/**
 * Asks in a modal dialog: the function, what it would do (writes or only reads) and its arguments,
 * with Allow once, Allow for this thread and Deny. Closing the dialog denies.
 */
export class DialogApprover implements Approver {
  async ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
    if (signal.aborted) return 'deny';
    const args = request.arguments.length > ARGUMENT_CHARS ? `${request.arguments.slice(0, ARGUMENT_CHARS)}…` : request.arguments;
    const detail = `${request.writes ? 'This function changes files.' : 'This function only reads.'}\n\nArguments: ${args}`;
    const choice = await Promise.race([
      vscode.window.showWarningMessage(`The assistant wants to call ${request.name}.`, { modal: true, detail }, 'Allow once', 'Allow for this thread', 'Deny'),
      new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true })),
    ]);
    if (choice === 'Allow once') return 'once';
    if (choice === 'Allow for this thread') return 'thread';
    return 'deny';
  }
}
