import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

describe('a thread whose conversation the server no longer has (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('vanished-conversation', 'responses', (started) => ({ fake, workbench } = started));

  before(() => {
    chat = workbench.chatFrame();
  });

  it('says so in one sentence with Continue in New Thread, which answers the kept question with the history', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: 'The launch code is 4711.' }] });
    await workbench.ask('What is the launch code?');
    await workbench.statusIs('Completed');
    const conversations = [...fake.store.collection('conversations').keys()];
    assert.equal(conversations.length, 1);
    fake.vanish(conversations[0]);

    // The send is refused: the sentence says why, the button fixes it, and the question stays in the composer.
    const input = chat.locator('.composer-input textarea');
    await input.click();
    await input.fill('And the backup code?');
    await input.press('Enter');
    const notice = chat.locator('.notice').filter({ hasText: "no longer has this thread's conversation" });
    await notice.waitFor({ timeout: 30_000 });
    await workbench.screenshot('conversation-gone');
    assert.equal(await input.inputValue(), 'And the backup code?');
    // Said once, in the notice; the composer only points there.
    assert.equal(await chat.getByText("no longer has this thread's conversation").count(), 1);

    await notice.getByRole('button', { name: 'Continue in New Thread' }).click();
    await notice.waitFor({ state: 'detached', timeout: 30_000 });
    // The new thread shows the earlier question and answer.
    await chat.locator('.msg-assistant').filter({ hasText: 'The launch code is 4711.' }).first().waitFor({ timeout: 30_000 });
    const before = fake.requests.length;
    fake.model.enqueue({ steps: [{ type: 'text', text: 'The backup code is 1234.' }] });
    await input.press('Enter');
    await chat.locator('.msg-assistant').filter({ hasText: 'The backup code is 1234.' }).first().waitFor({ timeout: 60_000 });
    await workbench.statusIs('Completed');
    await workbench.screenshot('continued');
    const run = fake.requests.slice(before).find((r) => r.method === 'POST' && r.path === '/responses');
    const body = JSON.stringify(run?.body);
    assert.match(body, /What is the launch code\?.*The launch code is 4711\..*And the backup code\?/, 'the history went with the question');
    assert.ok(!body.includes(conversations[0]), 'the lost conversation is not named');
  });
});
