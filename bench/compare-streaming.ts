/**
 * Four columns streaming at once (`npm run bench:compare`): the Compare panel's page in Chromium
 * fed by a real comparison of four columns, each a chat session streaming its answer from the
 * fake server at the same time (about 200 deltas a second each, 800 in all), beside the chat view's
 * page fed by one chat session streaming the same answer, and beside the floor (bench/webview/
 * compareFloor.ts: a page that only writes each column's text, the wait for the next frame no
 * renderer avoids). Prints delta arrival to paint, p50 and p95 (target: p95 ≤ 16 ms with four
 * columns), for each, the median of the rounds with its range, and the load average. The host
 * side runs in this process, as the extension host would;
 * a delta's clock starts when the page receives it. Options: `--rounds N` (default 3), `--words N`
 * (deltas per answer, default 300). Needs Chromium, as the browser tiers do. Asserts nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createOpenAIClient } from '../src/backends/openaiClient';
import { ResponsesBackend } from '../src/backends/responses/responsesBackend';
import type { ChatState, HostToWebview } from '../src/common/protocol';
import type { Assistant } from '../src/common/model';
import { ChatSession } from '../src/core/chat/chatSession';
import type { ChatUpdate } from '../src/core/chat/chatSession';
import { CompareSession } from '../src/core/chat/compare';
import { nodeFileSystem } from '../src/core/workspace/fileSystem';
import { ThreadStore } from '../src/core/threads/threadStore';
import { BUILT_IN_PRICES } from '../src/core/runs/usage';
import { compareMessage } from '../src/host/chat/compareMessages';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';
import { bundleForBrowser, launchChromium } from '../test/support/browserBundle';
import { repoRoot } from '../test/support/codeServer';

const COLUMNS = 4;

/** What bench/webview/streamProbe.ts puts on the page's window (read inside `page.evaluate`). */
interface StreamBench {
  linkCodicons(css: string): Promise<void>;
  watch(targets: Record<string, string>): void;
  deliver(messages: { key?: string; data: unknown }[]): void;
  results(): { latencies: number[]; missing: number; delivered: number };
  stop(): void;
}
const DELTA_MS = 5;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

interface Figures {
  p50: number;
  p95: number;
  missing: number;
  deltas: number;
}

/** Messages to the page, delivered in order, one `evaluate` at a time (what arrived meanwhile goes in the next). */
class Delivery {
  private queue: { key?: string; data: unknown }[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly page: Page) {}

  send(data: unknown, key?: string): void {
    if (this.closed) return;
    this.queue.push({ key, data });
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      await this.page.evaluate((messages) => (globalThis as unknown as { streamBench: StreamBench }).streamBench.deliver(messages), batch);
    }
    this.flushing = undefined;
  }

  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** The round is measured: what the session says from now on (its threads deleted) is not sent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drained();
  }
}

const assistants: Assistant[] = Array.from({ length: COLUMNS }, (_, i) => ({ id: `workspace:bench-${i}`, name: `Bench ${i + 1}`, model: 'gpt-4.1-mini', tools: [], createdAt: 0 }));

function answer(words: number): string {
  return Array.from({ length: words }, (_, i) => `w${String(i).padStart(3, '0')} `).join('');
}

async function openStreamPage(browser: Browser, probe: string, bundle: string, css: string[], codicons: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.setContent('<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"></head><body><div id="app"></div></body></html>');
  for (const sheet of css) await page.addStyleTag({ content: sheet });
  await page.addScriptTag({ content: probe });
  await page.evaluate((text) => (globalThis as unknown as { streamBench: StreamBench }).streamBench.linkCodicons(text), codicons);
  await page.addScriptTag({ content: bundle });
  return page;
}

function figures(latencies: number[], missing: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), missing, deltas: latencies.length };
}

/** One chat session streaming one answer into the chat view's page. */
async function chatRound(page: Page, fake: FakeOpenAIServer, store: ThreadStore, backend: ResponsesBackend, words: number): Promise<Figures> {
  const delivery = new Delivery(page);
  await page.evaluate(() => (globalThis as unknown as { streamBench: StreamBench }).streamBench.watch({ chat: '.msg-assistant' }));
  let session: ChatSession | undefined = undefined;
  const state = (): ChatState => ({
    provider: { backend: 'responses', label: 'Fake server', mock: true, hasKey: true },
    assistant: { id: assistants[0].id, name: assistants[0].name, model: assistants[0].model },
    thread: session?.thread ? { id: session.thread.thread.id, title: session.thread.thread.title } : undefined,
    messages: session?.thread?.messages ?? [],
    runs: Object.fromEntries(Object.entries(session?.thread?.runs ?? {}).map(([id, record]) => [id, { run: record.run, steps: record.steps }])),
    activeRunId: session?.activeRunId,
    busy: session?.busy ?? false,
  });
  const toPage = (update: ChatUpdate): HostToWebview | undefined => {
    switch (update.type) {
      case 'thread':
        return { type: 'state/full', state: state() };
      case 'message':
        return { type: 'message/added', threadId: update.threadId, message: update.message };
      case 'run':
        return { type: 'run/event', threadId: update.threadId, runId: update.runId, event: update.event };
      case 'busy':
        return { type: 'run/busy', busy: update.busy };
      case 'waiting':
        return undefined;
    }
  };
  session = new ChatSession({
    store,
    connect: async () => backend,
    assistant: async () => assistants[0],
    toolHandler: { handle: async () => [] },
    driver: () => ({ preferStreaming: true }),
    onUpdate: (update) => {
      const message = toPage(update);
      if (message) delivery.send(message, 'chat');
    },
    onError: (error) => console.error(`chat: ${error.message}`),
  });
  delivery.send({ type: 'state/full', state: state() });
  fake.model.enqueue({ steps: [{ type: 'text', text: answer(words), chunkSize: 5, chunkDelayMs: DELTA_MS }] });
  await session.send('Stream a long answer, please.');
  await session.whenIdle();
  await delivery.drained();
  await page.waitForTimeout(300);
  const { latencies, missing } = await page.evaluate(() => (globalThis as unknown as { streamBench: StreamBench }).streamBench.results());
  await page.evaluate(() => (globalThis as unknown as { streamBench: StreamBench }).streamBench.stop());
  await delivery.close();
  session.dispose();
  return figures(latencies, missing);
}

/** A comparison of four columns, all streaming at once into the Compare panel's page. */
async function compareRound(page: Page, fake: FakeOpenAIServer, store: ThreadStore, backend: ResponsesBackend, words: number, answerOf: (column: number) => string): Promise<Figures> {
  const delivery = new Delivery(page);
  const variants = assistants.map((a) => ({ assistantId: a.id }));
  const comparison: CompareSession = new CompareSession(
    {
      store,
      connect: async () => backend,
      assistant: async (variant) => assistants.find((a) => a.id === variant.assistantId)!,
      toolHandler: { handle: async () => [] },
      driver: () => ({ preferStreaming: true }),
      prices: () => BUILT_IN_PRICES,
      onUpdate: (update) => {
        const message = compareMessage(comparison, update);
        if (message) delivery.send(message, 'column' in update ? `column ${update.column}` : undefined);
      },
    },
    variants,
  );
  delivery.send({
    type: 'compare/state',
    state: {
      assistants: assistants.map((a) => ({ id: a.id, name: a.name, model: a.model })),
      efforts: [],
      columns: variants.map((variant, i) => ({ label: assistants[i].name, variant, messages: [], runs: {}, metrics: {} })),
      attachments: [],
      running: false,
    },
  });
  const targets = Object.fromEntries(Array.from({ length: COLUMNS }, (_, i) => [`column ${i}`, answerOf(i)]));
  await page.evaluate((selectors) => (globalThis as unknown as { streamBench: StreamBench }).streamBench.watch(selectors), targets);
  fake.model.enqueue(...Array.from({ length: COLUMNS }, () => ({ steps: [{ type: 'text' as const, text: answer(words), chunkSize: 5, chunkDelayMs: DELTA_MS }] })));
  await comparison.ask('Stream a long answer, please.');
  await comparison.whenIdle();
  await delivery.drained();
  await page.waitForTimeout(300);
  const { latencies, missing } = await page.evaluate(() => (globalThis as unknown as { streamBench: StreamBench }).streamBench.results());
  await page.evaluate(() => (globalThis as unknown as { streamBench: StreamBench }).streamBench.stop());
  await delivery.close();
  await comparison.dispose();
  return figures(latencies, missing);
}

async function main(): Promise<void> {
  const rounds = option('rounds', 3);
  const words = Math.min(999, option('words', 300));
  const probe = await bundleForBrowser(path.join(__dirname, 'webview', 'streamProbe.ts'));
  const chatBundle = await bundleForBrowser(path.join(repoRoot, 'webview', 'main.ts'), repoRoot);
  const compareBundle = await bundleForBrowser(path.join(repoRoot, 'webview', 'compare', 'main.ts'), repoRoot);
  const floorBundle = await bundleForBrowser(path.join(__dirname, 'webview', 'compareFloor.ts'));
  const chatCss = fs.readFileSync(path.join(repoRoot, 'media', 'chat.css'), 'utf8');
  // The panel's stylesheet imports the chat's by URL, which a page made from strings cannot follow: both go in.
  const compareCss = fs.readFileSync(path.join(repoRoot, 'media', 'compare.css'), 'utf8').replace(/@import[^;]*;/, '');
  const codicons = fs.readFileSync(path.join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist', 'codicon.css'), 'utf8');
  const fake = await FakeOpenAIServer.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-compare-'));
  const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'FAKE-bench-notArealKEY', baseUrl: fake.baseUrl }));
  const browser = await launchChromium();
  const chat: Figures[] = [];
  const compare: Figures[] = [];
  const floor: Figures[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const chatPage = await openStreamPage(browser, probe, chatBundle, [chatCss], codicons);
      chat.push(await chatRound(chatPage, fake, new ThreadStore(nodeFileSystem, path.join(dir, `chat-${round}`)), backend, words));
      await chatPage.close();
      const comparePage = await openStreamPage(browser, probe, compareBundle, [chatCss, compareCss], codicons);
      compare.push(await compareRound(comparePage, fake, new ThreadStore(nodeFileSystem, path.join(dir, `compare-${round}`)), backend, words, (i) => `.compare-column[data-column="${i}"] .msg-assistant`));
      await comparePage.close();
      const floorPage = await openStreamPage(browser, probe, floorBundle, [], codicons);
      floor.push(await compareRound(floorPage, fake, new ThreadStore(nodeFileSystem, path.join(dir, `floor-${round}`)), backend, words, (i) => `.floor-answer[data-column="${i}"]`));
      await floorPage.close();
    }
  } finally {
    await browser.close();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const show = (values: number[]) => `${median(values).toFixed(1)} ms (${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)})`;
  const row = (name: string, all: Figures[]) =>
    console.log(`${name.padEnd(28)} p50 ${show(all.map((f) => f.p50)).padEnd(24)} p95 ${show(all.map((f) => f.p95)).padEnd(24)} ${median(all.map((f) => f.deltas))} deltas painted, ${median(all.map((f) => f.missing))} never shown`);
  console.log(`delta arrival to paint, ${rounds} rounds, ${words} deltas an answer at about ${1000 / DELTA_MS} a second each (target: p95 <= 16 ms)`);
  row('chat view, one answer', chat);
  row(`compare panel, ${COLUMNS} columns`, compare);
  row(`floor, ${COLUMNS} columns`, floor);
  console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
}

void main();
