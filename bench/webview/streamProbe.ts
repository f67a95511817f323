/**
 * Loaded in Chromium before a webview bundle (the chat's or the Compare panel's) by
 * bench/compare-streaming.ts: stands in for VS Code's webview API, delivers the host's messages as
 * VS Code does (one `message` event each), and times each streamed delta from its arrival to the
 * first painted frame that shows it. Deltas are words `w000 `, `w001 `, … so the frame can tell
 * which one an answer shows last. "Painted" is the first task after a frame's rendering, as in
 * probe.ts.
 */

import { linkCodicons } from './codicons';

interface VsCodeApiStub {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Where each stream's answer is drawn: a CSS selector, by stream key. */
type Targets = Record<string, string>;

declare global {
  interface Window {
    acquireVsCodeApi(): VsCodeApiStub;
    streamBench: {
      linkCodicons(css: string): Promise<void>;
      watch(targets: Targets): void;
      deliver(messages: { key?: string; data: unknown }[]): void;
      results(): { latencies: number[]; missing: number; delivered: number };
      stop(): void;
    };
  }
}

window.acquireVsCodeApi = () => ({ postMessage: () => undefined, getState: () => undefined, setState: () => undefined });

/** Per stream: when each word arrived, and how far the page has shown. */
const streams = new Map<string, { sentAt: number[]; shown: number }>();
const latencies: number[] = [];
let targets: Targets = {};
let watching = false;

/** The index of the word a message of the chat protocol streams, if it is a text delta. */
function wordOf(data: unknown): number | undefined {
  const event = (data as { message?: { event?: unknown }; event?: unknown }).message?.event ?? (data as { event?: unknown }).event;
  if (typeof event !== 'object' || event === null || (event as { type?: unknown }).type !== 'message.delta') return undefined;
  const match = /^w(\d{3}) $/.exec((event as { text: string }).text);
  return match ? Number(match[1]) : undefined;
}

function deliver(messages: { key?: string; data: unknown }[]): void {
  for (const { key, data } of messages) {
    const word = key === undefined ? undefined : wordOf(data);
    if (key !== undefined && word !== undefined) {
      const stream = streams.get(key) ?? { sentAt: [], shown: -1 };
      streams.set(key, stream);
      stream.sentAt[word] = performance.now();
    }
    window.dispatchEvent(new MessageEvent('message', { data }));
  }
}

/** Each frame: which word does each answer show now? Words shown for the first time get their latency. */
function watch(next: Targets): void {
  targets = next;
  if (watching) return;
  watching = true;
  const frame = (): void => {
    if (!watching) return;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const t = performance.now();
        for (const [key, selector] of Object.entries(targets)) {
          const stream = streams.get(key);
          if (!stream) continue;
          const answers = document.querySelectorAll(selector);
          const text = answers[answers.length - 1]?.textContent ?? '';
          const match = /w(\d{3})\s*$/.exec(text);
          const upTo = match ? Number(match[1]) : -1;
          for (let i = stream.shown + 1; i <= upTo; i++) if (stream.sentAt[i] !== undefined) latencies.push(t - stream.sentAt[i]);
          stream.shown = Math.max(stream.shown, upTo);
        }
        frame();
      };
      channel.port2.postMessage(undefined);
    });
  };
  frame();
}

function results(): { latencies: number[]; missing: number; delivered: number } {
  let delivered = 0;
  for (const stream of streams.values()) delivered += stream.sentAt.filter((v) => v !== undefined).length;
  return { latencies: [...latencies], missing: delivered - latencies.length, delivered };
}

window.streamBench = { linkCodicons, watch, deliver, results, stop: () => void (watching = false) };

export {};
