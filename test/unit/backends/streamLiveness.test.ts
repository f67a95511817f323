import * as assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/common/events';
import type { BackendKind } from '../../../src/common/model';
import { textOf } from '../../../src/common/model';
import { RunDriver } from '../../../src/core/runs/runDriver';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import { backendWithQuestion } from './runSetUp';

/**
 * A stream is given up for its silence only when its connection brings nothing at all: keep-alive
 * comments, keep-alive events and events of kinds this client does not show are the server saying
 * it is there (OpenAI sends `{"type":"keepalive"}` while a model thinks; gateways send `: ping`).
 * On a server that keeps no runs, giving such a stream up loses the answer. And what the server
 * sends after the run ended (an `error` frame) changes nothing.
 */
const SSE = { 'content-type': 'text/event-stream' };
const START_PATH: Record<BackendKind, string> = { responses: '/responses', assistantsV2: '/threads/:thread_id/runs' };
const IDLE_MS = 1_000;

function frame(event: string | undefined, data: unknown): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/** A run of each protocol as its stream carries it, with `middle` between its start and its answer. */
function runStream(protocol: BackendKind, middle: (string | { waitMs: number })[], after: string[] = []): (string | { waitMs: number })[] {
  if (protocol === 'responses') {
    const response = (status: string) => ({ id: 'resp_live', object: 'response', created_at: 1, status, model: 'm', output: [], error: null, incomplete_details: null, metadata: {} });
    const message = { type: 'message', id: 'msg_live', role: 'assistant', status: 'in_progress', content: [] };
    return [
      frame('response.created', { type: 'response.created', sequence_number: 0, response: response('in_progress') }),
      ...middle,
      frame('response.output_item.added', { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: message }),
      frame('response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 2, output_index: 0, content_index: 0, item_id: 'msg_live', delta: 'Still here.' }),
      frame('response.completed', { type: 'response.completed', sequence_number: 3, response: response('completed') }),
      ...after,
    ];
  }
  const run = (status: string) => ({ id: 'run_live', object: 'thread.run', thread_id: 'thread_live', assistant_id: 'asst', status, created_at: 1, required_action: null, last_error: null });
  const message = { id: 'msg_live', object: 'thread.message', thread_id: 'thread_live', run_id: 'run_live', role: 'assistant', created_at: 1, content: [] };
  return [
    frame('thread.run.created', run('queued')),
    ...middle,
    frame('thread.message.created', { ...message, status: 'in_progress' }),
    frame('thread.message.delta', { id: 'msg_live', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: 'Still here.' } }] } }),
    frame('thread.message.completed', { ...message, status: 'completed' }),
    frame('thread.run.completed', run('completed')),
    ...after,
    'event: done\ndata: [DONE]\n\n',
  ];
}

/** `piece` every 50 ms for twice the silence a stream is allowed (a busy machine may delay one piece a few hundred ms). */
function forAWhile(piece: (n: number) => string): (string | { waitMs: number })[] {
  return Array.from({ length: (IDLE_MS * 2) / 50 }, (_, n) => [piece(n), { waitMs: 50 }]).flat();
}

function setUp(fake: FakeOpenAIServer, protocol: BackendKind): ReturnType<typeof backendWithQuestion> {
  return backendWithQuestion(fake, protocol, 'Live', 'Think hard.');
}

describe('A stream that only says it is there', () => {
  let fake: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const kinds: [string, (n: number) => string][] = [
    ['keep-alive comments', (n) => (n % 2 ? ': keep-alive\n\n' : ':\n\n')],
    ['keep-alive events', (n) => frame('keepalive', { type: 'keepalive', sequence_number: 100 + n })],
    ['events of kinds nobody shows', (n) => frame(`vendor.progress.${n % 3}`, { type: `vendor.progress.${n % 3}`, note: 'thinking' })],
  ];
  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const [label, piece] of kinds) {
      it(`is followed through ${label} longer than the silence allowed, to its answer (${protocol})`, async () => {
        // A server that keeps no runs: a stream given up could not be polled, and the answer would be lost.
        fake = await FakeOpenAIServer.start({ keepsResponses: false });
        const { backend, assistant, thread } = await setUp(fake, protocol);
        fake.inject({ method: 'POST', path: START_PATH[protocol], kind: 'script', script: { headers: SSE, chunks: runStream(protocol, forAWhile(piece)) } });
        const events: RunEvent[] = [];
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, streamIdleMs: IDLE_MS, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 1 } });
        const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e));
        assert.equal(result.run.status, 'completed', JSON.stringify(events.filter((e) => e.type === 'error' || e.type === 'fallback')));
        assert.equal(textOf(result.messages.at(-1)?.content ?? []), 'Still here.');
        assert.equal(events.some((e) => e.type === 'fallback'), false, 'not given up for silence');
      });
    }
  }

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    const late: [string, string][] = [
      ['an error frame with a code', frame('error', protocol === 'responses' ? { type: 'error', code: 'server_error', message: 'Late.', sequence_number: 4 } : { error: { type: 'server_error', code: 'server_error', message: 'Late.' } })],
      ['an error frame without words', frame('error', {})],
    ];
    for (const [label, after] of late) {
      it(`keeps a completed run completed when ${label} follows its end (${protocol})`, async () => {
        fake = await FakeOpenAIServer.start();
        const { backend, assistant, thread } = await setUp(fake, protocol);
        fake.inject({ method: 'POST', path: START_PATH[protocol], kind: 'script', script: { headers: SSE, chunks: runStream(protocol, [], [after]) } });
        const events: RunEvent[] = [];
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 1 } });
        const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e));
        assert.equal(result.run.status, 'completed');
        assert.equal(textOf(result.messages.at(-1)?.content ?? []), 'Still here.');
        assert.deepEqual(events.filter((e) => e.type === 'error' || e.type === 'fallback'), []);
      });
    }
  }
});
