import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extensionId = 'assistants-vscode.assistants-vscode';

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
    await vscode.commands.executeCommand('assistants.focusChat');
    // The view container is now visible; focusing twice must not throw either.
    await vscode.commands.executeCommand('assistants.focusChat');
  });
});
