import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * The small things a user noticed walking every flow: a refused key offers its button, a failure is
 * said once, code in a block has one box, Copy says so, server-only commands stay out of the palette
 * under Responses, Clone and templates ask for a name, Open as JSON takes the form's place, and the
 * arrow keys move from message to message.
 */
describe('the small things (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('polish', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    chat = workbench.chatFrame();
    await workbench.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  });

  const rows = (): Locator => workbench.page.locator('.quick-input-list .monaco-list-row');
  const assistantFiles = () => fs.readdirSync(path.join(workbench.workspace, '.assistants')).map((file) => JSON.parse(fs.readFileSync(path.join(workbench.workspace, '.assistants', file), 'utf8')) as { name: string });

  it('code in a block sits in one box, and Copy says it copied', async () => {
    await workbench.ask('Show me a constant');
    await workbench.statusIs('Completed');
    const block = chat.locator('.msg-assistant').last().locator('.code-block');
    const background = await block.locator('pre code').evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor);
    assert.match(background ?? '', /^(transparent|rgba\(0, 0, 0, 0\))$/, 'the code has no box of its own inside the block');
    await block.locator('.code-copy').click();
    await block.locator('.code-copied').filter({ hasText: 'Copied' }).waitFor({ timeout: 10_000 });
    await workbench.screenshotSideBar('code-copied');
    await block.locator('.code-copied').filter({ hasText: 'Copied' }).waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('the arrow keys, Home and End move from message to message past runs that show nothing', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: 'A second answer, of text alone.' }] });
    await workbench.ask('And a second question?');
    await workbench.statusIs('Completed');
    // Both runs answered with text alone: their steps' entries are drawn as nothing between the messages.
    assert.equal(await chat.locator('.run-block').filter({ visible: true }).count(), 0, 'no run shows anything');
    await chat.locator('.msg-user').first().click({ position: { x: 5, y: 5 } });
    const focused = () => chat.locator('.transcript').evaluate((el) => {
      const active = el.ownerDocument.activeElement;
      return active?.matches('.msg') ? `${active.classList.contains('msg-user') ? 'question' : 'answer'}: ${active.querySelector('.msg-body')?.textContent?.replace(/\s+/g, ' ').trim().slice(0, 15)}` : `not a message: ${active?.className}`;
    });
    const walk: string[] = [];
    for (const key of ['Home', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowUp', 'End', 'Home']) {
      await workbench.page.keyboard.press(key);
      walk.push(`${key} ${await focused()}`);
    }
    assert.deepEqual(walk, [
      'Home question: Show me a const',
      'ArrowDown answer: Answer You aske',
      'ArrowDown question: And a second qu',
      'ArrowDown answer: A second answer',
      'ArrowDown answer: A second answer',
      'ArrowUp question: And a second qu',
      'End answer: A second answer',
      'Home question: Show me a const',
    ]);
  });

  it('a key the server refuses is said under the question with Set API Key as a button, not as a command to find, and once', async () => {
    fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { status: 401, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key', param: null } })] } });
    await workbench.ask('Asked with a refused key');
    const line = chat.locator('.run-outcome[data-outcome="unanswered"]').filter({ hasText: /API key was rejected/ });
    await line.waitFor({ timeout: 60_000 });
    assert.doesNotMatch(await line.innerText(), /Run "Assistants: Set API Key"|the window closed/);
    await line.getByRole('button', { name: 'Set API Key' }).waitFor();
    await line.getByRole('button', { name: /Retry/ }).waitFor();
    assert.equal(await chat.locator('.notice').filter({ hasText: /API key was rejected/ }).count(), 0, 'not said a second time in a notice');
    await workbench.screenshotSideBar('key-refused');
    // Answered, so the next tests start from a thread whose last question has its answer.
    await line.getByRole('button', { name: /Retry/ }).click();
    await chat.locator('.run-outcome[data-outcome="unanswered"]').waitFor({ state: 'detached', timeout: 60_000 });
    await workbench.sendOffered();
  });

  it('a connection lost for good during a run is said once, under its answer', async () => {
    // The stream drops after the run has an id, and every try to follow it again fails too.
    fake.inject({ method: 'POST', path: '/responses', kind: 'reset', afterEvents: 3 });
    fake.inject({ method: 'GET', path: /^\/responses\/[^/]+$/, kind: 'reset', times: 50 });
    await workbench.ask('Asked while the network fails');
    await chat.locator('.run-outcome[data-outcome="interrupted"], .run-outcome[data-outcome="failed"]').last().waitFor({ timeout: 120_000 });
    fake.clearFaults();
    const sentence = (await chat.locator('.run-outcome-text').last().innerText()).trim();
    await workbench.page.waitForTimeout(1000);
    assert.equal(await chat.locator('.notice').filter({ hasText: sentence.slice(0, 40) }).count(), 0, `the notice does not repeat "${sentence}"`);
    await workbench.screenshotSideBar('network-failure-said-once');
  });

  it('leaves Push, Pull and Import from Server out of the Command Palette under Responses', async () => {
    await workbench.page.locator('.part.editor').click();
    await workbench.page.keyboard.press('F1');
    const input = workbench.page.locator('.quick-input-widget input');
    for (const title of ['Push Assistant to Server', 'Pull Assistant from Server', 'Import Assistants from Server']) {
      // A command that is offered shows at once: the list has caught up with the typing.
      await input.fill('>Assistants: Select Assistant');
      await rows().filter({ hasText: /^Assistants: Select Assistant/ }).first().waitFor({ timeout: 30_000 });
      await input.fill(`>Assistants: ${title}`);
      await workbench.page.waitForTimeout(500);
      assert.equal(await rows().filter({ hasText: new RegExp(`^Assistants: ${title}`) }).count(), 0, `${title} is not offered`);
    }
    await input.press('Escape');
  });

  it('Create from Template asks for a name, proposing the template\'s', async () => {
    await workbench.runCommand('Assistants: Create Assistant from Template');
    await workbench.pick('Data analyst');
    const input = workbench.page.locator('.quick-input-widget input');
    await workbench.page.locator('.quick-input-widget').filter({ hasText: 'Assistant name' }).waitFor({ timeout: 30_000 });
    assert.equal(await input.inputValue(), 'Data analyst');
    await input.fill('Sales analyst');
    await input.press('Enter');
    await workbench.pick('In this workspace');
    for (const deadline = Date.now() + 30_000; !assistantFiles().some((f) => f.name === 'Sales analyst') && Date.now() < deadline; ) await workbench.page.waitForTimeout(200);
    assert.ok(assistantFiles().some((f) => f.name === 'Sales analyst'), 'written under the name given');
  });

  it('the form does not say "Saved." while a problem at a field keeps that change out of the file', async () => {
    const form = workbench.formFrame();
    await form.locator('#f-instructions').fill('Answer with numbers first.');
    await form.locator('.form-status').filter({ hasText: 'Valid. Save the editor' }).waitFor({ timeout: 30_000 });
    await form.locator('button').filter({ hasText: 'Add function' }).click();
    await form.locator('.function-card textarea[aria-label="Parameters (JSON Schema)"]').last().fill('{ "type": "objekt" }');
    await form.locator('.function-card .field-error:not([hidden])').first().waitFor({ timeout: 30_000 });
    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    const status = form.locator('.form-status');
    await status.filter({ hasText: /^Saved, without what has 1 problem below/ }).waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await status.innerText(), /^Saved\.$/);
    assert.equal(await status.getAttribute('class'), 'form-status has-errors');
    await workbench.screenshot('form-saved-with-problem');
  });

  it('Open as JSON takes the form\'s place instead of opening a second tab of the same name', async () => {
    const tabs = workbench.page.locator('.tabs-container .tab').filter({ hasText: 'sales-analyst.assistant.json' });
    await tabs.first().waitFor({ timeout: 30_000 });
    await workbench.formFrame().getByRole('button', { name: /Open as JSON/ }).click();
    await workbench.page.locator('.part.editor .monaco-editor .view-lines').filter({ hasText: 'Sales analyst' }).waitFor({ timeout: 30_000 });
    await workbench.page.waitForTimeout(500);
    assert.equal(await tabs.count(), 1, 'one tab for the file');
    await workbench.screenshot('open-as-json');
    await tabs.locator('.tab-actions .action-label').click();
  });

  it('Clone asks for a name, proposing "(copy)"', async () => {
    await workbench.runCommand('Assistants: Clone Assistant');
    await workbench.pick('Sales analyst');
    const input = workbench.page.locator('.quick-input-widget input');
    await workbench.page.locator('.quick-input-widget').filter({ hasText: 'Assistant name' }).waitFor({ timeout: 30_000 });
    assert.equal(await input.inputValue(), 'Sales analyst (copy)');
    await input.fill('Marketing analyst');
    await input.press('Enter');
    for (const deadline = Date.now() + 30_000; !assistantFiles().some((f) => f.name === 'Marketing analyst') && Date.now() < deadline; ) await workbench.page.waitForTimeout(200);
    assert.ok(assistantFiles().some((f) => f.name === 'Marketing analyst'), 'the copy has the name given');
  });
});
