import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * What the chat keeps across a window reload. In VS Code for the web the page's own state is
 * stored lazily, so after a reload it may be tens of seconds old: these must come from the host.
 */
describe('what the chat keeps across a window reload (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('chat-reload', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    chat = workbench.chatFrame();
  });

  /**
   * Reloads the window and finds the chat again, once the host's state is in: the composer shows
   * the kept draft and instructions from then on (none before), so what is read is what was kept.
   */
  async function reload(): Promise<void> {
    await workbench.reload();
    await workbench.openAssistantsView();
    chat = workbench.chatFrame();
    await chat.locator('.composer-input').waitFor({ timeout: 60_000 });
    await chat.locator('.composer vscode-button[title="Loading the chat…"]').waitFor({ state: 'detached', timeout: 60_000 });
  }

  /** Waits until the host's file in the workspace storage (`name`) holds `text`. */
  async function keptOnDisk(name: string, text: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    const holds = () => workbench.userDataFiles(new RegExp(`[\\\\/]${name.replace('.', '\\.')}$`)).some((file) => fs.readFileSync(file, 'utf8').includes(text));
    while (!holds() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(holds(), `${name} holds ${text}`);
  }

  const readyToSend = () => chat.locator('.composer vscode-button:not([disabled])').filter({ hasText: 'Send' }).waitFor({ timeout: 60_000 });

  it('a question sent just before the reload, before its run began, says so in the new window and Retry answers it', async () => {
    // The run's creation never answers: the window reloads before the run has an id.
    fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks: [], end: 'hang' } });
    await workbench.ask('Sent just before the reload');
    await reload();
    const note = chat.locator('.msg-user').filter({ hasText: 'Sent just before the reload' }).locator('.run-outcome[data-outcome="unanswered"]');
    await note.waitFor({ timeout: 60_000 });
    assert.match(await note.innerText(), /This question was saved, but its answer never started/);
    await workbench.screenshot('unanswered-after-reload');
    fake.model.enqueue({ steps: [{ type: 'text', text: 'Answered on Retry.' }] });
    await note.locator('.run-retry').click();
    await workbench.statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /Answered on Retry\./);
    assert.equal(await chat.locator('.msg-user').filter({ hasText: 'Sent just before the reload' }).count(), 1, 'the question is asked once');
    assert.equal(await chat.locator('.run-outcome[data-outcome="unanswered"]').count(), 0);
    await workbench.screenshot('unanswered-retried');
  });

  it('keeps the run instructions through a reload, and the next run follows them', async () => {
    await readyToSend();
    await chat.locator('vscode-button[aria-label^="Instructions for this run"]').click();
    const instructions = chat.locator('.composer-instructions textarea');
    await instructions.fill('Start every answer with "Bonjour!"');
    await keptOnDisk('instructions.json', 'Bonjour!');
    await reload();
    const kept = chat.locator('.composer-instructions textarea');
    await kept.waitFor({ timeout: 30_000 });
    assert.equal(await kept.inputValue(), 'Start every answer with "Bonjour!"');
    await workbench.screenshot('instructions-after-reload');
    await readyToSend();
    await workbench.ask('Say hello after the reload');
    await workbench.statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().locator('.msg-body').innerText(), /^\s*Bonjour!/, 'the run used them');
    // Cleared, and the clearing is kept too.
    await kept.fill('');
    await keptOnDisk('instructions.json', '"text":""');
    await reload();
    assert.equal(await chat.locator('.composer-instructions textarea').inputValue(), '');
  });

  it('brings back a half-typed function output after a reload while the call still waits', async () => {
    fs.writeFileSync(
      path.join(workbench.workspace, '.assistants', 'reload-functions.assistant.json'),
      JSON.stringify({
        version: 1,
        name: 'Reload functions',
        model: 'gpt-4.1',
        tools: [{ type: 'function', function: { name: 'lookup_price', description: 'Price of a stock item', parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } } }],
      }),
    );
    await workbench.runCommand('Assistants: Select Assistant');
    await workbench.pick('Reload functions');
    await chat.locator('.chat-header').filter({ hasText: 'Reload functions' }).waitFor({ timeout: 30_000 });
    await readyToSend();
    await workbench.ask('call lookup_price with {"sku":"B2"}');
    const card = () => chat.locator('.run-block .step .function-output').filter({ hasText: 'lookup_price' });
    await card().waitFor({ timeout: 60_000 });
    await card().locator('textarea').click();
    await card().locator('textarea').pressSequentially('{"price": 7.25,');
    // All of it, the last keystroke too: a write of an earlier keystroke holds 7.25 already.
    await keptOnDisk('output-drafts.json', '7.25,');
    await reload();
    await card().waitFor({ timeout: 60_000 });
    assert.equal(await card().locator('textarea').inputValue(), '{"price": 7.25,', 'the resumed run asks again, with what was typed');
    await card().scrollIntoViewIfNeeded();
    await workbench.screenshot('function-output-after-reload');
    const field = card().locator('textarea');
    await field.click();
    await field.press('End');
    await field.pressSequentially(' "currency": "EUR"}');
    await card().locator('vscode-button').filter({ hasText: 'Submit' }).click();
    await workbench.statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /"price": 7\.25, "currency": "EUR"/);
    assert.equal(await chat.locator('.function-output').count(), 0);
    await workbench.screenshot('function-output-submitted');
  });
});
