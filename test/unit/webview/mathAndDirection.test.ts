import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type * as MarkdownModule from '../../../webview/render/markdown';
import type * as MessageModule from '../../../webview/render/message';
import type * as FigureModule from '../../../webview/render/figure';
import type * as FilesModule from '../../../webview/files';
import { chatRequester } from './chatRequests';
import { INLINE_MATH, MATH_IN_CODE, RIGHT_TO_LEFT } from './renderingFaults';

/** Math and text direction in answers (happy-dom; the same kinds are drawn in Chromium by rendering.test.ts). */
describe('math and text direction in answers (DOM, happy-dom)', () => {
  let markdown: typeof MarkdownModule;
  let message: typeof MessageModule;
  let figures: FigureModule.Figures;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    // KaTeX refuses a page in quirks mode; the webview's page has a doctype, happy-dom's has no mode.
    // KaTeX looks once, when it loads: an earlier suite's page may have loaded it already, so it and
    // the modules that hold it load again here.
    Object.defineProperty(document, 'compatMode', { value: 'CSS1Compat', configurable: true });
    for (const key of Object.keys(require.cache)) {
      if (/[\\/]node_modules[\\/]katex[\\/]|[\\/]webview[\\/]render[\\/](markdown|message)\.ts$/.test(key)) delete require.cache[key];
    }
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals ??= () => ({ form: null, setFormValue: () => undefined });
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded once the DOM exists */
    markdown = require('../../../webview/render/markdown') as typeof MarkdownModule;
    message = require('../../../webview/render/message') as typeof MessageModule;
    const { Figures } = require('../../../webview/render/figure') as typeof FigureModule;
    const { FileRequests } = require('../../../webview/files') as typeof FilesModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    figures = new Figures(new FileRequests(chatRequester()), () => undefined, () => 't1');
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  // happy-dom's DOMPurify loses the first top-level element of what it sanitizes (a browser does
  // not): a paragraph goes first, so that the blocks under test are kept.
  const draw = (source: string): HTMLElement => {
    const el = document.createElement('div');
    el.append(markdown.renderMarkdown(`Lead.\n\n${source}`));
    return el;
  };
  const sources = (el: Element): (string | null)[] => Array.from(el.querySelectorAll('.katex annotation'), (a) => a.textContent);

  it('draws \\( \\) and $ math with KaTeX, keeping the source as written, with no emphasis inside', () => {
    for (const [text, tex] of INLINE_MATH.slice(0, 2)) {
      const el = draw(text);
      assert.deepEqual(sources(el), tex);
      assert.equal(el.querySelectorAll('em, strong').length, 0);
    }
  });

  it('leaves dollar amounts as text', () => {
    for (const text of ['It costs $5 and $10 for two.', 'Between $5 and $ 10, or $3.50 each.']) {
      const el = draw(text);
      assert.equal(el.querySelectorAll('.katex, .math-tex').length, 0, text);
      assert.equal(el.textContent?.trim(), `Lead.\n${text}`);
    }
  });

  it('never touches math delimiters inside code spans and code blocks, even when a dollar before them looks like an opening one', () => {
    for (const [text, code] of MATH_IN_CODE) {
      const el = draw(text);
      assert.equal(el.querySelectorAll('.katex, .math-tex').length, 0, text);
      assert.deepEqual(Array.from(el.querySelectorAll('code'), (c) => c.textContent), code);
    }
  });

  it('shows a formula KaTeX refuses as written, delimiters and backslashes included', () => {
    assert.deepEqual(Array.from(draw('Broken \\(\\frac{a}{\\) here').querySelectorAll('.math-as-written'), (el) => el.textContent), ['\\(\\frac{a}{\\)']);
    assert.deepEqual(Array.from(draw('And $\\href{javascript:alert(1)}{x} \\undefinedmacro$ too').querySelectorAll('.math-as-written'), (el) => el.textContent), ['$\\href{javascript:alert(1)}{x} \\undefinedmacro$']);
    assert.equal(draw('$\\href{javascript:alert(1)}{x}$').querySelectorAll('a').length, 0, 'no link from a formula');
  });

  it('shows a formula that would link, load or style as written, not as the command names KaTeX refuses', () => {
    const refused = ['$\\includegraphics{https://example.com/x.png}$', '\\(\\url{https://example.com}\\)', '$\\htmlClass{x}{y} + 1$', '$$\\href{https://example.com}{z}$$'];
    const el = draw(refused.join(' and '));
    assert.deepEqual(Array.from(el.querySelectorAll('.math-as-written'), (m) => m.textContent), refused);
    assert.equal(el.querySelectorAll('.katex, a, img').length, 0);
    for (const m of Array.from(el.querySelectorAll<HTMLElement>('.math-as-written'))) assert.match(m.title, /may not link to, load or style/);
  });

  it('shows a formula nested too deep to lay out as written, by its braces or by what its macros build', () => {
    // Chromium lays out an element tree some thousand deep by recursion, and the page crashes.
    const deep = [
      `$${'\\frac{1}{'.repeat(45)}x${'}'.repeat(45)}$`,
      `\\(${'x_{'.repeat(60)}y${'}'.repeat(60)}\\)`,
      `$\\def\\b#1{\\sqrt{#1}}\\def\\c#1{${'\\b{'.repeat(10)}#1${'}'.repeat(10)}}${'\\c{'.repeat(15)}x${'}'.repeat(15)}$`,
    ];
    const el = draw(deep.join('\n\n'));
    assert.deepEqual(Array.from(el.querySelectorAll('.math-as-written'), (m) => m.textContent), deep);
    assert.deepEqual(Array.from(el.querySelectorAll<HTMLElement>('.math-as-written'), (m) => m.title), ['The formula nests deeper than 40 levels.', 'The formula nests deeper than 40 levels.', 'The formula nests too deep to draw.']);
    // As deep as real formulas go, it is drawn.
    assert.equal(draw(`$${'\\frac{1}{'.repeat(8)}x${'}'.repeat(8)}$`).querySelectorAll('.katex').length, 1);
  });

  it('draws the first 500 formulas of an answer and shows the rest as written, whole or streamed block by block', () => {
    const text = Array.from({ length: 504 }, (_, i) => `Step ${i}: $x_{${i % 7}}$ and \\(y\\)`).join('\n\n');
    const whole = draw(text);
    assert.equal(whole.querySelectorAll('.katex').length, markdown.MAX_FORMULAS);
    const written = Array.from(whole.querySelectorAll<HTMLElement>('.math-as-written'));
    // The lead paragraph holds none; 1,008 formulas, 500 drawn.
    assert.equal(written.length, 1008 - markdown.MAX_FORMULAS);
    // The 501st formula, the first of step 250.
    assert.equal(written[0].textContent, '$x_{5}$');
    assert.match(written[0].title, /first 500 formulas/);
    const blocks = new markdown.MarkdownBlocks();
    const container = document.createElement('div');
    for (const end of [text.length / 3, (2 * text.length) / 3, text.length]) blocks.render(container, `Lead.\n\n${text.slice(0, Math.round(end))}`, end === text.length);
    assert.equal(container.querySelectorAll('.katex').length, markdown.MAX_FORMULAS);
    assert.equal(container.querySelectorAll('.math-as-written').length, 1008 - markdown.MAX_FORMULAS);
  });

  it('leaves a display block that is not closed before a blank line as text, so the rest of the answer stays Markdown', () => {
    for (const open of ['$$\nx = 1', '$$ x = 1', '\\[\nx = 1']) {
      const el = draw(`${open}\n\nMore **bold** text.\n\n- a list`);
      assert.equal(el.querySelectorAll('.katex, .math-tex').length, 0, open);
      assert.equal(el.querySelector('strong')?.textContent, 'bold', open);
      assert.equal(el.querySelector('li')?.textContent, 'a list', open);
    }
    // Streamed half-way: text until it closes, then a formula.
    assert.equal(draw('$$\n\\frac{a}{b}').querySelectorAll('.katex').length, 0);
    assert.deepEqual(sources(draw('$$\n\\frac{a}{b}\n$$')), ['\\frac{a}{b}\n']);
  });

  it('keeps a \\( not closed yet (still streaming, or never) as written, backslash included; one before words alone is an escaped bracket', () => {
    const cases: [string, string][] = [
      ['Roots of \\(a_1 x^2 + b_1 x = 0', 'Roots of \\(a_1 x^2 + b_1 x = 0'],
      ['So \\(\\frac{a}{b} and then **bold** text.', 'So \\(\\frac{a}{b} and then bold text.'],
    ];
    for (const [text, shown] of cases) {
      const el = draw(text);
      assert.equal(el.querySelectorAll('.katex, .math-tex').length, 0, text);
      assert.equal(el.textContent?.trim(), `Lead.\n${shown}`);
    }
    assert.equal(draw('As written \\(sic) here.').textContent?.trim(), 'Lead.\nAs written (sic) here.');
  });

  it('draws $$…$$ and \\[…\\] written inside a paragraph as display math, and leaves amounts and escaped brackets alone', () => {
    const el = draw(INLINE_MATH[2][0]);
    assert.deepEqual(sources(el), INLINE_MATH[2][1]);
    assert.equal(el.querySelectorAll('p .math-display .katex-display').length, 2);
    for (const text of ['It costs $$5 and $$10.', 'Marked \\[citation needed\\] here.', 'Code `$$x$$` stays.']) {
      assert.equal(draw(text).querySelectorAll('.katex').length, 0, text);
    }
  });

  it('gives each list item its own direction and each list the direction of its first letter', () => {
    const arabic = draw(RIGHT_TO_LEFT[0]);
    assert.equal(arabic.querySelector('ul')?.getAttribute('dir'), 'rtl');
    assert.deepEqual(Array.from(arabic.querySelectorAll('li'), (li) => li.getAttribute('dir')), ['auto', 'auto']);
    const english = draw(RIGHT_TO_LEFT[1]);
    assert.equal(english.querySelector('ol')?.getAttribute('dir'), 'ltr', 'code does not decide the direction');
    // Code spans carry their own direction, which `dir="auto"` skips (the effect is checked in Chromium).
    assert.deepEqual(Array.from(draw('`npm` يثبت الحزم و `x`').querySelectorAll('code'), (c) => c.getAttribute('dir')), ['ltr', 'ltr']);
  });

  it('lays a question out line by line in its own direction, and keeps code and formulas left to right', () => {
    const question = message.renderMessage({ id: 'q', role: 'user', createdAt: 1, content: [{ type: 'text', text: 'ما هو 2+2؟\nIn English too.', annotations: [] }] }, { assistantName: 'A', figures });
    assert.equal(question.querySelector('.msg-text-plain')?.getAttribute('dir'), 'auto');
    const answer = draw('```\nconst x = 1;\n```\n\nنص \\(x^2\\)');
    assert.equal(answer.querySelector('pre')?.getAttribute('dir'), 'ltr');
    assert.equal(answer.querySelector('.math-tex')?.getAttribute('dir'), 'ltr');
  });
});
