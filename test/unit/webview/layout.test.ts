import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ChatState, HostToWebview } from '../../../src/common/protocol';
import type { Message } from '../../../src/common/model';
import { bundleForBrowser, launchChromium, openPage } from '../../support/browserBundle';
import { repoRoot } from '../../support/codeServer';

/** Where the screenshots go, beside the browser tiers' own. */
const ARTIFACTS = path.join(process.env.ASSISTANTS_ARTIFACTS ?? path.join(repoRoot, 'test-results'), 'layout');

/** A dark theme's worth of the variables VS Code gives a webview, so the page looks as it does in the side bar. */
const THEME = `:root {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
  --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px;
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f85149;
  --vscode-sideBar-background: #181818; --vscode-editor-background: #1f1f1f; --vscode-widget-border: #313131;
  --vscode-focusBorder: #0078d4; --vscode-textLink-foreground: #4daafc; --vscode-textCodeBlock-background: #2b2b2b;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc; --vscode-input-background: #313131; --vscode-input-foreground: #cccccc;
  --vscode-input-border: #3c3c3c; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-editorWarning-foreground: #cca700; --vscode-toolbar-hoverBackground: #5a5d5e50;
}`;

/** The codicon font inlined, since the page has no files to load it from. */
function codiconCss(): string {
  const dir = path.join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist');
  const font = fs.readFileSync(path.join(dir, 'codicon.ttf')).toString('base64');
  return fs.readFileSync(path.join(dir, 'codicon.css'), 'utf8').replace(/url\("\.\/codicon\.ttf[^"]*"\)/, `url("data:font/ttf;base64,${font}")`);
}

const text = (id: string, role: Message['role'], body: string, runId?: string): Message => ({
  id,
  role,
  content: [{ type: 'text', text: body, annotations: [] }],
  createdAt: 100,
  ...(runId ? { runId } : {}),
  status: 'completed',
});

/** Everything with a long name at once: assistant, model, provider, thread, a code block, a failed run offering Retry. */
const STATE: ChatState = {
  provider: { backend: 'responses', label: 'openai-proxy.internal.example.com', mock: false, hasKey: true },
  assistant: { id: 'a', name: 'Workspace helper for the inventory service', model: 'gpt-4.1-mini-2025-04-14' },
  thread: { id: 't', title: 'Why does restock() throw a RangeError when the amount is zero or negative?' },
  messages: [
    text('m1', 'user', 'Give me the answer as code'),
    text('m2', 'assistant', 'Here is the constant:\n\n```typescript\nexport const answer = 42;\n```\n\nSee https://platform.openai.com/docs/api-reference/conversations/delete-item for more.', 'run_1'),
    text('m3', 'user', 'Explain the inventory module'),
    { ...text('m4', 'assistant', 'Half an ans', 'run_2'), status: 'incomplete' },
  ],
  runs: {
    run_1: { run: { id: 'run_1', threadId: 't', assistantId: 'a', status: 'completed', createdAt: 100, completedAt: 102, usage: { promptTokens: 1200, completionTokens: 350, totalTokens: 1550, cachedTokens: 800 } }, steps: [] },
    run_2: {
      run: { id: 'run_2', threadId: 't', assistantId: 'a', status: 'failed', createdAt: 103, completedAt: 104, lastError: { code: 'server_error', message: 'The server had an error while processing your request. Sorry about that!' }, usage: { promptTokens: 1300, completionTokens: 4, totalTokens: 1304 } },
      steps: [],
    },
  },
  prices: { 'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 } },
};

const ATTACHMENTS: HostToWebview = {
  type: 'attachments/show',
  attachments: [
    { id: 'f1', name: 'inventory-report-2026-11-final-version.xlsx', display: 'data/reports/inventory-report-2026-11-final-version.xlsx', tool: 'code_interpreter', status: 'ready' },
    { id: 'f2', name: 'notes.md', display: 'notes.md', tool: 'file_search', status: 'failed', error: 'The service does not take files of this type.' },
  ],
};

describe('the chat in a narrow side bar (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let script: string;
  let styles: string[];

  before(async () => {
    browser = await launchChromium();
    // The page's own state and messages to the host go to a stub, as acquireVsCodeApi's would.
    const stub = 'window.acquireVsCodeApi = () => ({ postMessage: () => undefined, getState: () => undefined, setState: () => undefined });\n';
    script = stub + (await bundleForBrowser(path.join(repoRoot, 'webview', 'main.ts')));
    styles = [THEME, codiconCss(), fs.readFileSync(path.join(repoRoot, 'media', 'chat.css'), 'utf8')];
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  async function open(width: number): Promise<Page> {
    const page = await openPage(browser, script, { styles, width, height: 760 });
    await page.evaluate((messages) => {
      for (const message of messages) window.postMessage(message, '*');
    }, [{ type: 'state/full', state: STATE }, ATTACHMENTS] as HostToWebview[]);
    await page.locator('.run-retry').waitFor();
    // Run instructions open and filled, and the last question being edited: every composer control shows.
    await page.locator('vscode-button[aria-label^="Instructions for this run"]').click();
    await page.locator('.composer-instructions').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = 'Answer in French, and keep every answer under one hundred words.';
    });
    await page.locator('.msg-edit').last().click();
    await page.locator('.composer-editing').waitFor();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    return page;
  }

  /** Elements (outside code blocks, which scroll sideways by design) that stick out of the page on the right. */
  function overflowing(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const limit = document.documentElement.clientWidth;
      return [...document.body.querySelectorAll('*')]
        .filter((el) => {
          const box = el.getBoundingClientRect();
          return box.width > 0 && box.right > limit + 0.5 && el.closest('pre') === null;
        })
        .map((el) => `${el.tagName.toLowerCase()}${[...el.classList].map((c) => `.${c}`).join('')}`);
    });
  }

  for (const width of [250, 400]) {
    it(`fits every control in ${width} px, and cut names keep their whole text on hover`, async () => {
      const page = await open(width);
      await page.locator('.transcript').evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForTimeout(100);
      await page.screenshot({ path: path.join(ARTIFACTS, `chat-${width}px-end.png`) });
      await page.locator('.transcript').evaluate((el) => (el.scrollTop = 0));
      await page.waitForTimeout(100);
      await page.screenshot({ path: path.join(ARTIFACTS, `chat-${width}px-top.png`) });
      assert.deepEqual(await overflowing(page), [], 'nothing sticks out on the right');
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'no sideways scrolling');
      // A name cut with an ellipsis has its whole text as a tooltip.
      assert.match((await page.locator('.header-assistant').getAttribute('title')) ?? '', /Workspace helper for the inventory service/);
      assert.match((await page.locator('.header-model').getAttribute('title')) ?? '', /gpt-4\.1-mini-2025-04-14/);
      assert.match((await page.locator('.header-thread').getAttribute('title')) ?? '', /RangeError/);
      // The assistant's name is never cut to a stub: at least its first word shows.
      const nameWidth = await page.locator('.header-assistant > span').first().evaluate((el) => el.getBoundingClientRect().width);
      assert.ok(nameWidth >= 70, `the assistant's name has room (${nameWidth} px)`);
      // Buttons are whole: none is clipped by its row.
      const clipped = await page.evaluate(() =>
        [...document.querySelectorAll('vscode-button, .run-retry, .status-retry-now, .msg-edit, .code-actions > *')]
          .filter((el) => {
            const box = el.getBoundingClientRect();
            const row = el.parentElement?.getBoundingClientRect();
            return box.width > 0 && row !== undefined && (box.right > row.right + 0.5 || box.left < row.left - 0.5);
          })
          .map((el) => el.getAttribute('aria-label') ?? el.className),
      );
      assert.deepEqual(clipped, [], 'no button is clipped');
      await page.close();
    });
  }
});
