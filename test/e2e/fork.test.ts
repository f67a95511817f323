import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * Fork and replay, as a user does them: Fork from Here on a message of the chat makes a new thread
 * of another assistant holding the messages up to there, the original untouched; Replay Questions
 * from the Threads view asks them again on another assistant and shows both threads side by side.
 */
describe('fork and replay a thread (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;

  chatSuite('fork', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    fs.writeFileSync(
      path.join(workbench.workspace, '.assistants', 'reviewer.assistant.json'),
      JSON.stringify({ version: 1, name: 'Reviewer', model: 'gpt-4.1', instructions: 'Review what you are sent.', tools: [] }, null, 2),
    );
  });

  const readThreads = () =>
    workbench
      .userDataFiles(/[\\/]threads[\\/]thread-[^\\/]+\.json$/)
      .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as { thread: { title: string; assistantId?: string }; messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }> });
  const textsOf = (thread: ReturnType<typeof readThreads>[number] | undefined) => thread?.messages.map((m) => m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join(''));
  const waitFor = async <T>(find: () => T | undefined): Promise<T | undefined> => {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await workbench.page.waitForTimeout(200)) {
      const found = find();
      if (found !== undefined) return found;
    }
    return undefined;
  };

  it('forks a thread from the first answer for another assistant; the original keeps its four messages', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: 'Stock counts live in inventory.ts.' }] }, { steps: [{ type: 'text', text: 'The threshold is 5.' }] });
    await workbench.ask('Where are stock counts kept?');
    await workbench.statusIs('Completed');
    await workbench.ask('What is the low-stock threshold?');
    await workbench.chatFrame().locator('.msg-assistant').filter({ hasText: 'The threshold is 5.' }).waitFor({ timeout: 60_000 });
    await workbench.statusIs('Completed');

    const chat = workbench.chatFrame();
    const firstAnswer = chat.locator('.msg-assistant').filter({ hasText: 'Stock counts live in inventory.ts.' });
    await firstAnswer.hover();
    await firstAnswer.locator('.msg-fork').click();
    await workbench.screenshot('fork-pick-assistant');
    await workbench.pick(/^Reviewer/);
    const model = workbench.page.locator('.quick-input-widget input.input');
    // The quick input turns from the pick into the input box a moment after the pick.
    for (const deadline = Date.now() + 30_000; (await model.inputValue().catch(() => '')) !== 'gpt-4.1' && Date.now() < deadline; ) await workbench.page.waitForTimeout(100);
    assert.equal(await model.inputValue(), 'gpt-4.1', "the Reviewer's own model is proposed");
    await workbench.screenshot('fork-model');
    await model.fill('gpt-4.1-mini');
    await model.press('Enter');

    await chat.locator('.header-assistant').filter({ hasText: 'Reviewer' }).waitFor({ timeout: 30_000 });
    await chat.locator('.msg-assistant').filter({ hasText: 'The threshold is 5.' }).waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await chat.locator('.msg').count(), 2, 'the fork shows the question and the answer forked from');
    await workbench.expandView('Threads');
    await workbench.threadRow('Where are stock counts kept? (fork),').waitFor({ timeout: 30_000 });
    await workbench.threadRow('Where are stock counts kept?,').waitFor({ timeout: 30_000 });
    await workbench.screenshot('fork-in-threads-view');

    const fork = await waitFor(() => readThreads().find((t) => t.thread.title === 'Where are stock counts kept? (fork)'));
    assert.equal(fork?.thread.assistantId, 'workspace:reviewer');
    assert.equal((fork?.thread as { model?: string } | undefined)?.model, 'gpt-4.1-mini');
    await chat.getByText('gpt-4.1-mini').first().waitFor({ timeout: 30_000 });
    assert.deepEqual(textsOf(fork), ['Where are stock counts kept?', 'Stock counts live in inventory.ts.']);
    const original = readThreads().find((t) => t.thread.title === 'Where are stock counts kept?');
    assert.deepEqual(textsOf(original), ['Where are stock counts kept?', 'Stock counts live in inventory.ts.', 'What is the low-stock threshold?', 'The threshold is 5.']);
    assert.notEqual(original?.thread.assistantId, 'workspace:reviewer');

    // The fork goes on with the Reviewer; the original is still as it was.
    fake.model.enqueue({ steps: [{ type: 'text', text: 'Reviewed: fine.' }] });
    const since = fake.requests.length;
    await workbench.ask('Review that answer.');
    await workbench.statusIs('Completed');
    assert.deepEqual(fake.requests.slice(since).filter((r) => r.method === 'POST' && r.path === '/responses').map((r) => (r.body as { model: string }).model), ['gpt-4.1-mini'], 'the fork runs with its model');
    assert.equal(textsOf(readThreads().find((t) => t.thread.title === 'Where are stock counts kept?'))?.length, 4);
  });

  it('forks a thread from the Threads view\'s Fork Thread… at the message picked; the original keeps all of its messages', async () => {
    await workbench.expandView('Threads');
    const before = readThreads().length;
    await workbench.contextMenu(workbench.threadRow('Where are stock counts kept?,'), 'Fork Thread…', 'thread-fork-menu');
    // The messages to fork at, the last one proposed: take the third (the second question).
    const third = /^3\. .*You.*What is the low-stock threshold\?/;
    await workbench.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: third }).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('thread-fork-pick-message');
    await workbench.pick(third);
    await workbench.pick(/^Reviewer/);
    const model = workbench.page.locator('.quick-input-widget input.input');
    for (const deadline = Date.now() + 30_000; (await model.inputValue().catch(() => '')) !== 'gpt-4.1' && Date.now() < deadline; ) await workbench.page.waitForTimeout(100);
    await model.press('Enter');

    const forks = await waitFor(() => {
      const found = readThreads().filter((t) => t.thread.title === 'Where are stock counts kept? (fork)');
      return found.length === 2 ? found : undefined;
    });
    const fork = forks?.find((t) => t.messages.length === 3);
    assert.ok(fork, `a fork holding the messages up to the one picked: ${JSON.stringify(forks?.map(textsOf))}`);
    assert.deepEqual(textsOf(fork), ['Where are stock counts kept?', 'Stock counts live in inventory.ts.', 'What is the low-stock threshold?']);
    assert.equal(fork.thread.assistantId, 'workspace:reviewer');
    assert.equal(readThreads().length, before + 1);
    const original = readThreads().find((t) => t.thread.title === 'Where are stock counts kept?');
    assert.deepEqual(textsOf(original), ['Where are stock counts kept?', 'Stock counts live in inventory.ts.', 'What is the low-stock threshold?', 'The threshold is 5.']);
    // The fork is opened in the chat, ending at the question it was forked at.
    const chat = workbench.chatFrame();
    await chat.locator('.msg-user').filter({ hasText: 'What is the low-stock threshold?' }).waitFor({ timeout: 30_000 });
    await chat.locator('.msg-assistant').filter({ hasText: 'The threshold is 5.' }).waitFor({ state: 'detached', timeout: 30_000 });
    await workbench.screenshot('thread-fork-opened');
  });

  it('replays a thread\'s questions on another assistant from the Threads view and shows both threads side by side', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: 'Reviewer on stock counts.' }] }, { steps: [{ type: 'text', text: 'Reviewer on the threshold.' }] });
    await workbench.contextMenu(workbench.threadRow('Where are stock counts kept?,'), 'Replay Questions on Another Assistant', 'thread-replay-menu');
    await workbench.pick(/^Reviewer/);
    const tab = workbench.page.locator('.tabs-container .tab').filter({ hasText: /↔ Reviewer/ });
    await tab.waitFor({ timeout: 60_000 });
    const diff = workbench.page.locator('.monaco-diff-editor');
    await diff.getByText('Reviewer on the threshold.').first().waitFor({ timeout: 30_000 });
    await diff.getByText('The threshold is 5.').first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('replay-side-by-side');
    const replay = readThreads().find((t) => t.thread.title.startsWith('Where are stock counts kept? (replay on Reviewer)'));
    assert.deepEqual(textsOf(replay), ['Where are stock counts kept?', 'Reviewer on stock counts.', 'What is the low-stock threshold?', 'Reviewer on the threshold.']);
    assert.equal(replay?.thread.assistantId, 'workspace:reviewer');
  });
});
