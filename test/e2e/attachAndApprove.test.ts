import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

describe('right-click attach, file search with a citation, and approvals (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('attach-approve', 'responses', (started) => ({ workbench } = started), { 'assistants.functions.approval': { read_file: 'ask' } });

  before(async () => {
    chat = workbench.chatFrame();
  });

  it('attaches a file from the Explorer context menu, asks about it, and shows the file-search step and a citation that opens the file', async () => {
    const page = workbench.page;
    await page.keyboard.press('Control+Shift+E');
    const explorer = page.locator('.explorer-folders-view');
    await explorer.waitFor({ timeout: 30_000 });
    const src = explorer.locator('.monaco-list-row[aria-label^="src"]').first();
    await src.waitFor({ timeout: 30_000 });
    if ((await src.getAttribute('aria-expanded')) !== 'true') await src.click();
    const file = explorer.locator('.monaco-list-row[aria-label^="inventory.ts"]').first();
    await file.waitFor({ timeout: 30_000 });
    await workbench.contextMenu(file, 'Attach to Message', 'explorer-context-menu');

    await workbench.openAssistantsView();
    const chip = chat.locator('.attachment').filter({ hasText: 'inventory.ts' });
    await chip.waitFor({ timeout: 60_000 });
    await chat.locator('.attachment-ready').first().waitFor({ timeout: 60_000 });
    assert.match(await chip.innerText(), /File search/);
    await workbench.screenshot('attached-chip');

    await workbench.ask('search the attached file for restock');
    await workbench.statusIs('Completed');
    assert.equal(await chat.locator('.attachment').count(), 0, 'the chip left with the message');
    await workbench.unfoldLastSteps();
    const step = chat.locator('.step').filter({ hasText: /file search/i }).last();
    await step.waitFor({ timeout: 30_000 });
    const citation = chat.locator('.msg-assistant').last().locator('.footnote button.chip-action').filter({ hasText: 'inventory.ts' }).first();
    await citation.waitFor({ timeout: 30_000 });
    await workbench.screenshot('file-search-citation');
    await citation.click();
    await page.locator('.tabs-container .tab[aria-label^="inventory.ts"]').first().waitFor({ timeout: 30_000 });
    // It opens at the passage file search found, selected: the fake's chunk starts at the line naming restock (line 14), not at
    // the file's start; its first words are selected, so the cursor (which the status bar names) ends on line 14 or 15.
    await page.locator('.statusbar-item').filter({ hasText: /Ln 1[45], Col \d+ \(\d+ selected\)/ }).waitFor({ timeout: 30_000 });
    await workbench.screenshot('citation-opened-file');
  });

  it('asks before a function call: Deny answers the model with a refusal, Allow once runs it', async () => {
    await workbench.ask('Please read the file src/inventory.ts');
    const card = chat.locator('.approval').filter({ hasText: 'read_file' });
    await card.waitFor({ timeout: 60_000 });
    assert.match(await card.innerText(), /src\/inventory\.ts/);
    await workbench.screenshot('approval-asked');
    await card.locator('vscode-button').filter({ hasText: 'Deny' }).click();
    await workbench.statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /denied/);
    await workbench.screenshot('approval-denied');

    await workbench.ask('Please read the file src/inventory.ts again');
    const second = chat.locator('.approval').filter({ hasText: 'read_file' });
    await second.waitFor({ timeout: 60_000 });
    await second.locator('vscode-button').filter({ hasText: 'Allow once' }).click();
    await workbench.statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /LOW_STOCK_THRESHOLD/);
    assert.equal(await chat.locator('.approval').count(), 0);
    await workbench.screenshot('approval-allowed');
  });
});
