/**
 * Runs in Chromium (bundled by markdownBlocks.test.ts): a streaming answer drawn block by block
 * beside the same text drawn whole.
 */
import { MarkdownBlocks, renderMarkdown, splitBlocks } from '../../../../webview/render/markdown';
import type { Message } from '../../../../src/common/model';
import { redrawStreamingAnswer, renderMessage } from '../../../../webview/render/message';
import { FileRequests } from '../../../../webview/files';
import { Figures } from '../../../../webview/render/figure';
import { chatRequester } from '../chatRequests';

/** One step of a stream: the HTML drawn block by block, and the HTML of the whole prefix drawn at once. */
interface Step {
  prefix: string;
  streamed: string;
  whole: string;
}

declare global {
  interface Window {
    splitBlocks(source: string): string[] | undefined;
    /** Each block rendered alone, joined, beside the whole rendered at once. */
    blocksJoined(source: string): { joined: string; whole: string };
    /** Streams `source` in pieces of the given lengths (repeated) and compares each step; the last step is final. */
    stream(source: string, pieces: number[]): Step[];
    /** Whether the first block's node is still the same object after more text streamed in. */
    keepsStableNodes(first: string, more: string): boolean;
    /** Whether the first element `selector` finds is still the same object (and in the page) after more text streamed in. */
    keepsElement(first: string, more: string, selector: string): boolean;
    /** A streaming answer drawn by renderMessage twice, then final: code headers per block, highlighted or not. */
    codeHeaders(texts: string[]): { headers: number; highlighted: boolean }[];
  }
}

const figures = new Figures(new FileRequests(chatRequester()), () => undefined, () => 't1');

function html(fragment: DocumentFragment): string {
  const div = document.createElement('div');
  div.append(fragment);
  return div.innerHTML;
}

/** The highlighter's spans removed: a streaming answer's last block is drawn before its code is highlighted. */
function unhighlighted(markup: string): string {
  return markup.replace(/<span class="hljs[^"]*">/g, '').replace(/<\/span>/g, '');
}

window.splitBlocks = splitBlocks;

window.blocksJoined = (source) => ({
  joined: (splitBlocks(source) ?? [source]).map((block) => html(renderMarkdown(block))).join(''),
  whole: html(renderMarkdown(source)),
});

window.stream = (source, pieces) => {
  const blocks = new MarkdownBlocks();
  const container = document.createElement('div');
  const steps: Step[] = [];
  let at = 0;
  for (let i = 0; at < source.length; i++) {
    at = Math.min(source.length, at + pieces[i % pieces.length]);
    const prefix = source.slice(0, at);
    const final = at === source.length;
    blocks.render(container, prefix, final);
    const streamed = container.innerHTML;
    const whole = html(renderMarkdown(prefix));
    steps.push({ prefix, streamed: final ? streamed : unhighlighted(streamed), whole: final ? whole : unhighlighted(whole) });
  }
  return steps;
};

window.keepsStableNodes = (first, more) => {
  const blocks = new MarkdownBlocks();
  const container = document.createElement('div');
  blocks.render(container, first, false);
  const before = container.firstChild;
  blocks.render(container, first + more, false);
  return before !== null && before === container.firstChild;
};

window.keepsElement = (first, more, selector) => {
  const blocks = new MarkdownBlocks();
  const container = document.createElement('div');
  blocks.render(container, first, false);
  const before = container.querySelector(selector);
  blocks.render(container, first + more, false);
  return before !== null && before === container.querySelector(selector) && container.contains(before);
};

window.codeHeaders = (texts) => {
  const blocks = new MarkdownBlocks();
  const message = (text: string, status: 'in_progress' | 'completed'): Message => ({ id: 'm', role: 'assistant', createdAt: 1, status, content: [{ type: 'text', text, annotations: [] }] });
  const context = { assistantName: 'A', figures, streamingText: () => blocks };
  let previous = message(texts[0], 'in_progress');
  let el = renderMessage(previous, context);
  return texts.map((text, i) => {
    const next = message(text, i === texts.length - 1 ? 'completed' : 'in_progress');
    if (i > 0 && !redrawStreamingAnswer(el, previous, next, context)) el = renderMessage(next, context);
    previous = next;
    return { headers: el.querySelectorAll('.code-header').length, highlighted: el.querySelector('.hljs-keyword') !== null };
  });
};
