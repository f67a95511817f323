import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/** A file's new text as a model writes it: many lines, one of them far wider than a side bar. */
const NEW_TEXT = [
  'export const LOW_STOCK_THRESHOLD = 5;',
  `export const WAREHOUSES = ['${Array.from({ length: 12 }, (_, i) => `warehouse-number-${i + 1}`).join("', '")}'];`,
  ...Array.from({ length: 20 }, (_, i) => `export const SKU_${i} = 'sku-${i}';`),
].join('\n');

/**
 * The approval card of a call that writes a file, read at 300 and 600 px: the arguments once (in
 * the card, not also in the step), wrapping, the file's new text as text with Open in Editor, the
 * status "Waiting for your approval", and no check mark on the step while it waits.
 */
describe('the approval card of a file edit, at 300 and 600 px (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('approval-card', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    chat = workbench.chatFrame();
  });

  /** Nothing in the card is wider than the card, and the card is no wider than the chat. */
  async function assertFits(width: number): Promise<void> {
    const card = chat.locator('.approval').first();
    const overflow = await card.evaluate((el) => {
      const view = el.ownerDocument.defaultView;
      // Anything that scrolls sideways, or is wider than what holds it.
      const wide = [el, ...el.querySelectorAll('*')].filter((node) => node.scrollWidth > node.clientWidth + 1 && view?.getComputedStyle(node).overflowX !== 'visible');
      const root = el.ownerDocument.documentElement;
      return { wide: wide.map((node) => node.className), right: el.getBoundingClientRect().right, page: root.clientWidth, scroll: root.scrollWidth };
    });
    assert.deepEqual(overflow.wide, [], `nothing scrolls sideways at ${width} px`);
    assert.ok(overflow.right <= overflow.page + 1, `the card ends inside the chat at ${width} px (${overflow.right} > ${overflow.page})`);
    assert.ok(overflow.scroll <= overflow.page + 1, `the chat does not scroll sideways at ${width} px`);
  }

  it('reads at 300 px: arguments once and wrapping, the new text as text, "Waiting for your approval", no check', async () => {
    await workbench.setSideBarWidth(300);
    fake.model.enqueue({ steps: [{ type: 'function_call', name: 'propose_edit', arguments: { path: 'src/inventory.ts', content: NEW_TEXT } }] });
    await workbench.ask('Rewrite src/inventory.ts with more SKUs');
    const card = chat.locator('.approval').filter({ hasText: 'propose_edit' });
    await card.waitFor({ timeout: 60_000 });
    await workbench.statusIs('Waiting for your approval');
    assert.equal(await chat.locator('.call-args').count(), 1, 'the arguments are shown once');
    assert.equal(await chat.locator('.step').filter({ has: chat.locator('.approval') }).locator('.step-summary .codicon-check').count(), 0, 'no check while waiting');
    const text = card.locator('.call-arg-long .call-arg-text');
    assert.equal(await text.innerText(), NEW_TEXT, 'the new text is shown as text, whole');
    assert.equal(await card.locator('.call-arg-value').first().innerText(), 'src/inventory.ts');
    await assertFits(300);
    await card.scrollIntoViewIfNeeded();
    await workbench.screenshotSideBar('approval-card-300px');
  });

  it('offers the new text in an editor', async () => {
    await chat.locator('.approval .call-arg-long vscode-icon[title^="Open content"]').click();
    const editor = workbench.page.locator('.part.editor .monaco-editor .view-lines');
    await editor.filter({ hasText: 'LOW_STOCK_THRESHOLD = 5' }).waitFor({ timeout: 30_000 });
    await workbench.screenshot('approval-text-in-editor');
  });

  it('reads at 600 px, and Deny answers the model', async () => {
    await workbench.setSideBarWidth(600);
    await assertFits(600);
    await chat.locator('.approval').scrollIntoViewIfNeeded();
    await workbench.screenshotSideBar('approval-card-600px');
    await chat.locator('.approval vscode-button').filter({ hasText: 'Deny' }).click();
    await workbench.statusIs('Completed');
    assert.equal(await chat.locator('.approval').count(), 0);
    // Answered, the step shows the arguments itself (once) and how the call ended.
    await workbench.unfoldLastSteps();
    await chat.locator('.run-block').last().locator('.step-summary').first().click();
    assert.equal(await chat.locator('.run-block').last().locator('.call-args').count(), 1);
  });
});
