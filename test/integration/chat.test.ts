import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api } from './extensionApi';


describe('chat against the fake server (inside VS Code)', () => {
  before(function () {
    // The tier passes the fake server's URL; without it these tests have nothing to talk to.
    if (!process.env.OPENAI_BASE_URL) this.skip();
  });

  it('runs a message to completion and keeps the thread in workspace storage', async () => {
    const assistants = await api();
    await vscode.commands.executeCommand('assistants.newThread');
    assert.equal(assistants.currentThread(), undefined);
    await assistants.sendMessage('Hello from the integration suite');
    await assistants.whenIdle();
    const thread = assistants.currentThread();
    assert.ok(thread, 'a thread was started');
    assert.equal(thread.title, 'Hello from the integration suite');
    assert.equal(thread.messageCount, 2);
    assert.equal(thread.lastRunStatus, 'completed');
  });

  it('answers a read_file call from the workspace with the file\'s text', async () => {
    const assistants = await api();
    await assistants.sendMessage('Please read the file src/inventory.ts');
    await assistants.whenIdle();
    const thread = assistants.currentThread();
    assert.equal(thread?.lastRunStatus, 'completed');
    assert.equal(thread?.messageCount, 4);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'src', 'inventory.ts')));
    assert.match(text, /LOW_STOCK_THRESHOLD/, 'the sample file is the one the test expects');
    const call = thread.functionCalls.at(-1);
    assert.equal(call?.name, 'read_file');
    assert.deepEqual(JSON.parse(call.arguments), { path: 'src/inventory.ts' });
    // The fake quotes any tool output in its answer, a refusal too: the output itself must be the file.
    assert.equal(call.output, text);
  });

  it('opens an earlier thread from the Threads view command', async () => {
    const assistants = await api();
    const first = assistants.currentThread();
    assert.ok(first);
    await vscode.commands.executeCommand('assistants.newThread');
    assert.equal(assistants.currentThread(), undefined);
    await vscode.commands.executeCommand('assistants.openThread', first.id);
    assert.equal(assistants.currentThread()?.id, first.id);
    assert.equal(assistants.currentThread()?.messageCount, 4);
  });

  it('refuses an unknown thread with a sentence that reaches the caller, and keeps the open thread', async () => {
    const assistants = await api();
    const open = assistants.currentThread();
    assert.ok(open);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('assistants.openThread', 'no-such-thread')), /That thread no longer exists in this workspace\./);
    assert.equal(assistants.currentThread()?.id, open.id, 'the open thread stays open');
  });
});
