/**
 * What turning a Responses stream into run events costs, now and in a baseline checkout, in plain
 * Node (no server, no drawing): each case plays its wire events through `ResponsesBackend.stream`
 * from an in-memory client and times the whole stream, then prints the median time per wire event
 * (µs) with its range over the rounds, and the longest single event (ms, the longest the extension
 * host is held between two events).
 *
 * Cases: a long answer of text deltas; a function call whose arguments stream after a 200 kB answer
 * in the same response; code-interpreter code streamed after 100 file searches. `-- --baseline
 * <commit>` (default: the commit before stream events were mapped item by item) sets the checkout
 * compared, taken from git; `-- --rounds N` the rounds (default 5). Run with
 * `npm run bench:responses-stream`. Prints; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { RunEvent } from '../src/common/events';
import type { Assistant, Thread } from '../src/common/model';

/** The last commit where every stream event rebuilt a snapshot of the whole response and diffed it. */
const BEFORE = '3b9071a';

interface Case {
  name: string;
  events: () => Record<string, unknown>[];
}

type Backend = { stream(action: unknown): AsyncIterable<RunEvent> };
type BackendClass = new (client: unknown) => Backend;

const thread: Thread = { id: 'thr_bench', title: 'Bench', createdAt: 1, updatedAt: 1, backend: 'responses' };
const assistant: Assistant = { id: 'asst_bench', createdAt: 0, name: 'Bench', model: 'm', instructions: '', tools: [] };
const response = (status: string, output: unknown[] = []) => ({ id: 'resp_bench', object: 'response', created_at: 1, status, model: 'm', output });

const CASES: Case[] = [
  {
    name: 'answer: 20,000 text deltas of 20 characters',
    events: () => {
      const item = { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
      const deltas = Array.from({ length: 20_000 }, (_, n) => ({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: String(n % 10).repeat(20) }));
      return [
        { type: 'response.created', response: response('in_progress') },
        { type: 'response.output_item.added', output_index: 0, item },
        { type: 'response.content_part.added', item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
        ...deltas,
        { type: 'response.completed', response: response('completed') },
      ];
    },
  },
  {
    name: 'tool call: 4,000 argument deltas after a 200 kB answer',
    events: () => {
      const text = 'a'.repeat(200_000);
      const message = { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
      const call = { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'write_file', arguments: '', status: 'in_progress' };
      const deltas = Array.from({ length: 4_000 }, () => ({ type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 1, delta: 'bbbbbbbbbbbbbbbb' }));
      return [
        { type: 'response.created', response: response('in_progress') },
        { type: 'response.output_item.added', output_index: 0, item: message },
        { type: 'response.output_item.added', output_index: 1, item: call },
        ...deltas,
        { type: 'response.output_item.done', output_index: 1, item: { ...call, status: 'completed', arguments: 'b'.repeat(64_000) } },
        { type: 'response.completed', response: response('completed') },
      ];
    },
  },
  {
    name: 'code: 2,000 code deltas after 100 file searches',
    events: () => {
      const searches = Array.from({ length: 100 }, (_, n) => ({
        type: 'response.output_item.done',
        output_index: n,
        item: { id: `fs_${n}`, type: 'file_search_call', status: 'completed', queries: ['q'], results: [{ file_id: 'f', filename: 'a.md', score: 1, text: 'x'.repeat(2_000) }] },
      }));
      const code = { id: 'ci_1', type: 'code_interpreter_call', status: 'in_progress', code: '', outputs: [], container_id: 'c' };
      const deltas = Array.from({ length: 2_000 }, () => ({ type: 'response.code_interpreter_call_code.delta', item_id: 'ci_1', output_index: 100, delta: 'print(1)\n' }));
      return [{ type: 'response.created', response: response('in_progress') }, ...searches, { type: 'response.output_item.added', output_index: 100, item: code }, ...deltas, { type: 'response.completed', response: response('completed') }];
    },
  },
];

async function main(): Promise<void> {
  const baseline = argument('--baseline') ?? BEFORE;
  const rounds = Number(argument('--rounds') ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of rounds, 1 or more.');
  const root = path.resolve(__dirname, '..');
  const sides = [
    { name: `baseline ${baseline.slice(0, 7)}`, Backend: await load(checkout(root, baseline)) },
    { name: 'current', Backend: await load(root) },
  ];
  console.log(`Responses stream into run events: ${rounds} rounds, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('µs per wire event, median (range over rounds); longest single event in ms');
  console.log(['', ...sides.map((s) => s.name)].map((c, i) => c.padEnd(i === 0 ? 56 : 34)).join(''));
  for (const item of CASES) {
    const events = item.events().map((event, n) => ({ ...event, sequence_number: n }));
    const times = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    const longest = new Map<string, number>(sides.map((s) => [s.name, 0]));
    for (let round = 0; round < rounds; round++) {
      for (const side of sides) {
        const { perEvent, worst } = await play(side.Backend, events);
        times.get(side.name)?.push(perEvent);
        longest.set(side.name, Math.max(longest.get(side.name) ?? 0, worst));
      }
    }
    console.log([item.name, ...sides.map((s) => `${spread(times.get(s.name) ?? [])}, ${(longest.get(s.name) ?? 0).toFixed(1)} ms`)].map((c, i) => c.padEnd(i === 0 ? 56 : 34)).join(''));
  }
}

/** Streams `events` through a fresh backend; µs per event over the whole stream, and the longest gap between two run events read. */
async function play(Backend: BackendClass, events: Record<string, unknown>[]): Promise<{ perEvent: number; worst: number }> {
  async function* wire(): AsyncIterable<ResponseStreamEvent> {
    for (const event of events) yield structuredClone(event) as unknown as ResponseStreamEvent;
  }
  const client = { baseURL: 'http://bench.invalid/v1', responses: { create: async () => wire() } };
  const backend = new Backend(client);
  const start = performance.now();
  let last = start;
  let worst = 0;
  let seen = 0;
  for await (const _event of backend.stream({ kind: 'start', thread, assistant, history: [] })) {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    seen++;
  }
  if (seen === 0) throw new Error('The stream gave no run events.');
  return { perEvent: ((performance.now() - start) * 1000) / events.length, worst };
}

async function load(dir: string): Promise<BackendClass> {
  const module = (await import(path.join(dir, 'src', 'backends', 'responses', 'responsesBackend.ts'))) as { ResponsesBackend: BackendClass };
  return module.ResponsesBackend;
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

/** The baseline's src folder from git, once, under out/. */
function checkout(root: string, commit: string): string {
  const dir = path.join(root, 'out', 'bench-responses-stream', commit.slice(0, 12));
  if (!fs.existsSync(path.join(dir, 'src'))) {
    fs.mkdirSync(dir, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', commit, 'src', 'schemas'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    if (archive.status !== 0) throw new Error(`git archive ${commit} failed (a shallow clone lacks it): ${archive.stderr.toString()}`);
    const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
  }
  return dir;
}

function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${median.toFixed(1)} (${sorted[0].toFixed(1)}–${sorted[sorted.length - 1].toFixed(1)})`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
