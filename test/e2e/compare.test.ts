import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite, extensionId } from './workbench';

/**
 * The Compare panel as a user works it: Compare Assistants… opens it in the editor area, two
 * assistants are picked, one question streams into both columns at once, each ends with its
 * tokens and times; one column's thread is kept in the Threads view, and the other's answer
 * becomes a test case in its assistant's tests file, opened at the new case.
 */
describe('compare assistants side by side (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;

  chatSuite('compare', 'responses', (started) => ({ fake, workbench } = started));

  before(async () => {
    fs.writeFileSync(
      path.join(workbench.workspace, '.assistants', 'reviewer.assistant.json'),
      JSON.stringify({ version: 1, name: 'Reviewer', model: 'gpt-4.1-mini', instructions: 'Review what you are sent.', tools: [] }, null, 2),
    );
  });

  /** The panel's document: the webview whose URL names no purpose (the chat view's names its own). */
  const panel = (): FrameLocator => workbench.page.frameLocator(`iframe.webview.ready[src*="extensionId=${extensionId}"]:not([src*="purpose="])`).frameLocator('iframe#active-frame');
  const column = (i: number): Locator => panel().locator(`.compare-column[data-column="${i}"]`);
  const pickAssistant = async (i: number, name: string) => {
    const dropDown = column(i).locator('.column-setup vscode-single-select').first();
    await dropDown.click();
    await dropDown.locator('ul.options li').filter({ hasText: name }).first().click();
  };
  const threadFiles = () =>
    workbench
      .userDataFiles(/[\\/]threads[\\/]thread-[^\\/]+\.json$/)
      .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as { thread: { title: string; assistantId?: string }; messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }> });

  it('asks two assistants at once, keeps one thread and saves the other answer as a test case', async () => {
    const answer = 'Stock counts are kept in src/inventory.ts, one entry per item, and checked against the low-stock threshold of five.';
    const streamed = { steps: [{ type: 'text' as const, text: answer, chunkSize: 6, chunkDelayMs: 160 }] };
    fake.model.enqueue(streamed, streamed);

    await workbench.runCommand('Compare Assistants…');
    await column(1).waitFor({ timeout: 60_000 });
    await pickAssistant(0, 'Workspace helper');
    await pickAssistant(1, 'Reviewer');
    // Beside a wide side bar each column is about 410 or 390 px: the model a column runs unless told
    // otherwise (its placeholder) is still shown whole, the temperature and effort going to the next line.
    for (const sideBar of [400, 450]) {
      await workbench.setSideBarWidth(sideBar);
      await workbench.page.waitForTimeout(300);
      for (const [i, placeholder] of [[0, 'gpt-4.1 (its own)'], [1, 'gpt-4.1-mini (its own)']] as const) {
        const fit = await column(i).locator('.column-setup vscode-textfield').first().evaluate((field) => {
          const input = field.shadowRoot?.querySelector('input');
          const view = field.ownerDocument.defaultView;
          const context = field.ownerDocument.createElement('canvas').getContext('2d');
          if (!input || !view || !context) return undefined;
          const style = view.getComputedStyle(input);
          context.font = `${style.fontSize} ${style.fontFamily}`;
          return { placeholder: input.placeholder, text: context.measureText(input.placeholder).width, room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) };
        });
        assert.equal(fit?.placeholder, placeholder);
        assert.ok(fit.text <= fit.room, `beside a ${sideBar} px side bar, column ${i + 1}'s model placeholder fits its field (${fit.text.toFixed(0)} px of text in ${fit.room} px)`);
      }
    }
    await workbench.screenshot('compare-setup');

    const question = 'Where are stock counts kept?';
    await panel().locator('.compare-question textarea').fill(question);
    await panel().locator('vscode-button').filter({ hasText: 'Ask All' }).click();

    // Both columns stream at once: at some moment each shows an answer still being written.
    let both = false;
    for (const deadline = Date.now() + 30_000; !both && Date.now() < deadline; await workbench.page.waitForTimeout(50)) {
      const streaming = await Promise.all([0, 1].map((i) => column(i).locator('.msg-streaming').count()));
      both = streaming.every((n) => n > 0);
    }
    assert.ok(both, 'the two columns were not seen streaming at the same time');
    await workbench.screenshot('compare-streaming');

    for (const i of [0, 1]) {
      await column(i).locator('.msg-assistant').filter({ hasText: 'low-stock threshold of five.' }).waitFor({ timeout: 60_000 });
      await column(i).locator('.column-metrics').filter({ hasText: /first token [\d.]+ s · done in [\d.]+ s · [\d,]+ input.* · [\d,]+ output tokens · ≈ \$/ }).waitFor({ timeout: 30_000 });
    }
    assert.match((await column(0).locator('.column-label').textContent()) ?? '', /Workspace helper/);
    assert.match((await column(1).locator('.column-label').textContent()) ?? '', /Reviewer/);
    await panel().locator('vscode-button').filter({ hasText: 'Ask All' }).waitFor({ timeout: 30_000 });
    await workbench.screenshot('compare-done');
    // Each column ran its own assistant on its own conversation.
    const runs = fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').map((r) => r.body as { model: string; instructions?: string; conversation?: string });
    assert.deepEqual(runs.map((r) => r.model).sort(), ['gpt-4.1', 'gpt-4.1-mini']);
    assert.ok(runs.some((r) => r.instructions?.startsWith('Review what you are sent.')));

    // Keep the Reviewer's thread: it shows in the Threads view, as the Reviewer's.
    await column(1).locator('vscode-button').filter({ hasText: 'Keep this thread' }).click();
    await panel().locator('.compare-notice').filter({ hasText: /Kept "Where are stock counts kept\?" \(Reviewer\) in the Threads view/ }).waitFor({ timeout: 30_000 });
    await workbench.expandView('Threads');
    await workbench.viewPane('Threads').getByRole('treeitem', { name: /^Where are stock counts kept\?/ }).first().waitFor({ timeout: 30_000 });
    const kept = threadFiles().filter((t) => t.thread.title === question);
    assert.equal(kept.length, 1, 'only the kept thread is in the Threads view');
    assert.equal(kept[0].thread.assistantId, 'workspace:reviewer');
    assert.deepEqual(kept[0].messages.map((m) => m.content.map((p) => p.text ?? '').join('')), [question, answer]);
    // It goes on in the chat: Open in Chat opens it there, as the Reviewer's.
    await column(1).locator('vscode-icon[title="Open in Chat"]').click();
    const chat = workbench.chatFrame();
    await chat.locator('.header-assistant').filter({ hasText: 'Reviewer' }).waitFor({ timeout: 30_000 });
    await chat.locator('.msg-assistant').filter({ hasText: 'low-stock threshold of five.' }).waitFor({ timeout: 30_000 });
    await workbench.screenshot('compare-kept-in-chat');

    // Save the helper's answer as a test case: the helper's tests file gets it, opened at the case.
    const testsFile = path.join(workbench.workspace, '.assistants', 'workspace-helper.assistant-tests.json');
    const before = JSON.parse(fs.readFileSync(testsFile, 'utf8')) as { tests: unknown[] };
    await column(0).locator('vscode-button').filter({ hasText: 'Save as Test Case' }).click();
    await workbench.page.locator('.tabs-container .tab').filter({ hasText: 'workspace-helper.assistant-tests.json' }).waitFor({ timeout: 30_000 });
    await workbench.page.locator('.monaco-editor .view-line').filter({ hasText: `"question": "${question}"` }).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('compare-saved-test-case');
    const after = JSON.parse(fs.readFileSync(testsFile, 'utf8')) as { tests: Array<{ question: string; expect?: Array<{ type: string; value: string }> }> };
    assert.equal(after.tests.length, before.tests.length + 1);
    assert.deepEqual(after.tests.at(-1), { question, expect: [{ type: 'contains', value: 'Stock counts are kept in src/inventory.ts, one entry' }] });
  });

  it('says why a column cannot be asked, and asks nothing', async () => {
    await column(1).waitFor({ timeout: 60_000 });
    await column(1).locator('vscode-textfield').nth(1).locator('input').fill('7');
    await panel().locator('.compare-question textarea').fill('Anything?');
    const since = fake.requests.length;
    await panel().locator('vscode-button').filter({ hasText: 'Ask All' }).click();
    await panel().locator('.compare-notice').filter({ hasText: 'Column 2: The temperature must be a number from 0 to 2.' }).waitFor({ timeout: 30_000 });
    assert.equal(fake.requests.slice(since).filter((r) => r.path === '/responses').length, 0, 'nothing was asked');
  });
});
