import * as assert from 'node:assert/strict';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { screenshotOnFailure, startChat } from './workbench';

describe('assistant knowledge from the Explorer and the Knowledge view (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  screenshotOnFailure(() => workbench);

  before(async () => {
    ({ fake, workbench } = await startChat('knowledge', 'responses'));
  });

  after(async () => {
    await workbench?.close();
    await fake?.close();
  });

  it('adds a folder to the assistant knowledge from the Explorer, lists it in the Knowledge view with its status, and removes a file', async () => {
    const page = workbench.page;
    await page.keyboard.press('Control+Shift+E');
    const explorer = page.locator('.explorer-folders-view');
    await explorer.waitFor({ timeout: 30_000 });
    const src = explorer.locator('.monaco-list-row[aria-label^="src"]').first();
    await src.waitFor({ timeout: 30_000 });
    await workbench.contextMenu(src, 'Add to Assistant Knowledge', 'knowledge-explorer-menu');
    const told = page.locator('.notification-toast').filter({ hasText: /Add to Knowledge: 1 added/ });
    await told.waitFor({ timeout: 60_000 });
    await workbench.screenshot('knowledge-added-notification');

    await workbench.openAssistantsView();
    await workbench.expandView('Knowledge');
    const row = page.locator('.monaco-list-row').filter({ hasText: 'src/inventory.ts' }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.filter({ hasText: 'ready' }).waitFor({ timeout: 30_000 });
    await workbench.screenshot('knowledge-view');
    const vectorStore = [...fake.store.vectorStores.values()][0];
    assert.deepEqual([...vectorStore.files.values()].map((f) => f.attributes.workspace_path), ['src/inventory.ts']);

    await workbench.contextMenu(row, 'Remove from Knowledge', 'knowledge-file-menu');
    await page.locator('.monaco-list-row').filter({ hasText: /No files yet/ }).first().waitFor({ timeout: 30_000 });
    assert.equal(vectorStore.files.size, 0);
    await workbench.screenshot('knowledge-removed');
  });
});
