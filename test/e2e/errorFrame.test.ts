import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/** An `error` frame right after the run started: the server's reason, with Retry, not a dropped connection. */
describe('a stream that ends with the server\'s error frame (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('error-frame', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    chat = workbench.chatFrame();
    await workbench.setSideBarWidth(300);
  });

  const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

  it('says the server\'s reason under the question, offers Retry, and Retry answers it', async () => {
    const created = { type: 'response.created', sequence_number: 0, response: { id: 'resp_frame', object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'in_progress', model: 'gpt-4.1', output: [], error: null, incomplete_details: null, metadata: {} } };
    const error = { type: 'error', code: 'rate_limit_exceeded', message: 'Too many requests for this model.', param: null, sequence_number: 1 };
    fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks: [frame('response.created', created), frame('error', error)] } });
    await workbench.ask('A question the server refuses once');
    const outcome = chat.locator('.run-outcome').filter({ hasText: /rate limit was reached.*Too many requests for this model/ });
    await outcome.waitFor({ timeout: 30_000 });
    await workbench.statusIs('Failed');
    assert.doesNotMatch(await chat.locator('.transcript, body').first().innerText(), /connection dropped|stream dropped|cannot resume/i, 'no word of a dropped connection');
    await workbench.screenshotSideBar('error-frame-300px');
    await outcome.locator('.run-retry').click();
    await workbench.statusIs('Completed');
    assert.equal(fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').length, 2, 'sent again only by Retry');
  });
});
