import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * A run whose creation the server refuses (HTTP 500) is retried with a countdown, then given up:
 * every control reads the same "a run is active" meanwhile, and a start that gave up says so.
 */
describe('a run whose start is retried, then given up (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('run-start', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    chat = workbench.chatFrame();
    await workbench.setSideBarWidth(300);
  });

  const sendButton = () => chat.locator('.composer-actions vscode-button').filter({ hasText: 'Send' });
  const stopButton = () => chat.locator('.composer-actions vscode-button').filter({ hasText: 'Stop' });
  const status = () => chat.locator('.status-line');

  /** While a run is under way: Stop shown, Send not usable, no Retry anywhere. */
  async function assertActive(when: string): Promise<void> {
    assert.equal(await stopButton().isVisible(), true, `Stop is offered ${when}`);
    assert.equal(await sendButton().getAttribute('disabled'), '', `Send waits ${when}`);
    assert.equal(await chat.locator('.run-retry').count(), 0, `no Retry ${when}`);
  }

  it('offers Stop while the start retries, and says "Not started" (not the previous run\'s outcome) once it gives up', async () => {
    await workbench.ask('First question, answered');
    await workbench.statusIs('Completed');
    await status().getByText(/This run:/).waitFor({ timeout: 30_000 });
    // Every try of the next run's creation fails: the driver retries four times, then gives up.
    fake.inject({ method: 'POST', path: '/responses', kind: 'server_error', times: 5 });
    await workbench.ask('Second question, never started');
    await status().getByText(/retrying in \d+ s/).waitFor({ timeout: 30_000 });
    await workbench.statusIs('Starting the run');
    await assertActive('while the start retries');
    await workbench.screenshotSideBar('retrying-start-300px');
    await workbench.statusIs('Not started');
    const text = await status().innerText();
    assert.doesNotMatch(text, /Completed|This run:/, 'neither the previous outcome nor its tokens');
    assert.equal(await stopButton().isVisible(), false);
    assert.equal(await sendButton().getAttribute('disabled'), null, 'Send is usable again');
    const outcome = chat.locator('.run-outcome[data-outcome="unanswered"]');
    await outcome.waitFor({ timeout: 30_000 });
    // Why it never started is said once, under the question with its Retry: the server's refusal, not a guess.
    assert.match(await outcome.innerText(), /Not started: Gave up after 5 attempts\. The server had an error \(HTTP 500\)/);
    assert.doesNotMatch(await outcome.innerText(), /the window closed/);
    assert.equal(await chat.locator('.notice').count(), 0, 'not said a second time above the thread');
    await workbench.screenshotSideBar('start-gave-up-300px');
  });

  it('Retry of the question hides every Retry while its own start retries, and leaves no refusal behind', async () => {
    fake.inject({ method: 'POST', path: '/responses', kind: 'server_error', times: 2 });
    await chat.locator('.run-outcome[data-outcome="unanswered"] .run-retry').click();
    await status().getByText(/retrying in \d+ s/).waitFor({ timeout: 30_000 });
    await assertActive('while the retried question\'s start retries');
    await workbench.statusIs('Completed');
    assert.equal(await chat.locator('.composer-error').isVisible(), false, 'no "still in progress" refusal stays on screen');
    assert.equal(await chat.locator('.run-outcome[data-outcome="unanswered"]').count(), 0);
  });

  it('Stop while the start waits to retry ends the wait at once: nothing more is sent, Send is back, the question stays', async () => {
    const starts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').length;
    fake.inject({ method: 'POST', path: '/responses', kind: 'server_error', times: 5 });
    await workbench.ask('Third question, stopped while its start retries');
    await status().getByText(/retrying in \d+ s/).waitFor({ timeout: 30_000 });
    await assertActive('while the start waits to retry');
    const sent = starts();
    await stopButton().click();
    await stopButton().waitFor({ state: 'hidden', timeout: 5_000 });
    assert.equal(await sendButton().getAttribute('disabled'), null, 'Send is usable again');
    assert.doesNotMatch(await status().innerText(), /retrying|Starting the run/, 'the wait is over');
    // Past the next backoff (at most 2 s after the first failure): no try was sent after Stop.
    await workbench.page.waitForTimeout(3_000);
    assert.equal(starts(), sent, 'no start is sent after Stop');
    assert.equal(await chat.locator('.msg-user').filter({ hasText: 'Third question, stopped while its start retries' }).count(), 1, 'the question stays');
    // Under it, what happened, not a guess that the window closed.
    const outcome = chat.locator('.run-outcome[data-outcome="unanswered"]');
    assert.match(await outcome.innerText(), /Not started: You stopped it before its run began\. Retry asks it again\./);
    await workbench.screenshotSideBar('start-stopped-300px');
    fake.clearFaults();
  });
});
