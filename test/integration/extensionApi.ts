import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AssistantsApi } from '../../src/extension';

/** The extension under test, as `package.json` names it (publisher.name). */
export const extensionId = 'assistants-vscode.assistants-vscode';

/** The extension's API, activating it first; fails the test when the extension is not installed. */
export async function api(): Promise<AssistantsApi> {
  const extension = vscode.extensions.getExtension<AssistantsApi>(extensionId);
  assert.ok(extension, 'extension not installed');
  return extension.activate();
}

/**
 * Reads `read` every 50 ms until it gives a value, and resolves with it; fails naming `what` after
 * `ms` milliseconds (default 20 s).
 */
export async function until<T>(read: () => T | undefined | Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends a question in the chat and waits for its run: what the assistant answered last. */
export async function ask(assistants: AssistantsApi, text: string): Promise<string> {
  await assistants.sendMessage(text);
  await assistants.whenIdle();
  return assistants.currentThread()?.lastMessageText ?? '';
}
