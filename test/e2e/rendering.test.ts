import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

const MATH_AND_RTL = [
  'The roots of \\(ax^2 + bx + c = 0\\) are',
  '\\[x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}\\]',
  'with $x_1 x_2 = c/a$, and it costs $5 and $10.',
  '',
  'مرحباً! هذه إجابة باللغة العربية.',
  '',
  'And this paragraph is English.',
].join('\n');

/** The page's own view of what the test asks about (the test project has no DOM types). */
interface Drawn {
  formulas: number;
  displays: number;
  asWritten: number;
  displayHeight: number;
  fontLoaded: boolean;
  directions: string[];
}

// Inside VS Code's webview, under its Content Security Policy: the KaTeX stylesheet and fonts load
// from the extension, KaTeX's sizes apply, and the theme's terminal colours reach the logs.
describe('math, right-to-left text and ANSI colours in the chat view (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let fake: FakeOpenAIServer;
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('rendering', 'responses', (started) => ({ fake, workbench } = started), { 'assistants.tools.codeInterpreter': true });

  before(async () => {
    chat = workbench.chatFrame();
  });

  it('draws math with KaTeX and lays Arabic out right to left', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: MATH_AND_RTL, chunkSize: 12 }] });
    await workbench.ask('Solve the quadratic');
    await workbench.statusIs('Completed');
    const answer = chat.locator('.msg-assistant').last().locator('.markdown');
    await answer.locator('.katex-display').waitFor({ timeout: 30_000 });
    // No helper functions inside: the test bundler would name them with a helper the page lacks.
    const drawn = (await answer.evaluate(async (root) => {
      const page = root.ownerDocument;
      await (page as unknown as { fonts: { ready: Promise<unknown> } }).fonts.ready;
      const view = page.defaultView as unknown as { getComputedStyle(e: unknown): { direction: string } };
      return {
        formulas: root.querySelectorAll('.katex').length,
        displays: root.querySelectorAll('.katex-display').length,
        asWritten: root.querySelectorAll('.math-as-written').length,
        displayHeight: root.querySelector('.katex-display .katex-html')?.getBoundingClientRect().height ?? 0,
        fontLoaded: (page as unknown as { fonts: { check(font: string): boolean } }).fonts.check('20px KaTeX_Main'),
        directions: Array.from(root.querySelectorAll(':scope > p'), (p) => view.getComputedStyle(p).direction),
      };
    })) as Drawn;
    await answer.scrollIntoViewIfNeeded();
    await workbench.screenshotSideBar('math-and-rtl');
    assert.equal(drawn.formulas, 3, JSON.stringify(drawn));
    assert.equal(drawn.displays, 1);
    assert.equal(drawn.asWritten, 0);
    assert.ok(drawn.displayHeight > 30, `KaTeX's stylesheet applies: the fraction stands on two levels (${drawn.displayHeight} px)`);
    assert.ok(drawn.fontLoaded, "KaTeX's font loaded through the webview's policy");
    assert.deepEqual(drawn.directions, ['ltr', 'ltr', 'rtl', 'ltr']);
    assert.match(await answer.innerText(), /it costs \$5 and \$10\./);
  });

  it('shows code-interpreter logs in the terminal colours of the theme, with no escape sequence', async () => {
    fake.model.enqueue({
      steps: [
        { type: 'code_interpreter', code: 'run_checks()', logs: '\u001b[0;32mPASSED\u001b[0m test_add\n\u001b[0;31mFAILED\u001b[0m test_div' },
        { type: 'text', text: 'One check failed.' },
      ],
    });
    await workbench.ask('Run the checks with python code');
    await workbench.statusIs('Completed');
    await workbench.unfoldLastSteps();
    const step = chat.locator('.run-block').last().locator('.step').filter({ hasText: 'Code interpreter' }).last();
    await step.locator('summary').click();
    const logs = step.locator('.step-logs');
    await logs.waitFor({ timeout: 30_000 });
    await logs.scrollIntoViewIfNeeded();
    await workbench.screenshotSideBar('ansi-logs');
    assert.equal(await logs.innerText(), 'PASSED test_add\nFAILED test_div');
    const colours = await logs.locator('span').evaluateAll((spans) =>
      spans.map((span) => [span.textContent, (span.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(span).color]),
    );
    const plain = await logs.evaluate((el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
    assert.deepEqual(colours.map(([text]) => text), ['PASSED', 'FAILED']);
    for (const [text, colour] of colours) assert.notEqual(colour, plain, `${String(text)} is coloured by the theme`);
    assert.notEqual(colours[0][1], colours[1][1], 'green and red differ');
  });

  it('at 300 px: math inside a paragraph and a display block streamed open, right-to-left blocks that start with code, a progress log', async () => {
    const answer = [
      '`npm install` يثبت الحزم المطلوبة.',
      '',
      '- `pip` أداة بايثون',
      '- An English item',
      '',
      'The energy $$E = mc^2$$ holds, and \\[\\sum_{i=1}^n i\\] too; it costs $5 and $10.',
      '',
      '$$',
      '\\frac{a}{b}',
      '$$',
      '',
      'Kept as written: \\(\\includegraphics{https://example.com/x.png}\\).',
    ].join('\n');
    const logs = 'Downloading  10%\r\u001b[32mDownloading 100%\u001b[0m\nlayer a: 10%\nlayer b: 20%\n\u001b[2A\u001b[2Klayer a: \u001b[38:2::35:209:139mdone\u001b[0m\n\u001b[2Klayer b: done\n';
    fake.model.enqueue({ steps: [{ type: 'code_interpreter', code: 'pip install numpy', logs }, { type: 'text', text: answer, chunkSize: 5, chunkDelayMs: 5 }] });
    const width = await workbench.setSideBarWidth(300);
    await workbench.ask('Install and explain, with python code');
    await workbench.statusIs('Completed');
    const message = chat.locator('.msg-assistant').last().locator('.markdown');
    await message.locator('.katex-display').nth(2).waitFor({ timeout: 30_000 });
    const drawn = await message.evaluate((root) => {
      const view = root.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { direction: string; listStylePosition: string } };
      return {
        paragraph: view.getComputedStyle(root.querySelector('p')).direction,
        items: Array.from(root.querySelectorAll('li') as unknown as ArrayLike<unknown>, (li) => `${view.getComputedStyle(li).direction} ${view.getComputedStyle(li).listStylePosition}`),
        displays: root.querySelectorAll('.katex-display').length,
        asWritten: Array.from(root.querySelectorAll('.math-as-written') as unknown as ArrayLike<{ textContent: string | null }>, (el) => el.textContent),
        text: (root as unknown as { innerText: string }).innerText,
      };
    });
    await message.scrollIntoViewIfNeeded();
    await workbench.screenshotSideBar('math-rtl-300px');
    assert.ok(width <= 310, `side bar ${width} px`);
    assert.equal(drawn.paragraph, 'rtl', 'a paragraph that starts with code takes the direction of its words');
    assert.deepEqual(drawn.items, ['rtl outside', 'ltr inside']);
    assert.equal(drawn.displays, 3, 'two display formulas inside the paragraph and the block streamed open then closed');
    assert.deepEqual(drawn.asWritten, ['\\(\\includegraphics{https://example.com/x.png}\\)']);
    assert.match(drawn.text, /it costs \$5 and \$10\./);
    await workbench.unfoldLastSteps();
    const step = chat.locator('.run-block').last().locator('.step').filter({ hasText: 'Code interpreter' }).last();
    await step.locator('summary').click();
    const log = step.locator('.step-logs');
    await log.waitFor({ timeout: 30_000 });
    await log.scrollIntoViewIfNeeded();
    await workbench.screenshotSideBar('progress-log-300px');
    assert.equal(await log.innerText(), 'Downloading 100%\nlayer a: done\nlayer b: done\n');
    assert.equal(await log.locator('span').last().evaluate((span) => (span as unknown as { style: { color: string } }).style.color), 'rgb(35, 209, 139)');
  });
});

