import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AssistantsApi } from '../../src/extension';
import { api, until } from './extensionApi';

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

/** Asks the fake model to call one function and returns what the run answered with its output. */
async function call(assistants: AssistantsApi, name: string, args: object = {}): Promise<string> {
  await assistants.sendMessage(`call ${name} with ${JSON.stringify(args)}`);
  await assistants.whenIdle();
  const thread = assistants.currentThread();
  assert.equal(thread?.lastRunStatus, 'completed');
  return thread?.lastMessageText ?? '';
}

describe('workspace functions on a run against the fake server (inside VS Code)', () => {
  before(function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
  });

  it('each read-only built-in answers from the real workspace', async () => {
    const assistants = await api();
    await vscode.commands.executeCommand('assistants.newThread');
    const inventory = vscode.Uri.joinPath(root(), 'src', 'inventory.ts');
    const editor = await vscode.window.showTextDocument(inventory);
    editor.selection = new vscode.Selection(6, 0, 8, 0);

    assert.match(await call(assistants, 'read_file', { path: 'src/inventory.ts', startLine: 7, endLine: 8 }), /LOW_STOCK_THRESHOLD = 5/);
    assert.match(await call(assistants, 'list_files', { glob: '**/*.ts' }), /src\/inventory\.ts/);
    assert.match(await call(assistants, 'search_text', { query: 'restock' }), /src\/inventory\.ts:\d+: export function restock/);
    assert.match(await call(assistants, 'get_open_editors'), /src\/inventory\.ts \(active/);
    assert.match(await call(assistants, 'get_selection'), /src\/inventory\.ts, lines 7-8:\n\/\*\* Items at or below/);
    const collection = vscode.languages.createDiagnosticCollection('integration');
    collection.set(inventory, [new vscode.Diagnostic(new vscode.Range(9, 2, 9, 8), 'A planted problem', vscode.DiagnosticSeverity.Warning)]);
    try {
      assert.match(await call(assistants, 'get_diagnostics', { path: 'src/inventory.ts' }), /src\/inventory\.ts:10:3 warning: A planted problem/);
    } finally {
      collection.dispose();
    }
    const secret = vscode.Uri.joinPath(root(), '.env');
    await vscode.workspace.fs.writeFile(secret, new TextEncoder().encode('TOKEN=integration-secret\n'));
    const refused = await call(assistants, 'read_file', { path: '.env' });
    assert.match(refused, /may hold secrets/);
    assert.doesNotMatch(refused, /integration-secret/);
  });

  it('propose_edit asks first, then writes only when the diff is applied', async () => {
    const assistants = await api();
    const target = vscode.Uri.joinPath(root(), 'src', 'inventory.ts');
    const before = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    const edit = { path: 'src/inventory.ts', edits: [{ oldText: 'LOW_STOCK_THRESHOLD = 5', newText: 'LOW_STOCK_THRESHOLD = 3' }] };

    // Denied in the chat: nothing is shown, nothing written.
    let sent = assistants.sendMessage(`call propose_edit with ${JSON.stringify(edit)}`);
    let approval = await until(() => assistants.approvals()[0], 'the approval');
    assert.equal(approval.name, 'propose_edit');
    assert.equal(approval.writes, true);
    assistants.answerApproval(approval.callId, 'deny');
    await sent;
    await assistants.whenIdle();
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /denied/);
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)), before);

    // Allowed, then discarded in the diff: nothing written.
    sent = assistants.sendMessage(`call propose_edit with ${JSON.stringify(edit)}`);
    approval = await until(() => assistants.approvals()[0], 'the approval');
    assistants.answerApproval(approval.callId, 'once');
    await until(() => (vscode.window.activeTextEditor?.document.uri.scheme === 'assistants-proposal' ? true : undefined), 'the diff');
    await vscode.commands.executeCommand('assistants.discardProposedEdit');
    await sent;
    await assistants.whenIdle();
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /discarded/);
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)), before);

    // Allowed, then applied: written.
    sent = assistants.sendMessage(`call propose_edit with ${JSON.stringify(edit)}`);
    approval = await until(() => assistants.approvals()[0], 'the approval');
    assistants.answerApproval(approval.callId, 'once');
    await until(() => (vscode.window.activeTextEditor?.document.uri.scheme === 'assistants-proposal' ? true : undefined), 'the diff');
    await vscode.commands.executeCommand('assistants.applyProposedEdit');
    await sent;
    await assistants.whenIdle();
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /applied the edit to src\/inventory\.ts/);
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)), before.replace('LOW_STOCK_THRESHOLD = 5', 'LOW_STOCK_THRESHOLD = 3'));
  });

  it('Apply Edit checks the path again: a file swapped for a link out during the review is not written through', async () => {
    const assistants = await api();
    const file = path.join(root().fsPath, 'src', 'swapped.ts');
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    const victim = path.join(outside, 'victim.ts');
    fs.writeFileSync(file, 'export const swapped = 1;\n');
    fs.writeFileSync(victim, 'export const swapped = 1;\n');
    try {
      const edit = { path: 'src/swapped.ts', edits: [{ oldText: 'swapped = 1', newText: 'swapped = 2' }] };
      const sent = assistants.sendMessage(`call propose_edit with ${JSON.stringify(edit)}`);
      const approval = await until(() => assistants.approvals()[0], 'the approval');
      assistants.answerApproval(approval.callId, 'once');
      await until(() => (vscode.window.activeTextEditor?.document.uri.scheme === 'assistants-proposal' ? true : undefined), 'the diff');
      fs.rmSync(file);
      fs.symlinkSync(victim, file);
      await vscode.commands.executeCommand('assistants.applyProposedEdit');
      await sent;
      await assistants.whenIdle();
      assert.match(assistants.currentThread()?.lastMessageText ?? '', /Nothing was written: when the user applied the edit, the path no longer passed the workspace check/);
      assert.equal(fs.readFileSync(victim, 'utf8'), 'export const swapped = 1;\n');
    } finally {
      fs.rmSync(file, { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('attach menus (inside VS Code)', () => {
  before(function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
  });

  const settled = (assistants: AssistantsApi) => until(() => (assistants.attachments().every((a) => a.status !== 'uploading') ? assistants.attachments() : undefined), 'the uploads');

  it('Attach to Message attaches the files picked in the Explorer, a folder through its filters', async () => {
    const assistants = await api();
    await vscode.commands.executeCommand('assistants.newThread');
    const data = vscode.Uri.joinPath(root(), 'data', 'stock.csv');
    await vscode.workspace.fs.writeFile(data, new TextEncoder().encode('sku,quantity\nA1,3\n'));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(root(), 'data', '.env.local'), new TextEncoder().encode('SECRET=1\n'));
    await vscode.commands.executeCommand('assistants.attachToMessage', vscode.Uri.joinPath(root(), 'src', 'inventory.ts'), [vscode.Uri.joinPath(root(), 'src', 'inventory.ts'), vscode.Uri.joinPath(root(), 'data')]);
    const attached = await settled(assistants);
    assert.deepEqual(attached.map((a) => [a.display, a.tool, a.status]), [
      ['src/inventory.ts', 'file_search', 'ready'],
      ['data/stock.csv', 'code_interpreter', 'ready'],
    ]);
  });

  it('Attach Active File attaches the file in the editor; a send takes the attachments with it', async () => {
    const assistants = await api();
    await vscode.window.showTextDocument(vscode.Uri.joinPath(root(), 'README.md'));
    await vscode.commands.executeCommand('assistants.attachActiveFile');
    const attached = await settled(assistants);
    assert.ok(attached.some((a) => a.display === 'README.md' && a.status === 'ready'));
    await assistants.sendMessage('search the attached files for restock');
    await assistants.whenIdle();
    assert.equal(assistants.currentThread()?.lastRunStatus, 'completed');
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /what the attached files say/);
    assert.deepEqual(assistants.attachments(), [], 'sent attachments leave the composer');
  });
});

describe('custom functions of an assistant on a run against the fake server (inside VS Code)', () => {
  const written: string[] = [];
  const received: unknown[] = [];
  let command: vscode.Disposable | undefined;

  const tools = [
    { type: 'function', function: { name: 'lookup_price', description: 'Price of a stock item', parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } } },
    { type: 'function', function: { name: 'echo_args', parameters: { type: 'object', properties: { text: { type: 'string' } } } }, 'x-vscode': { command: 'integration.echoArgs' } },
  ];

  async function useAssistant(id: string, file: string): Promise<void> {
    fs.writeFileSync(file, JSON.stringify({ version: 1, name: 'Custom functions', model: 'gpt-4.1', tools }, null, 2));
    written.push(file);
    await vscode.commands.executeCommand('assistants.selectAssistant', id);
    const active = (await (await api()).assistants()).find((a) => a.active);
    assert.equal(active?.id, id);
    await vscode.commands.executeCommand('assistants.newThread');
  }

  before(function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
    command = vscode.commands.registerCommand('integration.echoArgs', (args: unknown) => {
      received.push(args);
      return { received: args };
    });
  });

  after(async () => {
    command?.dispose();
    for (const file of written) fs.rmSync(file, { force: true });
    await vscode.commands.executeCommand('assistants.selectAssistant', 'workspace:workspace-helper');
  });

  it('a function with no binding is answered by the user, and the output goes to the model as typed', async () => {
    const assistants = await api();
    await useAssistant('workspace:custom-functions', path.join(root().fsPath, '.assistants', 'custom-functions.assistant.json'));
    const sent = assistants.sendMessage('call lookup_price with {"sku":"A1"}');
    const request = await until(() => assistants.outputRequests()[0], 'the output request');
    assert.equal(request.name, 'lookup_price');
    assert.deepEqual(JSON.parse(request.arguments), { sku: 'A1' });
    assert.deepEqual(assistants.approvals(), [], 'the user answers it: nothing to approve');
    assistants.submitOutput(request.callId, '{"price": 3.5, "currency": "EUR"}');
    await sent;
    await assistants.whenIdle();
    const thread = assistants.currentThread();
    assert.equal(thread?.lastRunStatus, 'completed');
    assert.deepEqual(thread?.functionCalls.at(-1), { name: 'lookup_price', arguments: '{"sku":"A1"}', output: '{"price": 3.5, "currency": "EUR"}' });
    assert.match(thread?.lastMessageText ?? '', /"price": 3\.5, "currency": "EUR"/);
    assert.deepEqual(assistants.outputRequests(), []);
  });

  it('a command bound in the repository\'s file shows the command, asks (once only), then runs the real command with the arguments', async () => {
    const assistants = await api();
    const sent = assistants.sendMessage('call echo_args with {"text":"hello"}');
    const approval = await until(() => assistants.approvals()[0], 'the approval');
    assert.equal(approval.name, 'echo_args');
    assert.equal(approval.command, 'integration.echoArgs');
    assert.equal(approval.onceOnly, true);
    assert.deepEqual(received, [], 'nothing ran before the answer');
    assistants.answerApproval(approval.callId, 'once');
    await sent;
    await assistants.whenIdle();
    assert.deepEqual(received, [{ text: 'hello' }]);
    const output = assistants.currentThread()?.functionCalls.at(-1)?.output ?? '';
    assert.deepEqual(JSON.parse(output), { received: { text: 'hello' } });
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /"received"/);
  });

  it('a denied command never runs, and the model reads why', async () => {
    const assistants = await api();
    const sent = assistants.sendMessage('call echo_args with {"text":"denied"}');
    const approval = await until(() => assistants.approvals()[0], 'the approval');
    assistants.answerApproval(approval.callId, 'deny');
    await sent;
    await assistants.whenIdle();
    assert.deepEqual(received, [{ text: 'hello' }], 'the command did not run again');
    assert.equal(assistants.currentThread()?.lastRunStatus, 'completed');
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /the user denied this call to echo_args \(it runs the VS Code command integration\.echoArgs\)/);
  });

  it('a personal assistant\'s binding may be allowed for the thread, after which it runs without asking', async () => {
    const assistants = await api();
    const id = await vscode.commands.executeCommand<string>('assistants.createAssistant', { name: 'Personal functions', location: 'user', open: false });
    const file = (await assistants.assistants()).find((a) => a.id === id)?.file;
    assert.ok(file, 'the personal assistant has a file');
    await useAssistant(id, file);
    let sent = assistants.sendMessage('call echo_args with {"text":"first"}');
    const approval = await until(() => assistants.approvals()[0], 'the approval');
    assert.equal(approval.onceOnly, undefined, 'Allow for this thread is offered');
    assistants.answerApproval(approval.callId, 'thread');
    await sent;
    await assistants.whenIdle();
    sent = assistants.sendMessage('call echo_args with {"text":"second"}');
    await sent;
    await assistants.whenIdle();
    assert.deepEqual(received.slice(-2), [{ text: 'first' }, { text: 'second' }]);
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /"second"/);
  });

  it('Clear Thread drops the grant; an allow for the function name still asks, an allow for its command runs it', async () => {
    const assistants = await api();
    const approval = vscode.workspace.getConfiguration('assistants.functions');
    /** Asks for a call of echo_args; denies it if it asks. Returns whether it asked. */
    const asks = async (text: string): Promise<boolean> => {
      await assistants.sendMessage(`call echo_args with ${JSON.stringify({ text })}`);
      const asked = await Promise.race([assistants.whenIdle().then(() => undefined), until(() => assistants.approvals()[0], 'the approval', 30_000).catch(() => undefined)]);
      if (asked) assistants.answerApproval(asked.callId, 'deny');
      await assistants.whenIdle();
      return asked !== undefined;
    };
    try {
      await vscode.commands.executeCommand('assistants.clearThread', undefined, { confirmed: true });
      assert.equal(await asks('after clear'), true, 'the thread\'s grant went with Clear Thread');
      await approval.update('approval', { echo_args: 'allow' }, vscode.ConfigurationTarget.Global);
      assert.equal(await asks('name allowed'), true, 'an allow for the name does not run a bound command');
      await approval.update('approval', { 'command:integration.echoArgs': 'allow' }, vscode.ConfigurationTarget.Global);
      assert.equal(await asks('command allowed'), false);
      assert.deepEqual(received.at(-1), { text: 'command allowed' });
      assert.ok(!received.some((args) => ['after clear', 'name allowed'].includes((args as { text?: string }).text ?? '')), 'the denied calls never ran');
    } finally {
      await approval.update('approval', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
