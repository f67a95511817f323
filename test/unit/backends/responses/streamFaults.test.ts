import * as assert from 'node:assert/strict';
import { AssistantsError } from '../../../../src/core/errors';
import { startHarness, textOf } from './harness';
import type { Harness } from './harness';

const SSE = { 'content-type': 'text/event-stream' };
const JSON_TYPE = { 'content-type': 'application/json' };

function frame(type: string, fields: Record<string, unknown>, sequence: number): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...fields })}\n\n`;
}

function response(status: string, output: unknown[] = []): Record<string, unknown> {
  return { id: 'resp_scripted', object: 'response', created_at: 1, status, model: 'gpt-4.1-mini', output, error: null, incomplete_details: null, metadata: {} };
}

/** What some servers send: no content_part.added, no output_text.done, and a final response with no output. */
function skeletalStream(): string[] {
  let n = 0;
  return [
    frame('response.created', { response: response('in_progress') }, n++),
    frame('response.output_item.added', { output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } }, n++),
    ...['Hello ', 'from a ', 'terse server.'].map((delta) => frame('response.output_text.delta', { output_index: 0, content_index: 0, item_id: 'msg_1', delta, logprobs: [] }, n++)),
    frame('response.completed', { response: response('completed') }, n++),
  ];
}

async function failure(promise: Promise<unknown>): Promise<AssistantsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AssistantsError);
    return error;
  }
  assert.fail('expected the run to fail');
}

describe('Streams rebuilt from what servers send (Responses)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('keeps the answer of a stream that skips structure and ends with an empty output', async () => {
    h = await startHarness();
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: SSE, chunks: skeletalStream() } });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'Hello from a terse server.');
    assert.equal(result.messages[0].status, 'completed');
  });

  it('keeps streamed text when the done events carry less, and creates the item a delta names', async () => {
    h = await startHarness();
    let n = 0;
    const chunks = [
      frame('response.created', { response: response('in_progress') }, n++),
      // No output_item.added at all: the delta has to create the message.
      frame('response.output_text.delta', { output_index: 0, content_index: 0, item_id: 'msg_2', delta: 'Kept text.', logprobs: [] }, n++),
      frame('response.output_text.done', { output_index: 0, content_index: 0, item_id: 'msg_2', text: '', logprobs: [] }, n++),
      frame('response.content_part.done', { output_index: 0, content_index: 0, item_id: 'msg_2', part: { type: 'output_text', text: '', annotations: [] } }, n++),
      frame('response.output_item.done', { output_index: 0, item: { type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [] } }, n++),
      frame('response.completed', { response: response('completed', [{ type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [] }]) }, n),
    ];
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: SSE, chunks } });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(textOf(result.messages[0]), 'Kept text.');
  });

  for (const final of ['without output', 'with output: [] after streamed items'] as const) {
    it(`keeps what was streamed when response.completed comes ${final}`, async () => {
      h = await startHarness();
      const bare = (status: string): Record<string, unknown> => {
        const { output: _output, ...rest } = response(status);
        return rest;
      };
      let n = 0;
      const call = { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Thinking it over.' }] };
      const chunks = [
        // Neither lifecycle event carries `output` on the first input; the second sends an empty list.
        frame('response.created', { response: final === 'without output' ? bare('in_progress') : response('in_progress') }, n++),
        frame('response.output_item.done', { output_index: 0, item: call }, n++),
        frame('response.output_item.added', { output_index: 1, item: { type: 'message', id: 'msg_3', role: 'assistant', status: 'in_progress', content: [] } }, n++),
        ...['Streamed ', 'and kept.'].map((delta) => frame('response.output_text.delta', { output_index: 1, content_index: 0, item_id: 'msg_3', delta, logprobs: [] }, n++)),
        frame('response.completed', { response: final === 'without output' ? bare('completed') : response('completed', []) }, n),
      ];
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: SSE, chunks } });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'completed');
      assert.equal(textOf(result.messages[0]), 'Streamed and kept.');
      assert.equal(result.messages[0].status, 'completed');
      assert.deepEqual(result.steps.map((step) => step.details.type), ['reasoning', 'message_creation']);
      assert.equal(h.events.some((e) => e.type === 'error' || e.type === 'fallback'), false);
    });
  }

  it('keeps streamed text when the done item and the final response carry the message without its content', async () => {
    h = await startHarness();
    let n = 0;
    const bare = { type: 'message', id: 'msg_5', role: 'assistant', status: 'completed' };
    const chunks = [
      frame('response.created', { response: response('in_progress') }, n++),
      frame('response.output_item.added', { output_index: 0, item: { ...bare, status: 'in_progress', content: [] } }, n++),
      // A text part without annotations, then text, then items without content.
      frame('response.content_part.added', { output_index: 0, content_index: 0, item_id: 'msg_5', part: { type: 'output_text', text: '' } }, n++),
      ...['Kept ', 'whole.'].map((delta) => frame('response.output_text.delta', { output_index: 0, content_index: 0, item_id: 'msg_5', delta, logprobs: [] }, n++)),
      frame('response.output_item.done', { output_index: 0, item: bare }, n++),
      frame('response.completed', { response: response('completed', [bare]) }, n),
    ];
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: SSE, chunks } });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'Kept whole.');
    assert.equal(h.events.some((e) => e.type === 'error'), false);
  });

  for (const output of [undefined, [null, { type: 'message', id: 'msg_4', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Polled.', annotations: [] }] }]]) {
    it(`reads a polled response ${output ? 'with holes in its output' : 'without output'} without failing`, async () => {
      h = await startHarness({ driver: { preferStreaming: false } });
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Slow answer.' }], durationMs: 400 });
      const { output: _output, ...bare } = response('completed');
      const body = output ? { ...bare, output } : bare;
      h.fake.inject({ method: 'GET', path: '/responses/:response_id', kind: 'script', script: { headers: JSON_TYPE, chunks: [JSON.stringify(body)] } });
      const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
      assert.equal(result.run.status, 'completed');
      assert.deepEqual(result.messages.map(textOf), output ? ['Polled.'] : []);
      assert.equal(h.events.some((e) => e.type === 'error'), false);
    });
  }

  it('notices a stream gone silent and follows the run to its end (resumed, else polled)', async () => {
    h = await startHarness({ driver: { streamIdleMs: 300 } });
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'one two three four five six seven', chunkSize: 4, chunkDelayMs: 30 }] });
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'stall', afterEvents: 4 });
    const started = Date.now();
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.ok(Date.now() - started < 5000);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'one two three four five six seven');
    assert.ok(h.requests('GET', /^\/responses\/resp/).length >= 1, 'the run was asked for again');
  });

  for (const [fault, said] of [
    ['a line that is not JSON', /^The stream sent a line that is not the API's JSON in the middle of the answer, and this server cannot resume it\./],
    ['no end', /^The server closed the stream in the middle of the answer, and this server cannot resume it\./],
  ] as const) {
    it(`says what left a stream with ${fault} on a server that keeps nothing, in the note and in the end`, async () => {
      h = await startHarness({ fake: { background: false, keepsResponses: false } });
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Warm-up.' }] });
      await h.driver.run(await h.startWith('Warm up'), () => undefined);
      const event = (n: number, fields: Record<string, unknown>): string => `event: ${String(fields.type)}\ndata: ${JSON.stringify({ sequence_number: n, ...fields })}\n\n`;
      const chunks = [
        event(0, { type: 'response.created', response: { id: 'resp_left', object: 'response', created_at: 1, status: 'in_progress', model: 'm', output: [] } }),
        event(1, { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_left', role: 'assistant', status: 'in_progress', content: [] } }),
        event(2, { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_left', delta: 'Partial' }),
        ...(fault === 'no end' ? [] : ['data: {"type": "response.output_text.delta", "del\n\n']),
      ];
      h.fake.inject({ method: 'POST', path: '/responses', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks } });
      const error = await failure(h.driver.run(await h.startWith('Hi'), h.onEvent));
      assert.match(error.message, said);
      const notes = h.events.flatMap((e) => (e.type === 'fallback' ? [e.reason] : []));
      assert.deepEqual(notes, [fault === 'no end' ? 'The server closed the stream before the run ended; following the same run by polling.' : "The stream sent a line that is not the API's JSON; following the same run by polling."]);
      const closed = h.events.filter((e) => e.type === 'message.completed');
      assert.equal(closed.length, 1);
      assert.equal(closed[0].type === 'message.completed' && textOf(closed[0].message), 'Partial', 'the partial answer is kept');
    });
  }

  for (const fault of ['cut mid-event', 'silent'] as const) {
    it(`ends a ${fault} stream on a server that keeps nothing as cut off, with the partial answer kept`, async () => {
      // Only the silent stream needs the watchdog, given enough time that a loaded machine's pause
      // before the stall is not taken for it; a cut stream is told by the cut alone.
      h = await startHarness({ fake: { background: false, keepsResponses: false }, driver: fault === 'silent' ? { streamIdleMs: 1500 } : {} });
      // A first run teaches the backend that this server refuses background mode.
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Warm-up.' }] });
      await h.driver.run(await h.startWith('Warm up'), () => undefined);
      h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Partial words then more words never seen', chunkSize: 8, chunkDelayMs: 20 }] });
      h.fake.inject(
        fault === 'silent'
          ? { method: 'POST', path: '/responses', kind: 'stall', afterEvents: 6 }
          : { method: 'POST', path: '/responses', kind: 'reset', afterEvents: 6, midEvent: true },
      );
      const error = await failure(h.driver.run(await h.startWith('Hi'), h.onEvent));
      assert.equal(error.kind, 'run_failed');
      assert.match(error.message, fault === 'silent' ? /^The stream sent nothing for 2 s in the middle of the answer.*cannot resume/ : /^The connection dropped in the middle of the answer.*cannot resume/);
      assert.doesNotMatch(error.message, /base URL/);
      const statuses = h.events.flatMap((e) => (e.type === 'run.updated' ? [e.run.status] : []));
      assert.equal(statuses.at(-1), 'incomplete', 'the run ends');
      const closed = h.events.filter((e) => e.type === 'message.completed');
      assert.equal(closed.length, 1);
      const message = closed[0].type === 'message.completed' ? closed[0].message : undefined;
      assert.equal(message?.status, 'incomplete', 'marked cut off, so the chat shows no typing cursor');
      assert.ok(textOf(message).startsWith('Partial'), `partial text kept: ${textOf(message)}`);
      assert.equal(h.events.at(-1)?.type, 'error');
    });
  }
});

describe('Resuming a dropped stream (Responses)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('picks a dropped background stream up after its last event instead of polling', async () => {
    h = await startHarness();
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Every word arrives exactly once here.', chunkSize: 4, chunkDelayMs: 15 }] });
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'reset', afterEvents: 6 });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'Every word arrives exactly once here.');
    const deltas = h.events.flatMap((e) => (e.type === 'message.delta' ? [e.text] : [])).join('');
    assert.equal(deltas, 'Every word arrives exactly once here.', 'no text twice, none missing');
    const gets = h.requests('GET', /^\/responses\/resp/);
    assert.equal(gets.length, 1, 'one resume, no polls');
    const query = new URLSearchParams(gets[0].query);
    assert.equal(query.get('stream'), 'true');
    assert.equal(query.get('starting_after'), '5', 'after the last event seen (sequence numbers start at 0)');
    assert.equal(h.events.some((e) => e.type === 'fallback'), false);
  });

  it('polls when the resumed stream is refused (a 404 is no word on the run)', async () => {
    h = await startHarness();
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Refused resume, still whole.', chunkSize: 4, chunkDelayMs: 15 }] });
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'reset', afterEvents: 6 });
    h.fake.inject({ method: 'GET', path: '/responses/:response_id', kind: 'script', script: { status: 404, headers: JSON_TYPE, chunks: [JSON.stringify({ error: { message: 'No stream to resume.', type: 'invalid_request_error', param: null, code: null } })] } });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(result.run.status, 'completed');
    assert.equal(textOf(result.messages[0]), 'Refused resume, still whole.');
    assert.ok(h.events.some((e) => e.type === 'fallback'));
  });

  it('polls when the resumed stream drops too', async () => {
    h = await startHarness();
    h.fake.model.enqueue({ steps: [{ type: 'text', text: 'Dropped twice, still whole.', chunkSize: 4, chunkDelayMs: 15 }] });
    h.fake.inject({ method: 'POST', path: '/responses', kind: 'reset', afterEvents: 6 });
    h.fake.inject({ method: 'GET', path: '/responses/:response_id', kind: 'reset', afterEvents: 0 });
    const result = await h.driver.run(await h.startWith('Hi'), h.onEvent);
    assert.equal(textOf(result.messages[0]), 'Dropped twice, still whole.');
    assert.ok(h.events.some((e) => e.type === 'fallback' && /^The stream dropped/.test(e.reason)));
  });
});
