import * as assert from 'node:assert/strict';
import type { ToolHandler } from '../../../../src/core/toolHandler';
import type { RunEvent } from '../../../../src/common/events';
import type { Assistant, FunctionCallRequest, Thread } from '../../../../src/common/model';
import { RunDriver } from '../../../../src/core/runs/runDriver';
import type { RunDriverOptions } from '../../../../src/core/runs/runDriver';
import type { FakeServerOptions } from '../../../fakes/fakeServer';
import type { V2Run } from '../../../fakes/assistantsV2State';
import type { V2Harness } from './harness';
import { deltaText, newAssistant, newThread, startHarness } from './harness';

const echoTools: ToolHandler = {
  handle: async (calls) => calls.map((call) => ({ callId: call.callId, output: `out:${call.name}:${call.arguments}` })),
};

describe('RunDriver over AssistantsV2Backend and the fake server', () => {
  let h: V2Harness;
  let assistant: Assistant;
  let thread: Thread;

  async function boot(options: FakeServerOptions = {}): Promise<void> {
    h = await startHarness(options);
    assistant = await newAssistant(h.assistants, {
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
    });
    thread = await newThread(h.backend);
    await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Question?', annotations: [] }] });
  }

  function drive(options: Partial<RunDriverOptions> = {}, signal?: AbortSignal) {
    const driver = new RunDriver(h.backend, { toolHandler: echoTools, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...options });
    const events: RunEvent[] = [];
    const result = driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e), signal);
    return { events, result };
  }

  const statuses = (events: RunEvent[]): string[] => events.flatMap((e) => (e.type === 'run.updated' ? [e.run.status] : []));
  const requests = (method: string, pattern: RegExp): number => h.server.requests.filter((r) => r.method === method && pattern.test(r.path)).length;

  afterEach(async () => {
    await h.server.close();
  });

  describe('happy path', () => {
    it('streams a run to completed', async () => {
      await boot();
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'Streamed answer.', chunkSize: 4 }] });
      const { events, result } = drive();
      const snapshot = await result;
      assert.equal(snapshot.run.status, 'completed');
      assert.equal(deltaText(events), 'Streamed answer.');
      assert.equal(snapshot.messages[0].content[0].type === 'text' && snapshot.messages[0].content[0].text, 'Streamed answer.');
      assert.ok(events.some((e) => e.type === 'usage'));
      assert.equal(requests('GET', /\/runs\/[^/]+$/), 0, 'a streamed run needs no polling');
    });

    it('polls a background run to completed, honouring openai-poll-after-ms', async () => {
      await boot({ pollAfterMs: 25 });
      // Long enough in each status that a poll lands in it even when timers run late on a busy machine.
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'Polled answer.' }], queuedMs: 300, durationMs: 600 });
      const waits: number[] = [];
      const sleep = (ms: number): Promise<void> => {
        waits.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms));
      };
      const { events, result } = drive({ preferStreaming: false, sleep });
      const snapshot = await result;
      assert.equal(snapshot.run.status, 'completed');
      assert.deepEqual([...new Set(statuses(events))], ['queued', 'in_progress', 'completed']);
      assert.equal(snapshot.messages[0].content[0].type === 'text' && snapshot.messages[0].content[0].text, 'Polled answer.');
      // The create answer carries no hint; every wait after a retrieve does what the server said.
      assert.ok(waits.length > 1 && waits.slice(1).every((w) => w === 25), `waits: ${waits.join(',')}`);
    });
  });

  for (const preferStreaming of [true, false]) {
    it(`answers two function calls together and finishes (${preferStreaming ? 'streaming' : 'polling'})`, async () => {
      await boot();
      h.server.model.enqueue(
        { steps: [{ type: 'function_call', name: 'lookup', arguments: { q: 'a' } }, { type: 'function_call', name: 'lookup', arguments: { q: 'b' } }] },
        { steps: [{ type: 'text', text: 'Both looked up.' }] },
      );
      const batches: FunctionCallRequest[][] = [];
      const handler: ToolHandler = { handle: async (calls, ctx) => (batches.push(calls), echoTools.handle(calls, ctx)) };
      const { events, result } = drive({ toolHandler: handler, preferStreaming });
      const snapshot = await result;
      assert.equal(snapshot.run.status, 'completed');
      assert.equal(batches.length, 1);
      assert.deepEqual(batches[0].map((c) => JSON.parse(c.arguments)), [{ q: 'a' }, { q: 'b' }]);
      assert.ok(statuses(events).includes('requires_action'));
      const submit = h.server.requests.find((r) => r.path.endsWith('/submit_tool_outputs'));
      const sent = (submit?.body as { tool_outputs: { tool_call_id: string; output: string }[] }).tool_outputs;
      assert.deepEqual(sent.map((o) => o.tool_call_id), batches[0].map((c) => c.callId));
      assert.equal(sent[1].output, 'out:lookup:{"q":"b"}');
      const toolStep = snapshot.steps.find((s) => s.details.type === 'tool_calls');
      assert.ok(toolStep?.details.type === 'tool_calls');
      assert.deepEqual(toolStep.details.toolCalls.map((c) => c.type === 'function' && c.output), ['out:lookup:{"q":"a"}', 'out:lookup:{"q":"b"}']);
      assert.ok(snapshot.messages.some((m) => m.content[0]?.type === 'text' && m.content[0].text === 'Both looked up.'));
    });
  }

  for (const preferStreaming of [true, false]) {
    it(`Stop cancels on the server and ends cancelled (${preferStreaming ? 'streaming' : 'polling'})`, async () => {
      await boot();
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'y'.repeat(400), chunkSize: 2, chunkDelayMs: 5 }], queuedMs: 0, durationMs: 0 });
      const stop = new AbortController();
      const { events, result } = drive({ preferStreaming }, stop.signal);
      while (!events.some((e) => e.type === 'message.delta' || e.type === 'message.created')) await new Promise((r) => setTimeout(r, 5));
      stop.abort();
      const snapshot = await result;
      assert.equal(snapshot.run.status, 'cancelled');
      assert.equal(requests('POST', /\/cancel$/), 1);
      const serverRun = await h.backend.retrieve({ threadId: thread.id, remoteThreadId: thread.remoteId, runId: snapshot.run.id });
      assert.equal(serverRun.run.status, 'cancelled');
    });
  }

  it('resumes a dropped stream by polling the same run', async () => {
    await boot();
    h.server.model.enqueue({ steps: [{ type: 'text', text: 'One two three four five six.', chunkSize: 3, chunkDelayMs: 15 }] });
    h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'reset', afterEvents: 9 });
    const { events, result } = drive();
    const snapshot = await result;
    assert.equal(snapshot.run.status, 'completed');
    assert.ok(events.some((e) => e.type === 'fallback'));
    assert.equal(requests('POST', /\/runs$/), 1, 'the run is not restarted');
    assert.ok(requests('GET', /\/runs\/[^/]+$/) >= 1);
    assert.equal(snapshot.messages[0].content[0].type === 'text' && snapshot.messages[0].content[0].text, 'One two three four five six.');
  });

  it('follows the run a dropped request made instead of starting a second one', async () => {
    await boot();
    h.server.model.enqueue({ steps: [{ type: 'text', text: 'Made it.', chunkSize: 3, chunkDelayMs: 15 }] });
    // The server starts the run, then the connection drops before the client reads a single event.
    h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'reset', afterEvents: 0 });
    const { events, result } = drive();
    const snapshot = await result;
    assert.equal(snapshot.run.status, 'completed');
    assert.ok(events.some((e) => e.type === 'fallback'));
    assert.equal(requests('POST', /\/runs$/), 1, 'the run is not asked for twice');
    assert.equal(snapshot.messages[0].content[0].type === 'text' && snapshot.messages[0].content[0].text, 'Made it.');
  });

  it('follows the run a dropped create made, when polling', async () => {
    await boot();
    h.server.model.enqueue({ steps: [{ type: 'text', text: 'Made it too.' }], queuedMs: 5, durationMs: 20 });
    h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'reset' });
    const { result } = drive({ preferStreaming: false });
    const snapshot = await result;
    assert.equal(snapshot.run.status, 'completed');
    assert.equal(requests('POST', /\/runs$/), 1, 'the run is not asked for twice');
  });

  it('falls back to polling when the server cannot stream', async () => {
    await boot({ streaming: false });
    h.server.model.enqueue({ steps: [{ type: 'text', text: 'No stream here.' }], queuedMs: 5, durationMs: 10 });
    const { events, result } = drive();
    const snapshot = await result;
    assert.equal(snapshot.run.status, 'completed');
    assert.ok(events.some((e) => e.type === 'fallback'));
    assert.equal(requests('POST', /\/runs$/), 2, 'one refused stream, one background create');
  });

  describe('injected faults', () => {
    it('retries a 429 on run creation and honours retry-after-ms', async () => {
      await boot();
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'After the wait.' }] });
      h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'rate_limit', retryAfterMs: 20 });
      const { events, result } = drive();
      assert.equal((await result).run.status, 'completed');
      const retry = events.find((e) => e.type === 'retry');
      assert.equal(retry?.type === 'retry' && retry.waitMs, 20);
      assert.equal(deltaText(events), 'After the wait.');
    });

    it('waits out a 429 with Retry-After 3600 on run creation once, as told', async () => {
      await boot();
      const waits: number[] = [];
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'An hour later.' }] });
      h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'rate_limit', retryAfterSeconds: 3600 });
      const { events, result } = drive({ sleep: async (ms) => void waits.push(ms) });
      assert.equal((await result).run.status, 'completed');
      assert.deepEqual(events.flatMap((e) => (e.type === 'retry' ? [e.waitMs] : [])), [3_600_000]);
      assert.deepEqual(waits, [3_600_000]);
      assert.equal(requests('POST', /\/runs$/), 2);
    });

    it('retries a 500 while polling', async () => {
      await boot();
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'Survived.' }], queuedMs: 10, durationMs: 20 });
      h.server.inject({ method: 'GET', path: '/threads/:thread_id/runs/:run_id', kind: 'server_error', times: 2 });
      const { events, result } = drive({ preferStreaming: false });
      assert.equal((await result).run.status, 'completed');
      assert.equal(events.filter((e) => e.type === 'retry').length, 2);
    });

    for (const { name, chunks, said, type = 'application/json' } of [
      { name: 'cut-off JSON', chunks: ['{"id": "run_1", "object": "thread.ru'], said: /answered with JSON that was cut off/ },
      { name: 'an empty body', chunks: [' '], said: /answered with an empty body/ },
      { name: 'an empty body of type text/plain', chunks: [], said: /answered with an empty body/, type: 'text/plain' },
    ]) {
      it(`retries a poll answered with ${name} like a dropped connection`, async () => {
        await boot();
        h.server.model.enqueue({ steps: [{ type: 'text', text: 'Whole again.' }], queuedMs: 10, durationMs: 20 });
        h.server.inject({ method: 'GET', path: '/threads/:thread_id/runs/:run_id', kind: 'script', times: 2, script: { headers: { 'content-type': type }, chunks } });
        const { events, result } = drive({ preferStreaming: false });
        assert.equal((await result).run.status, 'completed');
        const reasons = events.flatMap((e) => (e.type === 'retry' ? [e.reason] : []));
        assert.equal(reasons.length, 2);
        for (const reason of reasons) assert.match(reason, said);
        assert.equal(events.some((e) => e.type === 'error'), false);
      });
    }

    it('retries a reset connection while polling', async () => {
      await boot();
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'Reconnected.' }], queuedMs: 10, durationMs: 20 });
      h.server.inject({ method: 'GET', path: '/threads/:thread_id/runs/:run_id', kind: 'reset' });
      const { events, result } = drive({ preferStreaming: false });
      assert.equal((await result).run.status, 'completed');
      assert.ok(events.some((e) => e.type === 'retry'));
    });

    it('waits out a slow first byte', async () => {
      await boot();
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'Slow start.' }] });
      h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'slow_first_byte', delayMs: 150 });
      const started = Date.now();
      const { events, result } = drive();
      assert.equal((await result).run.status, 'completed');
      assert.ok(Date.now() - started >= 150);
      assert.equal(deltaText(events), 'Slow start.');
    });
  });

  describe('unsuccessful outcomes', () => {
    const outcomes = [
      { outcome: { status: 'failed' as const, code: 'server_error', message: 'The model fell over.' }, check: (s: Awaited<ReturnType<typeof drive>['result']>) => assert.deepEqual(s.run.lastError, { code: 'server_error', message: 'The model fell over.' }) },
      { outcome: { status: 'expired' as const }, check: (s: Awaited<ReturnType<typeof drive>['result']>) => assert.equal(s.run.status, 'expired') },
      { outcome: { status: 'incomplete' as const, reason: 'max_completion_tokens' }, check: (s: Awaited<ReturnType<typeof drive>['result']>) => assert.equal(s.run.incompleteReason, 'max_completion_tokens') },
    ];
    // A run that failed for an object the server no longer has: the same sentence and fix as a refusal naming it.
    for (const [said, missing, fix] of [
      ["No thread found with id 'thread_gone1'.", { object: 'thread', id: 'thread_gone1' }, /Continue in a new thread/],
      ["Invalid 'tools[0].vector_store_ids[0]': vector store vs_gone2 has expired.", { object: 'vector_store', id: 'vs_gone2' }, /Remove from Assistant/],
      ["The file 'assistant-Gone3x' could not be found.", { object: 'file', id: 'assistant-Gone3x' }, /Re-upload it/],
    ] as const) {
      for (const preferStreaming of [true, false]) {
        it(`a run failed with "${said}" names it with its fix (${preferStreaming ? 'streaming' : 'polling'})`, async () => {
          await boot();
          h.server.model.enqueue({ steps: [], outcome: { status: 'failed', code: 'server_error', message: said }, queuedMs: 5, durationMs: 10 });
          const { events, result } = drive({ preferStreaming });
          await assert.rejects(result, (error: Error & { kind?: string; options?: { missing?: unknown } }) => {
            assert.deepEqual(error.options?.missing, missing);
            assert.match(error.message, fix);
            return true;
          });
          const last = events.filter((e) => e.type === 'run.updated').at(-1);
          assert.ok(last?.type === 'run.updated' && last.run.status === 'failed');
          assert.deepEqual(last.run.lastError?.missing, missing, 'the run ends failed, in the same sentence');
          assert.match(last.run.lastError?.message ?? '', fix);
        });
      }
    }
    for (const { outcome, check } of outcomes) {
      for (const preferStreaming of [true, false]) {
        it(`ends ${outcome.status} (${preferStreaming ? 'streaming' : 'polling'})`, async () => {
          await boot();
          h.server.model.enqueue({ steps: [{ type: 'text', text: 'Partial.' }], outcome, queuedMs: 5, durationMs: 10 });
          const { events, result } = drive({ preferStreaming });
          const snapshot = await result;
          assert.equal(snapshot.run.status, outcome.status);
          assert.equal(statuses(events).at(-1), outcome.status);
          check(snapshot);
        });
      }
    }
  });
});

describe('Errors told truly (Assistants v2)', () => {
  it('classifies an error frame inside a run stream by its code and asks once', async () => {
    const h = await startHarness();
    try {
      const assistant = await newAssistant(h.assistants);
      const thread = await newThread(h.backend);
      const frame = `event: error\ndata: ${JSON.stringify({ error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You have no credits left.', param: null } })}\n\n`;
      h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks: [frame] } });
      const driver = new RunDriver(h.backend, { toolHandler: echoTools, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
      const events: RunEvent[] = [];
      await assert.rejects(driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e)), (error: Error & { kind?: string }) => {
        assert.equal(error.kind, 'quota');
        assert.match(error.message, /no credits/);
        return true;
      });
      assert.equal(h.server.requests.filter((r) => r.method === 'POST' && /\/runs$/.test(r.path)).length, 1);
      assert.equal(events.filter((e) => e.type === 'retry').length, 0);
    } finally {
      await h.server.close();
    }
  });
});

describe('An error frame after the run was named (Assistants v2)', () => {
  for (const { code, said } of [
    { code: 'rate_limit_exceeded', said: /rate limit was reached.*Server said: Too many runs\./ },
    { code: 'server_error', said: /server had an error while answering.*Server said: Too many runs\./ },
  ]) {
    it(`shows it (${code}) as the server's reason, with the run failed, not as a dropped stream`, async () => {
      const h = await startHarness();
      try {
        const assistant = await newAssistant(h.assistants);
        const thread = await newThread(h.backend);
        const run = { id: 'run_e', object: 'thread.run', thread_id: thread.remoteId, assistant_id: assistant.id, status: 'queued', created_at: 1, model: 'gpt', instructions: '', tools: [], required_action: null, last_error: null, usage: null, metadata: {}, started_at: null, completed_at: null, failed_at: null, cancelled_at: null };
        const chunks = [`event: thread.run.created\ndata: ${JSON.stringify(run)}\n\n`, `event: error\ndata: ${JSON.stringify({ error: { type: code, code, message: 'Too many runs.', param: null } })}\n\n`];
        h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks } });
        const driver = new RunDriver(h.backend, { toolHandler: echoTools, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
        const events: RunEvent[] = [];
        await assert.rejects(driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e)), (error: Error) => {
          assert.match(error.message, said);
          assert.doesNotMatch(error.message, /connection|base URL/i);
          return true;
        });
        assert.equal(events.some((e) => e.type === 'fallback'), false, 'no note that the stream dropped');
        const last = events.filter((e) => e.type === 'run.updated').at(-1);
        assert.equal(last?.type === 'run.updated' && last.run.status, 'failed');
        assert.match(last?.type === 'run.updated' ? (last.run.lastError?.message ?? '') : '', said);
        assert.equal(h.server.requests.filter((r) => r.method === 'POST' && /\/runs$/.test(r.path)).length, 1, 'not sent again by itself');
      } finally {
        await h.server.close();
      }
    });
  }
});

describe('Runs rebuilt from what servers send (Assistants v2)', () => {
  let h: V2Harness;
  let assistant: Assistant;
  let thread: Thread;
  beforeEach(async () => {
    h = await startHarness();
    assistant = await newAssistant(h.assistants, { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] });
    thread = await newThread(h.backend);
    await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Question?', annotations: [] }] });
  });
  afterEach(async () => {
    await h.server.close();
  });

  it('records what a run became when it expired while its tool outputs were prepared', async () => {
    const runs = h.server.store.collection<V2Run>('assistantsV2.runs');
    const expiring: ToolHandler = {
      handle: async (calls, { run }) => {
        const wire = runs.get(run.id);
        assert.ok(wire);
        wire.object.status = 'expired';
        wire.object.required_action = null;
        return calls.map((call) => ({ callId: call.callId, output: 'late' }));
      },
    };
    h.server.model.enqueue({ steps: [{ type: 'function_call', name: 'lookup', arguments: {} }] });
    const events: RunEvent[] = [];
    const driver = new RunDriver(h.backend, { toolHandler: expiring, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
    const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e));
    assert.equal(result.run.status, 'expired');
    const last = events.filter((e) => e.type === 'run.updated').at(-1);
    assert.equal(last?.type === 'run.updated' && last.run.status, 'expired', 'the chat and the thread file learn the run expired');
  });

  for (const final of ['with content: []', 'without content'] as const) {
    it(`keeps text streamed for a message the server never announced, and keeps it when the final event comes ${final}`, async () => {
      const runJson = (status: string) => ({ id: 'run_s', object: 'thread.run', thread_id: thread.remoteId, assistant_id: assistant.id, status, created_at: 1, model: 'gpt', instructions: '', tools: [], required_action: null, last_error: null, usage: null, metadata: {} });
      const delta = (text: string) => ({ id: 'msg_s', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: text } }] } });
      const done = { id: 'msg_s', object: 'thread.message', thread_id: thread.remoteId, run_id: 'run_s', role: 'assistant', status: 'completed', created_at: 1, attachments: [], metadata: {}, ...(final === 'without content' ? {} : { content: [] }) };
      const frames = [
        ['thread.run.created', runJson('queued')],
        ['thread.run.in_progress', runJson('in_progress')],
        ['thread.message.delta', delta('Streamed ')],
        ['thread.message.delta', delta('without a created event.')],
        ['thread.message.completed', done],
        ['thread.run.completed', runJson('completed')],
      ].map(([event, data]) => `event: ${String(event)}\ndata: ${JSON.stringify(data)}\n\n`);
      h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks: [...frames, 'event: done\ndata: [DONE]\n\n'] } });
      const events: RunEvent[] = [];
      const driver = new RunDriver(h.backend, { toolHandler: echoTools });
      const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e));
      assert.equal(result.run.status, 'completed');
      const message = result.messages.find((m) => m.id === 'msg_s');
      assert.equal(message?.content[0]?.type === 'text' && message.content[0].text, 'Streamed without a created event.');
      assert.ok(events.some((e) => e.type === 'message.created' && e.message.id === 'msg_s'));
      assert.equal(events.some((e) => e.type === 'error'), false);
    });
  }

  it('says the server closed a run stream before the run ended, not that the connection dropped', async () => {
    const run = { id: 'run_closed', object: 'thread.run', thread_id: thread.remoteId, assistant_id: assistant.id, status: 'in_progress', created_at: 1 };
    const frames = [`event: thread.run.created\ndata: ${JSON.stringify({ ...run, status: 'queued' })}\n\n`, `event: thread.run.in_progress\ndata: ${JSON.stringify(run)}\n\n`];
    // Closed cleanly, without the run's end or [DONE]; the run is then unknown to the polls (404).
    h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks: frames } });
    h.server.inject({ method: 'GET', path: '/threads/:thread_id/runs/:run_id', kind: 'script', times: 10, script: { status: 404, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ error: { message: "No run found with id 'run_closed'.", type: 'invalid_request_error', param: null, code: null } })] } });
    const events: RunEvent[] = [];
    const driver = new RunDriver(h.backend, { toolHandler: echoTools, poll: { initialMs: 10, maxMs: 40 } });
    await assert.rejects(driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e)), (error: Error) => /^The server closed the stream in the middle of the answer/.test(error.message));
    const notes = events.flatMap((e) => (e.type === 'fallback' ? [e.reason] : []));
    assert.deepEqual(notes, ['The server closed the stream before the run ended; following the same run by polling.'], 'no dropped connection');
  });

  it('notices a run stream gone silent and follows the run by polling', async () => {
    h.server.model.enqueue({ steps: [{ type: 'text', text: 'Slow but sure answer.', chunkSize: 3, chunkDelayMs: 20 }] });
    h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'stall', afterEvents: 3 });
    const events: RunEvent[] = [];
    const driver = new RunDriver(h.backend, { toolHandler: echoTools, streamIdleMs: 300, poll: { initialMs: 10, maxMs: 40 } });
    const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e));
    assert.equal(result.run.status, 'completed');
    assert.equal(deltaText(events), 'Slow but sure answer.');
    const notes = events.flatMap((e) => (e.type === 'fallback' ? [e.reason] : []));
    assert.deepEqual(notes, ['The stream sent nothing for 300 ms; following the same run by polling.'], 'a silence is not called a drop');
  });
});
