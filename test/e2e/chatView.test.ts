import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Workbench, screenshotOnFailure } from './workbench';

describe('the Assistants view in a browser (packaged .vsix in code-server)', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  screenshotOnFailure(() => workbench);

  before(async () => {
    workbench = await Workbench.start('chat-view', { env: { OPENAI_API_KEY: '' } });
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the chat webview in the Assistants view container', async () => {
    await workbench.openAssistantsView();
    const chat = workbench.chatFrame();
    await chat.locator('#app').waitFor({ state: 'attached', timeout: 60_000 });
    // The composer is the user's way in: it must be there and usable.
    const composer = chat.locator('.composer-input textarea');
    await composer.waitFor({ timeout: 30_000 });
    const shot = await workbench.screenshot('assistants-view');
    assert.ok(fs.statSync(shot).size > 10_000, 'the screenshot is not empty');
  });

  it('says there is no API key and offers to set one', async () => {
    const chat = workbench.chatFrame();
    await chat.getByText(/No API key/i).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('no-key-notice');
  });

  it('a question sent without a key is kept, and the missing key is said once (in the notice, with its button)', async () => {
    const chat = workbench.chatFrame();
    await chat.locator('.composer-input textarea').fill('Sent without a key');
    await chat.locator('.composer-input textarea').press('Enter');
    await chat.locator('.composer-error').filter({ hasText: 'Not sent: the notice above says why' }).waitFor({ timeout: 30_000 });
    assert.equal(await chat.getByText(/No API key/i).count(), 1, 'said once');
    assert.equal(await chat.locator('.composer-input textarea').inputValue(), 'Sent without a key', 'the question stays in the composer');
    await chat.locator('.composer-input textarea').fill('');
  });

  it('takes a key from "Assistants: Set API Key" (masked) and the notice goes away', async () => {
    await workbench.runCommand('Assistants: Set API Key');
    // The key is masked while typed.
    const input = workbench.page.locator('.quick-input-widget input[type="password"]');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('test-key-typed-by-a-user');
    await workbench.screenshot('set-api-key');
    await input.press('Enter');
    await workbench.chatFrame().getByText(/No API key/i).first().waitFor({ state: 'detached', timeout: 30_000 });
    await workbench.screenshot('key-set');
  });
});
