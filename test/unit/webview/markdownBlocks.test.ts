import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bundleForBrowser, launchChromium, openPage } from '../../support/browserBundle';
import { citationMark } from '../../../webview/citations';

/** Answers as models write them: every kind of block, and the ways a stream can cut one. */
const CORPUS: string[] = [
  'Just one paragraph, with **bold**, `code` and a link to https://example.com/a.',
  'First paragraph.\n\nSecond paragraph\nwith a soft break.\n\nThird.',
  '# Heading\n\nText under it.\n\n## Second heading\n\nMore text.',
  'A setext heading\n================\n\nAnd a paragraph\n---\n\nthat became one too.',
  'Steps:\n\n- one\n- two\n- three\n\nThen:\n\n1. first\n2. second\n\nDone.',
  'A loose list:\n\n- one\n\n- two\n\n  still two, indented\n\n- three\n\nafter the list.',
  '3. starts at three\n4. four\n\n* nested:\n  - inner a\n  - inner b\n* outer',
  'Code:\n\n```ts\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n```\n\nAfter the code.',
  'Two fences:\n\n```python\nprint("a")\n```\n\n```bash\necho b\n```\n',
  'A fence never closed:\n\n```js\nconst x = 1;\nconsole.log(x);\n',
  'A long fence holding a short one:\n\n````md\n```\ninner\n```\n````\n\ntext',
  'Tildes:\n\n~~~\nplain code\n~~~\n\nand\n\n    indented code\n    second line\n\nend.',
  '| Name | Count |\n|------|------:|\n| a    | 1     |\n| b    | 2     |\n\nBelow the table.',
  'Table right after text\n| a | b |\n|---|---|\n| 1 | 2 |',
  '> A quote\nlazy continuation\n> and more\n\nNot quoted.',
  'Before the rule\n\n---\n\nAfter the rule. ***Emphasis*** and _under_.',
  `Cited here.${citationMark(1)} And again${citationMark(2)}.\n\n- item with a mark${citationMark(1)}\n\n\`\`\`\ncode ${citationMark(3)}\n\`\`\``,
  'Windows line ends\r\nin this paragraph.\r\n\r\nSecond one.\r\n',
  'See [the docs][docs] for more.\n\n[docs]: https://example.com/docs "Docs"\n\nMore text.',
  'Escaped <b>html</b> & <script>alert(1)</script> stays text.\n\n<div onclick="x">block html</div>\n\ndone',
  'Text with trailing spaces  \nhard break.\n\n\n\nMany blank lines above.',
  '1) paren list\n2) second\n\n- [link](https://example.com/x) in a list\n- ![image](https://example.com/i.png)',
  'Math $a^2$ and \\(b_1\\), $$c$$ inline.\n\n$$\n\\frac{x}{y}\n$$\n\n1. $d$ one\n2. \\[e = 1\\] two\n3. three $f$\n\n| $g$ | h |\n|---|---|\n| \\(i\\) | j |',
  'عربي `code` هنا.\n\n- `npm` يثبت\n- English item\n\n> `x` اقتباس $y$',
];

const PIECES: number[][] = [[1], [3, 7, 2], [17], [5, 40, 1, 11]];

describe('Markdown drawn block by block while it streams (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    page = await openPage(browser, await bundleForBrowser(path.join(__dirname, 'blocks', 'page.ts')));
  });

  after(async () => {
    await browser?.close();
  });

  it('renders each block alone to the HTML of the whole text', async () => {
    for (const source of CORPUS) {
      const { joined, whole } = await page.evaluate((s) => window.blocksJoined(s), source);
      assert.equal(joined, whole, JSON.stringify(source));
    }
  });

  it('splits into one block per paragraph, list, table and fence, and not at all across a link reference definition', async () => {
    const blocks = await page.evaluate((s) => window.splitBlocks(s), CORPUS[4]);
    // A list keeps the blank line after it: a following indented line could still belong to it.
    assert.deepEqual(blocks, ['Steps:\n', '- one\n- two\n- three\n\n', 'Then:\n', '1. first\n2. second\n\n', 'Done.']);
    assert.equal(await page.evaluate((s) => window.splitBlocks(s), CORPUS[18]), undefined);
  });

  it('gives the DOM of a full render at every step of a stream, for every way of cutting it', async () => {
    for (const source of CORPUS) {
      for (const pieces of PIECES) {
        const steps = await page.evaluate(([s, p]) => window.stream(s, p), [source, pieces] as const);
        for (const step of steps) assert.equal(step.streamed, step.whole, `${JSON.stringify(step.prefix)} (pieces ${pieces.join(',')})`);
      }
    }
  });

  it('keeps the nodes of blocks a delta did not change', async () => {
    assert.equal(await page.evaluate(() => window.keepsStableNodes('First paragraph.\n\nSecond', ' paragraph grows.')), true);
    // The last block's elements stay while only its text grows (the browser need not style them anew)...
    assert.equal(await page.evaluate(() => window.keepsStableNodes('A paragraph with **bold** words', ' that grows.')), true);
    // ...but a paragraph that becomes a heading is drawn again.
    assert.equal(await page.evaluate(() => window.keepsStableNodes('Still last', '\n---\n')), false);
  });

  it('keeps the items, rows and formulas a list or table already has when it gains one', async () => {
    const kept = await page.evaluate(() => [
      window.keepsElement('1. $a_1$ one\n2. $a_2$ two', '\n3. $a_3$ three', 'li'),
      window.keepsElement('1. $a_1$ one\n2. $a_2$ two', '\n3. $a_3$ three', '.katex'),
      window.keepsElement('| n | $n^2$ |\n|---|---|\n| 1 | $1$ |', '\n| 2 | $4$ |', 'td .katex'),
      window.keepsElement('- `a` عربي\n- `b` ب', '\n- `c` ج', 'li code'),
    ]);
    assert.deepEqual(kept, [true, true, true, true]);
  });

  it('highlights a code block once it is closed and followed, or the answer is final; its header is added once', async () => {
    const open = 'Code:\n\n```ts\nconst a = 1;\n';
    const closed = `${open}\`\`\`\n`;
    const followed = `${closed}\nAfter.`;
    const states = await page.evaluate((texts) => window.codeHeaders(texts), [open, closed, followed, followed, closed]);
    assert.deepEqual(states, [
      { headers: 1, highlighted: false },
      { headers: 1, highlighted: false },
      { headers: 1, highlighted: true },
      { headers: 1, highlighted: true },
      { headers: 1, highlighted: true },
    ]);
  });
});
