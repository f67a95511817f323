import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { Workbench } from './workbench';
import { chatSuite, writtenJson } from './workbench';

interface WrittenAssistant {
  name: string;
  description?: string;
  model: string;
  instructions?: string;
}

/**
 * Issue #16: an assistant file edited in the form while another window saves the same file. The
 * other window's fields come into the form beside the user's unsaved ones; saving then meets VS
 * Code's own check that the file is newer on disk (Compare / Overwrite), and neither edit is lost.
 */
describe('an assistant edited in the form while another window saves it (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  let form: FrameLocator;

  chatSuite('assistant-conflict', 'responses', (started) => ({ workbench } = started));

  const file = () => path.join(workbench.workspace, '.assistants', 'shared-helper.assistant.json');
  const onDisk = () => JSON.parse(fs.readFileSync(file(), 'utf8')) as WrittenAssistant;
  /** What another window's save leaves on disk: the file as it is now with `change` applied. */
  const otherWindowSaves = (change: Partial<WrittenAssistant>) => fs.writeFileSync(file(), `${JSON.stringify({ ...onDisk(), ...change }, null, 2)}\n`);

  async function untilDisk(check: (file: WrittenAssistant) => boolean, what: string): Promise<WrittenAssistant> {
    let last: WrittenAssistant | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await workbench.page.waitForTimeout(250)) {
      const written = writtenJson<WrittenAssistant>(file());
      if (written) last = written;
      if (written && check(written)) return written;
    }
    assert.fail(`${what}; the file holds ${JSON.stringify(last)}`);
  }

  /** VS Code's notification that the file on disk is newer than the document being saved. */
  const newerOnDisk = () => workbench.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /newer/ });

  it('opens a new assistant in the form', async () => {
    await workbench.runCommand('Assistants: Create Assistant');
    const input = workbench.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('Shared Helper');
    await input.press('Enter');
    await workbench.pick('In this workspace');
    form = workbench.formFrame();
    await form.locator('#f-name').waitFor({ timeout: 60_000 });
    assert.ok(fs.existsSync(file()));
  });

  it('takes the other window\'s fields into the form beside the unsaved instructions, and saving keeps both', async () => {
    await form.locator('#f-instructions').fill('Typed in this window, not saved yet.');
    await form.locator('.form-status').filter({ hasText: 'Valid. Save the editor' }).waitFor({ timeout: 30_000 });

    otherWindowSaves({ description: 'Saved by the other window', model: 'o3' });
    await form.locator('.form-status').filter({ hasText: 'taken into the form beside yours' }).waitFor({ timeout: 30_000 });
    assert.equal(await form.locator('#f-description').inputValue(), 'Saved by the other window', 'the form shows the other window\'s description');
    assert.equal(await form.locator('#f-instructions').inputValue(), 'Typed in this window, not saved yet.', 'the typed instructions stay');
    await workbench.screenshot('merged-into-form');

    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    const toast = newerOnDisk();
    await toast.waitFor({ timeout: 30_000 });
    assert.ok(await toast.locator('.monaco-button').filter({ hasText: /^Compare$/ }).count(), 'VS Code offers Compare');
    await workbench.screenshot('save-conflict');
    await toast.locator('.monaco-button').filter({ hasText: /^Overwrite$/ }).click();

    const saved = await untilDisk((f) => f.instructions === 'Typed in this window, not saved yet.', 'the typed instructions were saved');
    assert.equal(saved.description, 'Saved by the other window', 'the other window\'s description is kept');
    assert.equal(saved.model, 'o3', 'the other window\'s model is kept');
  });

  it('a field both windows changed keeps this window\'s value in the form, says so, and Compare shows the two', async () => {
    await form.locator('#f-instructions').fill('Second edit in this window.');
    await form.locator('.form-status').filter({ hasText: 'Valid. Save the editor' }).waitFor({ timeout: 30_000 });

    otherWindowSaves({ instructions: 'The other window\'s instructions.', description: 'Described again elsewhere' });
    await form.locator('.form-status').filter({ hasText: 'instructions keeps your value' }).waitFor({ timeout: 30_000 });
    assert.equal(await form.locator('#f-instructions').inputValue(), 'Second edit in this window.');
    assert.equal(await form.locator('#f-description').inputValue(), 'Described again elsewhere');
    await workbench.screenshot('same-field-conflict');

    await form.locator('#f-name').click();
    await workbench.page.keyboard.press('Control+S');
    const toast = newerOnDisk();
    await toast.waitFor({ timeout: 30_000 });
    await toast.locator('.monaco-button').filter({ hasText: /^Compare$/ }).click();
    // VS Code's own diff of the file on disk and the unsaved document.
    const diff = workbench.page.locator('.monaco-diff-editor').first();
    await diff.locator('.editor.original .view-lines').filter({ hasText: 'The other window\'s instructions.' }).waitFor({ timeout: 30_000 });
    await diff.locator('.editor.modified .view-lines').filter({ hasText: 'Second edit in this window.' }).waitFor({ timeout: 30_000 });
    // The unsaved side holds the other window's description too (Monaco draws spaces as no-break spaces).
    assert.match((await diff.locator('.editor.modified .view-lines').innerText()).replace(/\u00a0/g, ' '), /"description": "Described again elsewhere"/);
    await workbench.screenshot('compare');
    assert.equal(onDisk().instructions, 'The other window\'s instructions.', 'nothing was written over the other window\'s save');
  });
});
