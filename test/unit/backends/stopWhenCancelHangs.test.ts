import * as assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/common/events';
import type { BackendKind } from '../../../src/common/model';
import { RunDriver } from '../../../src/core/runs/runDriver';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import { backendWithQuestion } from './runSetUp';
import type { RecordedEvent } from '../../fakes/fakeServer';

/** The cancel endpoint of each protocol, answered by a request that never ends. */
const CANCEL_PATH: Record<BackendKind, string> = {
  responses: '/responses/:response_id/cancel',
  assistantsV2: '/threads/:thread_id/runs/:run_id/cancel',
};

function setUp(fake: FakeOpenAIServer, protocol: BackendKind): ReturnType<typeof backendWithQuestion> {
  return backendWithQuestion(fake, protocol, 'Stop', 'Talk for a while.');
}

/** The start of a run on each protocol. */
const START_PATH: Record<BackendKind, string> = {
  responses: '/responses',
  assistantsV2: '/threads/:thread_id/runs',
};

describe('Stop when the cancel request itself hangs', () => {
  let fake: FakeOpenAIServer;
  afterEach(async () => {
    await fake?.close();
  });

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const preferStreaming of [true, false]) {
      it(`closes the stream at once and ends "Stopped; the server did not confirm" (${protocol}, ${preferStreaming ? 'streaming' : 'polling'})`, async () => {
        fake = await FakeOpenAIServer.start();
        const { backend, assistant, thread } = await setUp(fake, protocol);
        fake.model.enqueue({ steps: [{ type: 'text', text: 'word '.repeat(400), chunkSize: 5, chunkDelayMs: 10 }] });
        fake.inject({ method: 'POST', path: CANCEL_PATH[protocol], kind: 'script', times: 10, script: { chunks: [], end: 'hang' } });
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, preferStreaming, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
        const stop = new AbortController();
        const events: RunEvent[] = [];
        let stoppedAt = 0;
        // How long Stop took is measured by the fault bench (npm run bench:faults), not asserted here.
        let afterStop: RunEvent[] = [];
        const onEvent = (event: RunEvent): void => {
          events.push(event);
          if (stoppedAt) afterStop.push(event);
          // Stop once the answer is on its way.
          if (!stoppedAt && event.type === 'message.delta') {
            stoppedAt = Date.now();
            afterStop = [];
            stop.abort();
          }
        };
        const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, onEvent, stop.signal);
        assert.ok(stoppedAt > 0, 'the answer started');
        assert.equal(result.run.status, 'cancelled');
        assert.match(result.run.lastError?.message ?? '', /^Stopped; the server did not confirm/);
        assert.deepEqual(afterStop.filter((e) => e.type === 'message.delta' || e.type === 'message.created'), [], 'no text lands after Stop');
        assert.equal(afterStop.some((e) => e.type === 'error'), false);
        assert.ok(fake.requests.some((r) => r.method === 'POST' && r.path.endsWith('/cancel')), 'the cancel was asked for');
        if (preferStreaming) {
          // The server writes the stream while someone reads it: 400 deltas over 4 s unless it was closed at Stop.
          const stream = fake.requests.find((r) => r.method === 'POST' && Array.isArray(r.response));
          const written = (stream?.response as RecordedEvent[] | undefined)?.filter((e) => /\.delta$/.test(e.event) && !/step/.test(e.event)).length ?? 0;
          assert.ok(written > 0 && written < 100, `the stream was closed at Stop (${written} deltas written)`);
        }
      });
    }
  }

  /** The poll of each protocol (Assistants v2 lists steps and messages beside it). */
  const POLL_PATH: Record<BackendKind, string> = {
    responses: '/responses/:response_id',
    assistantsV2: '/threads/:thread_id/runs/:run_id',
  };

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const hangs of ['the poll', 'the poll and the cancel'] as const) {
      it(`ends at Stop when ${hangs} never answer${hangs === 'the poll' ? 's' : ''} (${protocol}, polling)`, async () => {
        fake = await FakeOpenAIServer.start();
        const { backend, assistant, thread } = await setUp(fake, protocol);
        fake.model.enqueue({ steps: [{ type: 'text', text: 'word '.repeat(400), chunkSize: 5, chunkDelayMs: 10 }] });
        if (hangs === 'the poll and the cancel') fake.inject({ method: 'POST', path: CANCEL_PATH[protocol], kind: 'script', times: 10, script: { chunks: [], end: 'hang' } });
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, preferStreaming: false, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
        const stop = new AbortController();
        const events: RunEvent[] = [];
        const polls = (): number => fake.requests.filter((r) => r.method === 'GET' && new RegExp(`^${POLL_PATH[protocol].replace(/:[a-z_]+/g, '[^/]+')}$`).test(r.path)).length;
        const onEvent = (event: RunEvent): void => {
          events.push(event);
          // Once the run is under way, every poll from now on is answered by a request that never ends; Stop comes while one waits.
          if (event.type === 'run.updated' && !stop.signal.aborted && fake.requests.length > 0 && !events.some((e, i) => i < events.length - 1 && e.type === 'run.updated')) {
            fake.inject({ method: 'GET', path: POLL_PATH[protocol], kind: 'script', times: 1000, script: { chunks: [], end: 'hang' } });
            const before = polls();
            const pressStop = (): void => {
              if (polls() > before) setTimeout(() => stop.abort(), 100);
              else setTimeout(pressStop, 10);
            };
            pressStop();
          }
        };
        // A poll held open would otherwise be waited for until the client's own timeout (two minutes), past this test's.
        const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, onEvent, stop.signal);
        assert.ok(stop.signal.aborted, 'Stop was pressed while a poll hung');
        assert.equal(result.run.status, 'cancelled');
        if (hangs === 'the poll and the cancel') assert.match(result.run.lastError?.message ?? '', /^Stopped; the server did not confirm/);
        assert.equal(events.some((e) => e.type === 'error'), false, 'Stop is no error');
      });
    }
  }

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const preferStreaming of [true, false]) {
      it(`does not wait on a start that never answers after Stop (${protocol}, ${preferStreaming ? 'streaming' : 'polling'})`, async () => {
        fake = await FakeOpenAIServer.start();
        const { backend, assistant, thread } = await setUp(fake, protocol);
        // Longer than the test may take: only giving up on the start ends the run.
        fake.inject({ method: 'POST', path: START_PATH[protocol], kind: 'slow_first_byte', delayMs: 60_000 });
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, preferStreaming, poll: { initialMs: 10, maxMs: 40 } });
        const stop = new AbortController();
        const events: RunEvent[] = [];
        setTimeout(() => stop.abort(), 100);
        await assert.rejects(driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e), stop.signal), (error: Error & { kind?: string }) => error.kind === 'cancelled');
        assert.deepEqual(events.filter((e) => e.type === 'error'), [], 'Stop is no error');
      });
    }
  }
});
