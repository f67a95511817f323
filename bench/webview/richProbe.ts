/**
 * Loaded in Chromium by bench/rich-answers.ts, bundled against a checkout's webview (the current one
 * or a baseline's): streams an answer into one chat message as the transcript does (drawn, then
 * redrawn in place at each delta) and times each delta's draw, then the layout it forces; and times
 * drawing a whole answer once, and a run whose logs and outputs are terminal text.
 */
import type { ChatRequests, WebviewToHost } from '../../src/common/protocol';
import type { Message } from '../../src/common/model';
import { Requester } from '../../src/common/requests';
import { FileRequests } from '../../webview/files';
import { Figures } from '../../webview/render/figure';
import { MarkdownBlocks } from '../../webview/render/markdown';
import { redrawStreamingAnswer, renderMessage } from '../../webview/render/message';
import { renderRunBlock } from '../../webview/render/steps';
import { completedToolStep } from '../../test/unit/webview/renderingFaults';

interface StreamTimes {
  /** Per delta: the draw (ms), and the layout it forced after (ms). */
  draw: number[];
  layout: number[];
}

declare global {
  interface Window {
    richBench: {
      stream(text: string, deltaChars: number): StreamTimes;
      drawRun(logs: string, outputs: string[]): number;
      drawAnswer(text: string): number;
    };
  }
}

const requester = new Requester<ChatRequests>({ send: (_: WebviewToHost) => undefined, timeoutsMs: { 'chat/send': 15_000, 'chat/retry': 15_000, 'file/read': 20_000 }, timers: { set: () => undefined, clear: () => undefined } });
const figures = new Figures(new FileRequests(requester), () => undefined, () => 't1');
const app = (): HTMLElement => document.getElementById('app') as HTMLElement;

window.richBench = {
  stream(text, deltaChars) {
    app().replaceChildren();
    const blocks = new MarkdownBlocks();
    const context = { assistantName: 'A', figures, streamingText: () => blocks };
    const at = (end: number): Message => ({ id: 'm', role: 'assistant', createdAt: 1, status: 'in_progress', content: [{ type: 'text', text: text.slice(0, end), annotations: [] }] });
    let previous = at(0);
    const article = renderMessage(previous, context);
    app().append(article);
    const times: StreamTimes = { draw: [], layout: [] };
    for (let end = deltaChars; end < text.length + deltaChars; end += deltaChars) {
      const next = at(Math.min(end, text.length));
      const start = performance.now();
      if (!redrawStreamingAnswer(article, previous, next, context)) throw new Error('the streaming answer was not redrawn in place');
      const drawn = performance.now();
      void article.getBoundingClientRect().height;
      times.draw.push(drawn - start);
      times.layout.push(performance.now() - drawn);
      previous = next;
    }
    return times;
  },

  drawAnswer(text) {
    app().replaceChildren();
    const start = performance.now();
    app().append(renderMessage({ id: 'm', role: 'assistant', createdAt: 1, status: 'completed', content: [{ type: 'text', text, annotations: [] }] }, { assistantName: 'A', figures }));
    void app().getBoundingClientRect().height;
    return performance.now() - start;
  },

  drawRun(logs, outputs) {
    app().replaceChildren();
    const step = completedToolStep([
      { type: 'code_interpreter', id: 'c', input: 'run()', outputs: [{ type: 'logs', logs }] },
      ...outputs.map((output, i) => ({ type: 'function' as const, id: `f${i}`, name: 'run_tests', arguments: '{}', output })),
    ]);
    const open = { runs: new Map([['r', true]]), items: new Map([['s/c', true], ...outputs.map((_, i): [string, boolean] => [`s/f${i}`, true])]) };
    const start = performance.now();
    app().append(renderRunBlock({ run: { id: 'r', threadId: 't1', assistantId: 'a', status: 'completed', createdAt: 1 }, steps: [step] }, undefined, open, figures));
    void app().getBoundingClientRect().height;
    return performance.now() - start;
  },
};
