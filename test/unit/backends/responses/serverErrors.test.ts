import * as assert from 'node:assert/strict';
import { refusal } from '../../support/refusal';
import { startHarness } from './harness';
import type { Harness } from './harness';

const SSE = { 'content-type': 'text/event-stream' };
const JSON_TYPE = { 'content-type': 'application/json' };

function errorFrame(type: string, code: string, message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, code, message, param: null }, sequence_number: 0 })}\n\n`;
}

function errorBody(code: string, message: string, type = code): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

describe('Errors told truly (Responses)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('classifies an error frame inside a stream by its code, and does not ask again for a permanent one', async () => {
    h = await startHarness();
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: SSE, chunks: [errorFrame('insufficient_quota', 'insufficient_quota', 'You have no credits left.')] } });
    const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
    assert.equal(error.kind, 'quota');
    assert.match(error.message, /no credits/);
    assert.doesNotMatch(error.message, /connection dropped/i);
    assert.equal(h.requests('POST', '/responses').length, 1);
    assert.equal(h.events.filter((e) => e.type === 'retry').length, 0);
  });

  it('sends one request for each permanent error, whatever status carries it', async () => {
    const cases = [
      { status: 429, code: 'insufficient_quota', kind: 'quota' },
      { status: 400, code: 'context_length_exceeded', kind: 'bad_request' },
      { status: 404, code: 'model_not_found', kind: 'not_found' },
      { status: 401, code: 'invalid_api_key', kind: 'auth' },
      { status: 429, code: 'billing_hard_limit_reached', kind: 'quota' },
    ];
    for (const { status, code, kind } of cases) {
      h = await startHarness();
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', times: 10, script: { status, headers: { ...JSON_TYPE, 'retry-after': '1' }, chunks: [errorBody(code, `Server text for ${code}.`)] } });
      const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
      assert.equal(error.kind, kind, code);
      assert.match(error.message, new RegExp(`Server text for ${code}`));
      assert.equal(h.requests('POST', '/responses').length, 1, code);
      assert.equal(h.events.filter((e) => e.type === 'retry').length, 0, code);
      await h.close();
    }
  });

  it('ends persistent 429s and 5xx with what happened and what to do, promising no retry', async () => {
    for (const kind of ['rate_limit', 'server_error'] as const) {
      h = await startHarness();
      h.fake.inject({ method: 'POST', path: '/responses', kind, times: 20, retryAfterMs: 1 });
      const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
      const retries = h.events.flatMap((e) => (e.type === 'retry' ? [e.reason] : []));
      assert.equal(retries.length, 4, kind);
      for (const reason of retries) assert.doesNotMatch(reason, /send again|try again/i, 'a retry notice says what failed, not what to do after giving up');
      assert.match(error.message, /^Gave up after 5 attempts\./, kind);
      assert.doesNotMatch(error.message, /retrying in|will be retried/i, kind);
      assert.match(error.message, /send again|try again/i, kind);
      const shown = h.events.filter((e) => e.type === 'error');
      assert.equal(shown.length, 1);
      assert.equal(shown[0].type === 'error' && shown[0].error.message, error.message);
      await h.close();
    }
  });

  it('never promises a retry for a failure that is not retried (a 503 creating the conversation)', async () => {
    h = await startHarness();
    h.fake.inject({ method: 'POST', path: '/conversations', kind: 'script', script: { status: 503, headers: JSON_TYPE, chunks: [errorBody('server_error', 'Overloaded.', 'server_error')] } });
    const error = await refusal(h.backend.createThread());
    assert.equal(error.kind, 'server');
    assert.doesNotMatch(error.message, /retried|retrying/i);
    assert.match(error.message, /Try again in a few minutes/);
  });

  it('calls a body that is not JSON a bad answer, not a network failure', async () => {
    const bodies = [
      { headers: { 'content-type': 'text/html' }, chunks: ['<html><body>Proxy login</body></html>'] },
      { headers: JSON_TYPE, chunks: ['<html><body>Proxy login</body></html>'] },
      { headers: JSON_TYPE, chunks: ['"OK"'] },
    ];
    for (const script of bodies) {
      h = await startHarness({ driver: { preferStreaming: false } });
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', times: 10, script });
      const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
      assert.equal(error.kind, 'bad_response', JSON.stringify(script));
      assert.match(error.message, /not the OpenAI API's JSON/);
      assert.equal(h.requests('POST', '/responses').length, 1);
      await h.close();
    }
  });

  const broken = [
    { name: 'cut-off JSON', chunks: ['{"id": "resp_1", "object": "resp'], said: /answered with JSON that was cut off/ },
    { name: 'an empty body', chunks: [], said: /answered with an empty body/ },
    { name: 'an empty body of no type', chunks: [], said: /answered with an empty body/, headers: {} },
  ];
  for (const { name, chunks, said, headers = JSON_TYPE } of broken) {
    it(`retries a poll answered with ${name} like a dropped connection, and gives up in a bounded number of tries`, async () => {
      h = await startHarness({ driver: { preferStreaming: false } });
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Answer after a broken poll.' }], durationMs: 200 });
      h.fake.inject({ method: 'GET', path: '/responses/:response_id', kind: 'script', times: 2, script: { headers, chunks } });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'completed');
      const retries = h.events.flatMap((e) => (e.type === 'retry' ? [e.reason] : []));
      assert.equal(retries.length, 2);
      for (const reason of retries) assert.match(reason, said);

      await h.close();
      h = await startHarness({ driver: { preferStreaming: false } });
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Never seen.' }], durationMs: 200 });
      h.fake.inject({ method: 'GET', path: '/responses/:response_id', kind: 'script', times: 50, script: { headers, chunks } });
      const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
      assert.equal(error.kind, 'network');
      assert.match(error.message, /^Gave up after 5 attempts\./);
      assert.match(error.message, said);
      assert.doesNotMatch(error.message, /base ?URL|Cannot use 'in'|unexpected/i);
      assert.equal(h.requests('GET', /^\/responses\/resp/).length, 5);
    });
  }

  for (const { code, said } of [
    { code: 'rate_limit_exceeded', said: /rate limit was reached.*Server said: Slow down\./ },
    { code: 'server_error', said: /server had an error while answering.*Server said: Slow down\./ },
  ]) {
    it(`shows an error frame (${code}) right after response.created as the server's reason, not as a dropped stream`, async () => {
      h = await startHarness({ fake: { background: false, keepsResponses: false } });
      // A first run teaches the backend that this server refuses background mode.
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Warm-up.' }] });
      await h.driver.run(await h.startWith('Warm up'), () => undefined);
      const created = `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'resp_frame', object: 'response', created_at: 1, status: 'in_progress', model: 'gpt-4.1-mini', output: [], error: null, incomplete_details: null, metadata: {} } })}\n\n`;
      const frame = `event: error\ndata: ${JSON.stringify({ type: 'error', code, message: 'Slow down.', param: null, sequence_number: 1 })}\n\n`;
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: SSE, chunks: [created, frame] } });
      const posts = h.requests('POST', '/responses').length;
      const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
      assert.match(error.message, said);
      assert.doesNotMatch(error.message, /connection dropped|base URL/i);
      assert.equal(h.events.some((e) => e.type === 'fallback'), false, 'no note that the stream dropped');
      const last = h.events.filter((e) => e.type === 'run.updated').at(-1);
      assert.equal(last?.type === 'run.updated' && last.run.status, 'failed', 'the run ended failed, which offers Retry');
      assert.equal(last?.type === 'run.updated' && last.run.lastError?.message, error.message);
      assert.equal(h.requests('POST', '/responses').length, posts + 1, 'not sent again by itself');
      assert.equal(h.requests('GET', /^\/responses\//).length, 0, 'nothing to poll');
    });
  }

  for (const [said, missing] of [
    ["Vector store with id 'vs_gone1' not found.", { object: 'vector_store', id: 'vs_gone1' }],
    ['Conversation conv_gone2 was deleted.', { object: 'thread', id: 'conv_gone2' }],
    ["No such File object: file-gone3", { object: 'file', id: 'file-gone3' }],
  ] as const) {
    it(`an object that vanishes while the run streams is named with its fix: "${said}"`, async () => {
      h = await startHarness();
      const created = `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'resp_mid', object: 'response', created_at: 1, status: 'in_progress', model: 'gpt-4.1-mini', output: [], error: null, incomplete_details: null, metadata: {} } })}\n\n`;
      const frame = `event: error\ndata: ${JSON.stringify({ type: 'error', code: null, message: said, param: null, sequence_number: 1 })}\n\n`;
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: SSE, chunks: [created, frame] } });
      const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
      assert.deepEqual(error.options.missing, missing);
      assert.match(error.message, { thread: /Continue in a new thread/, vector_store: /Remove from Assistant/, file: /Re-upload it/ }[missing.object]);
      const last = h.events.filter((e) => e.type === 'run.updated').at(-1);
      assert.equal(last?.type === 'run.updated' && last.run.status, 'failed', 'the run ended failed, with the sentence');
    });
  }

  it('still follows a run whose stream dropped mid-answer (no error frame) by polling, with a note', async () => {
    h = await startHarness();
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Dropped, then polled to the end.', chunkSize: 4, chunkDelayMs: 10 }] });
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'reset', afterEvents: 5 });
    h.fake.inject({ method: 'GET', path: '/responses/:response_id', kind: 'reset', afterEvents: 0 });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.ok(h.events.some((e) => e.type === 'fallback'));
  });

  for (const { name, header, wait } of [
    { name: 'Retry-After 3600', header: () => '3600', wait: (ms: number) => ms === 3_600_000 },
    { name: 'an HTTP-date 90 minutes ahead', header: () => new Date(Date.now() + 90 * 60_000).toUTCString(), wait: (ms: number) => ms > 88 * 60_000 && ms <= 90 * 60_000 },
  ]) {
    it(`waits out a 429 with ${name} once, as told, instead of re-sending on its own backoff`, async () => {
      const waits: number[] = [];
      // The wait is recorded and skipped (Retry now does the same), so the test need not take an hour.
      h = await startHarness({ driver: { sleep: async (ms) => void waits.push(ms) } });
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'After the long wait.' }] });
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { status: 429, headers: { ...JSON_TYPE, 'retry-after': header() }, chunks: [errorBody('rate_limit_exceeded', 'Rate limit reached.', 'requests')] } });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'completed');
      const retries = h.events.flatMap((e) => (e.type === 'retry' ? [e] : []));
      assert.equal(retries.length, 1);
      assert.ok(wait(retries[0].waitMs), `announced wait ${retries[0].waitMs} ms`);
      assert.match(retries[0].reason, /rate limit was reached, and it asks to wait 1 h( \d+ min)?\.$/);
      assert.ok(wait(waits[0]), 'the driver waits what the server said');
      assert.equal(h.requests('POST', '/responses').length, 2, 'sent once more, after the wait');
    });
  }

  it('waits out a 503 that says when to come back (Retry-After 7200) once, as told', async () => {
    const waits: number[] = [];
    h = await startHarness({ driver: { sleep: async (ms) => void waits.push(ms) } });
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'After maintenance.' }] });
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { status: 503, headers: { ...JSON_TYPE, 'retry-after': '7200' }, chunks: [errorBody('server_error', 'Down for maintenance.', 'server_error')] } });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.deepEqual(waits, [7_200_000]);
    const retry = h.events.find((e) => e.type === 'retry');
    assert.match(retry?.type === 'retry' ? retry.reason : '', /^The server had an error \(HTTP 503\), and it asks to wait 2 h\.$/);
    assert.equal(h.requests('POST', '/responses').length, 2);
  });

  it('reads a poll answered with the API\'s JSON under no content type, or text/plain, as that JSON', async () => {
    for (const headers of [{}, { 'content-type': 'text/plain; charset=utf-8' }] as Record<string, string>[]) {
      h = await startHarness({ driver: { preferStreaming: false } });
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Slow.' }], durationMs: 300 });
      const body = { id: 'resp_typeless', object: 'response', created_at: 1, status: 'completed', model: 'gpt-4.1-mini', error: null, incomplete_details: null, metadata: {}, output: [{ type: 'message', id: 'msg_t', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Typeless.', annotations: [] }] }] };
      h.fake.inject({ method: 'GET', path: '/responses/:response_id', kind: 'script', script: { headers, chunks: [JSON.stringify(body)] } });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'completed', JSON.stringify(headers));
      assert.deepEqual(result.messages.map((m) => (m.content[0]?.type === 'text' ? m.content[0].text : '')), ['Typeless.']);
      await h.close();
    }
  });

  it('does not wait for a Retry-After beyond a day: says how long the server asks to wait', async () => {
    const waits: number[] = [];
    h = await startHarness({ driver: { sleep: async (ms) => void waits.push(ms) } });
    const date = new Date(Date.now() + 30 * 86_400_000).toUTCString();
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', times: 5, script: { status: 429, headers: { ...JSON_TYPE, 'retry-after': date }, chunks: [errorBody('rate_limit_exceeded', 'Rate limit reached.', 'requests')] } });
    const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
    assert.equal(error.kind, 'rate_limited');
    assert.match(error.message, /rate limit was reached, and it asks to wait 30 days\. Send again after that\./);
    assert.deepEqual(waits, []);
    assert.equal(h.requests('POST', '/responses').length, 1);
  });

  it('classifies a stream frame with a transient code as such, with the server\'s words', async () => {
    h = await startHarness({ driver: { retry: { maxRetries: 0 } } });
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: SSE, chunks: [errorFrame('server_error', 'server_error', 'The model is overloaded.')] } });
    const error = await refusal(h.driver.run(await h.startWith('Hi'), h.onEvent));
    assert.equal(error.kind, 'server');
    assert.match(error.message, /The model is overloaded/);
  });
});
