import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite, writtenJson } from './workbench';

const NAME = 'Pirate Reviewer';
const INSTRUCTIONS = 'Start every answer with "Ahoy!" and review code like a ship\'s carpenter.';
const PARAMETERS = {
  type: 'object',
  properties: { path: { type: 'string', description: 'Workspace-relative file to review' } },
  required: ['path'],
  additionalProperties: false,
};

/** The file an assistant named NAME gets, as the test reads it back from disk. */
interface WrittenAssistant {
  name: string;
  instructions?: string;
  temperature?: number;
  tools: { type: string; function?: { name: string; parameters?: unknown } }[];
}

/**
 * Issue #10's walk through, as a user does it: create an assistant from the Command Palette, fill its
 * form, find it in the tree and on disk, ask it a question, clone it, delete the clone.
 */
describe('an assistant made in the form, from the palette to the chat (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;

  chatSuite('assistant-form', 'responses', (started) => ({ fake, workbench } = started));

  const fileOf = (slug: string) => path.join(workbench.workspace, '.assistants', `${slug}.assistant.json`);
  const readAssistant = (slug: string) => JSON.parse(fs.readFileSync(fileOf(slug), 'utf8')) as WrittenAssistant;
  /** The Assistants view's tree row of the assistant named `name` (exactly). */
  const treeRow = (name: string): Locator =>
    workbench.page.locator('.pane-body .monaco-list-row').filter({ has: workbench.page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/[()]/g, '\\$&')}$`) }) });

  async function untilFile(slug: string, check: (file: WrittenAssistant) => boolean, what: string): Promise<WrittenAssistant> {
    let last: WrittenAssistant | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await workbench.page.waitForTimeout(250)) {
      const written = writtenJson<WrittenAssistant>(fileOf(slug));
      if (written) last = written;
      if (written && check(written)) return written;
    }
    assert.fail(`${what}; the file holds ${JSON.stringify(last)}`);
  }

  let form: FrameLocator;

  it('creates an assistant from the Command Palette and opens it in the form', async () => {
    const page = workbench.page;
    await workbench.runCommand('Assistants: Create Assistant');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill(NAME);
    await workbench.screenshot('create-name');
    await input.press('Enter');
    await workbench.pick('In this workspace');

    form = workbench.formFrame();
    await form.locator('#f-name').waitFor({ timeout: 60_000 });
    assert.equal(await form.locator('#f-name').inputValue(), NAME);
    await page.locator('.tabs-container .tab[aria-label^="pirate-reviewer.assistant.json"]').first().waitFor({ timeout: 30_000 });
    assert.ok(fs.existsSync(fileOf('pirate-reviewer')), 'the file was written when the assistant was created');
    await workbench.screenshot('form-new');
  });

  it('fills instructions, a function with a JSON Schema and a temperature; a bad schema is refused at its field', async () => {
    await form.locator('#f-instructions').fill(INSTRUCTIONS);
    await form.locator('button').filter({ hasText: 'Add function' }).click();
    const card = form.locator('.function-card').first();
    await card.waitFor();
    await card.locator('input[aria-label="Function name"]').fill('review_file');
    await card.locator('input[aria-label="Function description"]').fill('Reviews one file of the workspace');
    const parameters = card.locator('textarea[aria-label="Parameters (JSON Schema)"]');

    // Not a JSON Schema: refused where it was typed, and the typed text stays.
    await parameters.fill('{ "type": "objekt" }');
    const error = card.locator('.field-error:not([hidden])').first();
    await error.waitFor({ timeout: 30_000 });
    assert.equal(await error.innerText(), 'type: must be one of "array", "boolean", "integer", "null", "number", "object", "string"', 'one problem, naming the bad keyword and what it may be');
    assert.equal(await parameters.inputValue(), '{ "type": "objekt" }', 'what the user typed is kept');
    await form.locator('.form-status.has-errors').waitFor();
    await error.scrollIntoViewIfNeeded();
    await workbench.screenshot('form-schema-refused');

    await parameters.fill(JSON.stringify(PARAMETERS, null, 2));
    await form.locator('.field-error:not([hidden])').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
    const temperature = form.locator('#f-temperature');
    await temperature.scrollIntoViewIfNeeded();
    await temperature.fill('0.3');
    assert.match(await form.locator('[data-path="/temperature"] .slider-value').innerText(), /^0\.30$/);
    await form.locator('.form-status').filter({ hasText: 'Valid. Save the editor' }).waitFor({ timeout: 30_000 });
    assert.equal(await form.locator('.field-error:not([hidden])').count(), 0, 'no problem is left on the form');
    await workbench.screenshot('form-filled');

    // The form edits the document; saving it writes the file, as with any editor.
    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    const written = await untilFile('pirate-reviewer', (file) => file.temperature === 0.3 && file.tools.length > 0, 'the saved file has the form\'s fields');
    assert.equal(written.name, NAME);
    assert.equal(written.instructions, INSTRUCTIONS);
    assert.deepEqual(written.tools, [{ type: 'function', function: { name: 'review_file', description: 'Reviews one file of the workspace', parameters: PARAMETERS } }]);
    await form.locator('.form-status').filter({ hasText: /^Saved\.$/ }).waitFor({ timeout: 30_000 });
  });

  it('lists the assistant in the Assistants tree, marked active', async () => {
    await workbench.expandView('Assistants');
    const row = treeRow(NAME);
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /active/);
    assert.match(await row.innerText(), /workspace/);
    await row.scrollIntoViewIfNeeded();
    await workbench.screenshot('tree-active');
  });

  it('answers in the chat following the assistant\'s instructions, with its function offered', async () => {
    const chat = workbench.chatFrame();
    await chat.locator('.header-assistant').filter({ hasText: NAME }).waitFor({ timeout: 30_000 });
    const before = fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').length;
    await workbench.ask('What do you think of the inventory module?');
    await workbench.statusIs('Completed');
    const sent = fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses')[before]?.body as { instructions?: string; tools?: { name?: string }[]; temperature?: number } | undefined;
    assert.match(sent?.instructions ?? '', /Start every answer with "Ahoy!"/, 'the run carried the assistant\'s instructions');
    assert.ok(sent?.tools?.some((tool) => tool.name === 'review_file'), 'the run offered the assistant\'s function');
    assert.equal(sent?.temperature, 0.3, 'the run used the assistant\'s temperature');
    assert.match(await chat.locator('.msg-assistant').last().locator('.msg-body').innerText(), /^\s*Ahoy!/, 'the answer follows the instructions');
    await workbench.screenshot('chat-instructions-at-work');
  });

  it('clones it from the tree: a second file and a second row', async () => {
    await workbench.contextMenu(treeRow(NAME), 'Clone Assistant', 'tree-context-menu');
    // Clone asks for the copy's name, proposing the original's with "(copy)".
    const input = workbench.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    for (const deadline = Date.now() + 10_000; (await input.inputValue()) !== `${NAME} (copy)` && Date.now() < deadline; ) await workbench.page.waitForTimeout(100);
    assert.equal(await input.inputValue(), `${NAME} (copy)`);
    await input.press('Enter');
    const copy = await untilFile('pirate-reviewer-copy', (file) => file.name === `${NAME} (copy)`, 'the clone was written');
    assert.equal(copy.instructions, INSTRUCTIONS);
    assert.deepEqual(copy.tools, readAssistant('pirate-reviewer').tools);
    await treeRow(`${NAME} (copy)`).filter({ hasText: /active/ }).waitFor({ timeout: 30_000 });
    await workbench.page.locator('.tabs-container .tab[aria-label^="pirate-reviewer-copy.assistant.json"]').first().waitFor({ timeout: 30_000 });
    // The clone is made active, and stays where its name puts it: below the original, not moved to the top under the mouse.
    const position = async (name: string) => Number(await treeRow(name).getAttribute('aria-posinset'));
    assert.ok((await position(NAME)) < (await position(`${NAME} (copy)`)), 'the tree lists by name, whichever was used last');
    await workbench.screenshot('cloned');
  });

  it('deletes the clone after asking; the original stays', async () => {
    await workbench.contextMenu(treeRow(`${NAME} (copy)`), 'Delete Assistant');
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), /Delete the assistant "Pirate Reviewer \(copy\)" \(\.assistants\/pirate-reviewer-copy\.assistant\.json\)\?/);
    await workbench.screenshot('delete-confirmation');
    await dialog.locator('.monaco-button').filter({ hasText: /^Delete$/ }).click();
    for (const deadline = Date.now() + 30_000; fs.existsSync(fileOf('pirate-reviewer-copy')) && Date.now() < deadline; ) await workbench.page.waitForTimeout(200);
    assert.ok(!fs.existsSync(fileOf('pirate-reviewer-copy')), 'the clone\'s file is gone');
    assert.ok(fs.existsSync(fileOf('pirate-reviewer')), 'the original is kept');
    await treeRow(`${NAME} (copy)`).waitFor({ state: 'detached', timeout: 30_000 });
    await treeRow(NAME).waitFor();
    await workbench.page.locator('.tabs-container .tab[aria-label^="pirate-reviewer-copy.assistant.json"]').waitFor({ state: 'detached', timeout: 30_000 });
    await workbench.screenshot('deleted');
  });
});
