/**
 * The fault suite: injects each kind of fault real servers and proxies produce at each call site of
 * both protocols, drives the chat session through it on the project's fake server, and prints each
 * kind with its outcome (how many of its scenarios ended in a clear state and kept the user's text,
 * and how one of them ended), then
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
import type { ChatUpdate } from '../src/core/chat/chatSession';
import { ChatSession } from '../src/core/chat/chatSession';
import type { AssistantsError } from '../src/core/errors';
import { nodeFileSystem } from '../src/core/workspace/fileSystem';
import type { Assistant, BackendKind } from '../src/common/model';
import { ThreadStore } from '../src/core/threads/threadStore';
import type { ToolHandler } from '../src/core/toolHandler';
import type { FaultSpec } from '../test/fakes/fakeServer';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';
import { matchPath } from '../test/fakes/http';

const KEY = 'proxy-key-0123456789abcdef-LEAKCHECK';
const IDLE_DEADLINE_MS = 20_000;
const STOP_AFTER_MS = 400;

type Site = 'create thread' | 'add message' | 'start run' | 'submit outputs' | 'poll run' | 'list run steps' | 'cancel';
type FaultKind =
  | '429 permanent'
  | '429 temporary'
  | 'Retry-After 3600'
  | 'Retry-After far date'
  | '5xx'
  | 'reset before'
  | 'reset mid-stream'
  | 'stall'
  | 'cut mid-event'
  | 'cut-off JSON'
  | 'empty body'
  | 'error frame'
  | 'error frame after start (rate limit)'
  | 'error frame after start (server error)'
  | 'completed without output'
  | 'repeated page'
  | 'key echoed'
  | 'hung tool'
  | 'cancel hangs'
  | 'v2 code interpreter, odd shapes';

interface Scenario {
  protocol: BackendKind;
  site: Site;
  fault: FaultKind;
  /** Follow the run by polling, not streaming. */
  polling?: boolean;
}

interface Outcome {
  clear: boolean;
  textKept: boolean;
  leaks: number;
  stopMs?: number;
  note: string;
}

const STREAM_FAULTS: FaultKind[] = ['reset mid-stream', 'stall', 'cut mid-event', 'error frame', 'error frame after start (rate limit)', 'error frame after start (server error)'];
const HTTP_FAULTS: FaultKind[] = ['429 permanent', '429 temporary', 'Retry-After 3600', 'Retry-After far date', '5xx', 'reset before', 'cut-off JSON', 'empty body', 'key echoed'];
/** Seconds a long Retry-After asks to wait; the scenario presses Retry now instead of waiting. */
const LONG_WAIT_S = 3600;
const ANSWER = 'An answer in several small pieces for the stream to carry.';

function paths(protocol: BackendKind): Record<Site, { method: string; path: string | RegExp }> {
  return protocol === 'responses'
    ? {
        'create thread': { method: 'POST', path: '/conversations' },
        'add message': { method: 'POST', path: '/conversations/:conversation_id/items' },
        'start run': { method: 'POST', path: '/responses' },
        'submit outputs': { method: 'POST', path: '/responses' },
        'poll run': { method: 'GET', path: '/responses/:response_id' },
        'list run steps': { method: 'GET', path: '/responses/:response_id' },
        cancel: { method: 'POST', path: '/responses/:response_id/cancel' },
      }
    : {
        'create thread': { method: 'POST', path: '/threads' },
        'add message': { method: 'POST', path: '/threads/:thread_id/messages' },
        'start run': { method: 'POST', path: '/threads/:thread_id/runs' },
        'submit outputs': { method: 'POST', path: '/threads/:thread_id/runs/:run_id/submit_tool_outputs' },
        'poll run': { method: 'GET', path: '/threads/:thread_id/runs/:run_id' },
        'list run steps': { method: 'GET', path: '/threads/:thread_id/runs/:run_id/steps' },
        cancel: { method: 'POST', path: '/threads/:thread_id/runs/:run_id/cancel' },
      };
}

const SSE = { 'content-type': 'text/event-stream' };

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The start of a run as each protocol streams it: the event that names it. */
function runCreated(protocol: BackendKind): string {
  return protocol === 'responses'
    ? sse('response.created', { type: 'response.created', sequence_number: 0, response: { id: 'resp_bench', object: 'response', created_at: 1, status: 'in_progress', model: 'gpt-test', output: [], error: null, incomplete_details: null, metadata: {} } })
    : sse('thread.run.created', { id: 'run_bench', object: 'thread.run', thread_id: 'thread_bench', assistant_id: 'asst_bench', status: 'queued', created_at: 1, model: 'gpt-test', instructions: '', tools: [], required_action: null, last_error: null, usage: null, metadata: {}, started_at: null, completed_at: null, failed_at: null, cancelled_at: null });
}

/** A whole answer streamed in pieces, whose final event leaves the answer out (`output` / `content`). */
function streamWithoutOutput(protocol: BackendKind): string[] {
  const pieces = ANSWER.match(/.{1,12}/g) ?? [];
  if (protocol === 'responses') {
    const bare = { id: 'resp_bench', object: 'response', created_at: 1, model: 'gpt-test', error: null, incomplete_details: null, metadata: {} };
    let n = 0;
    return [
      sse('response.created', { type: 'response.created', sequence_number: n++, response: { ...bare, status: 'in_progress' } }),
      sse('response.output_item.added', { type: 'response.output_item.added', sequence_number: n++, output_index: 0, item: { type: 'message', id: 'msg_bench', role: 'assistant', status: 'in_progress', content: [] } }),
      ...pieces.map((delta) => sse('response.output_text.delta', { type: 'response.output_text.delta', sequence_number: n++, output_index: 0, content_index: 0, item_id: 'msg_bench', delta, logprobs: [] })),
      sse('response.completed', { type: 'response.completed', sequence_number: n, response: { ...bare, status: 'completed' } }),
    ];
  }
  const run = (status: string) => ({ id: 'run_bench', object: 'thread.run', thread_id: 'thread_bench', assistant_id: 'asst_bench', status, created_at: 1, model: 'gpt-test', instructions: '', tools: [], required_action: null, last_error: null, usage: null, metadata: {}, started_at: 1, completed_at: status === 'completed' ? 2 : null, failed_at: null, cancelled_at: null });
  const message = { id: 'msg_bench', object: 'thread.message', thread_id: 'thread_bench', run_id: 'run_bench', role: 'assistant', created_at: 1, attachments: [], metadata: {} };
  return [
    sse('thread.run.created', run('queued')),
    sse('thread.run.in_progress', run('in_progress')),
    sse('thread.message.created', { ...message, status: 'in_progress', content: [] }),
    ...pieces.map((value) => sse('thread.message.delta', { id: 'msg_bench', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } })),
    sse('thread.message.completed', { ...message, status: 'completed' }),
    sse('thread.run.completed', run('completed')),
    'event: done\ndata: [DONE]\n\n',
  ];
}

/**
 * A code-interpreter run as servers other than OpenAI's stream it (Assistants v2): a step without
 * details whose later deltas name only their index, an unknown tool and nulls, an answer whose
 * figure and citation come as deltas and whose final event is empty. The answer is `ANSWER`.
 */
function oddCodeInterpreterRun(): string[] {
  const run = (status: string) => ({ id: 'run_bench', object: 'thread.run', thread_id: 'thread_bench', assistant_id: 'asst_bench', status, created_at: 1, model: 'gpt-test', instructions: '', tools: [], required_action: null, last_error: null, usage: null, metadata: {}, started_at: 1, completed_at: status === 'completed' ? 2 : null, failed_at: null, cancelled_at: null });
  const step = (status: string, details?: unknown) => ({ id: 'step_bench', object: 'thread.run.step', run_id: 'run_bench', type: 'tool_calls', status, created_at: 1, ...(details ? { step_details: details } : {}) });
  const stepDelta = (toolCalls: unknown[]) => sse('thread.run.step.delta', { id: 'step_bench', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: toolCalls } } });
  const messageDelta = (content: unknown[]) => sse('thread.message.delta', { id: 'msg_bench', object: 'thread.message.delta', delta: { content } });
  const message = { id: 'msg_bench', object: 'thread.message', thread_id: 'thread_bench', run_id: 'run_bench', role: 'assistant', created_at: 1, attachments: [], metadata: {} };
  return [
    sse('thread.run.created', run('queued')),
    sse('thread.run.in_progress', run('in_progress')),
    sse('thread.run.step.created', step('in_progress')),
    stepDelta([{ index: 0, id: 'r1', type: 'retrieval', retrieval: {} }, null, { index: 1, id: 'call_1', type: 'code_interpreter', code_interpreter: { input: 'plot()', outputs: [] } }]),
    stepDelta([{ index: 1, code_interpreter: { outputs: [{ type: 'logs', logs: '\u001b[32mok\u001b[0m' }, { type: 'image', image: { file_id: 'file-fig' } }] } }]),
    sse('thread.run.step.completed', step('completed', { type: 'tool_calls', tool_calls: [] })),
    sse('thread.message.created', { ...message, status: 'in_progress', content: [] }),
    messageDelta([{ index: 0, type: 'image_file', image_file: { file_id: 'file-fig' } }]),
    ...(ANSWER.match(/.{1,12}/g) ?? []).map((value) => messageDelta([{ index: 1, type: 'text', text: { value } }])),
    messageDelta([{ index: 1, type: 'text', text: { annotations: [{ index: 0, type: 'file_path', text: 'sandbox:/mnt/data/x.csv', file_path: { file_id: 'file-csv' } }, null] } }]),
    sse('thread.message.completed', { ...message, status: 'completed', content: [] }),
    sse('thread.run.completed', run('completed')),
    'event: done\ndata: [DONE]\n\n',
  ];
}

/** A page of a listing that says more follows, the same each time it is asked for. */
function repeatedPage(): string {
  const step = { id: 'step_bench', object: 'thread.run.step', run_id: 'run_bench', assistant_id: 'asst_bench', thread_id: 'thread_bench', type: 'message_creation', status: 'completed', created_at: 1, step_details: { type: 'message_creation', message_creation: { message_id: 'msg_bench' } } };
  return JSON.stringify({ object: 'list', data: [step], first_id: 'step_bench', last_id: 'step_bench', has_more: true });
}

function json(status: number, code: string, message: string): FaultSpec['script'] {
  return { status, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ error: { message, type: code, param: null, code } })] };
}

/** The fault as the fake injects it at one call site. */
function faultSpec(kind: FaultKind, where: { method: string; path: string | RegExp }, protocol: BackendKind): FaultSpec | undefined {
  const base = { method: where.method, path: where.path };
  switch (kind) {
    case 'Retry-After 3600':
      return { ...base, kind: 'rate_limit', times: 1, retryAfterSeconds: LONG_WAIT_S };
    case 'Retry-After far date':
      return { ...base, kind: 'script', times: 20, script: { status: 429, headers: { 'content-type': 'application/json', 'retry-after': new Date(Date.now() + 40 * 86_400_000).toUTCString() }, chunks: [JSON.stringify({ error: { message: 'Rate limit reached.', type: 'requests', param: null, code: 'rate_limit_exceeded' } })] } };
    case 'cut-off JSON':
      return { ...base, kind: 'script', times: 20, script: { headers: { 'content-type': 'application/json' }, chunks: ['{"id": "x", "object": '] } };
    case 'empty body':
      return { ...base, kind: 'script', times: 20, script: { headers: { 'content-type': 'application/json' }, chunks: [] } };
    case 'error frame after start (rate limit)':
    case 'error frame after start (server error)': {
      const code = kind.includes('rate') ? 'rate_limit_exceeded' : 'server_error';
      const frame = protocol === 'responses' ? { type: 'error', code, message: 'Try later.', param: null, sequence_number: 1 } : { error: { type: code, code, message: 'Try later.', param: null } };
      return { ...base, kind: 'script', script: { headers: SSE, chunks: [runCreated(protocol), sse('error', frame)] } };
    }
    case 'completed without output':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: streamWithoutOutput(protocol) } };
    case 'v2 code interpreter, odd shapes':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: oddCodeInterpreterRun() } };
    case 'repeated page':
      return { ...base, kind: 'script', times: 50, script: { headers: { 'content-type': 'application/json' }, chunks: [repeatedPage()] } };
    case 'cancel hangs':
      return { ...base, kind: 'script', times: 10, script: { chunks: [], end: 'hang' } };
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

async function runScenario({ protocol, site, fault, polling }: Scenario): Promise<Outcome> {
  // "Cut mid-event" and an error frame after the start are the faults of a server that keeps nothing:
  // no background mode, nothing to poll.
  const keepsNothing = (fault === 'cut mid-event' || fault.startsWith('error frame after start')) && protocol === 'responses';
  const fake = await FakeOpenAIServer.start({ timeScale: 0.2, ...(keepsNothing ? { background: false, keepsResponses: false } : {}) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  try {
    const { backend, serverAssistants } = connect({ protocol, apiKey: KEY, baseUrl: fake.baseUrl });
    const draft = { name: 'Faults', model: 'gpt-test', instructions: 'Be brief.', tools: [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] };
    const assistant: Assistant = serverAssistants ? (await serverAssistants.create(draft)).assistant! : { ...draft, id: 'default', createdAt: 0 };
    const where = paths(protocol)[site];
    const spec = faultSpec(fault, where, protocol);
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
      driver: () => ({ preferStreaming: site !== 'poll run' && site !== 'list run steps' && !polling, streamIdleMs: 500, poll: { initialMs: 20, maxMs: 80 }, retry: { baseDelayMs: 20, maxDelayMs: 200 } }),
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
    const answer = { type: 'text' as const, text: ANSWER, chunkSize: 6, chunkDelayMs: 40 };
    fake.model.enqueue(...(needsTool ? [{ steps: [{ type: 'function_call' as const, name: 'lookup', arguments: {} }] }, { steps: [answer] }] : [{ steps: [answer], durationMs: 1500 }]));
    // A listing fault waits until the run is under way; the submit site's waits for its outputs.
    const injectLater = site === 'submit outputs' || site === 'list run steps';
    if (spec && !injectLater) fake.inject(spec);
    const sends = (): number => fake.requests.filter((r) => r.method === where.method && typeof where.path === 'string' && matchPath(where.path, r.path) !== undefined).length;

    const text = `Question under ${fault} at ${site}`;
    let sendRefused = false;
    try {
      await session.send(text);
    } catch {
      sendRefused = true;
    }
    if (spec && site === 'list run steps') setTimeout(() => fake.inject(spec), 300);
    let stopMs: number | undefined;
    let landedAfterStop = 0;
    const extra: string[] = [];
    const pressesStop = fault === 'hung tool' || fault === 'stall' || fault === 'cancel hangs';
    if (pressesStop && session.busy) {
      if (fault === 'cancel hangs') await until(() => updates.some((u) => u.type === 'run' && u.event.type === 'message.delta') || !session.busy, IDLE_DEADLINE_MS);
      else await new Promise((resolve) => setTimeout(resolve, STOP_AFTER_MS + (fault === 'hung tool' ? 400 : 0)));
      const pressed = Date.now();
      const seen = updates.length;
      session.stop();
      await waitIdle(session, IDLE_DEADLINE_MS);
      stopMs = Date.now() - pressed;
      landedAfterStop = updates.slice(seen).filter((u) => u.type === 'run' && (u.event.type === 'message.delta' || u.event.type === 'message.created')).length;
      if (fault === 'cancel hangs') extra.push(`${landedAfterStop} deltas after Stop`);
    }
    if (fault === 'Retry-After 3600' && session.busy) {
      // The server asked for an hour: the chat says until when and waits; Retry now sends at once.
      const longWait = (): boolean => updates.some((u) => (u.type === 'run' || u.type === 'waiting') && u.event.type === 'retry' && u.event.waitMs >= 60_000);
      await until(() => longWait() || !session.busy, IDLE_DEADLINE_MS);
      await new Promise((resolve) => setTimeout(resolve, 500));
      extra.push(`${longWait() ? 'waited as told' : 'no long wait'}, sent ${sends()} time(s) before Retry now`);
      session.retryNow();
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
    const keepsAnswer = fault === 'completed without output' || fault === 'v2 code interpreter, odd shapes';
    const answerKept = !keepsAnswer || (stored?.messages ?? []).some((m) => m.role === 'assistant' && m.content.some((c) => c.type === 'text' && c.text === ANSWER));
    if (keepsAnswer) extra.push(answerKept ? 'streamed answer kept' : 'streamed answer LOST');
    if (fault === 'v2 code interpreter, odd shapes') {
      const answer = (stored?.messages ?? []).find((m) => m.role === 'assistant');
      const calls = Object.values(stored?.runs ?? {}).flatMap((record) => record.steps.flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : [])));
      extra.push(`figure in answer: ${answer?.content.some((c) => c.type === 'image_file') ? 'yes' : 'NO'}, code step outputs: ${calls.flatMap((c) => (c.type === 'code_interpreter' ? c.outputs : [])).length}`);
    }
    const clear = idle && openAnswers === 0 && readable && (!live || told) && landedAfterStop === 0 && answerKept;
    const textKept = sendRefused || (stored?.messages ?? []).some((m) => m.role === 'user' && m.content.some((c) => c.type === 'text' && c.text === text));
    const written = filesUnder(dir).map((file) => fs.readFileSync(file, 'utf8'));
    const leaks = [...written, JSON.stringify(updates), JSON.stringify(sentences)].filter((blob) => blob.includes(KEY)).length;
    const said = sentences.at(-1) ?? (lastRun?.lastError?.message);
    const note = `${lastRun?.status ?? (sendRefused ? 'send refused' : 'no run')}${extra.length ? ` (${extra.join('; ')})` : ''}${said ? `: ${said.slice(0, 100)}` : ''}`;
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
    list.push({ protocol, site: 'start run', fault: 'completed without output' });
    list.push({ protocol, site: 'submit outputs', fault: 'hung tool' });
    list.push({ protocol, site: 'cancel', fault: 'cancel hangs' }, { protocol, site: 'cancel', fault: 'cancel hangs', polling: true });
  }
  // Only Assistants v2 runs are read through listings (their steps and messages).
  list.push({ protocol: 'assistantsV2', site: 'list run steps', fault: 'repeated page' });
  list.push({ protocol: 'assistantsV2', site: 'start run', fault: 'v2 code interpreter, odd shapes' });
  return list;
}

/** Resolves once `done` holds, or after `ms`. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The site whose outcome stands for a kind in the listing: where the run is started, else the first tried. */
const SHOWN_SITE: readonly Site[] = ['start run', 'cancel', 'list run steps', 'poll run', 'submit outputs', 'add message', 'create thread'];

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const all = scenarios();
  let clear = 0;
  let kept = 0;
  let leaks = 0;
  let longestStop = 0;
  const unclear: string[] = [];
  const byKind = new Map<FaultKind, { scenario: Scenario; outcome: Outcome }[]>();
  for (const scenario of all) {
    const outcome = await runScenario(scenario);
    const label = `${scenario.protocol} / ${scenario.site}${scenario.polling ? ' (polling)' : ''} / ${scenario.fault}`;
    if (outcome.clear) clear++;
    else unclear.push(`${label}: ${outcome.note}`);
    if (outcome.textKept) kept++;
    leaks += outcome.leaks;
    if (outcome.stopMs !== undefined) longestStop = Math.max(longestStop, outcome.stopMs);
    byKind.set(scenario.fault, [...(byKind.get(scenario.fault) ?? []), { scenario, outcome }]);
    if (verbose) console.log(`${outcome.clear ? 'clear  ' : 'UNCLEAR'} ${label}${outcome.stopMs !== undefined ? ` (Stop ${outcome.stopMs} ms)` : ''}: ${outcome.note}`);
  }
  console.log('\nEach kind: scenarios tried (call sites x protocols), ended in a clear state, user\'s text kept; then how it ended on each protocol');
  for (const [kind, results] of byKind) {
    const count = (pick: (outcome: Outcome) => boolean): number => results.filter((r) => pick(r.outcome)).length;
    const stops = results.flatMap((r) => (r.outcome.stopMs === undefined ? [] : [r.outcome.stopMs]));
    const stop = stops.length ? `, longest Stop ${Math.max(...stops)} ms` : '';
    console.log(`\n${kind}: ${results.length} tried, ${count((o) => o.clear)} clear, ${count((o) => o.textKept)} kept${stop}`);
    for (const protocol of ['responses', 'assistantsV2'] as BackendKind[]) {
      const mine = results.filter((r) => r.scenario.protocol === protocol);
      const shown = SHOWN_SITE.map((site) => mine.find((r) => r.scenario.site === site)).find((r) => r !== undefined);
      if (shown) console.log(`  ${protocol} / ${shown.scenario.site}: ${shown.outcome.note}`);
    }
  }
  console.log('\ntried  ended in a clear state  user\'s text kept  key leaks  longest Stop');
  console.log(`${String(all.length).padEnd(7)}${String(clear).padEnd(26)}${String(kept).padEnd(18)}${String(leaks).padEnd(11)}${longestStop} ms`);
  if (unclear.length) console.log(`\nNot clear:\n${unclear.map((line) => `  ${line}`).join('\n')}`);
}

void main();
