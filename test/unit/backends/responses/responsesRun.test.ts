import * as assert from 'node:assert/strict';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import { AssistantsError } from '../../../../src/core/errors';
import type { RunEvent } from '../../../../src/common/events';
import { RunDriver } from '../../../../src/core/runs/runDriver';
import type { FunctionCallRequest } from '../../../../src/common/model';
import { bodyOf, echoTools, startHarness, textOf } from './harness';
import type { Harness } from './harness';

describe('ResponsesBackend with the run driver', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('streams a run on a conversation', async () => {
    h = await startHarness();
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Hello from the fake model.', chunkSize: 5 }] });
    const action = await h.startWith('Hi');
    assert.ok(action.thread.remoteId?.startsWith('conv'));
    const result = await h.driver.run(action, h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'Hello from the fake model.');
    const deltas = h.events.flatMap((e) => (e.type === 'message.delta' ? [e.text] : []));
    assert.ok(deltas.length >= 5, `expected streamed deltas, got ${deltas.length}`);
    assert.equal(deltas.join(''), 'Hello from the fake model.');
    const posts = h.requests('POST', '/responses');
    assert.equal(posts.length, 1);
    const body = bodyOf(posts[0]);
    assert.equal(body.stream, true);
    assert.equal(body.background, true);
    assert.equal(body.store, true);
    assert.equal(body.conversation, action.thread.remoteId);
    assert.equal(body.truncation, 'auto');
    assert.equal(body.instructions, 'Be brief.');
    assert.equal(h.requests('GET', /^\/responses\//).length, 0, 'a healthy stream needs no polling');
    assert.ok(result.run.usage && result.run.usage.totalTokens > 0);
    assert.equal(h.refs.at(-1), undefined, 'the stored ref is cleared at the end');
  });

  it('polls a background run when streaming is off', async () => {
    h = await startHarness({ driver: { preferStreaming: false } });
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Polled answer.' }] });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'Polled answer.');
    assert.equal(bodyOf(h.requests('POST', '/responses')[0]).background, true);
    assert.ok(h.requests('GET', /^\/responses\/resp/).length >= 1);
    assert.deepEqual(h.events.flatMap((e) => (e.type === 'message.delta' ? [e.text] : [])).join(''), 'Polled answer.');
  });

  it('answers two function calls of one step together and sums usage over the tool loop', async () => {
    const seen: FunctionCallRequest[][] = [];
    h = await startHarness({
      driver: { toolHandler: { handle: async (calls, context) => (seen.push(calls), echoTools.handle(calls, context)) } },
      assistant: { tools: [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }, { type: 'function', function: { name: 'get_date' } }] },
    });
    h.fake.model.enqueue(
      { steps: [{ type: 'function_call', name: 'get_time', arguments: {} }, { type: 'function_call', name: 'get_date', arguments: { tz: 'UTC' } }] },
      { steps: [{ type: 'text', text: 'It is noon on Monday.' }] },
    );
    const result = await h.driver.run(await h.startWith('What time is it?'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0].map((call) => call.name), ['get_time', 'get_date']);
    const posts = h.requests('POST', '/responses');
    assert.equal(posts.length, 2);
    const second = bodyOf(posts[1]);
    assert.deepEqual(
      (second.input as { type: string; call_id: string; output: string }[]).map((item) => [item.type, item.call_id, item.output]),
      seen[0].map((call) => ['function_call_output', call.callId, `${call.name} ok`]),
    );
    const firstId = (posts[0].response as { data: { response: { id: string } } }[])[0].data.response.id;
    assert.equal(result.run.id, firstId, 'the run keeps the first response id');
    assert.notEqual(result.ref.cursor, firstId, 'the ref points at the latest response');
    const legTotals = posts.map((post) => {
      const events = post.response as { event: string; data: { response?: { usage?: { total_tokens: number } } } }[];
      return events.find((e) => e.event === 'response.completed')?.data.response?.usage?.total_tokens ?? 0;
    });
    assert.ok(legTotals.every((total) => total > 0));
    assert.equal(result.run.usage?.totalTokens, legTotals[0] + legTotals[1]);
  });

  it('Stop cancels the response on the server and ends cancelled', async () => {
    h = await startHarness();
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'A long answer that keeps going for a while.', chunkSize: 2, chunkDelayMs: 20 }] });
    const stop = new AbortController();
    const result = await h.driver.run(await h.startWith('Talk'), (event) => {
      h.onEvent(event);
      if (event.type === 'message.delta') {
        stop.abort();
      }
    }, stop.signal);
    assert.equal(result.run.status, 'cancelled');
    assert.equal(h.requests('POST', /^\/responses\/.*\/cancel$/).length, 1);
    const last = h.events.filter((e) => e.type === 'run.updated').at(-1);
    assert.equal(last?.type === 'run.updated' && last.run.status, 'cancelled');
    assert.ok(textOf(result.messages[0]).length < 'A long answer that keeps going for a while.'.length);
  });

  it('resumes a dropped stream on the same response', async () => {
    h = await startHarness();
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'First part, then the rest after the drop.', chunkSize: 4, chunkDelayMs: 5 }] });
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'reset', afterEvents: 6 });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'First part, then the rest after the drop.');
    assert.equal(h.requests('POST', '/responses').length, 1, 'no second run');
    assert.ok(h.requests('GET', /^\/responses\/resp/).length >= 1);
    const text = h.events.flatMap((e) => (e.type === 'message.delta' ? [e.text] : [])).join('');
    assert.equal(text, 'First part, then the rest after the drop.', 'deltas carry each character once');
  });

  for (const preferStreaming of [true, false]) {
    it(`does not start a second run when the connection drops before the server named the first (${preferStreaming ? 'streaming' : 'polling'})`, async () => {
      h = await startHarness({ driver: { preferStreaming } });
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'One.' }] }, { steps: [{ type: 'text', text: 'Two.' }] });
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'reset', afterEvents: 0 });
      await assert.rejects(h.driver.run(await h.startWith('Hi'), h.onEvent), (error: AssistantsError) => error.kind === 'run_failed' && /not started a second time/.test(error.message));
      assert.equal(h.requests('POST', '/responses').length, 1, 'the request is not sent again');
    });
  }

  it('retries a request that never reached the server', async () => {
    h = await startHarness();
    const port = Number(new URL(h.fake.baseUrl).port);
    await h.fake.close();
    // Nothing listens on the port now: connection refused, so the run was certainly not started.
    const client = createOpenAIClient({ protocol: 'responses', apiKey: 'k', baseUrl: `http://127.0.0.1:${port}/v1` });
    const backend = new ResponsesBackend(client);
    const driver = new RunDriver(backend, { toolHandler: echoTools, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const thread = { id: 't', title: 't', createdAt: 0, updatedAt: 0, backend: 'responses' as const };
    const events: RunEvent[] = [];
    await assert.rejects(driver.run({ kind: 'start', thread, assistant: h.assistant, history: [] }, (e) => events.push(e)), (error: AssistantsError) => error.kind === 'network');
    assert.equal(events.filter((e) => e.type === 'retry').length, 2);
  });

  it('falls back to polling on a server that cannot stream, once per backend', async () => {
    h = await startHarness({ fake: { streaming: false } });
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'One.' }] }, { steps: [{ type: 'text', text: 'Two.' }] });
    const first = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(textOf(first.messages[0]), 'One.');
    assert.equal(h.events.filter((e) => e.type === 'fallback').length, 1);
    const second = await h.driver.run(await h.startWith('Again'), () => undefined);
    assert.equal(textOf(second.messages[0]), 'Two.');
    assert.equal(h.requests('POST', '/responses').filter((r) => bodyOf(r).stream === true).length, 1);
  });

  it('keeps the history locally on a server without conversations', async () => {
    h = await startHarness({ fake: { conversations: false } });
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Local.' }] });
    const action = await h.startWith('Remember me');
    assert.equal(action.thread.remoteId, undefined);
    assert.equal(h.requests('POST', '/conversations').length, 1, 'detected once');
    await h.backend.createThread();
    assert.equal(h.requests('POST', '/conversations').length, 1, 'not asked again');
    const result = await h.driver.run(action, h.onEvent);
    assert.equal(result.run.status, 'completed');
    const body = bodyOf(h.requests('POST', '/responses')[0]);
    assert.equal(body.conversation, undefined);
    assert.deepEqual(body.input, [{ type: 'message', role: 'user', content: 'Remember me' }]);
  });

  it('continues a tool loop with previous_response_id when there are no conversations', async () => {
    h = await startHarness({ fake: { conversations: false }, assistant: { tools: [{ type: 'function', function: { name: 'ping' } }] } });
    h.fake.model.enqueue({ steps: [{ type: 'function_call', name: 'ping', arguments: {} }] }, { steps: [{ type: 'text', text: 'pong' }] });
    const result = await h.driver.run(await h.startWith('ping'), h.onEvent);
    assert.equal(textOf(result.messages.at(-1)), 'pong');
    const posts = h.requests('POST', '/responses');
    assert.equal(bodyOf(posts[1]).previous_response_id, result.run.id);
  });

  describe('faults', () => {
    it('waits out a 429 with Retry-After and reports it as a retry event', async () => {
      h = await startHarness();
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'After the wait.' }] });
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'rate_limit', retryAfterMs: 40 });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'completed');
      const retry = h.events.find((e) => e.type === 'retry');
      assert.ok(retry?.type === 'retry');
      assert.equal(retry.waitMs, 40);
      assert.match(retry.reason, /rate limit was reached/);
    });

    it('retries a 500 while polling', async () => {
      h = await startHarness({ driver: { preferStreaming: false } });
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Fine.' }], durationMs: 100 });
      h.fake.inject({ method: 'GET', path: '/responses/:response_id', kind: 'server_error', times: 2 });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'completed');
      assert.equal(h.events.filter((e) => e.type === 'retry').length, 2);
    });

    it('tolerates a slow first byte', async () => {
      h = await startHarness();
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Slowly.' }] });
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'slow_first_byte', delayMs: 300 });
      const started = Date.now();
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'completed');
      assert.ok(Date.now() - started >= 300);
    });

    it('rejects with an AssistantsError and an error event when retries run out', async () => {
      h = await startHarness({ driver: { retry: { maxRetries: 1, baseDelayMs: 1 } } });
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'server_error', times: 5 });
      await assert.rejects(h.driver.run(await h.startWith('Hi'), h.onEvent), (error: unknown) => error instanceof AssistantsError && error.kind === 'server');
      assert.equal(h.events.at(-1)?.type, 'error');
    });
  });

  describe('outcomes', () => {
    it('resolves a failed response with its error', async () => {
      h = await startHarness();
      h.fake.model.enqueue({ steps: [], outcome: { status: 'failed', code: 'server_error', message: 'The model broke.' } });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'failed');
      assert.deepEqual(result.run.lastError, { code: 'server_error', message: 'The model broke.' });
    });

    for (const [said, missing, fix] of [
      ["Previous response with id 'resp_gone1' not found.", { object: 'thread', id: 'resp_gone1' }, /Continue in a new thread/],
      ["Vector store with id 'vs_gone2' not found.", { object: 'vector_store', id: 'vs_gone2' }, /Remove from Assistant/],
      ['file_gone3x not found in vector store vs_other1.', { object: 'file', id: 'file_gone3x' }, /Re-upload it/],
    ] as const) {
      for (const preferStreaming of [true, false]) {
        it(`a response failed with "${said}" names it with its fix (${preferStreaming ? 'streaming' : 'polling'})`, async () => {
          h = await startHarness({ driver: { preferStreaming } });
          h.fake.model.enqueue({ steps: [], outcome: { status: 'failed', code: 'server_error', message: said } });
          await assert.rejects(h.driver.run(await h.startWith('Hi'), h.onEvent), (error: Error & { kind?: string; options?: { missing?: unknown } }) => {
            assert.deepEqual(error.options?.missing, missing);
            assert.match(error.message, fix);
            return true;
          });
          const last = h.events.filter((e) => e.type === 'run.updated').at(-1);
          assert.ok(last?.type === 'run.updated' && last.run.status === 'failed');
          assert.deepEqual(last.run.lastError?.missing, missing, 'the run ends failed, in the same sentence');
          assert.match(last.run.lastError?.message ?? '', fix);
        });
      }
    }

    it('resolves an expired run (reported as failed by Responses)', async () => {
      h = await startHarness({ driver: { preferStreaming: false } });
      h.fake.model.enqueue({ steps: [], outcome: { status: 'expired' } });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'failed');
      assert.match(result.run.lastError?.message ?? '', /expired/);
    });

    it('resolves an incomplete response with its reason', async () => {
      h = await startHarness();
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Cut' }], outcome: { status: 'incomplete', reason: 'max_output_tokens' } });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'incomplete');
      assert.equal(result.run.incompleteReason, 'max_output_tokens');
    });
  });

  it('resumes a run from a stored ref', async () => {
    h = await startHarness();
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Survived the reload.' }], durationMs: 150 });
    const action = await h.startWith('Hi');
    const started = await h.backend.create(action);
    assert.ok(started.run.status === 'queued' || started.run.status === 'in_progress');
    const result = await h.driver.resume(started.ref, { thread: action.thread, assistant: action.assistant, history: action.history }, h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'Survived the reload.');
    assert.equal(h.requests('POST', '/responses').length, 1);
  });
});
