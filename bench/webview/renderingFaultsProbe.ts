/**
 * Loaded in Chromium by bench/renderingFaults.ts: draws one input the way the chat page does (an
 * answer whole or as it streams, a question, a run's log and function output, every path server text
 * takes) and reports what the user would see of it, for the fault bench to judge.
 */
import type { Annotation, Message } from '../../src/common/model';
import { FileRequests } from '../../webview/files';
import { Figures } from '../../webview/render/figure';
import { MarkdownBlocks } from '../../webview/render/markdown';
import { redrawStreamingAnswer, renderMessage } from '../../webview/render/message';
import { renderRunBlock } from '../../webview/render/steps';
import { completedToolStep } from '../../test/unit/webview/renderingFaults';
import { chatRequester } from '../../test/unit/webview/chatRequests';
import type { DrawnAnswer, RenderingFaultsPage } from './renderingFaultsPage';
// Sets window.renderPaths and window.checkHtml: the XSS suite's drawing of every path, and its check.
import '../../test/unit/webview/xss/page';

declare global {
  interface Window {
    renderingFaults: RenderingFaultsPage['renderingFaults'];
  }
}

const figures = new Figures(new FileRequests(chatRequester()), () => undefined, () => 't1');
/** Where an input is drawn, in the page (the XSS suite's drawing replaces the page's body). */
function app(): HTMLElement {
  const found = document.getElementById('rendering-faults');
  if (found) return found;
  const el = Object.assign(document.createElement('div'), { id: 'rendering-faults' });
  document.body.append(el);
  return el;
}
const BLOCKS = 'p, li, h1, h2, h3, h4, h5, h6, td, th';

function facts(article: HTMLElement): DrawnAnswer {
  const body = article.querySelector<HTMLElement>('.markdown') ?? article;
  return {
    text: body.textContent ?? '',
    hrefs: Array.from(body.querySelectorAll('a[href]'), (a) => a.getAttribute('href') ?? ''),
    tex: Array.from(body.querySelectorAll('.katex annotation'), (a) => a.textContent ?? ''),
    code: Array.from(body.querySelectorAll('code'), (c) => c.textContent ?? ''),
    mangled: body.querySelectorAll('.math-tex em, .math-tex strong, code .katex, pre .katex').length,
    blocks: Array.from(body.querySelectorAll(BLOCKS), (el) => ({ tag: el.tagName.toLowerCase(), dir: el.getAttribute('dir') })),
    violations: window.checkHtml(body.innerHTML),
  };
}

const assistant = (text: string, annotations: Annotation[], status: Message['status']): Message => ({ id: 'm', role: 'assistant', createdAt: 1, status, content: [{ type: 'text', text, annotations }] });

window.renderingFaults = {
  answer(text, annotations) {
    const article = renderMessage(assistant(text, annotations, 'completed'), { assistantName: 'A', figures });
    app().replaceChildren(article);
    return facts(article);
  },
  streamed(text, ends) {
    const blocks = new MarkdownBlocks();
    const context = { assistantName: 'A', figures, streamingText: () => blocks };
    let previous = assistant('', [], 'in_progress');
    const article = renderMessage(previous, context);
    app().replaceChildren(article);
    return ends.map((end) => {
      const next = assistant(text.slice(0, end), [], 'in_progress');
      if (!redrawStreamingAnswer(article, previous, next, context)) throw new Error('the streaming answer was not redrawn in place');
      previous = next;
      return facts(article);
    });
  },
  question(text) {
    const article = renderMessage({ id: 'q', role: 'user', createdAt: 1, content: [{ type: 'text', text, annotations: [] }] }, { assistantName: 'A', figures });
    app().replaceChildren(article);
    const plain = article.querySelector('.msg-text-plain');
    return { text: plain?.textContent ?? '', dir: plain?.getAttribute('dir') ?? null };
  },
  run(text) {
    const step = completedToolStep([
      { type: 'code_interpreter', id: 'c', input: 'run()', outputs: [{ type: 'logs', logs: text }] },
      { type: 'function', id: 'f', name: 'run_tests', arguments: '{}', output: text },
      { type: 'mcp', id: 'm', serverLabel: 'ci', name: 'deploy', arguments: '{}', error: text },
    ]);
    const open = { runs: new Map([['r', true]]), items: new Map(['s/c', 's/f', 's/m'].map((k): [string, boolean] => [k, true])) };
    const block = renderRunBlock({ run: { id: 'r', threadId: 't1', assistantId: 'a', status: 'completed', createdAt: 1 }, steps: [step] }, undefined, open, figures);
    app().replaceChildren(block);
    const shown = Array.from(block.querySelectorAll('.step-logs, .step-ansi, .step-error'), (el) => el.textContent ?? '');
    // The terminal's 256 and true colours are set through the style object: a colour, nothing else.
    const colourOnly = (el: Element): boolean => /^(\s*(color|background-color): rgb\(\d+, \d+, \d+\);)+$/.test(el.getAttribute('style') ?? '');
    const styled = Array.from(block.querySelectorAll('[style]')).filter((el) => !colourOnly(el)).map((el) => `style on <${el.tagName.toLowerCase()}>`);
    const violations = [...window.checkHtml(block.innerHTML).filter((v) => !v.startsWith('style on <span>')), ...styled];
    return { shown, coloured: block.querySelectorAll('[class*="ansi-fg"], [class*="ansi-bg"], [style*="color"]').length, violations };
  },
};
