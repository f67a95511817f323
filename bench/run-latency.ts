/**
 * Detection lag and request rate of run polling: our RunDriver (polling mode, Responses routes)
 * against the SDK's own poller with its defaults (`beta.threads.runs.createAndPoll`, Assistants v2
 * routes), on the project's fake server with scripted server-side completion times.
 *
 * Lag = the moment the client sees the terminal status - the moment the server reached it.
 * Run with `npx tsx bench/run-latency.ts`. Prints; asserts nothing.
 */
import type { OpenAI } from 'openai';
import { createOpenAIClient } from '../src/backends/openaiClient';
import { ResponsesBackend } from '../src/backends/responses/responsesBackend';
import type { Assistant, Thread } from '../src/common/model';
import { RunDriver } from '../src/core/runs/runDriver';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';

const SCENARIOS_MS = [500, 2000, 8000];
const REPETITIONS = 6;
/** Spreads completion times across repetitions (ms). */
const PHASE_STEP_MS = 83;
const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'incomplete', 'expired']);

interface Sample {
  lagMs: number;
  requests: number;
  elapsedMs: number;
}

/** Records, per server object id, when the fake first held it in a terminal status. */
function watchCompletions(fake: FakeOpenAIServer): { doneAt: Map<string, number>; stop: () => void } {
  const doneAt = new Map<string, number>();
  const responses = fake.store.collection<{ run: { json: { id: string; status: string } } }>('responses');
  const runs = fake.store.collection<{ object: { id: string; status: string } }>('assistantsV2.runs');
  const timer = setInterval(() => {
    const now = performance.now();
    for (const { run } of responses.values()) {
      if (TERMINAL.has(run.json.status) && !doneAt.has(run.json.id)) doneAt.set(run.json.id, now);
    }
    for (const { object } of runs.values()) {
      if (TERMINAL.has(object.status) && !doneAt.has(object.id)) doneAt.set(object.id, now);
    }
  }, 1);
  return { doneAt, stop: () => clearInterval(timer) };
}

function countRequests(fake: FakeOpenAIServer, id: string): number {
  return fake.requests.filter((request) => request.path.includes(id) || (request.method === 'POST' && JSON.stringify(request.response ?? '').includes(`"id":"${id}"`))).length;
}

async function ours(fake: FakeOpenAIServer, driver: RunDriver, backend: ResponsesBackend, assistant: Assistant, doneAt: Map<string, number>): Promise<Sample> {
  const { remoteId } = await backend.createThread();
  const thread: Thread = { id: `bench-${Math.random()}`, title: 'bench', createdAt: 0, updatedAt: 0, backend: 'responses', ...(remoteId ? { remoteId } : {}) };
  const message = await backend.addMessage(thread, { content: [{ type: 'text', text: 'go', annotations: [] }] });
  const started = performance.now();
  let seenAt = 0;
  const result = await driver.run({ kind: 'start', thread, assistant, history: [message] }, (event) => {
    if (event.type === 'run.updated' && TERMINAL.has(event.run.status) && seenAt === 0) seenAt = performance.now();
  });
  return sample(fake, result.run.id, started, seenAt, doneAt);
}

async function sdk(fake: FakeOpenAIServer, client: OpenAI, assistantId: string, doneAt: Map<string, number>): Promise<Sample> {
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'go' }] });
  const started = performance.now();
  const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
  return sample(fake, run.id, started, performance.now(), doneAt);
}

async function sample(fake: FakeOpenAIServer, id: string, started: number, seenAt: number, doneAt: Map<string, number>): Promise<Sample> {
  // The watcher ticks every millisecond; give it one tick to have recorded the completion.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const serverDone = doneAt.get(id) ?? seenAt;
  return { lagMs: Math.max(0, seenAt - serverDone), requests: countRequests(fake, id), elapsedMs: seenAt - started };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function summarize(samples: Sample[]): { median: number; p95: number; rps: number } {
  const lags = samples.map((s) => s.lagMs);
  const requests = samples.reduce((sum, s) => sum + s.requests, 0);
  const seconds = samples.reduce((sum, s) => sum + s.elapsedMs, 0) / 1000;
  return { median: percentile(lags, 50), p95: percentile(lags, 95), rps: requests / seconds };
}

async function main(): Promise<void> {
  const fake = await FakeOpenAIServer.start();
  const client = createOpenAIClient({ protocol: 'responses', apiKey: 'sk-bench', baseUrl: fake.baseUrl });
  const backend = new ResponsesBackend(client);
  const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, preferStreaming: false });
  const assistant: Assistant = { id: 'asst_bench', createdAt: 0, name: 'Bench', model: 'gpt-4.1-mini', tools: [] };
  const v2Assistant = await client.beta.assistants.create({ model: 'gpt-4.1-mini' });
  const watcher = watchCompletions(fake);
  const rows: { scenario: string; poller: string; median: number; p95: number; rps: number }[] = [];
  const all: Record<'ours' | 'sdk', Sample[]> = { ours: [], sdk: [] };
  try {
    for (const durationMs of SCENARIOS_MS) {
      const mine: Sample[] = [];
      const theirs: Sample[] = [];
      for (let i = 0; i < REPETITIONS; i++) {
        // A different completion time per repetition, so lags are not an accident of one poll phase.
        const turn = { steps: [{ type: 'text' as const, text: 'Done.' }], queuedMs: Math.min(200, durationMs / 4), durationMs: durationMs + i * PHASE_STEP_MS };
        // The fake hands turns out in request order: both pollers get the same turn, so order does not matter.
        fake.model.enqueue(turn, turn);
        const [a, b] = await Promise.all([ours(fake, driver, backend, assistant, watcher.doneAt), sdk(fake, client, v2Assistant.id, watcher.doneAt)]);
        mine.push(a);
        theirs.push(b);
      }
      all.ours.push(...mine);
      all.sdk.push(...theirs);
      rows.push({ scenario: `${durationMs / 1000} s`, poller: 'RunDriver (adaptive)', ...summarize(mine) });
      rows.push({ scenario: `${durationMs / 1000} s`, poller: 'SDK createAndPoll', ...summarize(theirs) });
    }
  } finally {
    watcher.stop();
    await fake.close();
  }
  rows.push({ scenario: 'all', poller: 'RunDriver (adaptive)', ...summarize(all.ours) });
  rows.push({ scenario: 'all', poller: 'SDK createAndPoll', ...summarize(all.sdk) });
  console.log(`Run detection lag, ${REPETITIONS} runs per scenario (server completes after the given time)\n`);
  console.log(['scenario', 'poller', 'median lag ms', 'p95 lag ms', 'requests/s'].map((h) => h.padEnd(22)).join(''));
  for (const row of rows) {
    console.log([row.scenario, row.poller, row.median.toFixed(0), row.p95.toFixed(0), row.rps.toFixed(2)].map((c) => c.padEnd(22)).join(''));
  }
  const o = summarize(all.ours);
  const s = summarize(all.sdk);
  console.log(`\nSDK / RunDriver: median lag x${(s.median / Math.max(1, o.median)).toFixed(1)}, p95 lag x${(s.p95 / Math.max(1, o.p95)).toFixed(1)}; RunDriver requests/s ${o.rps.toFixed(2)} (SDK ${s.rps.toFixed(2)})`);
}

void main();
