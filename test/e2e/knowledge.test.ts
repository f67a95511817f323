import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

describe('assistant knowledge from the Explorer and the Knowledge view (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;

  chatSuite('knowledge', 'responses', (started) => ({ fake, workbench } = started));

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

  it('shows a file whose indexing failed with the reason, leaves it alone on Sync (offering Retry Failed), and retries it from the view', async () => {
    const page = workbench.page;
    fs.mkdirSync(path.join(workbench.workspace, 'manuals'), { recursive: true });
    fs.writeFileSync(path.join(workbench.workspace, 'manuals', 'broken.pdf'), 'not a PDF at all\n');
    await page.keyboard.press('Control+Shift+E');
    const manuals = page.locator('.explorer-folders-view .monaco-list-row[aria-label^="manuals"]').first();
    await manuals.waitFor({ timeout: 30_000 });
    await workbench.contextMenu(manuals, 'Add to Assistant Knowledge');
    // This file's own notification, by its 17 bytes: the one of the test before may still be shown.
    await workbench.notificationShown(/Add to Knowledge: 1 added; 17 B uploaded\./);

    await workbench.openAssistantsView();
    await workbench.expandView('Knowledge');
    const row = page.locator('.monaco-list-row').filter({ hasText: 'manuals/broken.pdf' }).first();
    await row.filter({ hasText: 'failed: The file could not be parsed as a PDF.' }).waitFor({ timeout: 30_000 });
    const sent = () => fake.requests.filter((r) => r.method === 'POST').length;
    const before = sent();
    await workbench.runCommand('Assistants: Sync Knowledge');
    const warning = page.locator('.notification-toast').filter({ hasText: /manuals\/broken\.pdf is unchanged since its indexing failed: The file could not be parsed as a PDF/ });
    await warning.waitFor({ timeout: 60_000 });
    await warning.getByRole('button', { name: 'Retry Failed' }).waitFor();
    assert.equal(sent(), before, 'the unchanged failed file is not sent again');
    await workbench.screenshot('knowledge-sync-failed-not-retried');

    const start = fake.requests.length;
    await row.hover();
    await row.locator('.action-label[aria-label="Retry Indexing"]').waitFor({ timeout: 30_000 });
    await workbench.screenshot('knowledge-failed-file-retry-action');
    await workbench.contextMenu(row, 'Retry Indexing');
    const retried = async () => fake.requests.slice(start).some((r) => r.method === 'POST' && /\/file_batches$/.test(r.path));
    for (const deadline = Date.now() + 60_000; !(await retried()) && Date.now() < deadline; ) await page.waitForTimeout(200);
    assert.ok(await retried(), 'Retry Indexing adds the file again');
    await workbench.notificationShown(/Retry Indexing: 1 added again after failed indexing/);
    await row.filter({ hasText: 'failed: The file could not be parsed as a PDF.' }).waitFor({ timeout: 30_000 });
    await workbench.screenshot('knowledge-retried');
  });

  it('shows a store the server no longer has on its row, with Remove from Assistant, which takes it out of the assistant', async () => {
    const page = workbench.page;
    const [store] = [...fake.store.vectorStores.values()];
    assert.ok(store, 'the earlier tests made a store');
    fake.vanish(store.id);
    await workbench.openAssistantsView();
    await workbench.expandView('Knowledge');
    await workbench.runCommand('Assistants: Refresh Knowledge');
    const row = page.locator('.monaco-list-row').filter({ hasText: store.id }).first();
    await row.filter({ hasText: 'gone from the server' }).waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Remove from Assistant"]').waitFor({ timeout: 30_000 });
    await workbench.screenshot('knowledge-store-gone');
    await workbench.contextMenu(row, 'Remove from Assistant');
    await page.locator('.notification-toast').filter({ hasText: `Removed the vector store ${store.id}` }).waitFor({ timeout: 30_000 });
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByText('The active assistant has no knowledge yet').first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('knowledge-store-removed');
  });
});
