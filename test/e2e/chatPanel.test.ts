import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { FrameLocator } from 'playwright-core';
import { STORED_OUTPUT_PREFIX } from '../../src/common/model';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/** The part of the page's `navigator` the test reads (the test project has no DOM types). */
interface ClipboardHost {
  navigator: { clipboard: { readText(): Promise<string> } };
}

const CODE = 'export const answer = 42;';
const INSTRUCTIONS = 'Start every answer with "Bonjour!"';
const DRAFT = 'A question I typed but have not sent yet';

/** The chat panel's controls, one after another in one thread, the way a user goes through them. */
describe('the chat panel: stream, act on answers, run instructions, Stop, Retry, reload (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('chat-panel', 'responses', (started) => ({ fake, workbench } = started), { 'assistants.tools.codeInterpreter': true });

  before(async () => {
    chat = workbench.chatFrame();
    await workbench.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  });

  /** The Responses requests that started a run, in order. */
  const runRequests = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses');

  /**
   * Waits until the composer takes a new message: Send is usable once the host's state is in and no
   * run goes on (the host says a run ended only after saving the thread).
   */
  async function readyToSend(): Promise<void> {
    await chat.locator('.composer vscode-button:not([disabled])').filter({ hasText: 'Send' }).waitFor({ timeout: 30_000 });
  }

  it('streams an answer with a code block in and ends "Completed"', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: `Here is the constant:\n\n\`\`\`ts\n${CODE}\n\`\`\`\n\nUse it anywhere.`, chunkSize: 3, chunkDelayMs: 170 }] });
    await workbench.ask('Give me the answer as code');
    await chat.locator('.msg-assistant.msg-streaming').first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('streaming');
    await workbench.statusIs('Completed');
    assert.equal(await chat.locator('.msg-streaming').count(), 0, 'an ended run keeps no typing cursor');
    assert.match(await chat.locator('.msg-assistant').last().locator('.code-block code').innerText(), /export const answer = 42;/);
    await workbench.screenshot('completed');
  });

  it('copies the code block and inserts it at the cursor of the open editor', async () => {
    const block = chat.locator('.msg-assistant').last().locator('.code-block');
    await block.locator('.code-copy').click();
    // The webview writes the clipboard asynchronously.
    let copied = '';
    for (const deadline = Date.now() + 10_000; copied.trim() !== CODE && Date.now() < deadline; await workbench.page.waitForTimeout(200)) {
      copied = await workbench.page.evaluate(() => (globalThis as unknown as ClipboardHost).navigator.clipboard.readText());
    }
    assert.equal(copied.trim(), CODE, 'Copy put the code on the clipboard');

    // Open a workspace file from the Explorer, as a user would; its cursor is at the start.
    const page = workbench.page;
    await page.keyboard.press('Control+Shift+E');
    const explorer = page.locator('.explorer-folders-view');
    await explorer.waitFor({ timeout: 30_000 });
    const src = explorer.locator('.monaco-list-row[aria-label^="src"]').first();
    await src.waitFor({ timeout: 30_000 });
    if ((await src.getAttribute('aria-expanded')) !== 'true') await src.click();
    await explorer.locator('.monaco-list-row[aria-label^="inventory.ts"]').first().click();
    await page.locator('.tabs-container .tab[aria-label^="inventory.ts"]').first().waitFor({ timeout: 30_000 });
    await workbench.openAssistantsView();
    await chat.locator('.msg-assistant').last().locator('.code-block .code-insert').click();
    const firstLine = page.locator('.part.editor .monaco-editor .view-line').filter({ hasText: 'answer' }).first();
    await firstLine.waitFor({ timeout: 30_000 });
    assert.equal((await firstLine.innerText()).replace(/\u00a0/g, ' ').trim(), CODE, 'the editor got the code');
    await workbench.screenshot('inserted-at-cursor');
  });

  it('shows the plot inline under the answer and saves it to the workspace', async () => {
    await workbench.openAssistantsView();
    await readyToSend();
    fake.model.enqueue({
      steps: [
        { type: 'code_interpreter', code: 'import matplotlib.pyplot as plt\nplt.bar([0, 1, 2], [3, 5, 2])\nplt.savefig("chart.png")', logs: '', image: true },
        { type: 'text', text: 'Here is the chart.' },
      ],
    });
    await workbench.ask('Plot a chart with python code');
    await workbench.statusIs('Completed');
    // Shown without unfolding anything: the figure sits under the answer, not inside a closed step.
    // It is drawn anew once the copy kept beside the thread is written (after 'Completed' on a busy
    // machine), and an element found before that is gone by the next step: the kept one is awaited.
    const figure = chat.locator('.run-block').last().locator(`.run-figures figure.file-figure[data-file-id^="${STORED_OUTPUT_PREFIX}"]`).first();
    const image = figure.locator('img.file-image');
    await image.waitFor({ timeout: 30_000 });
    assert.ok(await image.isVisible(), 'the plot is visible in the answer');
    await figure.scrollIntoViewIfNeeded();
    await workbench.screenshot('plot-inline');
    // Under the name the model gave it: the answer cites chart.png, the same bytes as the inline
    // figure, which takes that name once the cited file is kept.
    await figure.locator('.file-figure-name').filter({ hasText: 'chart.png' }).waitFor({ timeout: 30_000 });
    await figure.locator('.file-figure-save').click();
    const saved = await workbench.acceptSaveDialog('chart.png');
    assert.deepEqual([...saved.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG was saved');
  });

  it('sends additional instructions with the run, and the answer follows them', async () => {
    await workbench.openAssistantsView();
    await readyToSend();
    await chat.locator('vscode-button[aria-label^="Instructions for this run"]').click();
    const instructions = chat.locator('.composer-instructions textarea');
    await instructions.fill(INSTRUCTIONS);
    await workbench.screenshot('run-instructions');
    const before = runRequests().length;
    await workbench.ask('Say hello please');
    await workbench.statusIs('Completed');
    const sent = runRequests().slice(before)[0]?.body as { instructions?: string } | undefined;
    assert.match(sent?.instructions ?? '', /Start every answer with "Bonjour!"/, 'the run carried the instructions');
    assert.match(await chat.locator('.msg-assistant').last().locator('.msg-body').innerText(), /^\s*Bonjour!/, 'the answer follows them');
    assert.ok(await chat.locator('vscode-button[aria-label="Instructions for this run (set)"]').count(), 'the toggle shows instructions are set');
    await workbench.screenshot('instructions-followed');
    // Cleared, so the runs after this one are plain again.
    await instructions.fill('');
  });

  it('Stop mid-stream ends the run "Cancelled" with no busy state left', async () => {
    await readyToSend();
    fake.model.enqueue({ steps: [{ type: 'text', text: 'slow '.repeat(300), chunkSize: 5, chunkDelayMs: 100 }] });
    await workbench.ask('Write slowly please');
    await chat.locator('.msg-assistant.msg-streaming').first().waitFor({ timeout: 30_000 });
    await chat.getByRole('button', { name: 'Stop' }).click();
    await workbench.statusIs('Cancelled');
    const outcome = chat.locator('.run-block').last().locator('.run-outcome[data-outcome="cancelled"]');
    await outcome.waitFor({ timeout: 30_000 });
    assert.match(await outcome.innerText(), /stopped before it finished/, 'a cancelled run says it was stopped');
    assert.equal(await chat.locator('.run-block').last().locator('.run-retry').count(), 0, 'Stop was the user\'s choice: no Retry');
    assert.doesNotMatch(await chat.locator('.msg-assistant').last().innerText(), /cut off/, 'a cancelled answer is not called cut off');
    assert.equal(await chat.locator('.msg-streaming').count(), 0, 'no typing cursor after Stop');
    assert.equal(fake.requests.filter((r) => /\/cancel$/.test(r.path)).length, 1, 'the run was cancelled on the server');
    await workbench.screenshot('cancelled');
  });

  it('Retry after a failed run asks the last question again and completes', async () => {
    await readyToSend();
    fake.model.enqueue({ steps: [{ type: 'text', text: 'Half an ans' }], outcome: { status: 'failed', code: 'server_error', message: 'The server had an error while processing your request.' } });
    await workbench.ask('Explain the inventory module');
    await workbench.statusIs('Failed');
    const retry = chat.locator('.run-block').last().locator('.run-retry');
    await retry.waitFor({ timeout: 30_000 });
    assert.match(await chat.locator('.run-block').last().locator('.run-outcome[data-outcome="failed"]').innerText(), /server had an error/i, 'the failure is said in a sentence');
    await workbench.screenshot('failed-with-retry');
    const before = runRequests().length;
    await retry.click();
    await workbench.statusIs('Completed');
    assert.equal(runRequests().length, before + 1, 'Retry started one new run');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /You asked: Explain the inventory module/, 'the same question was asked again');
    // Only the entries near the end are drawn (the transcript is virtualized): the last two questions are.
    assert.deepEqual((await questions()).slice(-2), ['Write slowly please', 'Explain the inventory module'], 'the question is not added a second time');
    assert.doesNotMatch(await chat.locator('.transcript').innerText(), /Half an ans/, 'the failed answer made way for the new one');
    await workbench.screenshot('retried');
  });

  /** The questions of the thread the chat has drawn, oldest first. */
  const questions = async () => (await chat.locator('.msg-user .msg-text-plain').allInnerTexts()).map((t) => t.trim());

  it('Edit and resend replaces the last question and its answer', async () => {
    await readyToSend();
    await chat.locator('.msg-user').last().locator('.msg-edit').click();
    const input = chat.locator('.composer-input textarea');
    assert.equal(await input.inputValue(), 'Explain the inventory module', 'the question is in the composer');
    await chat.locator('.composer-editing').waitFor({ timeout: 10_000 });
    await input.fill('Explain the inventory module in one line');
    await workbench.screenshot('editing-last-question');
    await input.press('Enter');
    await chat.locator('.msg-assistant').filter({ hasText: 'You asked: Explain the inventory module in one line' }).first().waitFor({ timeout: 30_000 });
    await workbench.statusIs('Completed');
    assert.deepEqual((await questions()).slice(-2), ['Write slowly please', 'Explain the inventory module in one line'], 'the edited question took the old one\'s place');
    assert.equal(await chat.locator('.composer-editing').isVisible(), false, 'editing is over');
    await workbench.screenshot('edited-and-resent');
  });

  /** Reloads the window and waits for the chat to show the thread again (its question `shown`). */
  async function reloadAndFind(shown: string): Promise<void> {
    await workbench.reload();
    await workbench.openAssistantsView();
    chat = workbench.chatFrame();
    await chat.locator('.msg-user').filter({ hasText: shown }).first().waitFor({ timeout: 60_000 });
  }

  it('after a window reload right after typing, the thread and the typed-but-unsent draft are intact', async () => {
    await readyToSend();
    const input = chat.locator('.composer-input textarea');
    await input.click();
    await input.pressSequentially(DRAFT, { delay: 10 });
    // The reload comes the moment the extension host holds the whole draft, and it must be on disk by then
    // (it is written at each change, with no pause). A keystroke still on its way from the browser when the
    // page is torn down cannot be kept by either side, so the test does not race that.
    const hostDraft = () => workbench.userDataFiles(/[\\/]draft\.json$/).map((file) => fs.readFileSync(file, 'utf8')).join('');
    for (const deadline = Date.now() + 30_000; !hostDraft().includes(DRAFT) && Date.now() < deadline; ) await workbench.page.waitForTimeout(20);
    assert.ok(hostDraft().includes(DRAFT), 'the extension host wrote the draft as it was typed');
    await reloadAndFind('Explain the inventory module');
    assert.match(await chat.locator('.header-thread').innerText(), /Give me the answer as code/);
    assert.equal(await chat.locator('.composer-input textarea').inputValue(), DRAFT, 'the draft survived the reload');
    await workbench.screenshot('after-reload-draft');
  });

  it('a question sent right before a window reload does not come back as a draft', async () => {
    await readyToSend();
    // The composer holds the draft kept over the reload: send it as it is.
    await chat.locator('.composer-input textarea').press('Enter');
    await chat.locator('.msg-user').filter({ hasText: DRAFT }).first().waitFor({ timeout: 30_000 });
    // No pause: the reload comes the moment the question shows.
    await reloadAndFind(DRAFT);
    // A kept draft is put in the composer with the host's state, before the composer stops loading.
    await chat.locator('.composer vscode-button[title="Loading the chat…"]').waitFor({ state: 'detached', timeout: 60_000 });
    assert.equal(await chat.locator('.composer-input textarea').inputValue(), '', 'the sent question is not a draft');
    await workbench.screenshot('after-send-reload-empty');
  });

  it('fits a narrow side bar: every control inside at 250 and 400 px, long names cut with their full text on hover', async () => {
    await readyToSend();
    await chat.locator('vscode-button[aria-label^="Instructions for this run"]').click();
    await chat.locator('.composer-instructions textarea').fill(INSTRUCTIONS);
    for (const width of [250, 400]) {
      const actual = await workbench.setSideBarWidth(width);
      assert.ok(Math.abs(actual - width) <= 2, `the side bar is ${width} px wide (${actual})`);
      await workbench.page.waitForTimeout(500);
      // Nothing in the chat may stick out to the right of the page, which scrolls sideways on nothing.
      const overflow = await chat.locator('body').evaluate((body) => {
        const limit = body.ownerDocument.documentElement.clientWidth;
        const sticking = [...body.querySelectorAll('*')].filter((el) => {
          const box = el.getBoundingClientRect();
          // A code block scrolls sideways by design; anything else must fit.
          return box.width > 0 && box.right > limit + 1 && el.closest('pre') === null;
        });
        return sticking.map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`).slice(0, 5);
      });
      assert.deepEqual(overflow, [], `nothing overflows at ${width} px`);
      const assistant = chat.locator('.header-assistant');
      assert.match((await assistant.getAttribute('title')) ?? '', /Workspace helper/, 'the full assistant name is on hover');
      await workbench.screenshotSideBar(`side-bar-${width}px-end`);
      await chat.locator('.transcript').evaluate((el) => (el.scrollTop = 0));
      await workbench.page.waitForTimeout(500);
      await workbench.screenshotSideBar(`side-bar-${width}px-top`);
      await chat.locator('.transcript').evaluate((el) => (el.scrollTop = el.scrollHeight));
    }
    await chat.locator('.composer-instructions textarea').fill('');
  });

  it('a reader who scrolled up finds the same place when the view is shown again', async () => {
    const first = () => chat.locator('.msg-user').filter({ hasText: 'Give me the answer as code' });
    await chat.locator('.transcript').evaluate((el) => (el.scrollTop = 0));
    await first().waitFor({ timeout: 30_000 });
    // The position is saved a moment after the scroll (debounced).
    await workbench.page.waitForTimeout(1000);
    await workbench.page.locator('.activitybar a.action-label[aria-label^="Explorer"]').click();
    await workbench.page.locator('.explorer-folders-view').waitFor({ timeout: 30_000 });
    await workbench.openAssistantsView();
    chat = workbench.chatFrame();
    // Only entries near the view are drawn: the first question is there only if the view opened at the top.
    await first().waitFor({ timeout: 30_000 });
    assert.ok((await chat.locator('.transcript').evaluate((el) => el.scrollTop)) < 200, 'the transcript opened where the reader left it');
    await workbench.screenshotSideBar('scrolled-up-shown-again');
  });
});
