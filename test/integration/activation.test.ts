import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AssistantsApi } from '../../src/extension';

const extensionId = 'assistants-vscode.assistants-vscode';

/** Waits until `condition` holds (the workbench shows views a moment after the command returns). */
async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition(); ) {
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('activation (inside VS Code)', () => {
  it('is installed and activates on demand', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `extension ${extensionId} is not installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every command of its manifest', async () => {
    const extension = vscode.extensions.getExtension(extensionId)!;
    const manifest = extension.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
  });

  it('opens the Assistants chat view', async () => {
    const assistants = await vscode.extensions.getExtension<AssistantsApi>(extensionId)!.activate();
    await vscode.commands.executeCommand('workbench.view.explorer');
    await eventually(() => !assistants.chatViewVisible(), 'the chat view is hidden while the Explorer is shown');
    await vscode.commands.executeCommand('assistants.focusChat');
    await eventually(() => assistants.chatViewVisible(), 'the chat view is visible');
    // Focusing it again keeps it shown (the activity-bar icon would toggle it).
    await vscode.commands.executeCommand('assistants.focusChat');
    assert.equal(assistants.chatViewVisible(), true);
  });
});
