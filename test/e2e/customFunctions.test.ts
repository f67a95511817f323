import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { Workbench } from './workbench';
import { chatSuite, extensionId } from './workbench';

describe('custom functions answered in the chat, and a command bound in the repository (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  let chat: FrameLocator;

  // The workbench's chat helpers find the view's page by a URL mark the page made when the view
  // shows again lacks (see below); these use `chat` as it is.
  async function ask(text: string): Promise<void> {
    // Enter sends nothing until the host's state is in and Send is offered.
    await chat.locator('.composer vscode-button:not([disabled])').filter({ hasText: 'Send' }).waitFor({ timeout: 60_000 });
    const input = chat.locator('.composer-input textarea');
    await input.click();
    await input.fill(text);
    await input.press('Enter');
    await chat.locator('.msg-user').filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
  }
  const statusIs = (label: string) => chat.locator('.status-label').filter({ hasText: label }).waitFor({ timeout: 60_000 });

  chatSuite('custom-functions', 'responses', (started) => ({ workbench } = started));

  before(async () => {
    chat = workbench.chatFrame();
    fs.writeFileSync(
      path.join(workbench.workspace, '.assistants', 'custom-functions.assistant.json'),
      JSON.stringify({
        version: 1,
        name: 'Custom functions',
        model: 'gpt-4.1',
        tools: [
          { type: 'function', function: { name: 'lookup_price', description: 'Price of a stock item', parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } } },
          { type: 'function', function: { name: 'clear_notifications', parameters: { type: 'object', properties: {} } }, 'x-vscode': { command: 'notifications.clearAll' } },
        ],
      }),
    );
    await workbench.runCommand('Assistants: Select Assistant');
    await workbench.pick('Custom functions');
    await chat.locator('.chat-header').filter({ hasText: 'Custom functions' }).waitFor({ timeout: 30_000 });
  });

  it('shows the call under its run step with a field for the output; the typed text outlives hiding the view and reaches the model', async () => {
    await ask('call lookup_price with {"sku":"A1"}');
    const card = chat.locator('.run-block .step .function-output').filter({ hasText: 'lookup_price' });
    await card.waitFor({ timeout: 60_000 });
    assert.match(await card.locator('.approval-args').innerText(), /sku\s+A1/);
    await workbench.statusIs('Waiting for your output');
    assert.equal(await chat.locator('.approvals .function-output').count(), 0, 'the card is under the step, not above the composer');
    const field = card.locator('textarea');
    await field.click();
    await field.pressSequentially('{"price": 3.5,');
    await workbench.screenshot('custom-function-asked');

    // Hiding the view destroys the page; the host kept what was typed (the page sends each change
    // at once, ahead of the key that hides the view, which the page hands on to the workbench).
    await workbench.page.keyboard.press('Control+Shift+E');
    await workbench.page.locator('.explorer-folders-view').waitFor({ timeout: 30_000 });
    await workbench.openAssistantsView();
    // The page made when the view shows again is not marked as a view's in its URL: find it by the extension alone (no other webview is open).
    chat = workbench.page.frameLocator(`iframe.webview.ready[src*="extensionId=${extensionId}"]`).frameLocator('iframe#active-frame');
    const again = chat.locator('.run-block .step .function-output').filter({ hasText: 'lookup_price' });
    await again.waitFor({ timeout: 60_000 });
    assert.equal(await again.locator('textarea').inputValue(), '{"price": 3.5,');
    await workbench.screenshot('custom-function-draft-kept');

    await again.locator('textarea').click();
    await again.locator('textarea').press('End');
    await again.locator('textarea').pressSequentially(' "currency": "EUR"}');
    await again.locator('vscode-button').filter({ hasText: 'Submit' }).click();
    await statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /"price": 3\.5, "currency": "EUR"/);
    assert.equal(await chat.locator('.function-output').count(), 0);
    await chat.locator('.run-block').last().locator('vscode-collapsible').click({ position: { x: 30, y: 10 } });
    await workbench.screenshot('custom-function-answered');
  });

  it('a command bound in the repository\'s assistant file shows the command and asks with Allow once and Deny only', async () => {
    await ask('call clear_notifications');
    const card = chat.locator('.run-block .step .approval').filter({ hasText: 'notifications.clearAll' });
    await card.waitFor({ timeout: 60_000 });
    assert.match(await card.innerText(), /asked every time/);
    assert.deepEqual(await card.locator('vscode-button').allInnerTexts(), ['Allow once', 'Deny']);
    await workbench.screenshot('command-binding-asked');
    await card.locator('vscode-button').filter({ hasText: 'Allow once' }).click();
    await statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /The command notifications\.clearAll ran and returned nothing/);
    await workbench.screenshot('command-binding-ran');
  });
});
