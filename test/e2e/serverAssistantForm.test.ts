import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * An Assistants v2 server's assistant edited in place: the same form as a file's, saved to the
 * server; a save the server refuses says why and keeps the edits.
 */
describe('a server assistant edited in the form (packaged .vsix, fake Assistants v2 server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let form: FrameLocator;
  let id: string;

  chatSuite('server-assistant-form', 'assistantsV2', (started) => ({ fake, workbench } = started));

  /** A request to the fake server as another client of it would make. */
  async function server(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${fake.baseUrl}${path}`, {
      method,
      headers: { authorization: 'Bearer e2e-test-key', 'openai-beta': 'assistants=v2', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path} answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }

  const treeRow = (name: string): Locator =>
    workbench.page.locator('.pane-body .monaco-list-row').filter({ has: workbench.page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) });

  it('Push and Pull from the Command Palette offer the assistants in files alone, never a server\'s own or a file\'s published copy', async () => {
    const rows = workbench.page.locator('.quick-input-list .monaco-list-row');
    await server('POST', '/assistants', { model: 'gpt-4o', name: 'Server Helper', instructions: 'Lives on the server.' });
    await workbench.runCommand('Assistants: Refresh');
    await workbench.runCommand('Assistants: Push Assistant to Server');
    await rows.first().waitFor({ timeout: 30_000 });
    await rows.filter({ hasText: 'workspace-helper.assistant.json' }).first().click();
    await workbench.notificationShown(/Pushed "Workspace helper" to the server/);
    for (const command of ['Assistants: Push Assistant to Server', 'Assistants: Pull Assistant from Server']) {
      await workbench.runCommand(command);
      // The pick replaces the palette's rows: wait for the file's.
      await rows.filter({ hasText: 'workspace-helper.assistant.json' }).first().waitFor({ timeout: 30_000 });
      const offered = await rows.allInnerTexts();
      await workbench.screenshot(`${command.includes('Push') ? 'push' : 'pull'}-pick`);
      assert.equal(offered.filter((text) => /Workspace helper/.test(text)).length, 1, `${command}: the file once, not also its published copy (${offered.join(' | ')})`);
      assert.ok(offered.every((text) => !/· server ·|Server Helper/.test(text)), `${command}: no assistant of the server is offered (${offered.join(' | ')})`);
      await workbench.page.keyboard.press('Escape');
    }
  });

  it('opens the server\'s assistant from the tree in the form', async () => {
    id = (await server('POST', '/assistants', { model: 'gpt-4o', name: 'Server Tutor', instructions: 'You are a tutor.', temperature: 0.5 })).id as string;
    await workbench.expandView('Assistants');
    await workbench.runCommand('Assistants: Refresh');
    const row = treeRow('Server Tutor');
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /server/);
    await workbench.contextMenu(row, 'Edit Assistant');
    form = workbench.formFrame();
    await form.locator('#f-name').waitFor({ timeout: 60_000 });
    assert.equal(await form.locator('#f-name').inputValue(), 'Server Tutor');
    assert.equal(await form.locator('#f-instructions').inputValue(), 'You are a tutor.');
    // The tab is named after the assistant, not its id.
    await workbench.page.locator('.tabs-container .tab[aria-label^="Server Tutor.assistant.json"]').first().waitFor({ timeout: 30_000 });
    assert.equal(await workbench.page.locator(`.tabs-container .tab[aria-label^="${id}"]`).count(), 0, 'no tab is named by the id');
    await workbench.screenshot('server-form');
  });

  it('saving the form updates the assistant on the server', async () => {
    await form.locator('#f-instructions').fill('You are a patient tutor.');
    await form.locator('.form-status').filter({ hasText: 'Valid. Save the editor' }).waitFor({ timeout: 30_000 });
    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    await form.locator('.form-status').filter({ hasText: /^Saved\.$/ }).waitFor({ timeout: 30_000 });
    assert.equal((await server('GET', `/assistants/${id}`)).instructions, 'You are a patient tutor.');
    await workbench.screenshot('server-form-saved');
  });

  it('a save keeps what another client changed on the server meanwhile; a field both changed is refused once, then overwritten', async () => {
    await server('POST', `/assistants/${id}`, { temperature: 1.1 });
    await form.locator('#f-instructions').fill('You are a tutor who asks questions.');
    await form.locator('.form-status').filter({ hasText: 'Valid. Save the editor' }).waitFor({ timeout: 30_000 });
    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    await form.locator('.form-status').filter({ hasText: /^Saved\.$/ }).waitFor({ timeout: 30_000 });
    const merged = await server('GET', `/assistants/${id}`);
    assert.deepEqual([merged.instructions, merged.temperature], ['You are a tutor who asks questions.', 1.1], 'both changes are on the server');

    await server('POST', `/assistants/${id}`, { instructions: 'Another client\'s instructions.' });
    await form.locator('#f-instructions').fill('Mine, typed over theirs.');
    await form.locator('.form-status').filter({ hasText: 'Valid. Save the editor' }).waitFor({ timeout: 30_000 });
    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    await form.locator('.form-status.has-errors').filter({ hasText: 'instructions also changed on the server meanwhile' }).waitFor({ timeout: 30_000 });
    assert.equal((await server('GET', `/assistants/${id}`)).instructions, 'Another client\'s instructions.', 'nothing was written over the other client\'s change');
    await workbench.screenshot('server-form-conflict');
    await workbench.page.locator('.notifications-toasts .notification-toast .codicon-notifications-clear').first().click().catch(() => undefined);
    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    await form.locator('.form-status').filter({ hasText: /^Saved\.$/ }).waitFor({ timeout: 30_000 });
    assert.equal((await server('GET', `/assistants/${id}`)).instructions, 'Mine, typed over theirs.', 'saving again overwrote it');
  });

  it('a save the server refuses says why in a notification, and the edits stay in the form', async () => {
    await server('DELETE', `/assistants/${id}`);
    await form.locator('#f-instructions').fill('Edits I must not lose.');
    await form.locator('.form-status').filter({ hasText: 'Valid. Save the editor' }).waitFor({ timeout: 30_000 });
    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    const toast = workbench.page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'The server did not take the change' });
    await toast.waitFor({ timeout: 30_000 });
    assert.match(await toast.innerText(), /Your edits are kept; save again when the problem is fixed\./);
    await form.locator('.form-status.has-errors').filter({ hasText: 'The server did not take the change' }).waitFor({ timeout: 30_000 });
    assert.equal(await form.locator('#f-instructions').inputValue(), 'Edits I must not lose.');
    assert.match((await workbench.page.locator('.tabs-container .tab[aria-label^="Server Tutor.assistant.json"]').first().getAttribute('class')) ?? '', /\bdirty\b/, 'the editor is still dirty');
    await workbench.screenshot('server-form-save-refused');
  });
});
