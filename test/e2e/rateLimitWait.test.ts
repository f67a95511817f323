import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * A server that answers 429 with `Retry-After: 3600`: the chat says until when the server takes
 * requests again, keeps Retry now and Stop, and sends nothing more until then (or Retry now).
 */
describe('a rate limit that asks to wait an hour (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('rate-limit-wait', 'responses', (started) => ({ fake, workbench } = started));

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
    const line = status().getByText(/Rate limited until \d\d:\d\d, then retrying/);
    await line.waitFor({ timeout: 30_000 });
    const [, hours, minutes] = /until (\d\d):(\d\d)/.exec(await line.innerText()) ?? [];
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
});
