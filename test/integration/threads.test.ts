import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api } from './extensionApi';

/** The key the tier gives the extension host; it must never reach a file. */
const KEY = process.env.OPENAI_API_KEY ?? 'integration-test-key';

interface ThreadFile {
  thread: { title: string; assistantId?: string };
  messages: { role: string; content: { type: string; text?: string; url?: string }[] }[];
  runs: Record<string, unknown>;
}

const readThread = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as ThreadFile;
const textOf = (message: ThreadFile['messages'][number]) => message.content.flatMap((p) => (p.type === 'text' ? [p.text ?? ''] : [])).join('\n');

async function listed(id: string) {
  const item = (await (await api()).threads()).find((t) => t.id === id);
  assert.ok(item, `thread ${id} is in the Threads view`);
  return item;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

describe('thread commands (inside VS Code)', () => {
  let scratch: string;
  let threadId: string;
  let file: string;
  let target: string | undefined;

  before(async function () {
    // The thread is made by a run on the tier's fake server.
    if (!process.env.OPENAI_BASE_URL) this.skip();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-threads-'));
    const assistants = await api();
    await vscode.commands.executeCommand('assistants.selectAssistant', 'workspace:workspace-helper');
    await vscode.commands.executeCommand('assistants.newThread');
    // The workspace's assistant has the code interpreter: the fake answers with a plot.
    await assistants.sendMessage('plot a chart with python code');
    await assistants.whenIdle();
    const thread = assistants.currentThread();
    assert.equal(thread?.lastRunStatus, 'completed');
    threadId = thread.id;
    file = (await listed(threadId)).file;
  });

  after(async () => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    if (target) await vscode.commands.executeCommand('assistants.deleteAssistant', target, { confirmed: true }).then(undefined, () => undefined);
    await vscode.commands.executeCommand('assistants.filterThreads', { assistant: 'all' });
  });

  it('titles a new thread after its first question and records its assistant', async () => {
    const stored = readThread(file);
    assert.equal(stored.thread.title, 'plot a chart with python code');
    assert.equal(stored.thread.assistantId, 'workspace:workspace-helper');
    assert.match((await listed(threadId)).description, /^Workspace helper · /i);
  });

  it('Rename Thread changes the file on disk, the Threads view and the chat', async () => {
    await vscode.commands.executeCommand('assistants.renameThread', threadId, { title: 'Sales chart' });
    assert.equal(readThread(file).thread.title, 'Sales chart');
    assert.equal((await listed(threadId)).title, 'Sales chart');
    assert.equal((await api()).currentThread()?.title, 'Sales chart');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('assistants.renameThread', threadId, { title: '  ' })), /Give the thread a title/);
  });

  it('cuts a long title short in the Threads view row (whole in its tooltip), so the assistant and last activity still show', async () => {
    const long = 'Quarterly sales chart for the northern region with forecasts';
    await vscode.commands.executeCommand('assistants.renameThread', threadId, { title: long });
    const item = await listed(threadId);
    assert.equal(item.title, long);
    assert.equal(item.label, 'Quarterly sales chart…');
    assert.ok(item.tooltip.startsWith(`${long}\nAssistant: Workspace helper\n`), item.tooltip);
    assert.match(item.description, /^Workspace helper · /);
    await vscode.commands.executeCommand('assistants.renameThread', threadId, { title: 'Sales chart' });
    assert.equal((await listed(threadId)).label, 'Sales chart', 'a short title is the label as it is');
  });

  it('Export Thread to Markdown writes the questions, answers, tool calls and the plot beside it', async () => {
    const markdown = path.join(scratch, 'sales.md');
    await vscode.commands.executeCommand('assistants.exportThreadMarkdown', threadId, { file: markdown });
    const text = fs.readFileSync(markdown, 'utf8');
    assert.match(text, /^# Sales chart\n/);
    assert.match(text, /## You\n\nplot a chart with python code/);
    assert.match(text, /\*\*Code interpreter\*\*\n>\n> ```python\n> import matplotlib/);
    const answer = textOf(readThread(file).messages.at(-1)!);
    assert.ok(answer && text.includes(answer.split('\n')[0]), 'the answer is in the document');
    const images = fs.readdirSync(path.join(scratch, 'sales-images'));
    assert.ok(images.length >= 1, 'the plot was written beside the document');
    for (const image of images) {
      assert.ok(text.includes(`sales-images/${image}`), `${image} is shown in the document`);
      assert.deepEqual([...fs.readFileSync(path.join(scratch, 'sales-images', image)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
    }
  });

  it('Export Thread to Markdown writes nothing through a link a repository committed beside it, nor over a file there', async function () {
    if (process.platform === 'win32') this.skip();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'export-outside-'));
    try {
      fs.symlinkSync(outside, path.join(scratch, 'linked-images'));
      await vscode.commands.executeCommand('assistants.exportThreadMarkdown', threadId, { file: path.join(scratch, 'linked.md') });
      assert.deepEqual(fs.readdirSync(outside), [], 'nothing went through the linked folder');
      const images = fs.readdirSync(path.join(scratch, 'linked-images-2'));
      assert.ok(images.length >= 1, 'the plot went into a folder of its own');
      assert.ok(fs.readFileSync(path.join(scratch, 'linked.md'), 'utf8').includes(`linked-images-2/${images[0]}`));
      // The same images folder now holds the user's own file under the plot's name.
      fs.writeFileSync(path.join(scratch, 'linked-images-2', images[0]), 'the user\'s own');
      await vscode.commands.executeCommand('assistants.exportThreadMarkdown', threadId, { file: path.join(scratch, 'linked.md') });
      assert.equal(fs.readFileSync(path.join(scratch, 'linked-images-2', images[0]), 'utf8'), 'the user\'s own');
      fs.symlinkSync(path.join(outside, 'notes.md'), path.join(scratch, 'dangling.md'));
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('assistants.exportThreadMarkdown', threadId, { file: path.join(scratch, 'dangling.md') })), /dangling\.md is a link or not a regular file, so Export Thread to Markdown does not write it/);
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('assistants.exportThreadJson', threadId, { file: path.join(scratch, 'dangling.md') })), /is a link or not a regular file/);
      assert.deepEqual(fs.readdirSync(outside), [], 'no document went through the link');
    } finally {
      // The links go with what they point at; the files exported stay, for the key check below.
      for (const link of ['linked-images', 'dangling.md']) {
        try {
          fs.unlinkSync(path.join(scratch, link));
        } catch {
          // Not made: the test stopped before.
        }
      }
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('Export Thread to JSON writes the stored thread, images inline', async () => {
    const json = path.join(scratch, 'sales.json');
    await vscode.commands.executeCommand('assistants.exportThreadJson', threadId, { file: json });
    const exported = readThread(json);
    const stored = readThread(file);
    assert.equal(exported.thread.title, 'Sales chart');
    assert.deepEqual(exported.messages.map(textOf), stored.messages.map(textOf));
    assert.deepEqual(Object.keys(exported.runs), Object.keys(stored.runs));
    assert.ok(!fs.readFileSync(json, 'utf8').includes('stored-output:'), 'images are inline, not references into this workspace\'s storage');
  });

  it('Send to Another Assistant puts the last answer into a new thread of the other assistant and sends it', async () => {
    target = await vscode.commands.executeCommand<string>('assistants.createAssistant', { name: 'Forward Target', location: 'workspace', open: false });
    await vscode.commands.executeCommand('assistants.selectAssistant', 'workspace:workspace-helper');
    const answer = textOf(readThread(file).messages.at(-1)!).trim();
    await vscode.commands.executeCommand('assistants.sendToAssistant', threadId, { assistant: target, thread: 'new', send: true });
    const assistants = await api();
    await assistants.whenIdle();
    const forwarded = assistants.currentThread();
    assert.ok(forwarded && forwarded.id !== threadId, 'a new thread is open');
    const stored = readThread((await listed(forwarded.id)).file);
    assert.equal(stored.thread.assistantId, target);
    assert.equal(textOf(stored.messages[0]), answer, 'the forwarded answer is the first question');
    assert.equal(stored.messages[0].role, 'user');
    assert.match((await listed(forwarded.id)).description, /^Forward Target · /);
    assert.equal((await assistants.assistants()).find((a) => a.active)?.id, target, 'the other assistant is active');
  });

  it('Switch Thread opens a thread with its assistant', async () => {
    await vscode.commands.executeCommand('assistants.switchThread', threadId);
    const assistants = await api();
    assert.equal(assistants.currentThread()?.id, threadId);
    assert.equal((await assistants.assistants()).find((a) => a.active)?.id, 'workspace:workspace-helper');
  });

  it('filters the Threads view by assistant, and shows a deleted assistant\'s threads as such', async () => {
    assert.ok(target);
    await vscode.commands.executeCommand('assistants.filterThreads', { assistant: target });
    const shown = await (await api()).threads();
    assert.ok(shown.length >= 1);
    assert.ok(shown.every((t) => t.description.startsWith('Forward Target · ')), JSON.stringify(shown));
    assert.ok(!shown.some((t) => t.id === threadId));
    await vscode.commands.executeCommand('assistants.filterThreads', { assistant: 'all' });
    assert.ok((await (await api()).threads()).some((t) => t.id === threadId));
    const forwardedId = shown[0].id;
    await vscode.commands.executeCommand('assistants.deleteAssistant', target, { confirmed: true });
    target = undefined;
    assert.match((await listed(forwardedId)).description, /^deleted assistant · /);
  });

  it('Clear Thread empties the thread and keeps it', async () => {
    await vscode.commands.executeCommand('assistants.clearThread', threadId, { confirmed: true });
    const stored = readThread(file);
    assert.deepEqual(stored.messages, []);
    assert.deepEqual(stored.runs, {});
    assert.equal(stored.thread.title, 'Sales chart');
    assert.equal((await api()).currentThread()?.messageCount, 0);
    assert.equal((await listed(threadId)).title, 'Sales chart');
  });

  it('Delete Thread removes its file once confirmed', async () => {
    await vscode.commands.executeCommand('assistants.deleteThread', threadId, { confirmed: true });
    assert.equal(fs.existsSync(file), false);
    assert.equal((await (await api()).threads()).some((t) => t.id === threadId), false);
  });

  it('writes the API key into no exported file', () => {
    const exported = filesUnder(scratch);
    assert.ok(exported.length >= 3);
    for (const written of exported) assert.ok(!fs.readFileSync(written).includes(KEY), `${written} holds no key`);
  });
});
