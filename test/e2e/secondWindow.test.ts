import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * Two windows on one store of threads (two windows with no folder share it): a question asked in
 * one, and the run answering it, reach the other's chat, whose controls then say a run is going on
 * (Stop, no Send, no Retry) until it ends there too; neither asks over the other.
 */
describe('two windows on one store of threads (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  const windows: Workbench[] = [];

  // read_file asks first, so a run waits on an approval.
  chatSuite('second-window', 'responses', (started) => ({ fake, workbench } = started), { 'assistants.functions.approval': { read_file: 'ask' } });

  after(async () => {
    for (const window of windows) await window.closeWindow();
  });

  /** An empty window with the chat open. */
  async function emptyWindow(): Promise<Workbench> {
    const window = await workbench.openEmptyWindow();
    windows.push(window);
    await window.openAssistantsView();
    await window.chatFrame().locator('.composer-input').waitFor({ timeout: 60_000 });
    return window;
  }

  const button = (window: Workbench, label: string) => window.chatFrame().locator('.composer-actions vscode-button').filter({ hasText: label });

  it('shows the run the other window started, with Stop and no Send, and Send again once it ended', async () => {
    const first = await emptyWindow();
    await first.ask('Asked in the first window');
    await first.statusIs('Completed');
    const second = await emptyWindow();
    const chat = second.chatFrame();
    await chat.locator('.msg-user').filter({ hasText: 'Asked in the first window' }).waitFor({ timeout: 60_000 });
    await second.setSideBarWidth(300);
    assert.equal(await button(second, 'Send').getAttribute('disabled'), null, 'nothing runs yet');

    fake.model.enqueue({ steps: [{ type: 'text', text: 'slow '.repeat(60), chunkSize: 5, chunkDelayMs: 200 }] });
    await first.ask('Asked again in the first window');
    // The second window was told nothing: its chat learns it from the thread's file.
    await chat.locator('.msg-user').filter({ hasText: 'Asked again in the first window' }).waitFor({ timeout: 30_000 });
    await button(second, 'Stop').waitFor({ timeout: 30_000 });
    assert.equal(await button(second, 'Send').getAttribute('disabled'), '', 'Send waits in the second window too');
    assert.equal(await chat.locator('.run-retry').count(), 0, 'no Retry while it runs');
    await second.screenshotSideBar('second-window-run-elsewhere-300px');
    await second.statusIs('Completed');
    await first.statusIs('Completed');
    assert.equal(await button(second, 'Send').getAttribute('disabled'), null, 'Send is usable again');
    assert.equal(await button(second, 'Stop').isVisible(), false);
    assert.equal(await chat.locator('.msg-assistant').filter({ hasText: 'slow slow' }).count(), 1, 'the answer shows once');
    assert.equal(fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').length, 2, 'the second window asked nothing itself');

    // Asked in the second window now, on top of both: the first window shows it.
    await second.ask('Asked in the second window');
    await first.chatFrame().locator('.msg-user').filter({ hasText: 'Asked in the second window' }).waitFor({ timeout: 30_000 });
    await second.statusIs('Completed');
    await first.statusIs('Completed');
    // Nothing either window wrote was lost: one thread, each question with its one answer.
    const files = workbench.userDataFiles(/no-workspace[\\/]threads[\\/]thread-[^\\/]+\.json$/);
    assert.equal(files.length, 1);
    const stored = JSON.parse(fs.readFileSync(files[0], 'utf8')) as { messages: { role: string; content: { text?: string }[] }[] };
    assert.deepEqual(stored.messages.map((m) => `${m.role}: ${m.role === 'user' ? m.content[0]?.text : '…'}`), [
      'user: Asked in the first window', 'assistant: …', 'user: Asked again in the first window', 'assistant: …', 'user: Asked in the second window', 'assistant: …',
    ]);
  });

  it('asks for an approval in the window that asked alone: the other shows the call read-only, and the function runs once', async () => {
    const [first, second] = windows;
    const outputs = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses' && JSON.stringify(r.body ?? '').includes('function_call_output')).length;
    await first.ask('Please read the file notes.md');
    const asking = first.chatFrame().locator('.approval').filter({ hasText: 'read_file' });
    await asking.waitFor({ timeout: 60_000 });
    // The second window follows the run to the same call: shown, not asked.
    const shown = second.chatFrame().locator('.approval').filter({ hasText: 'read_file' });
    await shown.waitFor({ timeout: 60_000 });
    assert.match(await shown.innerText(), /Waiting for approval in the window that asked/);
    assert.equal(await shown.locator('vscode-button').count(), 0, 'no Allow or Deny in the window that follows');
    await second.statusIs('Waiting for the window that asked');
    await button(second, 'Stop').waitFor({ timeout: 30_000 });
    await second.screenshotSideBar('second-window-approval-elsewhere-300px');
    assert.equal(await asking.locator('vscode-button').filter({ hasText: 'Allow once' }).count(), 1, 'the window that asked asks');
    await asking.locator('vscode-button').filter({ hasText: 'Allow once' }).click();
    await first.statusIs('Completed');
    await second.statusIs('Completed');
    assert.equal(await shown.count(), 0, 'the read-only card is gone once answered');
    assert.equal(outputs(), 1, 'the function was answered once');
    assert.equal(await button(second, 'Send').getAttribute('disabled'), null, 'Send is usable again');
  });
});
