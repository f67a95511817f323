/**
 * What folding a streamed text delta costs, now and in a baseline checkout, in plain Node (no
 * drawing): the chat webview's state (`applyHostMessage` with a `run/event`) streaming into the last
 * answer of a 2,000-message thread; the run driver's state (`RunState.apply`) for the same answer;
 * and the whole extension-host side of a streamed answer into that thread (a `ChatSession` whose
 * backend plays the deltas: the driver, the run session, the chat session's fold and saving).
 *
 * Each round streams 400 deltas of 20 characters through each side, the sides taking turns; the
 * median of the rounds' time per delta is printed with its range. `-- --baseline <commit>` (default:
 * the commit before the one fold) sets the checkout compared, taken from git; `-- --rounds N` the
 * rounds (default 15). Run with `npm run bench:fold`. Prints; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../src/common/events';
import type { Message, Run } from '../src/common/model';
import type { ChatState, HostToWebview } from '../src/common/protocol';
import type { Backend } from '../src/core/backend';
import type { StoredThread } from '../src/core/threads/threadStore';
import { StubBackend } from '../test/unit/core/stubBackend';

/** The last commit before run events were folded in one place. */
const BEFORE_THE_FOLD = '5309618';
const DELTAS = 400;
const MESSAGES = 2000;
const THREAD_ID = 'thr_bench';
const RUN_ID = 'run_bench';
const ANSWER_ID = 'msg_bench';

/** The two modules measured, as a checkout has them. */
interface Side {
  name: string;
  state: { applyHostMessage(state: unknown, message: HostToWebview, now: number): { state: unknown }; fromChatState(chat: ChatState): unknown };
  runState: { RunState: new () => { apply(event: RunEvent): void } };
  host: HostModules;
}

/** What the host side needs of a checkout: its chat session and thread store. */
interface HostModules {
  ChatSession: new (options: {
    store: unknown;
    connect(): Promise<Backend>;
    assistant(): Promise<unknown>;
    toolHandler: { handle(): Promise<never[]> };
    onUpdate(update: unknown): void;
    onError(error: Error): void;
  }) => { openThread(id: string): Promise<void>; send(text: string): Promise<void>; whenIdle(): Promise<void>; dispose(): void };
  ThreadStore: new (fs: unknown, dir: string) => { save(stored: StoredThread): Promise<void> };
  nodeFileSystem: unknown;
}

async function main(): Promise<void> {
  const baseline = argument('--baseline') ?? BEFORE_THE_FOLD;
  const rounds = Number(argument('--rounds') ?? 15);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of rounds, 1 or more.');
  const root = path.resolve(__dirname, '..');
  const sides = [await load(`baseline ${baseline.slice(0, 7)}`, checkout(root, baseline)), await load('current', root)];
  const webview = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  const driver = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  const host = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const side of sides) {
      webview.get(side.name)?.push(streamIntoView(side));
      driver.get(side.name)?.push(streamIntoRunState(side));
      host.get(side.name)?.push(await streamThroughHost(side));
    }
  }
  console.log(`One text delta folded: ${DELTAS} deltas per answer, ${rounds} rounds, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`Median µs per delta (range over rounds)`);
  console.log(['', ...sides.map((s) => s.name)].map((c, i) => c.padEnd(i === 0 ? 52 : 26)).join(''));
  console.log([`webview state, answer in a ${MESSAGES.toLocaleString('en')}-message thread`, ...sides.map((s) => spread(webview.get(s.name) ?? []))].map((c, i) => c.padEnd(i === 0 ? 52 : 26)).join(''));
  console.log(['run driver state (RunState.apply)', ...sides.map((s) => spread(driver.get(s.name) ?? []))].map((c, i) => c.padEnd(i === 0 ? 52 : 26)).join(''));
  console.log([`extension host, answer in a ${MESSAGES.toLocaleString('en')}-message thread`, ...sides.map((s) => spread(host.get(s.name) ?? []))].map((c, i) => c.padEnd(i === 0 ? 52 : 26)).join(''));
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

/** The baseline's src and webview folders from git, once, under out/. */
function checkout(root: string, commit: string): string {
  const dir = path.join(root, 'out', 'bench-fold', commit.slice(0, 12));
  if (!fs.existsSync(path.join(dir, 'webview', 'state.ts'))) {
    fs.mkdirSync(dir, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', commit, 'src', 'webview', 'schemas'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    if (archive.status !== 0) throw new Error(`git archive ${commit} failed (a shallow clone lacks it): ${archive.stderr.toString()}`);
    const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
  }
  return dir;
}

async function load(name: string, dir: string): Promise<Side> {
  const runState = [path.join(dir, 'src', 'core', 'runs', 'runState.ts'), path.join(dir, 'src', 'core', 'runState.ts')].find((file) => fs.existsSync(file));
  if (!runState) throw new Error(`${dir} has no RunState`);
  const host: HostModules = {
    ...((await import(path.join(dir, 'src', 'core', 'chat', 'chatSession.ts'))) as Pick<HostModules, 'ChatSession'>),
    ...((await import(path.join(dir, 'src', 'core', 'threads', 'threadStore.ts'))) as Pick<HostModules, 'ThreadStore'>),
    ...((await import(path.join(dir, 'src', 'core', 'workspace', 'fileSystem.ts'))) as Pick<HostModules, 'nodeFileSystem'>),
  };
  return { name, state: (await import(path.join(dir, 'webview', 'state.ts'))) as Side['state'], runState: (await import(runState)) as Side['runState'], host };
}

function run(status: Run['status']): Run {
  return { id: RUN_ID, threadId: THREAD_ID, assistantId: 'asst_bench', status, createdAt: 1 };
}

function message(index: number): Message {
  const text = `Message ${index}: ${'lorem ipsum dolor sit amet '.repeat(8)}`;
  return { id: `msg_${index}`, role: index % 2 === 0 ? 'user' : 'assistant', content: [{ type: 'text', text, annotations: [] }], createdAt: index };
}

function delta(index: number): RunEvent {
  return { type: 'message.delta', messageId: ANSWER_ID, index: 0, text: `word${index % 10} `.padEnd(20, '.') };
}

/** µs per delta, streaming into the chat view's state of a long thread. */
function streamIntoView(side: Side): number {
  const chat: ChatState = { provider: { backend: 'responses', label: 'bench', mock: true, hasKey: true }, thread: { id: THREAD_ID, title: 'bench' }, messages: Array.from({ length: MESSAGES }, (_, i) => message(i)), runs: {} };
  let state = side.state.fromChatState(chat);
  const start: RunEvent[] = [{ type: 'run.updated', run: run('in_progress') }, { type: 'message.created', message: { id: ANSWER_ID, role: 'assistant', content: [], createdAt: 2, runId: RUN_ID, status: 'in_progress' } }];
  for (const event of start) state = side.state.applyHostMessage(state, { type: 'run/event', threadId: THREAD_ID, runId: RUN_ID, event }, 0).state;
  const began = process.hrtime.bigint();
  for (let i = 0; i < DELTAS; i++) state = side.state.applyHostMessage(state, { type: 'run/event', threadId: THREAD_ID, runId: RUN_ID, event: delta(i) }, 0).state;
  return Number(process.hrtime.bigint() - began) / 1000 / DELTAS;
}

/** µs per delta, folded into the run driver's state of the answer. */
function streamIntoRunState(side: Side): number {
  const state = new side.runState.RunState();
  state.apply({ type: 'run.updated', run: run('in_progress') });
  state.apply({ type: 'message.created', message: { id: ANSWER_ID, role: 'assistant', content: [{ type: 'text', text: '', annotations: [] }], createdAt: 2, runId: RUN_ID, status: 'in_progress' } });
  const began = process.hrtime.bigint();
  for (let i = 0; i < DELTAS; i++) state.apply(delta(i));
  return Number(process.hrtime.bigint() - began) / 1000 / DELTAS;
}

/**
 * µs per delta on the extension host: a chat session opens a 2,000-message thread and asks a
 * question; its backend streams the answer's deltas as fast as they are read.
 */
async function streamThroughHost(side: Side): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fold-'));
  try {
    const store = new side.host.ThreadStore(side.host.nodeFileSystem, dir);
    const thread = { id: THREAD_ID, title: 'bench', createdAt: 1, updatedAt: 1, remoteId: 'conv_bench', backend: 'responses' as const };
    await store.save({ thread, messages: Array.from({ length: MESSAGES }, (_, i) => message(i)), runs: {} });
    const backend = new StubBackend();
    const addMessage: Backend['addMessage'] = async (_thread, input) => ({ id: 'msg_question', role: 'user', content: input.content, createdAt: 3 });
    Object.assign(backend, { addMessage });
    const answer: Message = { id: ANSWER_ID, role: 'assistant', content: [{ type: 'text', text: '', annotations: [] }], createdAt: 3, runId: RUN_ID, status: 'in_progress' };
    let began = 0n;
    let ended = 0n;
    backend.streams = [{
      events: [
        { type: 'run.updated', run: run('in_progress') },
        { type: 'message.created', message: answer },
        ...Array.from({ length: DELTAS }, (_, i) => delta(i)),
        { type: 'message.completed', message: { ...answer, status: 'completed' } },
        { type: 'run.updated', run: run('completed') },
      ],
      beforeEvent: (index) => {
        if (index === 2) began = process.hrtime.bigint();
        if (index === DELTAS + 2) ended = process.hrtime.bigint();
      },
    }];
    const session = new side.host.ChatSession({
      store,
      connect: async () => backend,
      assistant: async () => ({ id: 'asst_bench', name: 'Bench', model: 'gpt-test', tools: [], createdAt: 1 }),
      toolHandler: { handle: async () => [] },
      onUpdate: () => undefined,
      onError: (error) => console.error(error.message),
    });
    await session.openThread(THREAD_ID);
    await session.send('Go on.');
    await session.whenIdle();
    session.dispose();
    return Number(ended - began) / 1000 / DELTAS;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${median.toFixed(2)} (${sorted[0].toFixed(2)}–${sorted.at(-1)?.toFixed(2)})`;
}

void main();
