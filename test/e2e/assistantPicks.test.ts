import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import type { Workbench } from './workbench';
import { chatSuite, extensionId } from './workbench';

/**
 * Assistants a user can tell apart and cannot switch to by mistake: two of one name say where they
 * live and their file, an invalid one opens its problems instead of becoming active, a filtered
 * Threads view with nothing to show says by what and how to see all, and an import of a name that
 * is taken asks.
 */
describe('telling assistants apart, and invalid ones (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  let importFile: string;

  chatSuite('assistant-picks', 'responses', (started) => ({ workbench } = started));

  before(async () => {
    const folder = path.join(workbench.workspace, '.assistants');
    // A second assistant named as the sample's, and one that cannot run (temperature out of range).
    fs.writeFileSync(path.join(folder, 'second-helper.assistant.json'), JSON.stringify({ version: 1, name: 'Workspace helper', model: 'gpt-4.1-mini', tools: [] }, null, 2));
    fs.writeFileSync(path.join(folder, 'broken.assistant.json'), JSON.stringify({ version: 1, name: 'Broken helper', model: 'gpt-4.1', temperature: 7, tools: [] }, null, 2));
    importFile = path.join(workbench.workspace, 'to-import.json');
    fs.writeFileSync(importFile, JSON.stringify({ name: 'Workspace helper', model: 'gpt-4o', instructions: 'Imported.', tools: [] }));
    await workbench.setSideBarWidth(300);
  });

  const rows = (): Locator => workbench.page.locator('.quick-input-list .monaco-list-row');
  const header = () => workbench.chatFrame().locator('.chat-header');
  /** Closes the form of the invalid assistant (its page would take the clicks meant for the editor area). */
  const closeForm = () => workbench.page.locator('.tabs-container .tab').filter({ hasText: 'broken.assistant.json' }).locator('.tab-actions .action-label').click();

  it('one click on an assistant that cannot run opens its problems, and leaves the active one', async () => {
    await workbench.expandView('Assistants');
    const broken = workbench.viewPane('Assistants').getByRole('treeitem', { name: /Broken helper/ });
    await broken.waitFor({ timeout: 30_000 });
    await broken.click();
    await workbench.formFrame().getByText(/temperature/).first().waitFor({ timeout: 30_000 });
    assert.equal(await workbench.formFrame().locator('.field-errors').innerText(), 'temperature: must be <= 2', 'the problem names its field, not a JSON pointer');
    await workbench.screenshot('invalid-assistant-click');
    await header().filter({ hasText: 'Workspace helper' }).waitFor({ timeout: 10_000 });
    assert.doesNotMatch(await header().innerText(), /Broken helper/, 'the active assistant is unchanged');
    await closeForm();
  });

  it('Select Assistant tells two of one name apart by file, and lists those that cannot run apart, opening their problems', async () => {
    await workbench.runCommand('Assistants: Select Assistant');
    const helpers = rows().filter({ hasText: 'Workspace helper' });
    await helpers.first().waitFor({ timeout: 30_000 });
    assert.equal(await helpers.count(), 2);
    const texts = await helpers.allInnerTexts();
    assert.ok(texts.some((t) => /workspace · workspace-helper\.assistant\.json/.test(t)), texts.join(' | '));
    assert.ok(texts.some((t) => /workspace · second-helper\.assistant\.json/.test(t)), texts.join(' | '));
    const all = await rows().allInnerTexts();
    const cannot = all.findIndex((t) => /Cannot run: pick one to see its problems/.test(t));
    const broken = all.findIndex((t) => /Broken helper/.test(t));
    assert.ok(cannot >= 0 && broken >= cannot, `the invalid one is listed under "Cannot run" (${all.join(' | ')})`);
    assert.ok(all.every((t) => !/Broken helper/.test(t) || /not valid/.test(t)));
    await workbench.screenshot('select-assistant-pick');
    await rows().filter({ hasText: 'Broken helper' }).click();
    await workbench.page.locator('.notifications-toasts').filter({ hasText: /cannot run until its file is fixed.*active assistant is unchanged/ }).waitFor({ timeout: 30_000 });
    await workbench.formFrame().getByText(/temperature/).first().waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await header().innerText(), /Broken helper/);
    await closeForm();
  });

  it('a Threads view filtered to an assistant with no threads says which, and how to see every thread', async () => {
    await workbench.runCommand('Assistants: Filter Threads by Assistant');
    await rows().filter({ hasText: 'All assistants' }).waitFor({ timeout: 30_000 });
    assert.equal(await rows().filter({ hasText: /workspace · (second|workspace)-helper\.assistant\.json/ }).count(), 2, 'two of one name, told apart by file');
    await workbench.screenshot('filter-threads-pick');
    await rows().filter({ hasText: 'second-helper.assistant.json' }).click();
    await workbench.expandView('Threads');
    const message = workbench.viewPane('Threads').getByText(/No threads of "Workspace helper" \(workspace · second-helper\.assistant\.json\)/);
    await message.waitFor({ timeout: 30_000 });
    assert.match(await workbench.viewPane('Threads').innerText(), /pick All assistants/);
    assert.doesNotMatch(await workbench.viewPane('Threads').innerText(), /No threads in this workspace yet/);
    assert.equal(await workbench.viewPane('Threads').locator('.pane-header .description').textContent(), 'Workspace helper (second-helper.assistant.json · workspace)', 'the title says which of the two it shows');
    await workbench.screenshotSideBar('threads-filtered-empty-300px');
    await workbench.runCommand('Assistants: Filter Threads by Assistant');
    await rows().filter({ hasText: 'All assistants' }).click();
    await workbench.viewPane('Threads').getByText(/No threads in this workspace yet/).waitFor({ timeout: 30_000 });
    assert.equal(await message.count(), 0);
  });

  it('where only a name fits (the chat header, a Threads row, a Compare column), two of one name say where each lives', async () => {
    const where = workbench.chatFrame().locator('.header-where');
    await where.waitFor({ timeout: 30_000 });
    assert.equal(await where.innerText(), 'workspace-helper.assistant.json · workspace', 'the header says which Workspace helper is active');
    await workbench.ask('Which helper answers here?');
    await workbench.statusIs('Completed');
    const row = workbench.threadRow('Which helper answers here?');
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.getAttribute('aria-label')) ?? '', /Workspace helper \(workspace-helper\.assistant\.json · workspace\)/, 'the row says whose thread it is');
    // In the Assistants view, cut short at 300 px, the two show their files before anything else.
    const rowsOf = await workbench.viewPane('Assistants').locator('.monaco-list-row').filter({ hasText: /^Workspace helper/ }).locator('.label-description').allTextContents();
    assert.deepEqual(rowsOf.map((text) => text.replace(/^active · /, '').split(' · ')[0]).sort(), ['second-helper.assistant.json', 'workspace-helper.assistant.json']);
    await workbench.screenshotSideBar('same-name-header-and-row-300px');
    await workbench.runCommand('Compare Assistants…');
    const panel = workbench.page.frameLocator(`iframe.webview.ready[src*="extensionId=${extensionId}"]:not([src*="purpose="])`).frameLocator('iframe#active-frame');
    const dropDown = panel.locator('.compare-column[data-column="0"] .column-setup vscode-single-select').first();
    await dropDown.waitFor({ timeout: 60_000 });
    await dropDown.click();
    const options = await dropDown.locator('ul.options li').allInnerTexts();
    await workbench.screenshot('compare-same-name-options');
    assert.deepEqual(options.filter((text) => /Workspace helper/.test(text)).map((text) => text.replace(/\s+/g, ' ').trim().replace(/ gpt-4\.1.*$/, '')).sort(), ['Workspace helper (second-helper.assistant.json · workspace)', 'Workspace helper (workspace-helper.assistant.json · workspace)']);
    assert.equal(options.filter((text) => /Broken helper/.test(text)).length, 0, 'one that cannot run is not offered');
    // Each option reads whole in the list, at the width the panel gives it.
    const cut = await dropDown.evaluate((el) => [...(el.shadowRoot?.querySelectorAll('.option') ?? [])].filter((o) => o.scrollWidth > o.clientWidth + 1).map((o) => o.textContent));
    assert.deepEqual(cut, [], 'no option is cut short');
    await workbench.page.keyboard.press('Escape');
    await workbench.page.locator('.tabs-container .tab').filter({ hasText: 'Compare Assistants' }).locator('.tab-actions .action-label').click();
  });

  it('an import whose name is taken asks; Keep Both gives it a free name', async () => {
    await workbench.runCommand('Assistants: Import Assistants from JSON');
    // The open dialog starts in the last folder used: go to the workspace folder, and pick the file from its list.
    const input = workbench.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    for (const deadline = Date.now() + 10_000; !(await input.inputValue()) && Date.now() < deadline; ) await workbench.page.waitForTimeout(100);
    // The dialog may still put its own folder into the field after the first value shows: type ours again until its list shows the file.
    const file = rows().filter({ hasText: path.basename(importFile) });
    for (let attempt = 0; attempt < 10 && !(await file.isVisible()); attempt++) {
      await input.fill(`${path.dirname(importFile)}/`);
      await file.waitFor({ timeout: 2_000 }).catch(() => undefined);
    }
    await file.click();
    // The next pick comes under the pointer left on the file's row.
    await workbench.pick('In this workspace');
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), /An assistant named "Workspace helper" already exists \(workspace · .*\.assistant\.json\)/);
    await workbench.screenshot('import-clash');
    await dialog.locator('.monaco-button').filter({ hasText: /^Keep Both$/ }).click();
    await workbench.page.locator('.notifications-toasts').filter({ hasText: 'Imported 1 assistant' }).waitFor({ timeout: 30_000 });
    const names = fs.readdirSync(path.join(workbench.workspace, '.assistants')).map((name) => JSON.parse(fs.readFileSync(path.join(workbench.workspace, '.assistants', name), 'utf8')) as { name: string; instructions?: string });
    assert.ok(names.some((file) => file.name === 'Workspace helper (2)' && file.instructions === 'Imported.'), 'kept both, the import under a free name');
    assert.equal(names.filter((file) => file.name === 'Workspace helper').length, 2, 'neither existing one was replaced');
  });
  it('the active assistant\'s file broken on disk: the chat says so with Show Problems before a question, also after a reload, and keeps the choice', async () => {
    const active = path.join(workbench.workspace, '.assistants', 'workspace-helper.assistant.json');
    const good = fs.readFileSync(active, 'utf8');
    const chat = () => workbench.chatFrame();
    const notice = () => chat().locator('.notice').filter({ hasText: /cannot run until its file is fixed/ });
    for (const [broken, problem] of [[{ temperature: 9 }, /temperature/], [{ tools: [{ type: 'teleport' }] }, /tools/]] as const) {
      fs.writeFileSync(active, JSON.stringify({ ...JSON.parse(good), ...broken }, null, 2));
      // Each change of the file is said as it lands: its own problem, not the last one's.
      await notice().filter({ hasText: problem }).waitFor({ timeout: 30_000 });
      assert.match(await notice().innerText(), /The active assistant, "Workspace helper" \(workspace-helper\.assistant\.json · workspace\)/);
      assert.match(await chat().locator('.chat-header').innerText(), /Workspace helper/, 'no silent switch to another assistant');
    }
    await workbench.screenshotSideBar('active-assistant-broken-300px');
    await workbench.reload();
    await workbench.openAssistantsView();
    await chat().locator('.composer-input').waitFor({ timeout: 60_000 });
    await notice().waitFor({ timeout: 30_000 });
    await notice().locator('vscode-button').filter({ hasText: 'Show Problems' }).click();
    await workbench.formFrame().getByText(/tools/).first().waitFor({ timeout: 30_000 });
    await workbench.page.locator('.tabs-container .tab').filter({ hasText: 'workspace-helper.assistant.json' }).locator('.tab-actions .action-label').click();
    fs.writeFileSync(active, good);
    await notice().waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('answers of two assistants of one name in one thread each say where their assistant lives', async () => {
    const chat = workbench.chatFrame();
    await workbench.runCommand('Assistants: Select Assistant');
    await rows().filter({ hasText: 'second-helper.assistant.json' }).first().click();
    await chat.locator('.header-where').filter({ hasText: 'second-helper.assistant.json' }).waitFor({ timeout: 30_000 });
    await workbench.ask('And which helper answers now?');
    await workbench.statusIs('Completed');
    const answers = chat.locator('.msg-assistant');
    const signed = async (index: number) => `${await answers.nth(index).locator('.msg-role').innerText()} ${await answers.nth(index).locator('.msg-where').innerText()}`.replace(/\s+/g, ' ').trim();
    const count = await answers.count();
    assert.match(await signed(count - 2), /^Workspace helper workspace-helper\.assistant\.json · workspace$/, 'the earlier answer names the file of the assistant that gave it');
    assert.match(await signed(count - 1), /^Workspace helper second-helper\.assistant\.json · workspace$/, 'the new answer names the other file');
    // At 300 px the where has a line of its own under the name: the shorter one reads whole.
    const cut = await answers.nth(count - 1).locator('.msg-where').evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    assert.equal(cut, false, 'second-helper.assistant.json · workspace is not cut short at 300 px');
    for (const view of ['Assistants', 'Threads']) {
      const header = workbench.page.locator('.pane-header').filter({ has: workbench.page.locator('h3.title', { hasText: new RegExp(`^${view}$`) }) }).first();
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    await answers.nth(count - 2).scrollIntoViewIfNeeded();
    await workbench.screenshotSideBar('same-name-answers-300px');
  });

  it('Send to Another Assistant, from an answer, tells the other of one name apart by its file, and offers none that cannot run', async () => {
    const answer = workbench.chatFrame().locator('.msg-assistant').last();
    await answer.hover();
    await answer.locator('.msg-forward').click();
    const helpers = rows().filter({ hasText: 'Workspace helper' });
    await helpers.first().waitFor({ timeout: 30_000 });
    const texts = await rows().allInnerTexts();
    assert.ok(texts.length >= 1, 'the other assistants are offered');
    for (const text of texts.filter((t) => /Workspace helper/.test(t))) {
      assert.match(text, /· workspace · [\w-]+\.assistant\.json/, `each of one name says its file: ${texts.join(' | ')}`);
    }
    // The thread's own assistant (the second helper, which gave the answer) is not offered; the other of its name is, by its file.
    assert.ok(texts.some((t) => /^Workspace helper\s*gpt-4\.1 · workspace · workspace-helper\.assistant\.json/.test(t)), texts.join(' | '));
    assert.ok(texts.every((t) => !/second-helper\.assistant\.json/.test(t)), texts.join(' | '));
    assert.ok(texts.every((t) => !/Broken helper/.test(t)), `an assistant that cannot run is not offered: ${texts.join(' | ')}`);
    await workbench.screenshot('send-to-same-name-pick');
    await workbench.page.keyboard.press('Escape');
    await rows().first().waitFor({ state: 'hidden', timeout: 30_000 });
  });
});
