import * as assert from 'node:assert/strict';
import type { OpenAI } from 'openai';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import { toSnapshot } from '../../../../src/backends/responses/mapping';
import { RunState } from '../../../../src/core/runs/runState';
import type { RunEvent } from '../../../../src/common/events';
import type { Assistant, Thread } from '../../../../src/common/model';

const thread: Thread = { id: 'thr_1', title: 'T', createdAt: 1, updatedAt: 1, backend: 'responses' };
const assistant: Assistant = { id: 'asst_1', createdAt: 0, name: 'A', model: 'm', instructions: '', tools: [] };

function response(status: string, output: unknown[] = []): Response {
  return { id: 'resp_1', object: 'response', created_at: 1, status, model: 'm', output } as unknown as Response;
}

/** The run events `ResponsesBackend.stream` makes of `wire`, played from memory. */
async function streamed(wire: Record<string, unknown>[]): Promise<RunEvent[]> {
  async function* events(): AsyncIterable<ResponseStreamEvent> {
    for (const [n, event] of wire.entries()) yield { ...event, sequence_number: n } as unknown as ResponseStreamEvent;
  }
  const client = { baseURL: 'http://test.invalid/v1', responses: { create: async () => events() } } as unknown as OpenAI;
  const out: RunEvent[] = [];
  for await (const event of new ResponsesBackend(client).stream({ kind: 'start', thread, assistant, history: [] })) out.push(event);
  return out;
}

/** What a whole compare of the final response still finds after the streamed events: nothing, when they carried it all. */
function leftOver(events: RunEvent[], final: Response): RunEvent[] {
  const state = new RunState(() => 0);
  for (const event of events) state.apply(event);
  return state.advance(toSnapshot(final, { ref: { threadId: thread.id, runId: 'resp_1' }, assistantId: assistant.id }));
}

const message = { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
const textPart = { type: 'output_text', text: '', annotations: [] };
const call = { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '', status: 'in_progress' };

describe('Responses stream events map item by item to run events', () => {
  it('a text delta is one message.delta, an argument delta one step.updated carrying the arguments so far', async () => {
    const doneMessage = { ...message, status: 'completed', content: [{ ...textPart, text: 'Hello' }] };
    const doneCall = { ...call, status: 'completed', arguments: '{"q":1}' };
    const final = response('completed', [doneMessage, doneCall]);
    const events = await streamed([
      { type: 'response.created', response: response('in_progress') },
      { type: 'response.output_item.added', output_index: 0, item: message },
      { type: 'response.content_part.added', item_id: 'msg_1', output_index: 0, content_index: 0, part: textPart },
      { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hel' },
      { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'lo' },
      { type: 'response.output_item.done', output_index: 0, item: doneMessage },
      { type: 'response.output_item.added', output_index: 1, item: call },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 1, delta: '{"q"' },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 1, delta: ':1}' },
      { type: 'response.output_item.done', output_index: 1, item: doneCall },
      { type: 'response.completed', response: final },
    ]);
    assert.deepEqual(
      events.map((event) => event.type),
      ['run.updated', 'step.created', 'message.created', 'message.delta', 'message.delta', 'step.completed', 'message.completed', 'step.created', 'step.updated', 'step.updated', 'step.completed', 'run.updated'],
    );
    assert.deepEqual(
      events.flatMap((event) => (event.type === 'message.delta' ? [event.text] : [])),
      ['Hel', 'lo'],
    );
    const argumentsSoFar = events.flatMap((event) => (event.type === 'step.updated' && event.step.details.type === 'tool_calls' ? event.step.details.toolCalls.map((c) => (c.type === 'function' ? c.arguments : '')) : []));
    assert.deepEqual(argumentsSoFar, ['{"q"', '{"q":1}']);
    const last = events.at(-1);
    assert.equal(last?.type === 'run.updated' ? last.run.status : undefined, 'requires_action');
    assert.deepEqual(leftOver(events, final), []);
  });

  it('code, file search and reasoning items carry everything the final response holds', async () => {
    const code = { id: 'ci_1', type: 'code_interpreter_call', status: 'in_progress', code: '', outputs: [], container_id: 'c1' };
    const search = { id: 'fs_1', type: 'file_search_call', status: 'in_progress', queries: ['q'] };
    const reasoning = { id: 'rs_1', type: 'reasoning', summary: [] };
    const final = response('completed', [
      { ...reasoning, summary: [{ type: 'summary_text', text: 'Think' }] },
      { ...search, status: 'completed' },
      { ...code, status: 'completed', code: 'print(1)' },
      { ...message, status: 'completed', content: [{ ...textPart, text: 'Done' }] },
    ]);
    const events = await streamed([
      { type: 'response.created', response: response('in_progress') },
      { type: 'response.output_item.added', output_index: 0, item: reasoning },
      { type: 'response.reasoning_summary_part.added', item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.delta', item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 'Thi' },
      { type: 'response.reasoning_summary_text.delta', item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 'nk' },
      { type: 'response.output_item.added', output_index: 1, item: search },
      { type: 'response.file_search_call.searching', item_id: 'fs_1', output_index: 1 },
      { type: 'response.file_search_call.completed', item_id: 'fs_1', output_index: 1 },
      { type: 'response.output_item.added', output_index: 2, item: code },
      { type: 'response.code_interpreter_call_code.delta', item_id: 'ci_1', output_index: 2, delta: 'print(' },
      { type: 'response.code_interpreter_call_code.delta', item_id: 'ci_1', output_index: 2, delta: '1)' },
      { type: 'response.code_interpreter_call.completed', item_id: 'ci_1', output_index: 2 },
      // A server that skips output_item.added and content_part.added: the delta starts the message.
      { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 3, content_index: 0, delta: 'Done' },
      { type: 'response.completed', response: final },
    ]);
    const summaries = events.flatMap((event) => (event.type === 'step.updated' && event.step.details.type === 'reasoning' ? [event.step.details.summary] : []));
    assert.deepEqual(summaries, ['Thi', 'Think']);
    const code_ = events.flatMap((event) => (event.type === 'step.updated' && event.step.details.type === 'tool_calls' ? event.step.details.toolCalls.flatMap((c) => (c.type === 'code_interpreter' ? [c.input] : [])) : []));
    assert.deepEqual(code_, ['print(', 'print(1)']);
    assert.deepEqual(leftOver(events, final), []);
  });

  it('an item that changes after the response ended is compared with the whole run', async () => {
    const final = response('completed', []);
    const events = await streamed([
      { type: 'response.created', response: response('in_progress') },
      { type: 'response.completed', response: final },
      { type: 'response.output_item.done', output_index: 0, item: { ...call, status: 'completed', arguments: '{}' } },
    ]);
    const last = events.at(-1);
    assert.equal(last?.type === 'run.updated' ? last.run.status : undefined, 'requires_action', 'a call that came after the end still makes the run wait for it');
  });
});
