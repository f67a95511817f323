import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api } from './extensionApi';

/** The key the tier gives the extension host; it must never reach a file. */
const KEY = process.env.OPENAI_API_KEY ?? 'integration-test-key';

function workspaceDir(): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root, 'the suite runs in a workspace');
  return path.join(root, '.assistants');
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

async function entry(id: string) {
  const found = (await (await api()).assistants()).find((a) => a.id === id);
  assert.ok(found, `${id} is listed`);
  return found;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('assistant commands (inside VS Code)', () => {
  const written: string[] = [];
  let scratch: string;

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-it-'));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('lists the workspace\'s assistant files, one of them active', async () => {
    const listed = await (await api()).assistants();
    assert.ok(listed.some((a) => a.id === 'workspace:workspace-helper' && a.valid));
    assert.equal(listed.filter((a) => a.active).length, 1);
  });

  it('Create Assistant writes a valid file in the workspace folder and makes it active', async () => {
    const id = await vscode.commands.executeCommand<string>('assistants.createAssistant', { name: 'Integration Reviewer', location: 'workspace', open: false });
    assert.equal(id, 'workspace:integration-reviewer');
    const file = path.join(workspaceDir(), 'integration-reviewer.assistant.json');
    written.push(file);
    assert.equal(readJson(file).name, 'Integration Reviewer');
    assert.equal(readJson(file).version, 1);
    assert.equal((await entry(id)).active, true);
  });

  it('Create Assistant from Template writes the template\'s tools', async () => {
    const id = await vscode.commands.executeCommand<string>('assistants.createAssistantFromTemplate', { template: 'Data analyst', name: 'Data analyst', location: 'workspace', open: false });
    const file = (await entry(id)).file!;
    written.push(file);
    assert.deepEqual(readJson(file).tools, [{ type: 'code_interpreter' }]);
  });

  it('Create Assistant from Settings writes a personal file with the settings\' model', async () => {
    const id = await vscode.commands.executeCommand<string>('assistants.createAssistantFromSettings', { name: 'Assistant from settings', location: 'user', open: false });
    const listed = await entry(id);
    assert.equal(listed.location, 'user');
    written.push(listed.file!);
    assert.equal(readJson(listed.file!).model, vscode.workspace.getConfiguration('assistants').get('model'));
  });

  it('Select Assistant makes the named assistant active', async () => {
    await vscode.commands.executeCommand('assistants.selectAssistant', 'workspace:workspace-helper');
    assert.equal((await entry('workspace:workspace-helper')).active, true);
    assert.equal((await entry('workspace:integration-reviewer')).active, false);
  });

  it('Edit Assistant opens the assistant\'s file in the form editor', async () => {
    await vscode.commands.executeCommand('assistants.editAssistant', 'workspace:integration-reviewer');
    const file = path.join(workspaceDir(), 'integration-reviewer.assistant.json');
    await until(
      async () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === file && t.input.viewType === 'assistants.assistantEditor')),
      'the file is open in the form',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Clone Assistant writes a copy next to the original', async () => {
    const id = await vscode.commands.executeCommand<string>('assistants.cloneAssistant', 'workspace:integration-reviewer', { name: 'Integration Reviewer (copy)', open: false });
    assert.equal(id, 'workspace:integration-reviewer-copy');
    const file = (await entry(id)).file!;
    written.push(file);
    assert.equal(readJson(file).name, 'Integration Reviewer (copy)');
  });

  it('Export Assistant writes the assistant as JSON, and Import brings it back as a new file', async () => {
    const exported = path.join(scratch, 'reviewer.json');
    await vscode.commands.executeCommand('assistants.exportAssistant', 'workspace:integration-reviewer', { file: exported });
    written.push(exported);
    assert.equal(readJson(exported).name, 'Integration Reviewer');
    // Its name is taken in the workspace: keep both, the import under a free name.
    const ids = await vscode.commands.executeCommand<string[]>('assistants.importAssistants', { file: exported, location: 'workspace', onClash: 'keepBoth' });
    assert.deepEqual(ids, ['workspace:integration-reviewer-2']);
    assert.equal((await entry(ids[0])).name, 'Integration Reviewer (2)');
    written.push((await entry(ids[0])).file!);
  });

  it('Export Assistant writes through no link, dangling or not, a repository may have committed under its name', async function () {
    if (process.platform === 'win32') this.skip();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'export-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'target.json'), 'keep');
      const links = { 'linked.json': path.join(outside, 'target.json'), 'dangling.json': path.join(outside, 'missing.json') };
      for (const [name, target] of Object.entries(links)) {
        fs.symlinkSync(target, path.join(scratch, name));
        await assert.rejects(
          Promise.resolve(vscode.commands.executeCommand('assistants.exportAssistant', 'workspace:integration-reviewer', { file: path.join(scratch, name) })),
          new RegExp(`${name.replace('.', '\\.')} is a link or not a regular file, so Export Assistant does not write it`),
        );
        fs.unlinkSync(path.join(scratch, name));
      }
      assert.deepEqual(fs.readdirSync(outside), ['target.json'], 'nothing was written outside');
      assert.equal(fs.readFileSync(path.join(outside, 'target.json'), 'utf8'), 'keep');
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('Import takes the body of an assistants.create call, and refuses an invalid one without writing', async () => {
    const seeds = path.join(scratch, 'seeds.json');
    fs.writeFileSync(seeds, JSON.stringify({ name: 'Math Tutor', instructions: 'You are a personal math tutor.', tools: [{ type: 'code_interpreter' }], model: 'gpt-4o' }));
    const ids = await vscode.commands.executeCommand<string[]>('assistants.importAssistants', { file: seeds, location: 'workspace' });
    assert.deepEqual(ids, ['workspace:math-tutor']);
    written.push((await entry(ids[0])).file!);
    const before = fs.readdirSync(workspaceDir()).length;
    const bad = path.join(scratch, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ name: 'Hot', model: 'gpt-4o', temperature: 7 }));
    await assert.rejects(async () => vscode.commands.executeCommand('assistants.importAssistants', { file: bad, location: 'workspace' }), /cannot be imported: Assistant 1 is not valid: temperature/);
    assert.equal(fs.readdirSync(workspaceDir()).length, before);
  });

  it('shows a file changed on disk at once, and lists an invalid one as not valid', async () => {
    const file = path.join(workspaceDir(), 'integration-reviewer-2.assistant.json');
    fs.writeFileSync(file, JSON.stringify({ ...readJson(file), name: 'Edited on disk' }, null, 2));
    await until(async () => (await entry('workspace:integration-reviewer-2')).name === 'Edited on disk', 'the new name is listed');
    fs.writeFileSync(file, JSON.stringify({ ...readJson(file), top_p: 4 }, null, 2));
    assert.equal((await entry('workspace:integration-reviewer-2')).valid, false);
  });

  it('Delete Assistant removes the file and the assistant', async () => {
    await vscode.commands.executeCommand('assistants.deleteAssistant', 'workspace:integration-reviewer-2', { confirmed: true });
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'integration-reviewer-2.assistant.json')), false);
    assert.equal((await (await api()).assistants()).some((a) => a.id === 'workspace:integration-reviewer-2'), false);
  });

  it('runs the active assistant with its instructions', async function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
    const id = await vscode.commands.executeCommand<string>('assistants.createAssistant', { name: 'Pirate', location: 'workspace', open: false });
    const file = (await entry(id)).file!;
    written.push(file);
    fs.writeFileSync(file, JSON.stringify({ ...readJson(file), instructions: 'Start every answer with "Ahoy!"' }, null, 2));
    await vscode.commands.executeCommand('assistants.selectAssistant', id);
    const assistants = await api();
    await vscode.commands.executeCommand('assistants.newThread');
    await assistants.sendMessage('Who are you?');
    await assistants.whenIdle();
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /^Ahoy!\s/);
  });

  it('Test Connection reports every capability of the fake server as working', async function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
    const lines = await vscode.commands.executeCommand<{ what: string; ok: boolean }[]>('assistants.testConnection');
    assert.deepEqual(lines.map((l) => `${l.what}: ${l.ok}`), ['Key and models: true', 'Conversations: true', 'Vector stores: true']);
  });

  it('writes the API key into no file', () => {
    assert.ok(written.length >= 8);
    for (const file of written.filter((f) => fs.existsSync(f))) assert.equal(fs.readFileSync(file, 'utf8').includes(KEY), false, file);
  });
});
