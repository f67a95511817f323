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
