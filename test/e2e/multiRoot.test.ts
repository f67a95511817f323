import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * A window on a workspace of two folders that each hold `tests/helper.assistant-tests.json`: the
 * Test Explorer says which folder each is in, so the two read apart.
 */
describe('a workspace of two folders (packaged .vsix, fake server)', function () {
  // Room for the window to be reloaded three times when VS Code for the web opens the workspace without its folders (see openWorkspaceWindow).
  this.timeout(360_000);
  let workbench: Workbench;
  let window: Workbench | undefined;

  chatSuite('multi-root', 'responses', (started) => ({ workbench } = started));

  after(async () => {
    await window?.closeWindow();
  });

  it('tells two test files of one path in two folders apart in the Test Explorer', async () => {
    const root = path.dirname(workbench.workspace);
    for (const name of ['api', 'web']) {
      const folder = path.join(root, name);
      fs.mkdirSync(path.join(folder, 'tests'), { recursive: true });
      fs.writeFileSync(path.join(folder, 'tests', 'helper.assistant-tests.json'), JSON.stringify({ version: 1, assistant: '../helper.assistant.json', tests: [{ question: `Which folder is this? (${name})`, expect: [{ type: 'contains', value: name }] }] }, null, 2));
    }
    const file = path.join(root, 'two.code-workspace');
    fs.writeFileSync(file, JSON.stringify({ folders: [{ path: 'api' }, { path: 'web' }] }));
    window = await workbench.openWorkspaceWindow(file, ['api', 'web']);
    const rows = window.page.locator('.test-explorer .monaco-list-row').filter({ hasText: 'helper.assistant-tests.json' });
    try {
      await window.openTestingView();
      await rows.nth(1).waitFor({ timeout: 60_000 });
    } catch (error) {
      await window.screenshot('multi-root-failed');
      throw error;
    }
    const texts = (await rows.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
    await window.screenshot('multi-root-test-explorer');
    assert.equal(texts.length, 2);
    assert.ok(texts.some((text) => /api · tests/.test(text)), texts.join(' | '));
    assert.ok(texts.some((text) => /web · tests/.test(text)), texts.join(' | '));
  });
});
