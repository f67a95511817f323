import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

const ANSWER = 'The inventory module keeps stock counts and warns below LOW_STOCK_THRESHOLD.';

/**
 * Issue #10's thread management, as a user does it in the Threads view and the chat: see whose
 * thread it is, send an answer to another assistant, filter by assistant, rename, clear.
 */
describe('threads in the Threads view and the chat (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;

  chatSuite('threads', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    fs.writeFileSync(
      path.join(workbench.workspace, '.assistants', 'reviewer.assistant.json'),
      JSON.stringify({ version: 1, name: 'Reviewer', model: 'gpt-4.1', instructions: 'Review what you are sent.', tools: [] }, null, 2),
    );
  });

  const threadFiles = () => workbench.userDataFiles(/[\\/]threads[\\/]thread-[^\\/]+\.json$/);
  const readThreads = () => threadFiles().map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as { thread: { title: string; assistantId?: string }; messages: unknown[] });

  it('lists a thread with its assistant and last activity', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: ANSWER }] });
    await workbench.ask('What does the inventory module do?');
    await workbench.statusIs('Completed');
    await workbench.expandView('Threads');
    const row = workbench.threadRow('What does the inventory module do?,');
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /Workspace helper · just now/);
    await workbench.screenshot('threads-view');
  });

  it('offers Send to another assistant on the answer in the chat', async () => {
    const chat = workbench.chatFrame();
    const answer = chat.locator('.msg-assistant').last();
    await answer.hover();
    await answer.locator('.msg-forward').waitFor({ timeout: 30_000 });
    await workbench.screenshot('chat-forward-action');
  });

  it('sends the last answer to another assistant from the Threads view, into the composer of a new thread', async () => {
    const row = workbench.threadRow('What does the inventory module do?,');
    await row.hover();
    await row.locator('.action-label[aria-label^="Send to Another Assistant"]').click();
    await workbench.pick(/^Reviewer/);
    await workbench.screenshot('send-pick-thread');
    await workbench.pick(/New thread/);
    const chat = workbench.chatFrame();
    await chat.locator('.header-assistant').filter({ hasText: 'Reviewer' }).waitFor({ timeout: 30_000 });
    const input = chat.locator('.composer-input textarea');
    for (const deadline = Date.now() + 30_000; (await input.inputValue()) !== ANSWER && Date.now() < deadline; ) await workbench.page.waitForTimeout(200);
    assert.equal(await input.inputValue(), ANSWER, 'the answer waits in the composer');
    await workbench.screenshot('send-in-composer');
    await input.press('Enter');
    await workbench.statusIs('Completed');
    await workbench.threadRow('The inventory module keeps stock counts').waitFor({ timeout: 30_000 });
    const forwarded = readThreads().find((t) => t.thread.assistantId === 'workspace:reviewer');
    assert.ok(forwarded, 'a thread of the Reviewer was written');
    assert.equal(forwarded.messages.length, 2);
  });

  it('filters the Threads view by assistant from its title bar', async () => {
    const header = workbench.viewPane('Threads').locator('.pane-header');
    await header.hover();
    await header.locator('.action-label[aria-label^="Filter Threads by Assistant"]').first().click();
    await workbench.pick(/^Reviewer/);
    await workbench.threadRow('What does the inventory module do?,').waitFor({ state: 'detached', timeout: 30_000 });
    assert.match(await workbench.threadRow('The inventory module keeps stock counts').innerText(), /Reviewer/);
    assert.match(await header.innerText(), /Reviewer/, 'the view says which assistant it shows');
    await header.hover();
    await workbench.screenshot('threads-filtered');
    await header.locator('.action-label[aria-label^="Filter Threads by Assistant"]').first().click();
    await workbench.pick(/^All assistants/);
    await workbench.threadRow('What does the inventory module do?,').waitFor({ timeout: 30_000 });
  });

  it('renames a thread from its context menu', async () => {
    await workbench.contextMenu(workbench.threadRow('What does the inventory module do?,'), 'Rename Thread', 'thread-context-menu');
    const input = workbench.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    assert.equal(await input.inputValue(), 'What does the inventory module do?');
    await input.fill('Inventory module');
    await input.press('Enter');
    await workbench.threadRow('Inventory module,').waitFor({ timeout: 30_000 });
    assert.ok(readThreads().some((t) => t.thread.title === 'Inventory module'), 'the new title is on disk');
  });

  it('clears a thread after asking, and keeps it', async () => {
    await workbench.contextMenu(workbench.threadRow('Inventory module,'), 'Clear Thread');
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), /Clear the thread "Inventory module"\?/);
    await workbench.screenshot('clear-confirmation');
    await dialog.locator('.monaco-button').filter({ hasText: /^Clear$/ }).click();
    for (const deadline = Date.now() + 30_000; readThreads().find((t) => t.thread.title === 'Inventory module')?.messages.length !== 0 && Date.now() < deadline; ) await workbench.page.waitForTimeout(200);
    assert.deepEqual(readThreads().find((t) => t.thread.title === 'Inventory module')?.messages, []);
    await workbench.threadRow('Inventory module,').waitFor();
    await workbench.screenshot('cleared');
  });

  it('tells threads apart in a narrow side bar: a long title leaves room for the assistant and last activity', async () => {
    await workbench.runCommand('Assistants: New Thread');
    fake.model.enqueue({ steps: [{ type: 'text', text: ANSWER }] });
    await workbench.ask('Which items of the inventory module fall below the low stock threshold this week?');
    await workbench.statusIs('Completed');
    const width = await workbench.setSideBarWidth(260);
    const row = workbench.threadRow('Which items of the inventory module fall below');
    await row.waitFor({ timeout: 30_000 });
    await workbench.screenshotSideBar('threads-narrow-side-bar');
    // Before, a long title pushed the description past the row's end; every row now shows at least the start of its assistant's name.
    const rows = await workbench.viewPane('Threads').getByRole('treeitem').all();
    assert.ok(rows.length >= 3, `${rows.length} threads listed`);
    for (const each of rows) {
      const rowBox = await each.boundingBox();
      const descriptionBox = await each.locator('.label-description').boundingBox();
      assert.ok(rowBox && descriptionBox, 'the row and its description are drawn');
      const shown = rowBox.x + rowBox.width - descriptionBox.x;
      assert.ok(shown >= 40, `${Math.round(shown)} px of "${await each.innerText()}"'s description show in a ${Math.round(width)} px side bar`);
    }
    assert.match(await row.locator('.label-name').innerText(), /^Which items of the…$/, 'the label is the title cut at a word');
    assert.match(await row.locator('.label-description').innerText(), / · just now$/);
  });
});
