import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * A server that makes the chat wait: a 429 with `Retry-After: 3600` (the chat says until when the
 * server takes requests again, keeps Retry now and Stop, and sends nothing more until then), and a
 * cancel request that never answers (Stop ends the run at once all the same).
 */
describe('a server that makes the chat wait (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('server-waits', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    chat = workbench.chatFrame();
    await workbench.setSideBarWidth(300);
  });

  const status = () => chat.locator('.status-line');
  const starts = (): number => fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').length;

  it('says "Rate limited until HH:MM" in local time, offers Retry now and Stop, sends once, and Retry now sends at once', async () => {
    fake.inject({ method: 'POST', path: '/responses', kind: 'rate_limit', retryAfterSeconds: 3600 });
    const asked = Date.now();
    await workbench.ask('A question while the server rate-limits');
    // An hour from late evening is tomorrow, which the line says before the time.
    const line = status().getByText(/Rate limited until (tomorrow )?\d\d:\d\d, then retrying/);
    await line.waitFor({ timeout: 30_000 });
    const [, hours, minutes] = /until (?:tomorrow )?(\d\d):(\d\d)/.exec(await line.innerText()) ?? [];
    const due = new Date(asked + 3_600_000);
    const shownMinutes = Number(hours) * 60 + Number(minutes);
    const dueMinutes = due.getHours() * 60 + due.getMinutes();
    assert.ok(Math.abs(shownMinutes - dueMinutes) <= 1, `shows ${hours}:${minutes} for a wait until ${due.toTimeString()}`);
    assert.equal(await chat.locator('.status-retry-now').isVisible(), true, 'Retry now is offered');
    assert.equal(await chat.locator('.composer-actions vscode-button').filter({ hasText: 'Stop' }).isVisible(), true, 'Stop is offered');
    await workbench.screenshotSideBar('rate-limited-until-300px');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(starts(), 1, 'nothing is sent again while the server asked to wait');
    await chat.locator('.status-retry-now').click();
    await workbench.statusIs('Completed');
    assert.equal(starts(), 2, 'Retry now sent it once more');
  });

  it('Stop with a cancel that never answers stops the answer at once and says the server did not confirm', async () => {
    fake.inject({ method: 'POST', path: '/responses/:response_id/cancel', kind: 'script', times: 5, script: { chunks: [], end: 'hang' } });
    fake.model.enqueue({ steps: [{ type: 'text', text: 'word '.repeat(400), chunkSize: 5, chunkDelayMs: 50 }] });
    await workbench.ask('Talk for a long while');
    const answer = chat.locator('.msg-assistant').last();
    await chat.locator('.msg-assistant.msg-streaming').first().waitFor({ timeout: 30_000 });
    await chat.locator('.composer-actions vscode-button').filter({ hasText: 'Stop' }).click();
    await chat.locator('.run-outcome').filter({ hasText: 'Stopped; the server did not confirm the cancel' }).waitFor({ timeout: 10_000 });
    await workbench.statusIs('Cancelled');
    const shown = await answer.innerText();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await answer.innerText(), shown, 'no text lands after Stop');
    assert.ok(shown.split('word').length - 1 < 400, 'the answer stopped where it was');
    assert.equal(await chat.locator('.msg-streaming').count(), 0, 'no typing cursor');
    await workbench.screenshotSideBar('stopped-unconfirmed-300px');
  });
});
