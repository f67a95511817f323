/**
 * Loaded in Chromium before a chat webview bundle (bench/webview.ts): stands in for VS Code's
 * webview API, feeds host messages to the page as VS Code would, and times what the page does.
 * "Painted" is the first task after a frame's rendering: a message posted from a
 * requestAnimationFrame callback is handled once that frame has been produced.
 */

import { linkCodicons } from './codicons';

interface VsCodeApiStub {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

interface StreamResult {
  /** Delta arrival to the paint that first shows it, ms, one per delta. */
  latencies: number[];
  /** Longest stretch the main thread did not get to a queued task, ms (tasks and rendering alike). */
  longestTaskMs: number;
  /** Deltas whose text never showed. */
  missing: number;
}

declare global {
  interface Window {
    acquireVsCodeApi(): VsCodeApiStub;
    bench: {
      linkCodicons(css: string): Promise<void>;
      firstPaint(state: unknown, selector: string): Promise<number>;
      stream(threadId: string, runId: string, messageId: string, deltas: number, perSecond: number, probeTasks: boolean): Promise<StreamResult>;
    };
  }
}

window.acquireVsCodeApi = () => ({ postMessage: () => undefined, getState: () => undefined, setState: () => undefined });

function deliver(data: unknown): void {
  window.dispatchEvent(new MessageEvent('message', { data }));
}

/** Resolves (with its time) after the next frame has been rendered. */
function afterPaint(): Promise<number> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(undefined);
    });
  });
}

async function firstPaint(state: unknown, selector: string): Promise<number> {
  await afterPaint();
  const start = performance.now();
  deliver({ type: 'state/full', state });
  for (;;) {
    const painted = await afterPaint();
    if (document.querySelector(selector)) return painted - start;
  }
}

/**
 * Streams `deltas` text deltas ("w0 ", "w1 ", …) at `perSecond` into a new assistant message. With
 * `probeTasks` a task that re-posts itself measures the longest busy stretch; it takes CPU of its
 * own, so latencies are measured in a run without it.
 */
async function stream(threadId: string, runId: string, messageId: string, deltas: number, perSecond: number, probeTasks: boolean): Promise<StreamResult> {
  const now = Math.floor(Date.now() / 1000);
  const event = (e: unknown) => deliver({ type: 'run/event', threadId, runId, event: e });
  event({ type: 'run.updated', run: { id: runId, threadId, assistantId: 'asst_bench', status: 'in_progress', createdAt: now } });
  event({ type: 'message.created', message: { id: messageId, role: 'assistant', content: [], createdAt: now, runId, status: 'in_progress' } });
  await afterPaint();

  const sentAt: number[] = [];
  const latencies: number[] = [];
  let shown = -1;
  let done = false;

  // The longest gap between turns of a task that re-posts itself at once.
  let longest = 0;
  let last = performance.now();
  const ping = new MessageChannel();
  ping.port1.onmessage = () => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
    if (!done) ping.port2.postMessage(undefined);
  };
  if (probeTasks) ping.port2.postMessage(undefined);

  // Each frame: which delta does the message show now?
  const watch = (): void => {
    if (done) return;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const t = performance.now();
        const text = document.querySelector(`[data-message-id="${messageId}"]`)?.textContent ?? '';
        const match = /w(\d+)\s*$/.exec(text);
        const upTo = match ? Number(match[1]) : -1;
        for (let i = shown + 1; i <= upTo && i < sentAt.length; i++) latencies[i] = t - sentAt[i];
        shown = Math.max(shown, Math.min(upTo, sentAt.length - 1));
        watch();
      };
      channel.port2.postMessage(undefined);
    });
  };
  watch();

  const interval = 1000 / perSecond;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(deltas, Math.floor((performance.now() - start) / interval) + 1);
      while (sentAt.length < due) {
        const i = sentAt.length;
        sentAt.push(performance.now());
        event({ type: 'message.delta', messageId, index: 0, text: `w${i} ` });
      }
      if (sentAt.length < deltas) setTimeout(tick, Math.max(0, start + sentAt.length * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  const deadline = performance.now() + 2000;
  while (shown < deltas - 1 && performance.now() < deadline) await afterPaint();
  done = true;
  event({ type: 'run.updated', run: { id: runId, threadId, assistantId: 'asst_bench', status: 'completed', createdAt: now, completedAt: now + 2 } });
  const measured = latencies.filter((v) => v !== undefined);
  return { latencies: measured, longestTaskMs: longest, missing: deltas - measured.length };
}

window.bench = { linkCodicons, firstPaint, stream };

export {};
