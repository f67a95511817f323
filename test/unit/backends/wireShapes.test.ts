import * as assert from 'node:assert/strict';
import type { OpenAI } from 'openai';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { AssistantStreamEvent } from 'openai/resources/beta/assistants';
import { fromWireMessage, fromWireRun, fromWireStep } from '../../../src/backends/assistantsV2/mapRun';
import type { Loose } from '../../../src/backends/assistantsV2/mapRun';
import { StreamTranslator } from '../../../src/backends/assistantsV2/streamTranslator';
import { toSnapshot } from '../../../src/backends/responses/mapping';
import { ResponsesBackend } from '../../../src/backends/responses/responsesBackend';
import type { RunEvent } from '../../../src/common/events';
import type { Assistant, Message, Run, Thread } from '../../../src/common/model';
import { textOf } from '../../../src/common/model';
import { AssistantsV2Backend } from '../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../src/backends/openaiClient';
import type { Backend } from '../../../src/core/backend';
import { RunDriver } from '../../../src/core/runs/runDriver';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import { assertPrompt, startClock } from '../support/prompt';

/**
 * Wire objects whose fields are of the wrong type, as a server other than OpenAI's or a proxy may
 * send them: a number where a string goes, an object where a list goes, holes, kinds nobody knows.
 * `Loose` guards a field left out or null; these are the fields that are there and wrong. Each must
 * map to what can be shown, and never reach the chat as a JavaScript error.
 */
const thread: Thread = { id: 'thr_1', title: 'T', createdAt: 1, updatedAt: 1, backend: 'responses' };
const assistant: Assistant = { id: 'asst_1', createdAt: 0, name: 'A', model: 'm', instructions: '', tools: [] };
const context = { ref: { threadId: thread.id, runId: 'resp_1' }, assistantId: assistant.id };

function response(fields: Record<string, unknown>): Response {
  return { id: 'resp_1', object: 'response', created_at: 1, model: 'm', ...fields } as unknown as Response;
}

/** Every string of a run as the chat would show it: no field holds a number, an object or `undefined` where text goes. */
function assertShowable(run: Run): void {
  assert.equal(typeof run.id, 'string');
  assert.ok(['queued', 'in_progress', 'requires_action', 'cancelling', 'cancelled', 'failed', 'completed', 'incomplete', 'expired'].includes(run.status), `status ${String(run.status)}`);
  if (run.lastError) assert.ok(typeof run.lastError.message === 'string' && run.lastError.message !== '' && typeof run.lastError.code === 'string', JSON.stringify(run.lastError));
  if (run.incompleteReason !== undefined) assert.equal(typeof run.incompleteReason, 'string');
  if (run.usage) assert.ok([run.usage.promptTokens, run.usage.completionTokens, run.usage.totalTokens].every(Number.isFinite), JSON.stringify(run.usage));
}

function assertMessages(messages: Message[]): void {
  for (const message of messages) {
    assert.equal(typeof message.id, 'string');
    assert.notEqual(message.id, '', 'a message is named');
    for (const part of message.content) {
      if (part.type !== 'text') continue;
      assert.equal(typeof part.text, 'string');
      for (const annotation of part.annotations) assert.ok(annotation && typeof annotation.type === 'string', JSON.stringify(part.annotations));
    }
  }
}

describe('Wire fields of the wrong type (Responses)', () => {
  const odd: [string, Record<string, unknown>][] = [
    ['items that are no items, and items missing what they are read by', { status: 'completed', output: [null, 5, 'text', { type: 'message' }, { type: 'message', content: 'hello' }, { type: 'function_call' }, { type: 'function_call', call_id: 7 }, { type: 'code_interpreter_call', outputs: 'none' }, { type: 'file_search_call', queries: 'q', results: { a: 1 } }, { type: 'reasoning', summary: [null, { text: 3 }] }, { type: 'mcp_call', name: 5 }, { type: 'an_item_of_tomorrow' }] }],
    ['parts and citations of every wrong shape', { status: 'completed', output: [{ type: 'message', id: 'msg_1', content: [null, 4, { type: 'output_text' }, { type: 'output_text', text: 5, annotations: { a: 1 } }, { type: 'output_text', text: 'ok', annotations: [null, { type: 'file_citation' }, { type: 'tomorrow' }, { type: 'url_citation', url: 'https://example.com', title: 9 }] }, { type: 'refusal', refusal: null }, { type: 'audio' }] }] }],
    ['an error, a reason and usage of the wrong types', { status: 'failed', error: 'it broke', incomplete_details: { reason: { why: 'x' } }, usage: { input_tokens: 'many', output_tokens: null } }],
    ['an error object without words, output an object', { status: 'failed', error: { code: 5, message: null }, output: { 0: 'x' } }],
    ['an incomplete response whose reason is a number', { status: 'incomplete', incomplete_details: { reason: 42 }, usage: 'lots' }],
  ];
  for (const [label, fields] of odd) {
    it(`reads a polled response with ${label}`, () => {
      const snapshot = toSnapshot(response(fields), context);
      assertShowable(snapshot.run);
      assertMessages(snapshot.messages);
      for (const step of snapshot.steps) assert.equal(typeof step.id, 'string');
      if (snapshot.run.status === 'requires_action') assert.ok(snapshot.run.requiredAction?.toolCalls.every((c) => typeof c.callId === 'string' && c.callId !== '' && typeof c.name === 'string'));
    });
  }

  it('a failure without the server\'s words has no made-up ones: the chat then says the run failed', () => {
    for (const error of [null, 'it broke', { code: null, message: null }, { message: '  ' }, { message: 5 }]) {
      const run = toSnapshot(response({ status: 'failed', error }), context).run;
      assert.equal(run.status, 'failed');
      assert.equal(run.lastError, undefined, JSON.stringify(error));
    }
  });

  /** The run events `ResponsesBackend.stream` makes of `wire`, played from memory. */
  async function streamed(wire: Record<string, unknown>[]): Promise<RunEvent[]> {
    async function* events(): AsyncIterable<ResponseStreamEvent> {
      for (const [n, event] of wire.entries()) yield { sequence_number: n, ...event } as unknown as ResponseStreamEvent;
    }
    const client = { baseURL: 'http://test.invalid/v1', responses: { create: async () => events() } } as unknown as OpenAI;
    const out: RunEvent[] = [];
    for await (const event of new ResponsesBackend(client).stream({ kind: 'start', thread, assistant, history: [] })) out.push(event);
    return out;
  }

  it('keeps the answer of a stream whose events carry fields of the wrong type, and makes no list of a billion places', async () => {
    const created = { type: 'response.created', response: response({ status: 'in_progress', output: [] }) };
    const message = { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] };
    const clock = startClock();
    const events = await streamed([
      created,
      { type: 'response.output_item.added', output_index: 0, item: message },
      { type: 'response.content_part.added', output_index: 0, content_index: 0, part: null },
      { type: 'response.content_part.added', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: 'Kept ' },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: 5 },
      { type: 'response.output_text.delta', output_index: 1e9, content_index: 0, item_id: 'msg_far', delta: 'far away' },
      { type: 'response.output_text.delta', output_index: 0, content_index: -1, item_id: 'msg_1', delta: 'before the start' },
      { type: 'response.output_text.delta', output_index: '0', content_index: 0, item_id: 'msg_1', delta: 'by a string' },
      { type: 'response.output_text.annotation.added', output_index: 0, content_index: 0, item_id: 'msg_1', annotation_index: 0, annotation: null },
      { type: 'response.output_text.annotation.added', output_index: 0, content_index: 0, item_id: 'msg_1', annotation_index: 5e8, annotation: { type: 'file_citation', file_id: 'file-1', filename: 'a.md', index: 0 } },
      { type: 'response.output_text.done', output_index: 0, content_index: 0, item_id: 'msg_1', text: null },
      { type: 'response.output_item.added', output_index: 1, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'lookup', status: 'in_progress' } },
      { type: 'response.function_call_arguments.delta', output_index: 1, delta: { a: 1 } },
      { type: 'response.function_call_arguments.done', output_index: 1 },
      { type: 'response.reasoning_summary_part.added', output_index: 1, summary_index: 0, part: null },
      { type: 'response.output_item.done', output_index: 0, item: 'done' },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: 'text.' },
      { type: 'response.completed', response: response({ status: 'completed', output: [null, null] }) },
    ]);
    assertPrompt('a stream with an index of 500,000,000 (no list of a billion places made)', clock);
    const runs = events.flatMap((e) => (e.type === 'run.updated' ? [e.run] : []));
    const last = runs.at(-1);
    // The call streamed with arguments of the wrong type waits for its output, its arguments empty.
    assert.equal(last?.status, 'requires_action', JSON.stringify(last));
    assert.deepEqual(last.requiredAction?.toolCalls, [{ callId: 'call_1', name: 'lookup', arguments: '' }]);
    const text = events.filter((e): e is Extract<RunEvent, { type: 'message.delta' }> => e.type === 'message.delta').map((e) => e.text).join('');
    assert.equal(text, 'Kept text.');
  });
});

describe('Responses stream events sent again', () => {
  /** The text a stream's events make, each event with the sequence number given (none when undefined). */
  async function textOfStream(numbered: [Record<string, unknown>, number | undefined][]): Promise<string> {
    async function* events(): AsyncIterable<ResponseStreamEvent> {
      for (const [event, sequence] of numbered) yield { ...event, sequence_number: sequence } as unknown as ResponseStreamEvent;
    }
    const client = { baseURL: 'http://test.invalid/v1', responses: { create: async () => events() } } as unknown as OpenAI;
    let text = '';
    for await (const event of new ResponsesBackend(client).stream({ kind: 'start', thread, assistant, history: [] })) if (event.type === 'message.delta') text += event.text;
    return text;
  }
  const created = { type: 'response.created', response: response({ status: 'in_progress', output: [] }) };
  const added = { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } };
  const delta = (text: string) => ({ type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: text });
  const completed = { type: 'response.completed', response: response({ status: 'completed', output: [] }) };

  it('applies an event once when a proxy sends it twice, or a server sends the stream again from its start', async () => {
    assert.equal(await textOfStream([[created, 0], [added, 1], [delta('A'), 2], [delta('A'), 2], [delta('B'), 3], [delta('B'), 3], [completed, 4]]), 'AB');
    assert.equal(await textOfStream([[created, 0], [added, 1], [delta('A'), 2], [delta('B'), 3], [created, 0], [added, 1], [delta('A'), 2], [delta('B'), 3], [delta('C'), 4], [completed, 5]]), 'ABC');
  });

  it('counts no keep-alive or gateway event in the order, whatever its number', async () => {
    const keepalive = { type: 'keepalive' };
    const gateway = { type: 'gateway.progress' };
    assert.equal(await textOfStream([[created, 0], [keepalive, 999_999], [added, 1], [gateway, 5_000], [delta('A'), 2], [keepalive, 0], [delta('B'), 3], [completed, 4]]), 'AB');
  });

  it('repeats nothing of a server that numbers no event, or every event alike', async () => {
    for (const sequence of [undefined, 0, 7]) {
      assert.equal(await textOfStream([[created, sequence], [added, sequence], [delta('A'), sequence], [delta('A'), sequence], [delta('B'), sequence], [completed, sequence]]), 'AAB', String(sequence));
    }
  });
});

describe('Wire fields of the wrong type (Assistants v2)', () => {
  const runs: [string, Record<string, unknown>][] = [
    ['an id and times of the wrong type, a status nobody knows', { id: 5, thread_id: {}, status: 'paused', created_at: 'yesterday', model: 7 }],
    ['a failure whose words are an object, usage as a word', { id: 'run_1', status: 'failed', last_error: { code: 5, message: { a: 1 } }, usage: 'lots' }],
    ['a failure as a bare string', { id: 'run_1', status: 'failed', last_error: 'boom' }],
    ['an incomplete run whose reason is a number', { id: 'run_1', status: 'incomplete', incomplete_details: { reason: 42 } }],
    ['a run waiting on calls listed as an object, with holes and calls without ids', { id: 'run_1', status: 'requires_action', required_action: { submit_tool_outputs: { tool_calls: { a: 1 } } } }],
    ['a run waiting on calls whose names and arguments are not strings', { id: 'run_1', status: 'requires_action', required_action: { submit_tool_outputs: { tool_calls: [null, { id: 3 }, { id: 'call_1', function: { name: 5, arguments: { x: 1 } } }] } } }],
  ];
  for (const [label, wire] of runs) {
    it(`reads a run with ${label}`, () => {
      const run = fromWireRun(wire as Loose<never>);
      assertShowable(run);
      for (const call of run.requiredAction?.toolCalls ?? []) assert.ok(typeof call.callId === 'string' && typeof call.name === 'string' && typeof call.arguments === 'string', JSON.stringify(call));
    });
  }

  it('reads an incomplete reason that is no word of the API as unknown, on both protocols', () => {
    for (const reason of ['x'.repeat(5000), 'line\nbreak', 'reason \u202Egnp.exe', '', 42, { why: 1 }]) {
      assert.equal(fromWireRun({ id: 'r', status: 'incomplete', incomplete_details: { reason } } as Loose<never>).incompleteReason, 'unknown', JSON.stringify(reason).slice(0, 40));
      assert.equal(toSnapshot(response({ status: 'incomplete', incomplete_details: { reason } }), context).run.incompleteReason, 'unknown');
    }
    assert.equal(fromWireRun({ id: 'r', status: 'incomplete', incomplete_details: { reason: 'max_prompt_tokens' } } as Loose<never>).incompleteReason, 'max_prompt_tokens');
    assert.equal(toSnapshot(response({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } }), context).run.incompleteReason, 'content_filter');
  });

  it('reads a status it does not know as in progress, so the run is followed on, never shown as a status nobody can name', () => {
    for (const status of ['paused', 'thinking', 'IN_PROGRESS']) assert.equal(fromWireRun({ id: 'r', status } as Loose<never>).status, 'in_progress');
  });

  it('reads steps and messages whose lists are objects or strings and whose ids are numbers', () => {
    const step = fromWireStep({ id: 9, status: 'paused', type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [{ type: 'file_search', id: 'fs', file_search: { results: { a: 1 } } }, { type: 'function', id: 'f', function: { name: {}, arguments: 3 } }, { type: 'code_interpreter', code_interpreter: { input: 5, outputs: 'x' } }] } } as Loose<never>);
    assert.equal(step.status, 'in_progress');
    assert.equal(typeof step.id, 'string');
    const message = fromWireMessage({ id: 'msg_1', status: 'weird', content: [{ type: 'text', text: { value: 5, annotations: 'none' } }, { type: 'image_file', image_file: { file_id: 7 } }], attachments: { file_id: 'x' } } as Loose<never>);
    assert.equal(message.status, 'completed');
    assertMessages([message]);
  });

  it('streams deltas whose content, calls and outputs are objects or strings without failing, and keeps the answer', () => {
    const translator = new StreamTranslator();
    const events: RunEvent[] = [];
    const frames: [string, unknown][] = [
      ['thread.run.created', { id: 'run_1', status: 'queued' }],
      ['thread.message.created', { id: 'msg_1', status: 'in_progress', content: 'hello' }],
      ['thread.message.delta', { id: 'msg_1', delta: { content: { a: 1 } } }],
      ['thread.message.delta', { id: 'msg_1', delta: 'x' }],
      ['thread.message.delta', { id: 'msg_1', delta: { content: [{ index: 0, type: 'text', text: { value: 5, annotations: { a: 1 } } }] } }],
      ['thread.message.delta', { id: 'msg_1', delta: { content: [{ index: 0, type: 'text', text: { value: 'Kept.' } }] } }],
      ['thread.message.delta', { id: 7, delta: { content: [{ index: 0, type: 'text', text: { value: 'nameless' } }] } }],
      ['thread.run.step.delta', { id: 'step_1', delta: { step_details: { type: 'tool_calls', tool_calls: { x: 1 } } } }],
      ['thread.run.step.delta', { id: 'step_1', delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 0, id: 4, type: 'code_interpreter', code_interpreter: { input: 5, outputs: 'x' } }] } } }],
      ['thread.run.step.delta', { id: 'step_1', delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 0, code_interpreter: { outputs: [{ index: 0, type: 'logs', logs: 3 }] } }] } } }],
      ['thread.run.step.completed', { id: 'step_1', status: 'completed', type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: 'none' } }],
      ['thread.run.completed', { id: 'run_1', status: 'completed', usage: { prompt_tokens: 'x' } }],
    ];
    for (const [event, data] of frames) events.push(...translator.translate({ event, data } as AssistantStreamEvent));
    const text = events.filter((e): e is Extract<RunEvent, { type: 'message.delta' }> => e.type === 'message.delta' && e.messageId === 'msg_1').map((e) => e.text).join('');
    assert.equal(text, 'Kept.');
    assert.equal(translator.run?.status, 'completed');
    assertShowable(translator.run as Run);
  });
});

describe('A poll answered without the run\'s ids', () => {
  let fake: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const [label, body] of [
      ['no ids at all', { status: 'in_progress' }],
      ['ids of the wrong type', { id: 5, thread_id: null, status: 'in_progress', object: 'thread.run' }],
    ] as const) {
      it(`follows the run it asked for when a poll comes with ${label} (${protocol})`, async () => {
        fake = await FakeOpenAIServer.start();
        const client = createOpenAIClient({ protocol, apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
        const draft = { name: 'Helper', model: 'm', instructions: '', tools: [] };
        const backend: Backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client, { baseUrl: fake.baseUrl });
        const helper: Assistant = protocol === 'responses' ? { ...draft, id: 'asst_local', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
        const { remoteId } = await backend.createThread();
        const local: Thread = { id: 'local', title: 'T', createdAt: 0, updatedAt: 0, backend: protocol, ...(remoteId ? { remoteId } : {}) };
        await backend.addMessage(local, { content: [{ type: 'text', text: 'Hi', annotations: [] }] });
        fake.model.enqueue({ steps: [{ type: 'text', text: 'The same run to its end.' }], durationMs: 300 });
        const pollPath = protocol === 'responses' ? '/responses/:response_id' : '/threads/:thread_id/runs/:run_id';
        fake.inject({ method: 'GET', path: pollPath, kind: 'script', times: 2, script: { headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(body)] } });
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, preferStreaming: false, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 1 } });
        const result = await driver.run({ kind: 'start', thread: local, assistant: helper, history: [] }, () => undefined);
        assert.equal(result.run.status, 'completed');
        assert.equal(textOf(result.messages.at(-1)?.content ?? []), 'The same run to its end.');
      });
    }
  }
});

describe('A poll answered with a page that is not the API\'s JSON', () => {
  let fake: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const pages: [string, { headers: Record<string, string>; chunks: string[] }][] = [
    ['a sign-in page', { headers: { 'content-type': 'text/html' }, chunks: ['<html><body>Sign in to the proxy</body></html>'] }],
    ['a JSON string', { headers: { 'content-type': 'application/json' }, chunks: ['"busy"'] }],
    ['a JSON list', { headers: { 'content-type': 'application/json' }, chunks: ['[]'] }],
  ];
  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const [label, script] of pages) {
      it(`retries a poll answered with ${label} like a dropped connection, and gives up in a bounded number of tries (${protocol})`, async () => {
        fake = await FakeOpenAIServer.start();
        const client = createOpenAIClient({ protocol, apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
        const draft = { name: 'Helper', model: 'm', instructions: '', tools: [] };
        const backend: Backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client, { baseUrl: fake.baseUrl });
        const helper: Assistant = protocol === 'responses' ? { ...draft, id: 'asst_local', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
        const newThread = async (): Promise<Thread> => {
          const { remoteId } = await backend.createThread();
          const local: Thread = { id: `local-${Math.random()}`, title: 'T', createdAt: 0, updatedAt: 0, backend: protocol, ...(remoteId ? { remoteId } : {}) };
          await backend.addMessage(local, { content: [{ type: 'text', text: 'Hi', annotations: [] }] });
          return local;
        };
        const pollPath = protocol === 'responses' ? '/responses/:response_id' : '/threads/:thread_id/runs/:run_id';
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, preferStreaming: false, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
        // Twice, then the server again: the run goes on to its end.
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Past the proxy.' }], durationMs: 200 });
        fake.inject({ method: 'GET', path: pollPath, kind: 'script', times: 2, script });
        const events: RunEvent[] = [];
        const result = await driver.run({ kind: 'start', thread: await newThread(), assistant: helper, history: [] }, (e) => events.push(e));
        assert.equal(result.run.status, 'completed');
        assert.equal(textOf(result.messages.at(-1)?.content ?? []), 'Past the proxy.');
        assert.ok(events.some((e) => e.type === 'retry' && /not the OpenAI API's JSON/.test(e.reason)), 'the retry says why');
        // Every poll: retried a bounded number of times, then said.
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Never seen.' }], durationMs: 60_000 });
        fake.inject({ method: 'GET', path: pollPath, kind: 'script', times: 1000, script });
        const polls = (): number => fake!.requests.filter((r) => r.method === 'GET' && new RegExp(`^${pollPath.replace(/:[a-z_]+/g, '[^/]+')}$`).test(r.path)).length;
        const before = polls();
        await assert.rejects(driver.run({ kind: 'start', thread: await newThread(), assistant: helper, history: [] }, () => undefined), (error: Error & { kind?: string }) => /^Gave up after 5 attempts\. The server at .* answered with something that is not the OpenAI API's JSON/.test(error.message));
        assert.equal(polls() - before, 5);
      });
    }
  }
});
