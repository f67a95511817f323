/**
 * The chat webview's speed in Chromium: the renderer as it was before virtualization (the baseline
 * commit below, taken from git) and the current one, side by side on the same inputs, beside the
 * floor of the measurement (bench/webview/floor.ts: a page that only writes the delta's text).
 *
 *  (a) delta arrival to paint, p50/p95, streaming 200 deltas a second into a 2,000-message thread;
 *  (b) first paint of a 2,000-message thread (and of a 200-message one);
 *  (c) the longest main-thread task while streaming into the 2,000-message thread.
 * Targets: (a) p95 ≤ 16 ms, (b) ≤ 150 ms, (c) ≤ 50 ms.
 *
 * Other processes on the machine stretch wall-clock figures, so each figure is taken once per
 * round, the rounds alternate between the renderers, and the median of the per-round figures is
 * printed with its range, beside the load average. Next to wall time it prints what load does not
 * change: the renderer main thread's CPU time (Chromium's ThreadTime metric) per delta and for the
 * first paint, and the longest task's CPU time from a Chromium trace.
 *
 * Run with `npm run bench:webview` (needs Chromium, as the browser tiers do, and the git history);
 * `-- --rounds N` sets the rounds (default 5), `-- --baseline <commit>` compares with that commit's
 * renderer instead. Prints; asserts nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { Message, RunStep } from '../src/common/model';
import type { ChatState, RunView } from '../src/common/protocol';
import { bundleForBrowser, launchChromium, openPage } from '../test/support/browserBundle';
import { repoRoot } from '../test/support/codeServer';
import { extractBaseline } from './baselineTree';

/** The last commit with the renderer that copied every message per delta and drew every entry. */
const BASELINE = '5e82a9e9b970f7b2df4818e1cf254acae62e06b8';
const DELTAS = 400;
const DELTAS_PER_SECOND = 200;
const THREAD_ID = 'thr_bench';
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];

interface Renderer {
  name: string;
  script: string;
  css: string;
  /** Whether it draws a thread (the floor only shows streamed text). */
  drawsThreads: boolean;
}

/** What bench/webview/probe.ts puts on the page's window. */
interface BenchPage {
  bench: {
    linkCodicons(css: string): Promise<void>;
    firstPaint(state: unknown, selector: string): Promise<number>;
    stream(threadId: string, runId: string, messageId: string, deltas: number, perSecond: number, probeTasks: boolean): Promise<{ latencies: number[]; longestTaskMs: number; missing: number }>;
  };
}

/** One round's figures for one renderer, ms unless named otherwise. */
interface Round {
  p50: number;
  p95: number;
  /** Renderer main-thread CPU time per delta, over the whole answer. */
  cpuPerDelta: number;
  firstPaint2000?: number;
  firstPaintCpu2000?: number;
  firstPaint200?: number;
  /** The longest stretch a self-reposting task waited (the probe's figure for (c)). */
  longestGap: number;
  /** The longest main-thread task in a trace of another answer: wall time, and CPU time of the longest by CPU. */
  longestTask: number;
  longestTaskCpu: number;
  missing: number;
  /** The machine's 1-minute load average as the round ended. */
  load: number;
}

async function main(): Promise<void> {
  const rounds = roundsArgument();
  const probe = await bundleForBrowser(path.join(__dirname, 'webview', 'probe.ts'));
  const renderers = [await baselineRenderer(), await currentRenderer(), { name: 'floor', script: await bundleForBrowser(path.join(__dirname, 'webview', 'floor.ts')), css: '', drawsThreads: false }];
  const codicons = fs.readFileSync(path.join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist', 'codicon.css'), 'utf8');
  const big = thread(2000);
  const small = thread(200);
  const loadBefore = os.loadavg();
  const browser = await launchChromium();
  const results = new Map<string, Round[]>(renderers.map((r) => [r.name, []]));
  try {
    // Rounds alternate between the renderers, so a burst of load elsewhere hits them alike.
    for (let i = 0; i < rounds; i++) {
      for (const renderer of renderers) {
        results.get(renderer.name)?.push(await measure(browser, renderer, probe, codicons, big, small));
        process.stdout.write('.');
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write('\n');
  print(renderers.map((r) => r.name), results, rounds, loadBefore, os.loadavg());
}

function roundsArgument(): number {
  const at = process.argv.indexOf('--rounds');
  const value = at < 0 ? 5 : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error('--rounds takes a whole number of rounds, 1 or more.');
  return value;
}

async function measure(browser: Browser, renderer: Renderer, probe: string, codicons: string, big: ChatState, small: ChatState): Promise<Round> {
  const open = async (): Promise<Page> => {
    const page = await openPage(browser, `${probe}\n${renderer.script}`, { styles: [renderer.css].filter(Boolean), width: 400, height: 900 });
    // As the webview links it (src/host/platform/webviewHtml.ts): without the link, every icon logs a warning.
    await page.evaluate((css) => (globalThis as unknown as BenchPage).bench.linkCodicons(css), codicons);
    return page;
  };
  const page = await open();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const round: Partial<Round> = {};
  if (renderer.drawsThreads) {
    // The thread goes into the page first: copying it in is the bench's work, not the renderer's.
    const state = await page.evaluateHandle((s) => s, big);
    const before = await threadTime(cdp);
    round.firstPaint2000 = await page.evaluate((s) => (globalThis as unknown as BenchPage).bench.firstPaint(s, '.msg'), state);
    round.firstPaintCpu2000 = (await threadTime(cdp)) - before;
    await page.waitForTimeout(500);
  }
  // Three answers, each measured alone: latencies (and CPU per delta), a trace, and the task probe,
  // which takes CPU of its own.
  const before = await threadTime(cdp);
  const live = await stream(page, 'live', false);
  round.cpuPerDelta = ((await threadTime(cdp)) - before) / DELTAS;
  round.p50 = percentile(live.latencies, 50);
  round.p95 = percentile(live.latencies, 95);
  round.missing = live.missing;
  await page.waitForTimeout(300);

  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const traced = await stream(page, 'traced', false);
  Object.assign(round, longestTasks(await browser.stopTracing()));
  round.missing += traced.missing;
  await page.waitForTimeout(300);

  const probed = await stream(page, 'probe', true);
  round.longestGap = probed.longestTaskMs;
  round.missing += probed.missing;
  await page.close();

  if (renderer.drawsThreads) {
    const second = await open();
    round.firstPaint200 = await second.evaluate((state) => (globalThis as unknown as BenchPage).bench.firstPaint(state, '.msg'), small);
    await second.close();
  }
  round.load = os.loadavg()[0];
  return round as Round;
}

function stream(page: Page, id: string, probeTasks: boolean): ReturnType<BenchPage['bench']['stream']> {
  return page.evaluate(
    ([threadId, deltas, rate, probe, answer]) => (globalThis as unknown as BenchPage).bench.stream(threadId, `run_bench_${answer}`, `msg_bench_${answer}`, deltas, rate, probe),
    [THREAD_ID, DELTAS, DELTAS_PER_SECOND, probeTasks, id] as const,
  );
}

/** CPU time the page's main thread has used since `Performance.enable`, ms. */
async function threadTime(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const seconds = metrics.find((m) => m.name === 'ThreadTime')?.value;
  if (seconds === undefined) throw new Error('Chromium reported no ThreadTime metric.');
  return seconds * 1000;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The longest top-level task of the renderer's main thread in a Chromium trace (wall ms), and the longest by CPU (ms). */
function longestTasks(trace: Buffer): { longestTask: number; longestTaskCpu: number } {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mainThreads = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}/${e.tid}`));
  let longestTask = 0;
  let longestTaskCpu = 0;
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || !mainThreads.has(`${e.pid}/${e.tid}`)) continue;
    longestTask = Math.max(longestTask, (e.dur ?? 0) / 1000);
    longestTaskCpu = Math.max(longestTaskCpu, (e.tdur ?? 0) / 1000);
  }
  return { longestTask, longestTaskCpu };
}

/** The baseline's webview, src and media folders from git, bundled like the current ones. */
async function baselineRenderer(): Promise<Renderer> {
  const at = process.argv.indexOf('--baseline');
  const commit = at < 0 ? BASELINE : process.argv[at + 1];
  const dir = path.join(repoRoot, 'out', 'bench-webview', commit.slice(0, 12));
  extractBaseline(commit, dir);
  return {
    name: `baseline ${commit.slice(0, 7)}`,
    script: await bundleForBrowser(path.join(dir, 'webview', 'main.ts'), repoRoot),
    css: fs.readFileSync(path.join(dir, 'media', 'chat.css'), 'utf8'),
    drawsThreads: true,
  };
}

async function currentRenderer(): Promise<Renderer> {
  return {
    name: 'current',
    script: await bundleForBrowser(path.join(repoRoot, 'webview', 'main.ts'), repoRoot),
    css: fs.readFileSync(path.join(repoRoot, 'media', 'chat.css'), 'utf8'),
    drawsThreads: true,
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

function print(names: string[], results: Map<string, Round[]>, rounds: number, loadBefore: number[], loadAfter: number[]): void {
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');
  /** The median of the per-round figures, with their range. */
  const spread = (pick: (r: Round) => number | undefined, digits = 0) => (list: Round[]) => {
    const values = list.map(pick).filter((v): v is number => v !== undefined);
    if (!values.length) return 'n/a';
    const range = values.length > 1 ? ` (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})` : '';
    return `${ms(median(values))}${range}`;
  };
  const rows: [string, (list: Round[]) => string, string][] = [
    ['(a) delta → paint p50', spread((r) => r.p50), ''],
    ['(a) delta → paint p95', spread((r) => r.p95), '≤ 16 ms'],
    ['    main-thread CPU per delta', spread((r) => r.cpuPerDelta, 2), ''],
    ['(b) first paint, 2,000 messages', spread((r) => r.firstPaint2000), '≤ 150 ms'],
    ['    its main-thread CPU', spread((r) => r.firstPaintCpu2000), ''],
    ['    first paint, 200 messages', spread((r) => r.firstPaint200), ''],
    ['(c) longest main-thread task (probe)', spread((r) => r.longestGap), '≤ 50 ms'],
    ['    longest task in a trace, wall', spread((r) => r.longestTask), ''],
    ['    longest task in a trace, CPU', spread((r) => r.longestTaskCpu), ''],
    ['    deltas never shown', (list) => String(list.reduce((sum, r) => sum + r.missing, 0)), '0'],
  ];
  const cells = rows.map(([, value]) => names.map((n) => value(results.get(n) ?? [])));
  const widths = [38, ...names.map((n, i) => Math.max(n.length, ...cells.map((row) => row[i].length))), 10];
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ');
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  const perRound = [...results.values()].flat().map((r) => r.load);
  console.log(`Chat webview in Chromium: ${rounds} rounds, ${DELTAS} deltas at ${DELTAS_PER_SECOND}/s per answer, into the 2,000-message thread`);
  console.log(`Medians of the per-round figures (range over rounds). ${os.cpus().length} CPUs; load average (1, 5, 15 min) ${load(loadBefore)} before, ${load(loadAfter)} after; 1-min load over rounds ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}.`);
  console.log(line(['', ...names, 'target']));
  rows.forEach(([label, , target], i) => console.log(line([label, ...cells[i], target])));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
