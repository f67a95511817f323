/**
 * What a dropped stream costs, side by side with how it was followed before:
 *
 * 1. Responses: a background response whose stream drops mid-answer. Detection lag (server finished →
 *    client knows) when the driver resumes the stream (`GET /responses/{id}?stream=true&starting_after=N`)
 *    against following it by polling (the driver with resuming switched off, as before).
 * 2. Assistants v2: requests per poll of a polled run, now (steps and messages listed only when the
 *    run moved, or once a second) against before (run, steps and messages at every poll: 3 a poll).
 *
 * Runs on the project's fake server. Prints; asserts nothing. Run with `npm run bench:recovery`.
 */
import { AssistantsV2Backend } from '../src/backends/assistantsV2/assistantsV2Backend';
import { createOpenAIClient } from '../src/backends/openaiClient';
import { ResponsesBackend } from '../src/backends/responses/responsesBackend';
import { ServerAssistantStore } from '../src/backends/assistantsV2/serverAssistantStore';
import type { Backend } from '../src/core/backend';
import type { Assistant, Thread } from '../src/common/model';
import { RunDriver } from '../src/core/runs/runDriver';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';

const REPETITIONS = 8;
const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'incomplete', 'expired']);

/** The same backend without `resumeStream`: the driver then polls a dropped stream, as it did before. */
function withoutResume(backend: Backend): Backend {
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'resumeStream') return undefined;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** When the fake first held the response in a terminal status. */
function watch(fake: FakeOpenAIServer): { doneAt: Map<string, number>; stop: () => void } {
  const doneAt = new Map<string, number>();
  const responses = fake.store.collection<{ run: { json: { id: string; status: string } } }>('responses');
  const timer = setInterval(() => {
    for (const { run } of responses.values()) if (TERMINAL.has(run.json.status) && !doneAt.has(run.json.id)) doneAt.set(run.json.id, performance.now());
  }, 1);
  return { doneAt, stop: () => clearInterval(timer) };
}

async function droppedStreamLag(resume: boolean): Promise<{ median: number; p95: number; requests: number }> {
  const fake = await FakeOpenAIServer.start();
  const watcher = watch(fake);
  const lags: number[] = [];
  let requests = 0;
  try {
    const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-bench', baseUrl: fake.baseUrl }));
    const driver = new RunDriver(resume ? backend : withoutResume(backend), { toolHandler: { handle: async () => [] } });
    const assistant: Assistant = { id: 'asst_bench', createdAt: 0, name: 'Bench', model: 'gpt-4.1-mini', tools: [] };
    for (let i = 0; i < REPETITIONS; i++) {
      const { remoteId } = await backend.createThread();
      const thread: Thread = { id: `bench-${i}`, title: 'bench', createdAt: 0, updatedAt: 0, backend: 'responses', ...(remoteId ? { remoteId } : {}) };
      const message = await backend.addMessage(thread, { content: [{ type: 'text', text: 'go', annotations: [] }] });
      // About 2 s of answer, the stream cut after its first few events; completion times spread over a poll interval.
      fake.model.enqueue({ steps: [{ type: 'text', text: 'word '.repeat(40 + i * 3), chunkSize: 5, chunkDelayMs: 50 }] });
      fake.inject({ method: 'POST', path: '/responses', kind: 'reset', afterEvents: 6 });
      const before = fake.requests.length;
      let seenAt = 0;
      const result = await driver.run({ kind: 'start', thread, assistant, history: [message] }, (event) => {
        if (event.type === 'run.updated' && TERMINAL.has(event.run.status) && seenAt === 0) seenAt = performance.now();
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const done = watcher.doneAt.get(result.ref.cursor ?? result.run.id) ?? seenAt;
      lags.push(Math.max(0, seenAt - done));
      requests += fake.requests.slice(before).filter((r) => r.path.startsWith('/responses')).length;
    }
  } finally {
    watcher.stop();
    await fake.close();
  }
  return { median: percentile(lags, 50), p95: percentile(lags, 95), requests: requests / REPETITIONS };
}

async function v2PollCost(): Promise<{ polls: number; now: number; before: number }> {
  const fake = await FakeOpenAIServer.start();
  try {
    const client = createOpenAIClient({ protocol: 'assistantsV2', apiKey: 'sk-bench', baseUrl: fake.baseUrl });
    const backend = new AssistantsV2Backend(client);
    const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, preferStreaming: false });
    const assistant = (await new ServerAssistantStore(client).create({ name: 'Bench', model: 'gpt-4.1-mini', tools: [] })).assistant!;
    let polls = 0;
    let lists = 0;
    for (let i = 0; i < REPETITIONS; i++) {
      const { remoteId } = await backend.createThread();
      const thread: Thread = { id: `v2-${i}`, title: 'bench', createdAt: 0, updatedAt: 0, backend: 'assistantsV2', ...(remoteId ? { remoteId } : {}) };
      await backend.addMessage(thread, { content: [{ type: 'text', text: 'go', annotations: [] }] });
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Done.' }], queuedMs: 300, durationMs: 3000 + i * 100 });
      const before = fake.requests.length;
      await driver.run({ kind: 'start', thread, assistant, history: [] }, () => undefined);
      const made = fake.requests.slice(before).filter((r) => r.method === 'GET');
      polls += made.filter((r) => /^\/threads\/[^/]+\/runs\/[^/]+$/.test(r.path)).length;
      lists += made.filter((r) => /\/steps$|\/messages$/.test(r.path)).length;
    }
    // Before, every poll retrieved the run and listed its steps and its messages.
    return { polls: polls / REPETITIONS, now: (polls + lists) / REPETITIONS, before: (polls * 3) / REPETITIONS };
  } finally {
    await fake.close();
  }
}

async function main(): Promise<void> {
  const resumed = await droppedStreamLag(true);
  const polled = await droppedStreamLag(false);
  console.log(`A background response whose stream drops mid-answer (${REPETITIONS} runs, about 2 s each)\n`);
  console.log(['followed by', 'median lag ms', 'p95 lag ms', 'requests a run'].map((h) => h.padEnd(22)).join(''));
  for (const [label, row] of [['resumed stream', resumed], ['polling (before)', polled]] as const) {
    console.log([label, row.median.toFixed(0), row.p95.toFixed(0), row.requests.toFixed(1)].map((c) => c.padEnd(22)).join(''));
  }
  const cost = await v2PollCost();
  console.log(`\nAssistants v2, a polled run of about 3 s (${REPETITIONS} runs)\n`);
  console.log(['', 'polls a run', 'requests a run', 'requests a poll'].map((h) => h.padEnd(22)).join(''));
  console.log(['now', cost.polls.toFixed(1), cost.now.toFixed(1), (cost.now / cost.polls).toFixed(2)].map((c) => c.padEnd(22)).join(''));
  console.log(['before', cost.polls.toFixed(1), cost.before.toFixed(1), '3.00'].map((c) => c.padEnd(22)).join(''));
}

void main();
