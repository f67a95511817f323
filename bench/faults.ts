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
 * "Longest Stop": from Stop to idle, over the scenarios that press Stop. A scenario whose sentence (or
 * the sentence the chat shows under the run) holds a JavaScript error's words ("Cannot read
 * properties", "is not iterable", "undefined") is not clear. Then the rendering kinds (bench/renderingFaults.ts):
 * hostile answers, logs and questions drawn by the chat page, each input with the checks it passed.
 * Last the search kind (bench/searchFaults.ts): `search_text` over lines too long to search whole.
 * Prints; asserts nothing.
 * Run with `npm run bench:faults` (`-- --only <words>` for the kinds whose name holds them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect } from '../src/backends/connect';
import type { ChatUpdate } from '../src/core/chat/chatSession';
import { ChatSession } from '../src/core/chat/chatSession';
import type { AssistantsError } from '../src/core/errors';
import { nodeFileSystem } from '../src/core/workspace/fileSystem';
import type { Assistant, BackendKind, Run } from '../src/common/model';
import { ThreadStore } from '../src/core/threads/threadStore';
import type { ToolHandler } from '../src/core/toolHandler';
import type { FaultSpec } from '../test/fakes/fakeServer';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';
import { matchPath } from '../test/fakes/http';
import { runOutcome } from '../webview/status';
import { isClear, printRenderingKind, tryRenderingKinds } from './renderingFaults';
import { trySearchKind } from './searchFaults';

const KEY = 'proxy-key-0123456789abcdef-LEAKCHECK';
/** A JavaScript error's words where the user should read a sentence. */
const JS_ERROR_TEXT = /Cannot read propert|is not iterable|is not a function|\bundefined\b|\bnull\b|\[object Object\]|Unexpected token|SyntaxError|TypeError/;
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
  | 'v2 code interpreter, odd shapes'
  | '200 HTML page'
  | '502 HTML page'
  | '429 without headers'
  | 'Retry-After date past'
  | 'Retry-After negative'
  | 'Retry-After garbage'
  | 'Retry-After sent twice'
  | 'retry-after-ms'
  | 'error frame between deltas'
  | 'error frame after the end'
  | 'error frame without words'
  | 'keep-alives and unknown events'
  | 'UTF-8 split, CRLF lines'
  | 'stream ends without its end'
  | 'final output of odd shapes'
  | 'fields of the wrong type'
  | 'requires_action without calls'
  | 'incomplete (max_output_tokens)'
  | 'incomplete (content_filter)'
  | 'incomplete (no reason)'
  | 'failed without an error'
  | 'keep-alives only, forever'
  | 'in progress forever'
  | 'status nobody knows, forever'
  | 'poll answered without ids'
  | 'poll hangs'
  | 'stream and cancel hang'
  | 'page not a list'
  | 'page with holes'
  | 'events sent twice'
  | 'one JSON answer for a stream'
  | 'web page as an event stream';

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
const HTTP_FAULTS: FaultKind[] = ['429 permanent', '429 temporary', 'Retry-After 3600', 'Retry-After far date', '5xx', 'reset before', 'cut-off JSON', 'empty body', 'key echoed', '200 HTML page', '502 HTML page', '429 without headers'];
/** Retry-After in forms that ask for no wait or are no wait: the retry must wait its own backoff, not re-send at once. */
const WAIT_FORMS: FaultKind[] = ['Retry-After date past', 'Retry-After negative', 'Retry-After garbage', 'Retry-After sent twice', 'retry-after-ms'];
/** What a streamed run's events may hold, on both protocols (the start of a run). */
const STREAM_SHAPES: FaultKind[] = [
  'error frame between deltas',
  'error frame after the end',
  'error frame without words',
  'keep-alives and unknown events',
  'UTF-8 split, CRLF lines',
  'stream ends without its end',
  'final output of odd shapes',
  'fields of the wrong type',
  'incomplete (max_output_tokens)',
  'incomplete (content_filter)',
  'incomplete (no reason)',
  'failed without an error',
  'keep-alives only, forever',
];
/** Kinds whose streamed answer must arrive whole, as `answerOf` says. */
const KEEPS_ANSWER: ReadonlySet<FaultKind> = new Set<FaultKind>(['completed without output', 'v2 code interpreter, odd shapes', 'error frame after the end', 'keep-alives and unknown events', 'UTF-8 split, CRLF lines', 'final output of odd shapes', 'fields of the wrong type', 'poll answered without ids', 'events sent twice', 'one JSON answer for a stream']);
/** A run that shows no progress for this long is given up (the driver's default is 30 min). */
const PROGRESS_TIMEOUT_MS = 3000;
/** The answer of a stream in many scripts; one in letters of every width where the bytes are split. */
const WIDE_ANSWER = 'Grüße, 日本語 and 😀 cut mid-character.';
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

type Chunk = string | Buffer | { waitMs: number };

/** A streamed run of either protocol: its start, `middle`, an answer of `text`, and its end as `end` says (or none). */
function scriptedRun(protocol: BackendKind, options: { middle?: Chunk[]; text?: string; end?: 'completed' | 'none' | { status: string; fields: Record<string, unknown> }; after?: Chunk[]; final?: Record<string, unknown>; deltas?: unknown[] } = {}): Chunk[] {
  const pieces = (options.text ?? ANSWER).match(/.{1,12}/gu) ?? [];
  const end = options.end ?? 'completed';
  if (protocol === 'responses') {
    const response = (status: string, extra: Record<string, unknown> = {}) => ({ id: 'resp_bench', object: 'response', created_at: 1, status, model: 'gpt-test', output: [], error: null, incomplete_details: null, metadata: {}, ...extra });
    let n = 0;
    const event = (type: string, fields: Record<string, unknown>) => sse(type, { type, sequence_number: n++, ...fields });
    return [
      event('response.created', { response: response('in_progress') }),
      ...(options.middle ?? []),
      event('response.output_item.added', { output_index: 0, item: { type: 'message', id: 'msg_bench', role: 'assistant', status: 'in_progress', content: [] } }),
      ...pieces.map((delta) => event('response.output_text.delta', { output_index: 0, content_index: 0, item_id: 'msg_bench', delta, logprobs: [] })),
      ...(options.deltas ?? []).map((fields) => event('response.output_text.delta', fields as Record<string, unknown>)),
      ...(end === 'none' ? [] : end === 'completed' ? [event('response.completed', { response: response('completed', options.final ?? {}) })] : [event(`response.${end.status}`, { response: response(end.status, end.fields) })]),
      ...(options.after ?? []),
    ];
  }
  const run = (status: string, extra: Record<string, unknown> = {}) => ({ id: 'run_bench', object: 'thread.run', thread_id: 'thread_bench', assistant_id: 'asst_bench', status, created_at: 1, model: 'gpt-test', instructions: '', tools: [], required_action: null, last_error: null, usage: null, metadata: {}, started_at: 1, completed_at: null, failed_at: null, cancelled_at: null, ...extra });
  const message = { id: 'msg_bench', object: 'thread.message', thread_id: 'thread_bench', run_id: 'run_bench', role: 'assistant', created_at: 1, attachments: [], metadata: {} };
  return [
    sse('thread.run.created', run('queued')),
    sse('thread.run.in_progress', run('in_progress')),
    ...(options.middle ?? []),
    sse('thread.message.created', { ...message, status: 'in_progress', content: [] }),
    ...pieces.map((value) => sse('thread.message.delta', { id: 'msg_bench', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } })),
    ...(options.deltas ?? []).map((delta) => sse('thread.message.delta', delta)),
    ...(end === 'none' ? [] : [sse('thread.message.completed', { ...message, status: 'completed', ...(options.final ?? {}) }), end === 'completed' ? sse('thread.run.completed', run('completed')) : sse(`thread.run.${end.status}`, run(end.status, end.fields))]),
    ...(options.after ?? []),
    ...(end === 'none' ? [] : ['event: done\ndata: [DONE]\n\n']),
  ];
}

/** `piece` every 50 ms for `ms`. */
function every50(ms: number, piece: (n: number) => string): Chunk[] {
  return Array.from({ length: Math.round(ms / 50) }, (_, n) => [piece(n), { waitMs: 50 }]).flat();
}

/** The error frame of each protocol, with `fields`. */
function errorFrame(protocol: BackendKind, fields: Record<string, unknown>): string {
  return sse('error', protocol === 'responses' ? { type: 'error', sequence_number: 90, ...fields } : { error: fields });
}

/** Bytes cut in the middle of every multi-byte character, in lines that end CRLF. */
function splitWide(chunks: Chunk[]): Chunk[] {
  const bytes = Buffer.from(chunks.filter((c): c is string => typeof c === 'string').join('').replace(/\n/g, '\r\n'));
  const cuts: number[] = [];
  for (let at = 1; at < bytes.length; at++) if ((bytes[at] & 0xc0) === 0x80 && (bytes[at - 1] & 0xc0) !== 0x80) cuts.push(at);
  return [...cuts, bytes.length].map((cut, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1], cut));
}

/** The shapes of the wrong type, as each protocol's stream carries them beside a whole answer. */
function wrongTyped(protocol: BackendKind): Chunk[] {
  if (protocol === 'responses') {
    return scriptedRun(protocol, {
      deltas: [
        { output_index: 0, content_index: 0, item_id: 'msg_bench', delta: 5 },
        { output_index: 1e9, content_index: 0, item_id: 'msg_far', delta: 'far' },
        { output_index: '0', content_index: 0, item_id: 'msg_bench', delta: 'string index' },
      ],
      final: { output: { 0: 'no list' }, usage: { input_tokens: 'many' }, incomplete_details: { reason: { x: 1 } } },
    });
  }
  return scriptedRun(protocol, {
    deltas: [
      { id: 'msg_bench', delta: { content: { a: 1 } } },
      { id: 'msg_bench', delta: 'text' },
      { id: 'msg_bench', delta: { content: [{ index: 0, type: 'text', text: { value: 5, annotations: 'none' } }] } },
      { id: 7, delta: { content: [{ index: 0, type: 'text', text: { value: 'nameless' } }] } },
    ],
    middle: [sse('thread.run.step.delta', { id: 'step_bench', delta: { step_details: { type: 'tool_calls', tool_calls: { x: 1 } } } }), sse('thread.run.step.delta', { id: 'step_bench', delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 0, type: 'code_interpreter', code_interpreter: { input: 5, outputs: 'x' } }] } } })],
    final: { content: 'text', attachments: { file_id: 'x' } },
  });
}

/** A final event whose output holds holes, items that are none, and parts and citations of every wrong shape. */
function oddFinal(protocol: BackendKind): Chunk[] {
  if (protocol === 'responses') {
    return scriptedRun(protocol, { final: { output: [null, 5, 'text', { type: 'message' }, { type: 'function_call' }, { type: 'tomorrow' }, { type: 'code_interpreter_call', outputs: 'none' }, { type: 'message', id: 'msg_odd', content: [null, { type: 'output_text', text: 5, annotations: [null, { type: 'weird' }] }] }] } });
  }
  return scriptedRun(protocol, { final: { content: [{ type: 'text', text: { value: ANSWER, annotations: [null, { type: 'weird' }, { type: 'file_citation' }] } }, null, { type: 'video' }, 5] } });
}

/** A run of each protocol whose poll answers it unchanged: `status`, without ids. */
function pollBody(protocol: BackendKind, status: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(protocol === 'responses' ? { object: 'response', status, output: [], ...extra } : { object: 'thread.run', status, ...extra });
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
    case '200 HTML page':
      return { ...base, kind: 'script', times: 20, script: { headers: { 'content-type': 'text/html' }, chunks: ['<html><body>Sign in to continue</body></html>'] } };
    case '502 HTML page':
      return { ...base, kind: 'script', times: 2, script: { status: 502, headers: { 'content-type': 'text/html' }, chunks: ['<html><body><h1>502 Bad Gateway</h1></body></html>'] } };
    case '429 without headers':
      return { ...base, kind: 'script', times: 2, script: { status: 429, headers: {}, chunks: [] } };
    case 'Retry-After date past':
    case 'Retry-After negative':
    case 'Retry-After garbage':
    case 'Retry-After sent twice':
    case 'retry-after-ms': {
      const told: Record<string, string> = ({ 'Retry-After date past': { 'retry-after': new Date(Date.now() - 3_600_000).toUTCString() }, 'Retry-After negative': { 'retry-after': '-30' }, 'Retry-After garbage': { 'retry-after': 'soon, maybe' }, 'Retry-After sent twice': { 'retry-after': '0.3, 0.3' }, 'retry-after-ms': { 'retry-after-ms': '300', 'retry-after': '3600' } } as Record<string, Record<string, string>>)[kind];
      return { ...base, kind: 'script', times: 2, script: { status: 429, headers: { 'content-type': 'application/json', ...told }, chunks: [JSON.stringify({ error: { message: 'Rate limit reached.', type: 'requests', param: null, code: 'rate_limit_exceeded' } })] } };
    }
    case 'error frame between deltas':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: [...scriptedRun(protocol, { end: 'none' }), errorFrame(protocol, { code: 'server_error', message: 'The model crashed mid-answer.' })] } };
    case 'error frame after the end':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: scriptedRun(protocol, { after: [errorFrame(protocol, { code: 'server_error', message: 'Late.' })] }) } };
    case 'error frame without words':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: [runCreated(protocol), sse('error', {})] } };
    case 'keep-alives and unknown events': {
      const ping = (n: number): string => [': keep-alive\n\n', sse('keepalive', { type: 'keepalive', sequence_number: 50 + n }), sse('vendor.progress', { type: 'vendor.progress', note: 'thinking' })][n % 3];
      return { ...base, kind: 'script', script: { headers: SSE, chunks: scriptedRun(protocol, { middle: every50(1500, ping) }) } };
    }
    case 'UTF-8 split, CRLF lines':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: splitWide(scriptedRun(protocol, { text: WIDE_ANSWER })) } };
    case 'stream ends without its end':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: scriptedRun(protocol, { end: 'none' }) } };
    case 'final output of odd shapes':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: oddFinal(protocol) } };
    case 'fields of the wrong type':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: wrongTyped(protocol) } };
    case 'requires_action without calls':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: [runCreated(protocol), sse('thread.run.requires_action', { id: 'run_bench', object: 'thread.run', thread_id: 'thread_bench', status: 'requires_action', created_at: 1, required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: [] } } }), 'event: done\ndata: [DONE]\n\n'] } };
    case 'incomplete (max_output_tokens)':
    case 'incomplete (content_filter)':
    case 'incomplete (no reason)': {
      const reason = /\((\w+)\)/.exec(kind)?.[1];
      const fields = reason === 'no' ? {} : { incomplete_details: { reason } };
      return { ...base, kind: 'script', script: { headers: SSE, chunks: scriptedRun(protocol, { end: { status: 'incomplete', fields } }) } };
    }
    case 'failed without an error':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: scriptedRun(protocol, { end: { status: 'failed', fields: protocol === 'responses' ? { error: { code: null, message: null } } : { last_error: 'boom' } } }) } };
    case 'keep-alives only, forever':
      return { ...base, kind: 'script', script: { headers: SSE, chunks: [runCreated(protocol), ...every50(PROGRESS_TIMEOUT_MS * 3, () => ': keep-alive\n\n')] } };
    case 'in progress forever':
      return { ...base, kind: 'script', times: 100_000, script: { headers: { 'content-type': 'application/json' }, chunks: [pollBody(protocol, 'in_progress')] } };
    case 'status nobody knows, forever':
      return { ...base, kind: 'script', times: 100_000, script: { headers: { 'content-type': 'application/json' }, chunks: [pollBody(protocol, 'paused')] } };
    case 'poll answered without ids':
      return { ...base, kind: 'script', times: 3, script: { headers: { 'content-type': 'application/json' }, chunks: [pollBody(protocol, 'in_progress', { id: 5, thread_id: null })] } };
    case 'poll hangs':
      return { ...base, kind: 'script', times: 100_000, script: { chunks: [], end: 'hang' } };
    case 'stream and cancel hang':
      return { ...base, kind: 'script', times: 10, script: { chunks: [], end: 'hang' } };
    case 'web page as an event stream':
      return { ...base, kind: 'script', times: 20, script: { headers: SSE, chunks: ['<!DOCTYPE html><html><body>Sign in to the proxy</body></html>'] } };
    case 'one JSON answer for a stream':
      // The server itself ignores `stream: true` (FakeServerOptions.streaming 'ignored').
      return undefined;
    case 'events sent twice':
      // Each event twice, as a proxy that retried its write might: the answer must come once.
      return { ...base, kind: 'script', script: { headers: SSE, chunks: scriptedRun(protocol).flatMap((chunk) => [chunk, chunk]) } };
    case 'page not a list':
      return { ...base, kind: 'script', times: 50, script: { headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ object: 'list', data: { step_bench: {} }, has_more: true })] } };
    case 'page with holes':
      return { ...base, kind: 'script', times: 50, script: { headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ object: 'list', data: [null, 3, 'step', { object: 'no id' }], has_more: false })] } };
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
  const keepsNothing = (fault === 'cut mid-event' || fault.startsWith('error frame after start') || fault === 'keep-alives and unknown events') && protocol === 'responses';
  const fake = await FakeOpenAIServer.start({ timeScale: 0.2, ...(keepsNothing ? { background: false, keepsResponses: false } : {}), ...(fault === 'one JSON answer for a stream' ? { streaming: 'ignored' as const } : {}) });
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
      driver: () => ({ preferStreaming: site !== 'poll run' && site !== 'list run steps' && !polling, streamIdleMs: 500, progressTimeoutMs: PROGRESS_TIMEOUT_MS, poll: { initialMs: 20, maxMs: 80 }, retry: { baseDelayMs: 20, maxDelayMs: 200 } }),
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
    // The stream names the run, then neither it nor the cancel ever answers again.
    if (fault === 'stream and cancel hang') fake.inject({ method: 'POST', path: paths(protocol)['start run'].path, kind: 'script', script: { headers: SSE, chunks: [runCreated(protocol)], end: 'hang' } });
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
    const pressesStop = fault === 'hung tool' || fault === 'stall' || fault === 'cancel hangs' || fault === 'poll hangs' || fault === 'stream and cancel hang';
    if (pressesStop && session.busy) {
      if (fault === 'cancel hangs') await until(() => updates.some((u) => u.type === 'run' && u.event.type === 'message.delta') || !session.busy, IDLE_DEADLINE_MS);
      else await new Promise((resolve) => setTimeout(resolve, STOP_AFTER_MS + (fault === 'hung tool' ? 400 : 0)));
      const pressed = Date.now();
      const seen = updates.length;
      session.stop();
      await waitIdle(session, IDLE_DEADLINE_MS);
      stopMs = Date.now() - pressed;
      landedAfterStop = updates.slice(seen).filter((u) => u.type === 'run' && (u.event.type === 'message.delta' || u.event.type === 'message.created')).length;
      if (fault === 'cancel hangs' || fault === 'stream and cancel hang') extra.push(`${landedAfterStop} deltas after Stop, Stop took ${stopMs} ms`);
      if (fault === 'poll hangs') extra.push(`Stop took ${stopMs} ms`);
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
    // What the chat says under the run when no error came with it: the status line's sentence.
    const outcome = lastRun ? outcomeSentence(lastRun) : undefined;
    const shown = [...sentences, ...(outcome ? [outcome] : [])];
    const readable = sentences.every((s) => s.trim() !== '' && !/\n\s+at /.test(s));
    const jsText = shown.filter((s) => JS_ERROR_TEXT.test(s)).length;
    if (jsText) extra.push('a JavaScript error shown');
    const retryWaits = updates.flatMap((u) => ((u.type === 'run' || u.type === 'waiting') && u.event.type === 'retry' ? [u.event.waitMs] : []));
    const atOnce = WAIT_FORMS.includes(fault) && retryWaits.some((ms) => ms === 0);
    if (fault === 'one JSON answer for a stream' || fault === 'web page as an event stream') extra.push(`sent ${sends()} time(s)`);
    if (WAIT_FORMS.includes(fault)) extra.push(retryWaits.length ? `re-sent after ${Math.min(...retryWaits)}-${Math.max(...retryWaits)} ms` : 'not re-sent');
    // An error frame after a completed run must leave it completed, with nothing said against it.
    const wronglyFailed = fault === 'error frame after the end' && (lastRun?.status !== 'completed' || sentences.length > 0);
    const told = sentences.length > 0 || sendRefused;
    const keepsAnswer = KEEPS_ANSWER.has(fault);
    const expected = fault === 'UTF-8 split, CRLF lines' ? WIDE_ANSWER : ANSWER;
    // The server completed these runs: the answer must be there whole, and the run completed.
    const answerKept = !keepsAnswer || (lastRun?.status === 'completed' && (stored?.messages ?? []).some((m) => m.role === 'assistant' && m.content.some((c) => c.type === 'text' && c.text === expected)));
    if (keepsAnswer) extra.push(answerKept ? 'streamed answer kept' : 'streamed answer LOST');
    if (fault === 'v2 code interpreter, odd shapes') {
      const answer = (stored?.messages ?? []).find((m) => m.role === 'assistant');
      const calls = Object.values(stored?.runs ?? {}).flatMap((record) => record.steps.flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : [])));
      extra.push(`figure in answer: ${answer?.content.some((c) => c.type === 'image_file') ? 'yes' : 'NO'}, code step outputs: ${calls.flatMap((c) => (c.type === 'code_interpreter' ? c.outputs : [])).length}`);
    }
    const clear = idle && openAnswers === 0 && readable && (!live || told) && landedAfterStop === 0 && answerKept && jsText === 0 && !atOnce && !wronglyFailed;
    const textKept = sendRefused || (stored?.messages ?? []).some((m) => m.role === 'user' && m.content.some((c) => c.type === 'text' && c.text === text));
    const written = filesUnder(dir).map((file) => fs.readFileSync(file, 'utf8'));
    const leaks = [...written, JSON.stringify(updates), JSON.stringify(sentences)].filter((blob) => blob.includes(KEY)).length;
    const said = sentences.at(-1) ?? lastRun?.lastError?.message ?? outcome;
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
    for (const fault of WAIT_FORMS) list.push({ protocol, site: 'start run', fault }, { protocol, site: 'poll run', fault });
    for (const fault of STREAM_SHAPES) list.push({ protocol, site: 'start run', fault });
    list.push({ protocol, site: 'start run', fault: 'one JSON answer for a stream' }, { protocol, site: 'start run', fault: 'web page as an event stream' });
    for (const fault of ['in progress forever', 'status nobody knows, forever', 'poll answered without ids', 'poll hangs'] as FaultKind[]) list.push({ protocol, site: 'poll run', fault });
    list.push({ protocol, site: 'cancel', fault: 'stream and cancel hang' });
    list.push({ protocol, site: 'submit outputs', fault: 'hung tool' });
    list.push({ protocol, site: 'cancel', fault: 'cancel hangs' }, { protocol, site: 'cancel', fault: 'cancel hangs', polling: true });
  }
  // Only Assistants v2 runs are read through listings (their steps and messages).
  list.push({ protocol: 'assistantsV2', site: 'list run steps', fault: 'repeated page' });
  // Only Responses numbers its stream's events, by which a repeat is known.
  list.push({ protocol: 'responses', site: 'start run', fault: 'events sent twice' });
  list.push({ protocol: 'assistantsV2', site: 'start run', fault: 'v2 code interpreter, odd shapes' });
  list.push({ protocol: 'assistantsV2', site: 'start run', fault: 'requires_action without calls' });
  list.push({ protocol: 'assistantsV2', site: 'list run steps', fault: 'page not a list' }, { protocol: 'assistantsV2', site: 'list run steps', fault: 'page with holes' });
  return list;
}

/** The sentence the chat draws under a run; the chat's own failure to draw it (its error's words) where it cannot. */
function outcomeSentence(run: Run): string | undefined {
  try {
    return runOutcome(run, undefined).sentence;
  } catch (error) {
    return `The chat could not draw the run: ${error instanceof Error ? error.message : String(error)}`;
  }
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
  // `--only <words>`: the scenarios whose kind holds them (to try one kind again).
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  const all = scenarios().filter((scenario) => only === undefined || scenario.fault.includes(only));
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
  const rendering = await tryRenderingKinds(only);
  if (rendering.length) console.log('\n\nRendering what models write, drawn by the chat page in Chromium. Each kind: inputs tried (whole and cut mid-stream), all checks passed (clear), no text swallowed (kept); then each check\'s passes, and each input that failed');
  for (const kind of rendering) printRenderingKind(kind);
  const drawn = rendering.flatMap((kind) => kind.tried);
  const searched = only === undefined || 'search long lines'.includes(only) ? await trySearchKind() : [];
  if (searched.length) {
    console.log(`\n\nsearch long lines (search_text over lines too long to search whole): ${searched.length} tried, ${searched.filter((t) => t.clear).length} clear, longest ${Math.max(...searched.map((t) => t.ms))} ms`);
    for (const tried of searched) console.log(`  ${tried.clear ? 'clear  ' : 'UNCLEAR'} ${tried.label} (${tried.ms} ms): ${tried.note}`);
  }
  console.log(`\n${''.padEnd(12)}tried  ended in a clear state  user's text kept  key leaks  longest Stop`);
  console.log(`${'run engine'.padEnd(12)}${String(all.length).padEnd(7)}${String(clear).padEnd(24)}${String(kept).padEnd(18)}${String(leaks).padEnd(11)}${longestStop} ms`);
  console.log(`${'rendering'.padEnd(12)}${String(drawn.length).padEnd(7)}${String(drawn.filter(isClear).length).padEnd(24)}${`${drawn.filter((t) => t.kept).length} of ${drawn.filter((t) => t.kept !== undefined).length}`.padEnd(18)}${'-'.padEnd(11)}-`);
  if (searched.length) console.log(`${'search'.padEnd(12)}${String(searched.length).padEnd(7)}${String(searched.filter((t) => t.clear).length).padEnd(24)}${'-'.padEnd(18)}${'-'.padEnd(11)}-`);
  if (unclear.length) console.log(`\nNot clear:\n${unclear.map((line) => `  ${line}`).join('\n')}`);
}

void main();
