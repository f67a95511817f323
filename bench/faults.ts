/**
 * The fault suite: injects each kind of fault real servers and proxies produce at each call site of
 * both protocols, drives the chat session through it on the project's fake server, and prints
 *
 *   tried / ended in a clear state / user's text kept / key leaks / longest Stop
 *
 * "Clear state": the session is idle, no answer is left streaming, and the run either ended or the
 * user got one sentence (no stack trace) saying what happened. "User's text kept": the message is on
 * the stored thread, or the send was refused (the composer then keeps it). "Key leaks": the key, which
 * the faults echo in server text, found in any file written or any update or error for the chat view.
 * "Longest Stop": from Stop to idle, over the scenarios that press Stop. Prints; asserts nothing.
 * Run with `npm run bench:faults`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect } from '../src/backends/connect';
import type { ChatUpdate } from '../src/core/chatSession';
import { ChatSession } from '../src/core/chatSession';
import type { AssistantsError } from '../src/core/errors';
import { nodeFileSystem } from '../src/core/fileSystem';
import type { Assistant, BackendKind } from '../src/core/model';
import { ThreadStore } from '../src/core/threadStore';
import type { ToolHandler } from '../src/core/toolHandler';
import type { FaultSpec } from '../test/fakes/fakeServer';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';

const KEY = 'proxy-key-0123456789abcdef-LEAKCHECK';
const IDLE_DEADLINE_MS = 20_000;
const STOP_AFTER_MS = 400;

type Site = 'create thread' | 'add message' | 'start run' | 'submit outputs' | 'poll run';
type FaultKind =
  | '429 permanent'
  | '429 temporary'
  | '5xx'
  | 'reset before'
  | 'reset mid-stream'
  | 'stall'
  | 'cut mid-event'
  | 'malformed body'
  | 'error frame'
  | 'key echoed'
  | 'hung tool';

interface Scenario {
  protocol: BackendKind;
  site: Site;
  fault: FaultKind;
}

interface Outcome {
  clear: boolean;
  textKept: boolean;
  leaks: number;
  stopMs?: number;
  note: string;
}

const STREAM_FAULTS: FaultKind[] = ['reset mid-stream', 'stall', 'cut mid-event', 'error frame'];
const HTTP_FAULTS: FaultKind[] = ['429 permanent', '429 temporary', '5xx', 'reset before', 'malformed body', 'key echoed'];

function paths(protocol: BackendKind): Record<Exclude<Site, 'submit outputs'>, { method: string; path: string | RegExp }> & { 'submit outputs': { method: string; path: string | RegExp } } {
  return protocol === 'responses'
    ? {
        'create thread': { method: 'POST', path: '/conversations' },
        'add message': { method: 'POST', path: '/conversations/:conversation_id/items' },
        'start run': { method: 'POST', path: '/responses' },
        'submit outputs': { method: 'POST', path: '/responses' },
        'poll run': { method: 'GET', path: '/responses/:response_id' },
      }
    : {
        'create thread': { method: 'POST', path: '/threads' },
        'add message': { method: 'POST', path: '/threads/:thread_id/messages' },
        'start run': { method: 'POST', path: '/threads/:thread_id/runs' },
        'submit outputs': { method: 'POST', path: '/threads/:thread_id/runs/:run_id/submit_tool_outputs' },
        'poll run': { method: 'GET', path: '/threads/:thread_id/runs/:run_id' },
      };
}

function json(status: number, code: string, message: string): FaultSpec['script'] {
  return { status, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ error: { message, type: code, param: null, code } })] };
}

/** The fault as the fake injects it at one call site. */
function faultSpec(kind: FaultKind, where: { method: string; path: string | RegExp }): FaultSpec | undefined {
  const base = { method: where.method, path: where.path };
  switch (kind) {
    case '429 permanent':
      return { ...base, kind: 'script', times: 20, script: json(429, 'insufficient_quota', 'You exceeded your current quota.') };
    case '429 temporary':
      return { ...base, kind: 'rate_limit', times: 1, retryAfterMs: 50 };
    case '5xx':
      return { ...base, kind: 'server_error', times: 2 };
    case 'reset before':
      return { ...base, kind: 'reset', afterEvents: 0 };
    case 'reset mid-stream':
      return { ...base, kind: 'reset', afterEvents: 5 };
    case 'stall':
      return { ...base, kind: 'stall', afterEvents: 4 };
    case 'cut mid-event':
      return { ...base, kind: 'reset', afterEvents: 5, midEvent: true };
    case 'malformed body':
      return { ...base, kind: 'script', times: 20, script: { headers: { 'content-type': 'application/json' }, chunks: ['{"id": "x", "object": '] } };
    case 'error frame':
      return {
        ...base,
        kind: 'script',
        script: { headers: { 'content-type': 'text/event-stream' }, chunks: [`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You have no credits left.', param: null }, sequence_number: 0 })}\n\n`] },
      };
    case 'key echoed':
      return { ...base, kind: 'script', times: 20, script: json(400, 'invalid_request_error', `Proxy rejected header "Authorization: Bearer ${KEY}"`) };
    case 'hung tool':
      return undefined;
  }
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

async function waitIdle(session: ChatSession, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (session.busy && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return !session.busy;
}

async function runScenario({ protocol, site, fault }: Scenario): Promise<Outcome> {
  // "Cut mid-event" is the fault of a server that keeps nothing: no background mode, nothing to poll.
  const keepsNothing = fault === 'cut mid-event' && protocol === 'responses';
  const fake = await FakeOpenAIServer.start({ timeScale: 0.2, ...(keepsNothing ? { background: false, keepsResponses: false } : {}) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  try {
    const { backend, serverAssistants } = connect({ protocol, apiKey: KEY, baseUrl: fake.baseUrl });
    const draft = { name: 'Faults', model: 'gpt-test', instructions: 'Be brief.', tools: [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] };
    const assistant: Assistant = serverAssistants ? (await serverAssistants.create(draft)).assistant! : { ...draft, id: 'default', createdAt: 0 };
    const where = paths(protocol)[site];
    const spec = faultSpec(fault, where);
    const toolHandler: ToolHandler = {
      handle: (calls) => {
        if (fault === 'hung tool') return new Promise(() => undefined);
        // The submit site is reached only now: inject its fault just before the outputs go out.
        if (site === 'submit outputs' && spec) fake.inject(spec);
        return Promise.resolve(calls.map((call) => ({ callId: call.callId, output: 'found it' })));
      },
    };
    const updates: ChatUpdate[] = [];
    const errors: AssistantsError[] = [];
    const session = new ChatSession({
      store: new ThreadStore(nodeFileSystem, dir),
      connect: async () => backend,
      assistant: async () => assistant,
      toolHandler,
      driver: () => ({ preferStreaming: site !== 'poll run', streamIdleMs: 500, poll: { initialMs: 20, maxMs: 80 }, retry: { baseDelayMs: 20, maxDelayMs: 200 } }),
      onUpdate: (update) => updates.push(update),
      onError: (error) => errors.push(error),
    });
    if (keepsNothing) {
      // Learn that the server refuses background mode, as a first run would.
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Warm-up.' }] });
      await session.send('warm up');
      await waitIdle(session, IDLE_DEADLINE_MS);
      await session.newThread();
    }
    const needsTool = site === 'submit outputs' || fault === 'hung tool';
    const answer = { type: 'text' as const, text: 'An answer in several small pieces for the stream to carry.', chunkSize: 6, chunkDelayMs: 40 };
    fake.model.enqueue(...(needsTool ? [{ steps: [{ type: 'function_call' as const, name: 'lookup', arguments: {} }] }, { steps: [answer] }] : [{ steps: [answer], durationMs: 1500 }]));
    if (spec && site !== 'submit outputs') fake.inject(spec);

    const text = `Question under ${fault} at ${site}`;
    let sendRefused = false;
    try {
      await session.send(text);
    } catch {
      sendRefused = true;
    }
    let stopMs: number | undefined;
    const pressesStop = fault === 'hung tool' || fault === 'stall';
    if (pressesStop && session.busy) {
      await new Promise((resolve) => setTimeout(resolve, STOP_AFTER_MS + (fault === 'hung tool' ? 400 : 0)));
      const pressed = Date.now();
      session.stop();
      await waitIdle(session, IDLE_DEADLINE_MS);
      stopMs = Date.now() - pressed;
    }
    const idle = await waitIdle(session, IDLE_DEADLINE_MS);
    if (!idle) session.stop();
    await waitIdle(session, 5000);

    const stored = session.thread;
    const runs = Object.values(stored?.runs ?? {}).map((record) => record.run);
    const lastRun = runs.at(-1);
    const live = lastRun && ['queued', 'in_progress', 'cancelling', 'requires_action'].includes(lastRun.status);
    const openAnswers = (stored?.messages ?? []).filter((m) => m.role === 'assistant' && m.status === 'in_progress').length;
    const sentences = [...errors.map((e) => e.message), ...updates.flatMap((u) => (u.type === 'run' && u.event.type === 'error' ? [u.event.error.message] : []))];
    const readable = sentences.every((s) => s.trim() !== '' && !/\n\s+at /.test(s));
    const told = sentences.length > 0 || sendRefused;
    const clear = idle && openAnswers === 0 && readable && (!live || told);
    const textKept = sendRefused || (stored?.messages ?? []).some((m) => m.role === 'user' && m.content.some((c) => c.type === 'text' && c.text === text));
    const written = filesUnder(dir).map((file) => fs.readFileSync(file, 'utf8'));
    const leaks = [...written, JSON.stringify(updates), JSON.stringify(sentences)].filter((blob) => blob.includes(KEY)).length;
    const note = `${lastRun?.status ?? (sendRefused ? 'send refused' : 'no run')}${sentences.length ? `: ${sentences.at(-1)?.slice(0, 90)}` : ''}`;
    return { clear, textKept, leaks, ...(stopMs !== undefined ? { stopMs } : {}), note };
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const protocol of ['responses', 'assistantsV2'] as BackendKind[]) {
    for (const site of ['create thread', 'add message', 'start run', 'submit outputs', 'poll run'] as Site[]) {
      const streams = site === 'start run' || site === 'submit outputs';
      for (const fault of [...HTTP_FAULTS, ...(streams ? STREAM_FAULTS : [])]) list.push({ protocol, site, fault });
    }
    list.push({ protocol, site: 'submit outputs', fault: 'hung tool' });
  }
  return list;
}

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const all = scenarios();
  let clear = 0;
  let kept = 0;
  let leaks = 0;
  let longestStop = 0;
  const unclear: string[] = [];
  for (const scenario of all) {
    const outcome = await runScenario(scenario);
    const label = `${scenario.protocol} / ${scenario.site} / ${scenario.fault}`;
    if (outcome.clear) clear++;
    else unclear.push(`${label}: ${outcome.note}`);
    if (outcome.textKept) kept++;
    leaks += outcome.leaks;
    if (outcome.stopMs !== undefined) longestStop = Math.max(longestStop, outcome.stopMs);
    if (verbose) console.log(`${outcome.clear ? 'clear  ' : 'UNCLEAR'} ${label}${outcome.stopMs !== undefined ? ` (Stop ${outcome.stopMs} ms)` : ''}: ${outcome.note}`);
  }
  console.log('\ntried  ended in a clear state  user\'s text kept  key leaks  longest Stop');
  console.log(`${String(all.length).padEnd(7)}${String(clear).padEnd(26)}${String(kept).padEnd(18)}${String(leaks).padEnd(11)}${longestStop} ms`);
  if (unclear.length) console.log(`\nNot clear:\n${unclear.map((line) => `  ${line}`).join('\n')}`);
}

void main();
