import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ChatState, HostToWebview } from '../../../src/common/protocol';
import type { Message, RunStep } from '../../../src/common/model';
import { bundleForBrowser, launchChromium, openPage } from '../../support/browserBundle';
import { repoRoot } from '../../support/codeServer';

/** Where the screenshots go, beside the browser tiers' own. */
const ARTIFACTS = path.join(process.env.ASSISTANTS_ARTIFACTS ?? path.join(repoRoot, 'test-results'), 'rendering');

/** The theme variables VS Code gives a webview that these kinds use (a dark theme, its terminal colours). */
const THEME = `:root {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace;
  --vscode-foreground: #cccccc; --vscode-sideBar-background: #181818; --vscode-editor-background: #1f1f1f;
  --vscode-textCodeBlock-background: #2b2b2b; --vscode-widget-border: #313131; --vscode-textLink-foreground: #4daafc;
  --vscode-terminal-ansiRed: #f14c4c; --vscode-terminal-ansiGreen: #23d18b; --vscode-terminal-ansiYellow: #f5f543;
  --vscode-terminal-ansiBrightRed: #ff6e6e; --vscode-terminal-ansiBlue: #3b8eea;
}
body { background: var(--vscode-sideBar-background); color: var(--vscode-foreground); }`;

/** KaTeX's stylesheet with its WOFF2 fonts inlined, since the page has no files to load them from (the webview serves them from dist/katex). */
function katexCss(): string {
  const dir = path.join(repoRoot, 'node_modules', 'katex', 'dist');
  return fs.readFileSync(path.join(dir, 'katex.min.css'), 'utf8').replace(/url\(fonts\/([\w-]+\.woff2)\)/g, (_, file: string) => `url(data:font/woff2;base64,${fs.readFileSync(path.join(dir, 'fonts', file)).toString('base64')})`);
}

const text = (id: string, role: Message['role'], body: string, runId?: string): Message => ({ id, role, content: [{ type: 'text', text: body, annotations: [] }], createdAt: 100, status: 'completed', ...(runId ? { runId } : {}) });

const MATH = [
  'The roots of \\(ax^2 + bx + c = 0\\) are',
  '\\[x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}\\]',
  'and the mean is $\\bar{x} = \\frac{1}{n}\\sum_{i=1}^{n} x_i$, where $x_i$ and $a_1*b_2*c_3$ keep their stars.',
  '$$\n\\int_0^1 x^2 \\, dx = \\frac{1}{3}\n$$',
  'It costs $5 and $10 for two. In code: `\\(y\\)` and `$x$`; and \\(\\frac{a}{\\) stays as written.',
  '```python\nprint("$$x$$ \\\\(y\\\\)")\n```',
].join('\n\n');

const RTL_ANSWER = 'مرحباً! هذه إجابة باللغة العربية، وفيها كلمة English في الوسط.\n\nThis paragraph is in English.\n\n- البند الأول\n- البند الثاني\n\n> שלום, זה ציטוט בעברית.';
const RTL_QUESTION = 'ما هو الجذر التربيعي للعدد 16؟\nAnd in English, please.';
/** Right-to-left blocks that start with code: the code is left to right, the block right to left. */
const RTL_WITH_CODE = '`console.log` يطبع النص في وحدة التحكم.\n\n- `npm install` يثبت الحزم\n- `x` عنصر\n- An English item\n\n## `API` واجهة البرمجة\n\n| `key` المفتاح | `value` القيمة |\n|---|---|\n| `a` عربي | `b` نص |\n\n> `x` اقتباس بالعربية';

const logStep: RunStep = {
  id: 's1',
  runId: 'run_2',
  status: 'completed',
  createdAt: 100,
  details: {
    type: 'tool_calls',
    toolCalls: [
      { type: 'code_interpreter', id: 'c1', input: 'run_checks()', outputs: [{ type: 'logs', logs: '\u001b[0;32mPASSED\u001b[0m test_add\n\u001b[0;31mFAILED\u001b[0m test_div - \u001b[1;91mZeroDivisionError\u001b[0m\n\u001b[33mwarning:\u001b[0m \u001b[38;5;208m256 colours\u001b[0m\n\u001b]0;title\u0007downloading 10%\r\u001b[2Kdone' }] },
      { type: 'function', id: 'f1', name: 'run_tests', arguments: '{}', output: '\u001b[32m12 passed\u001b[0m, \u001b[31m1 failed\u001b[0m' },
    ],
  },
};

const STATE: ChatState = {
  provider: { backend: 'responses', label: 'Test', mock: false, hasKey: true },
  assistant: { id: 'a', name: 'Helper', model: 'gpt-4.1-mini' },
  thread: { id: 't', title: 'Rendering' },
  messages: [
    text('q1', 'user', 'Solve the quadratic'),
    text('a1', 'assistant', MATH, 'run_1'),
    text('q2', 'user', RTL_QUESTION),
    text('a2', 'assistant', RTL_ANSWER, 'run_2'),
    text('q3', 'user', '`npm install` يثبت الحزم؟\n`code` first, then English.'),
    text('a3', 'assistant', RTL_WITH_CODE),
  ],
  runs: {
    run_1: { run: { id: 'run_1', threadId: 't', assistantId: 'a', status: 'completed', createdAt: 100, completedAt: 101 }, steps: [] },
    run_2: { run: { id: 'run_2', threadId: 't', assistantId: 'a', status: 'completed', createdAt: 100, completedAt: 101 }, steps: [logStep] },
  },
};

// happy-dom differs from a browser for DOMPurify and lays nothing out: these kinds are drawn in Chromium.
describe('math, right-to-left text and ANSI colours in the chat (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    const stub = 'window.acquireVsCodeApi = () => ({ postMessage: () => undefined, getState: () => undefined, setState: () => undefined });\n';
    const script = stub + (await bundleForBrowser(path.join(repoRoot, 'webview', 'main.ts')));
    page = await openPage(browser, script, { styles: [THEME, katexCss(), fs.readFileSync(path.join(repoRoot, 'media', 'chat.css'), 'utf8')], width: 420, height: 1400 });
    await page.evaluate((message) => window.postMessage(message, '*'), { type: 'state/full', state: STATE } as HostToWebview);
    await page.locator('.msg[data-message-id="a2"]').waitFor();
    // The steps of the last run open, so their logs show.
    await page.locator('.run-block .collapsible, .run-block details').first().evaluate((el) => ((el as HTMLDetailsElement).open = true)).catch(() => undefined);
    await page.evaluate(() => {
      for (const details of document.querySelectorAll('details')) details.open = true;
      for (const el of document.querySelectorAll('vscode-collapsible')) (el as HTMLElement & { open: boolean }).open = true;
    });
    await page.evaluate(() => document.fonts.ready);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'math-rtl-ansi.png'), fullPage: true });
  });

  after(async () => {
    await browser?.close();
  });

  it('draws \\( \\), \\[ \\], $ and $$ math with KaTeX, its source kept as written, and leaves dollar amounts and code alone', async () => {
    const found = await page.locator('.msg[data-message-id="a1"] .markdown').evaluate((root) => ({
      sources: [...root.querySelectorAll('.katex annotation')].map((a) => a.textContent),
      displays: root.querySelectorAll('.math-display .katex-display').length,
      emphasisInMath: root.querySelectorAll('.math-tex em, .math-tex strong').length,
      asWritten: [...root.querySelectorAll('.math-as-written')].map((el) => el.textContent),
      code: [...root.querySelectorAll('code')].map((el) => el.textContent),
      text: root.textContent ?? '',
      fractionHeight: root.querySelector('.katex-display .katex-html')?.getBoundingClientRect().height ?? 0,
    }));
    assert.deepEqual(found.sources, ['ax^2 + bx + c = 0', 'x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}\n', '\\bar{x} = \\frac{1}{n}\\sum_{i=1}^{n} x_i', 'x_i', 'a_1*b_2*c_3', '\\int_0^1 x^2 \\, dx = \\frac{1}{3}\n']);
    assert.equal(found.displays, 2, 'both display formulas are drawn as blocks');
    assert.equal(found.emphasisInMath, 0, 'no Markdown emphasis inside a formula');
    assert.deepEqual(found.asWritten, ['\\(\\frac{a}{\\)'], 'a formula KaTeX refuses shows as written, backslashes intact');
    assert.match(found.text, /It costs \$5 and \$10 for two\./);
    assert.deepEqual(found.code.slice(0, 2), ['\\(y\\)', '$x$']);
    assert.match(found.code[2] ?? '', /print\("\$\$x\$\$ \\\\\(y\\\\\)"\)/);
    assert.ok(found.fractionHeight > 30, `the stylesheet lays a display fraction out on two levels (${found.fractionHeight} px)`);
  });

  it('lays each block and each question line out in its own direction', async () => {
    // Plain loops, no helper functions: the test bundler would name them with a helper the page lacks.
    const directions = await page.evaluate(() => {
      const answer = document.querySelector('.msg[data-message-id="a2"] .markdown');
      const blocks = answer ? [...answer.querySelectorAll(':scope > p'), answer.querySelector('ul'), answer.querySelector('blockquote')] : [];
      const math = document.querySelector('.msg[data-message-id="a1"] .math-tex');
      const question = document.querySelector('.msg[data-message-id="q2"] .msg-text-plain');
      const line = question?.firstChild;
      const starts: { fromLeft: number; fromRight: number }[] = [];
      if (question && line) {
        const box = question.getBoundingClientRect();
        for (const index of [0, (line.textContent ?? '').indexOf('And')]) {
          const range = document.createRange();
          range.setStart(line, index);
          range.setEnd(line, index + 1);
          const rect = range.getBoundingClientRect();
          starts.push({ fromLeft: rect.left - box.left, fromRight: box.right - rect.right });
        }
      }
      return {
        blocks: blocks.map((el) => (el ? getComputedStyle(el).direction : 'missing')),
        math: math ? getComputedStyle(math).direction : 'missing',
        starts,
      };
    });
    assert.deepEqual(directions.blocks, ['rtl', 'ltr', 'rtl', 'rtl'], 'Arabic paragraph, English paragraph, Arabic list, Hebrew quote');
    assert.equal(directions.math, 'ltr');
    const [arabic, english] = directions.starts;
    assert.ok(arabic.fromRight < 4, `the Arabic line starts at the right (${JSON.stringify(arabic)})`);
    assert.ok(english.fromLeft < 4, `the English line starts at the left (${JSON.stringify(english)})`);
    // The question being typed, too.
    const typed = await page.evaluate(async () => {
      const host = document.querySelector('.composer vscode-textarea') as (HTMLElement & { updateComplete: Promise<unknown> }) | null;
      await host?.updateComplete;
      const field = host?.shadowRoot?.querySelector('textarea');
      if (!field) return [];
      const seen: string[] = [];
      for (const value of ['مرحبا، كيف حالك؟', 'Hello there']) {
        field.value = value;
        seen.push(getComputedStyle(field).direction);
      }
      return seen;
    });
    assert.deepEqual(typed, ['rtl', 'ltr']);
  });

  it('lays a right-to-left block out right to left when it starts with code, and the code left to right', async () => {
    const found = await page.locator('.msg[data-message-id="a3"] .markdown').evaluate((root) => ({
      blocks: [...root.querySelectorAll('p, li, h2, th, td, blockquote, ul, table')].map((el) => `${el.tagName.toLowerCase()} ${getComputedStyle(el).direction}`),
      markers: [...root.querySelectorAll('li')].map((el) => getComputedStyle(el).listStylePosition),
      code: [...root.querySelectorAll('code')].map((el) => getComputedStyle(el).direction),
    }));
    assert.deepEqual(found.blocks, ['p rtl', 'ul rtl', 'li rtl', 'li rtl', 'li ltr', 'h2 rtl', 'table rtl', 'th rtl', 'th rtl', 'td rtl', 'td rtl', 'blockquote rtl', 'p rtl']);
    // The English item's marker stays in its line: outside, it would fall in the margin the Arabic list does not pad.
    assert.deepEqual(found.markers, ['outside', 'outside', 'inside']);
    assert.ok(found.code.length >= 8 && found.code.every((d) => d === 'ltr'), found.code.join(' '));
    // A question line that starts with code: the code starts the Arabic line at the right, and the English line at the left.
    const lines = await page.locator('.msg[data-message-id="q3"] .msg-text-plain').evaluate((question) => {
      const box = question.getBoundingClientRect();
      const edges: { fromLeft: number; fromRight: number }[] = [];
      for (const word of ['`npm install`', '`code`']) {
        const walker = document.createTreeWalker(question, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = (node.textContent ?? '').indexOf(word);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + word.length);
          const rect = range.getBoundingClientRect();
          edges.push({ fromLeft: rect.left - box.left, fromRight: box.right - rect.right });
        }
      }
      return { edges, text: question.textContent };
    });
    assert.equal(lines.text, '`npm install` يثبت الحزم؟\n`code` first, then English.', 'the question shows as typed');
    const [arabic, english] = lines.edges;
    assert.ok(arabic.fromRight < 4 && arabic.fromLeft > 100, `the Arabic line runs right to left, the code first at the right (${JSON.stringify(arabic)})`);
    assert.ok(english.fromLeft < 4 && english.fromRight > 100, `the English line runs left to right, the code first at the left (${JSON.stringify(english)})`);
  });

  it('shows code-interpreter logs and function output in the theme terminal colours, with no escape sequence', async () => {
    const found = await page.locator('.run-block').last().evaluate((block) => ({
      text: block.textContent ?? '',
      colours: [...block.querySelectorAll('.step-logs span, .step-ansi span')].map((span) => [span.textContent, getComputedStyle(span).color]),
    }));
    // eslint-disable-next-line no-control-regex -- what must never show
    assert.doesNotMatch(found.text, /\u001b|\[\d+(;\d+)*m|\]0;/);
    assert.match(found.text, /PASSED test_add\nFAILED test_div - ZeroDivisionError\nwarning: 256 colours\ndone/);
    assert.deepEqual(found.colours, [
      ['PASSED', 'rgb(35, 209, 139)'],
      ['FAILED', 'rgb(241, 76, 76)'],
      ['ZeroDivisionError', 'rgb(255, 110, 110)'],
      ['warning:', 'rgb(245, 245, 67)'],
      ['256 colours', 'rgb(255, 135, 0)'],
      ['12 passed', 'rgb(35, 209, 139)'],
      ['1 failed', 'rgb(241, 76, 76)'],
    ]);
  });

  // Last: before formulas were bounded in depth, this crashed the page (Chromium lays out deep trees by recursion).
  it('shows formulas nested deep enough to crash the page as written, and the page goes on', async () => {
    const deep = [`$${'\\frac{1}{'.repeat(150)}x${'}'.repeat(150)}$`, `\\(\\def\\b#1{\\sqrt{#1}}\\def\\c#1{${'\\b{'.repeat(10)}#1${'}'.repeat(10)}}${'\\c{'.repeat(15)}x${'}'.repeat(15)}\\)`];
    const state: ChatState = { ...STATE, messages: [...STATE.messages, text('q9', 'user', 'Nest it'), text('a9', 'assistant', deep.join('\n\n'))] };
    await page.evaluate((message) => window.postMessage(message, '*'), { type: 'state/full', state } as HostToWebview);
    const answer = page.locator('.msg[data-message-id="a9"] .markdown');
    await answer.waitFor();
    const found = await answer.evaluate((root) => ({ written: [...root.querySelectorAll('.math-as-written')].map((el) => el.textContent), height: root.getBoundingClientRect().height }));
    assert.deepEqual(found.written, deep);
    assert.ok(found.height > 0 && found.height < 2000, `${found.height} px`);
  });
});

