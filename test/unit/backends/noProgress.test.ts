import * as assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/common/events';
import type { BackendKind } from '../../../src/common/model';
import { AssistantsError } from '../../../src/core/errors';
import { RunDriver } from '../../../src/core/runs/runDriver';
import type { RunDriverOptions } from '../../../src/core/runs/runDriver';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import { backendWithQuestion } from './runSetUp';

/**
 * A run that never moves is not followed forever: polls that answer "in progress" unchanged, a
 * status nobody knows, a stream of keep-alives only. After the allowed time without progress the
 * run is stopped (the server asked to cancel it) and ends failed in a sentence that says so. A
 * wait the server asked for (Retry-After) is no lack of progress.
 */
const SSE = { 'content-type': 'text/event-stream' };
const JSON_TYPE = { 'content-type': 'application/json' };
const LIMIT_MS = 1_000;
const START_PATH: Record<BackendKind, string> = { responses: '/responses', assistantsV2: '/threads/:thread_id/runs' };
const POLL_PATH: Record<BackendKind, string> = { responses: '/responses/:response_id', assistantsV2: '/threads/:thread_id/runs/:run_id' };

function setUp(fake: FakeOpenAIServer, protocol: BackendKind): ReturnType<typeof backendWithQuestion> {
  return backendWithQuestion(fake, protocol, 'Still', 'Take your time.');
}

/** The run as each protocol's poll sends it, with `status`. */
function polled(protocol: BackendKind, event: Extract<RunEvent, { type: 'run.updated' }>, status: string): string {
  if (protocol === 'responses') {
    return JSON.stringify({ id: event.ref?.cursor ?? event.run.id, object: 'response', created_at: 1, status, model: 'm', output: [], error: null, incomplete_details: null, metadata: {} });
  }
  return JSON.stringify({ id: event.run.id, object: 'thread.run', thread_id: event.run.threadId, assistant_id: event.run.assistantId, status, created_at: 1, required_action: null, last_error: null });
}

describe('A run that shows no progress', () => {
  let fake: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function runIt(protocol: BackendKind, options: Partial<RunDriverOptions>, onEvent?: (event: RunEvent) => void): Promise<{ error: AssistantsError; events: RunEvent[] }> {
    const { backend, assistant, thread } = await setUp(fake!, protocol);
    const events: RunEvent[] = [];
    const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, progressTimeoutMs: LIMIT_MS, cancelWaitMs: 200, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 1 }, ...options });
    try {
      await driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => {
        events.push(e);
        onEvent?.(e);
      });
    } catch (error) {
      assert.ok(error instanceof AssistantsError, String(error));
      return { error, events };
    }
    assert.fail('the run should have been given up');
  }

  function assertGivenUp(error: AssistantsError, events: RunEvent[]): void {
    assert.equal(error.kind, 'timeout');
    assert.equal(error.message, 'The server showed no progress on this run for 1 s (no new text, step or status), so it was stopped there. Send again, or try later.');
    const last = events.filter((e) => e.type === 'run.updated').at(-1);
    assert.ok(last?.type === 'run.updated' && last.run.status === 'failed' && last.run.lastError?.message === error.message, 'ends failed in that sentence, which offers Retry');
    assert.ok(fake!.requests.some((r) => r.method === 'POST' && r.path.endsWith('/cancel')), 'the server is asked to cancel it');
  }

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const status of ['in_progress', 'paused']) {
      it(`gives up polls that answer ${status === 'paused' ? 'a status nobody knows' : '"in progress"'} unchanged (${protocol})`, async () => {
        fake = await FakeOpenAIServer.start();
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Never seen.' }], durationMs: 60_000 });
        let injected = false;
        const { error, events } = await runIt(protocol, { preferStreaming: false }, (event) => {
          if (injected || event.type !== 'run.updated') return;
          injected = true;
          fake!.inject({ method: 'GET', path: POLL_PATH[protocol], kind: 'script', times: 100_000, script: { headers: JSON_TYPE, chunks: [polled(protocol, event, status)] } });
        });
        assertGivenUp(error, events);
      });
    }

    it(`gives up a stream that sends only keep-alives (${protocol})`, async () => {
      fake = await FakeOpenAIServer.start();
      const named =
        protocol === 'responses'
          ? `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'resp_still', object: 'response', created_at: 1, status: 'in_progress', model: 'm', output: [] } })}\n\n`
          : `event: thread.run.created\ndata: ${JSON.stringify({ id: 'run_still', object: 'thread.run', thread_id: 'thread_still', status: 'queued', created_at: 1 })}\n\n`;
      const pings = Array.from({ length: 400 }, () => [': keep-alive\n\n', { waitMs: 25 }]).flat();
      fake.inject({ method: 'POST', path: START_PATH[protocol], kind: 'script', script: { headers: SSE, chunks: [named, ...pings] } });
      // The stream's own silence limit is far past the progress limit, and the keep-alives keep it alive: it is the lack of progress that ends the run.
      const { error, events } = await runIt(protocol, { streamIdleMs: 3_000 });
      assertGivenUp(error, events);
    });

    it(`does not count a wait the server asked for as no progress (${protocol})`, async () => {
      fake = await FakeOpenAIServer.start();
      fake.model.enqueue({ steps: [{ type: 'text', text: 'After the wait.' }] });
      fake.inject({ method: 'POST', path: START_PATH[protocol], kind: 'rate_limit', retryAfterSeconds: (LIMIT_MS * 2) / 1000 });
      const { backend, assistant, thread } = await setUp(fake, protocol);
      const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, progressTimeoutMs: LIMIT_MS, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
      const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, () => undefined);
      assert.equal(result.run.status, 'completed');
    });
  }
});
