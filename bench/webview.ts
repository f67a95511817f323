/**
 * The chat webview's speed in Chromium: the renderer as it was before virtualization (the baseline
 * commit below, taken from git) and the current one, side by side on the same inputs.
 *
 *  (a) delta arrival to paint, p50/p95, streaming 200 deltas a second into a 2,000-message thread;
 *  (b) first paint of a 2,000-message thread (and of a 200-message one);
 *  (c) the longest main-thread task while streaming into the 2,000-message thread.
 * Targets: (a) p95 ≤ 16 ms, (b) ≤ 150 ms, (c) ≤ 50 ms.
 *
 * Run with `npm run bench:webview` (needs Chromium, as the browser tiers do, and the git history).
 * Prints; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { Message, RunStep } from '../src/core/model';
import type { ChatState, RunView } from '../src/common/protocol';
import { bundleForBrowser, launchChromium, openPage } from '../test/support/browserBundle';
import { repoRoot } from '../test/support/codeServer';

/** The last commit with the renderer that copied every message per delta and drew every entry. */
const BASELINE = '5e82a9e9b970f7b2df4818e1cf254acae62e06b8';
const REPETITIONS = 3;
const DELTAS = 400;
const DELTAS_PER_SECOND = 200;
const THREAD_ID = 'thr_bench';

interface Renderer {
  name: string;
  script: string;
  css: string;
}

/** What bench/webview/probe.ts puts on the page's window. */
interface BenchPage {
  bench: {
    firstPaint(state: unknown, selector: string): Promise<number>;
    stream(threadId: string, runId: string, messageId: string, deltas: number, perSecond: number, probeTasks: boolean): Promise<{ latencies: number[]; longestTaskMs: number; missing: number }>;
  };
}

interface Figures {
  firstPaint2000: number[];
  firstPaint200: number[];
  latencies: number[];
  longestTask: number[];
  missing: number;
}

async function main(): Promise<void> {
  const probe = await bundleForBrowser(path.join(__dirname, 'webview', 'probe.ts'));
  const renderers = [await baselineRenderer(), await currentRenderer()];
  const codicons = fs.readFileSync(path.join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist', 'codicon.css'), 'utf8');
  const big = thread(2000);
  const small = thread(200);
  const browser = await launchChromium();
  const results = new Map<string, Figures>();
  try {
    for (const renderer of renderers) {
      const figures: Figures = { firstPaint2000: [], firstPaint200: [], latencies: [], longestTask: [], missing: 0 };
      for (let i = 0; i < REPETITIONS; i++) {
        await measure(browser, renderer, probe, codicons, big, small, figures);
        process.stdout.write('.');
      }
      results.set(renderer.name, figures);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write('\n');
  print(renderers.map((r) => r.name), results);
}

async function measure(browser: Browser, renderer: Renderer, probe: string, codicons: string, big: ChatState, small: ChatState, figures: Figures): Promise<void> {
  const open = () => openPage(browser, `${probe}\n${renderer.script}`, { styles: [codicons, renderer.css], width: 400, height: 900 });
  const page = await open();
  figures.firstPaint2000.push(await page.evaluate((state) => (globalThis as unknown as BenchPage).bench.firstPaint(state, '.msg'), big));
  await page.waitForTimeout(500);
  // Latencies in one answer, the longest task in a second one: the task probe costs CPU of its own.
  for (const probeTasks of [false, true]) {
    const streamed = await page.evaluate(
      ([threadId, deltas, rate, probe, id]) => (globalThis as unknown as BenchPage).bench.stream(threadId, `run_bench_${id}`, `msg_bench_${id}`, deltas, rate, probe),
      [THREAD_ID, DELTAS, DELTAS_PER_SECOND, probeTasks, probeTasks ? 'probe' : 'live'] as const,
    );
    if (probeTasks) figures.longestTask.push(streamed.longestTaskMs);
    else figures.latencies.push(...streamed.latencies);
    figures.missing += streamed.missing;
    await page.waitForTimeout(300);
  }
  await page.close();

  const second = await open();
  figures.firstPaint200.push(await second.evaluate((state) => (globalThis as unknown as BenchPage).bench.firstPaint(state, '.msg'), small));
  await second.close();
}

/** The baseline's webview, src and media folders from git, bundled like the current ones. */
async function baselineRenderer(): Promise<Renderer> {
  const dir = path.join(repoRoot, 'out', 'bench-webview', BASELINE.slice(0, 12));
  if (!fs.existsSync(path.join(dir, 'webview', 'main.ts'))) {
    fs.mkdirSync(dir, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', BASELINE, 'tsconfig.json', 'webview', 'src', 'media'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    if (archive.status !== 0) throw new Error(`git archive ${BASELINE} failed (a shallow clone lacks it): ${archive.stderr.toString()}`);
    const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
  }
  return {
    name: `baseline ${BASELINE.slice(0, 7)}`,
    script: await bundleForBrowser(path.join(dir, 'webview', 'main.ts'), repoRoot),
    css: fs.readFileSync(path.join(dir, 'media', 'chat.css'), 'utf8'),
  };
}

async function currentRenderer(): Promise<Renderer> {
  return {
    name: 'current',
    script: await bundleForBrowser(path.join(repoRoot, 'webview', 'main.ts'), repoRoot),
    css: fs.readFileSync(path.join(repoRoot, 'media', 'chat.css'), 'utf8'),
  };
}

/** A thread of `count` messages, questions and Markdown answers, every fourth answer with a tool step. */
function thread(count: number): ChatState {
  const messages: Message[] = [];
  const runs: Record<string, RunView> = {};
  for (let i = 0; i < count; i++) {
    const createdAt = 1_700_000_000 + i;
    if (i % 2 === 0) {
      messages.push({ id: `msg_${i}`, role: 'user', createdAt, content: [{ type: 'text', text: `Question ${i}: how does the parser handle case ${i}?`, annotations: [] }] });
      continue;
    }
    const runId = `run_${i}`;
    messages.push({ id: `msg_${i}`, role: 'assistant', createdAt, runId, status: 'completed', content: [{ type: 'text', text: answer(i), annotations: [] }] });
    const steps: RunStep[] =
      i % 8 === 1
        ? [{ id: `step_${i}`, runId, status: 'completed', createdAt, details: { type: 'tool_calls', toolCalls: [{ type: 'function', id: `call_${i}`, name: 'read_file', arguments: '{"path":"src/parser.ts"}', output: '{"text":"export function parse() {}"}' }] } }]
        : [];
    runs[runId] = { run: { id: runId, threadId: THREAD_ID, assistantId: 'asst_bench', status: 'completed', createdAt, startedAt: createdAt, completedAt: createdAt + 2 }, steps };
  }
  return {
    provider: { backend: 'responses', label: 'Bench', mock: true, hasKey: true },
    assistant: { id: 'asst_bench', name: 'Bench', model: 'gpt-4.1' },
    thread: { id: THREAD_ID, title: 'A long thread' },
    messages,
    runs,
  };
}

function answer(i: number): string {
  const code = i % 5 === 1 ? `\n\n\`\`\`ts\nexport function handle${i}(input: string): number {\n  return input.length * ${i};\n}\n\`\`\`\n` : '';
  return `Case **${i}** goes through \`tokenize()\` first, then the grammar decides:\n\n- a keyword starts a statement\n- an identifier starts an expression\n- anything else is reported with its position${code}\n\nSee [the docs](https://example.com/parser#case-${i}) for more.`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function print(names: string[], results: Map<string, Figures>): void {
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');
  const rows: [string, (f: Figures) => string, string][] = [
    ['(a) delta → paint p50, 200/s into 2,000 msgs', (f) => ms(percentile(f.latencies, 50)), ''],
    ['(a) delta → paint p95, 200/s into 2,000 msgs', (f) => ms(percentile(f.latencies, 95)), '≤ 16 ms'],
    ['(b) first paint, 2,000 messages (median)', (f) => ms(median(f.firstPaint2000)), '≤ 150 ms'],
    ['    first paint, 200 messages (median)', (f) => ms(median(f.firstPaint200)), ''],
    ['(c) longest main-thread task while streaming (median)', (f) => ms(median(f.longestTask)), '≤ 50 ms'],
    ['    deltas never shown', (f) => String(f.missing), '0'],
  ];
  const widths = [52, ...names.map((n) => Math.max(n.length, 12)), 10];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`Chat webview in Chromium, ${REPETITIONS} runs each, ${DELTAS} deltas at ${DELTAS_PER_SECOND}/s per run`);
  console.log(line(['', ...names, 'target']));
  for (const [label, value, target] of rows) console.log(line([label, ...names.map((n) => value(results.get(n) as Figures)), target]));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
