import * as assert from 'node:assert/strict';
import type { Message as WireMessage } from 'openai/resources/beta/threads/messages';
import type { RunStep as WireStep } from 'openai/resources/beta/threads/runs/steps';
import type { RunEvent } from '../../../../src/common/events';
import type { Assistant, Message, RunStep, Thread, ToolCall } from '../../../../src/common/model';
import { RunDriver } from '../../../../src/core/runs/runDriver';
import type { Loose } from '../../../../src/backends/assistantsV2/mapRun';
import { fromWireMessage, fromWireStep } from '../../../../src/backends/assistantsV2/mapRun';
import type { V2Harness } from './harness';
import { newAssistant, newThread, startHarness } from './harness';

/**
 * Code-interpreter runs as servers other than OpenAI's stream and list them: every shape the v2
 * description allows (a delta names only its index, outputs and annotations arrive in pieces, image
 * parts in messages), and what such servers send besides (steps without details, deltas without a
 * type or an index, nulls in lists, kinds this client does not know, final objects that carry less
 * than was streamed). Each run must end with what was sent, and nothing may throw.
 */
describe('Assistants v2 code-interpreter runs from independent servers', () => {
  let h: V2Harness;
  let assistant: Assistant;
  let thread: Thread;

  beforeEach(async () => {
    h = await startHarness();
    assistant = await newAssistant(h.assistants, { tools: [{ type: 'code_interpreter' }] });
    thread = await newThread(h.backend);
    await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Plot it.', annotations: [] }] });
  });

  afterEach(async () => {
    await h.server.close();
  });

  const run = (status: string) => ({ id: 'run_x', object: 'thread.run', thread_id: thread.remoteId, assistant_id: assistant.id, status, created_at: 1, model: 'm', instructions: '', tools: [], required_action: null, last_error: null, usage: null, metadata: {} });
  const stepDelta = (toolCalls: unknown[]) => ['thread.run.step.delta', { id: 'step_c', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: toolCalls } } }];
  const messageDelta = (content: unknown[]) => ['thread.message.delta', { id: 'msg_x', object: 'thread.message.delta', delta: { content } }];

  async function play(frames: unknown[][]): Promise<{ events: RunEvent[]; steps: RunStep[]; messages: Message[] }> {
    const body = frames.map(([event, data]) => `event: ${String(event)}\ndata: ${JSON.stringify(data)}\n\n`);
    h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks: [...body, 'event: done\ndata: [DONE]\n\n'] } });
    const events: RunEvent[] = [];
    const driver = new RunDriver(h.backend, { toolHandler: { handle: async () => [] }, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 1 } });
    const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => events.push(e));
    assert.equal(result.run.status, 'completed', JSON.stringify(events.filter((e) => e.type === 'error')));
    for (const event of events) {
      if (event.type === 'message.created' || event.type === 'message.completed') assert.ok(event.message.content.every((part) => part && typeof part.type === 'string'), 'no hole or null in a message');
      if ((event.type === 'step.created' || event.type === 'step.updated' || event.type === 'step.completed') && event.step.details.type === 'tool_calls') {
        assert.ok(event.step.details.toolCalls.every((call) => call && typeof call.type === 'string'), 'no hole or null in a step');
      }
    }
    return { events, steps: result.steps, messages: result.messages };
  }

  const codeCall = (steps: RunStep[]): Extract<ToolCall, { type: 'code_interpreter' }> | undefined =>
    steps.flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : [])).find((c): c is Extract<ToolCall, { type: 'code_interpreter' }> => c.type === 'code_interpreter');

  it('follows a step announced without details whose deltas name their type once, and a message whose image and citation come as deltas', async () => {
    const { steps, messages, events } = await play([
      ['thread.run.created', run('queued')],
      ['thread.run.in_progress', run('in_progress')],
      // No step_details at all until the deltas.
      ['thread.run.step.created', { id: 'step_c', object: 'thread.run.step', run_id: 'run_x', type: 'tool_calls', status: 'in_progress', created_at: 1 }],
      stepDelta([{ index: 0, id: 'call_1', type: 'code_interpreter', code_interpreter: { input: 'plt.plot(', outputs: [] } }]),
      // Later deltas of the same call name only their index; outputs come without one.
      stepDelta([{ index: 0, code_interpreter: { input: 'x)' } }]),
      stepDelta([{ index: 0, code_interpreter: { outputs: [{ type: 'logs', logs: '\u001b[0;31mwarning\u001b[0m' }, { type: 'image', image: { file_id: 'file-fig' } }] } }]),
      ['thread.run.step.completed', { id: 'step_c', object: 'thread.run.step', run_id: 'run_x', type: 'tool_calls', status: 'completed', created_at: 1, completed_at: 2, step_details: { type: 'tool_calls', tool_calls: [] } }],
      ['thread.message.created', { id: 'msg_x', object: 'thread.message', run_id: 'run_x', role: 'assistant', status: 'in_progress', created_at: 2, content: [] }],
      messageDelta([{ index: 0, type: 'image_file', image_file: { file_id: 'file-fig' } }]),
      messageDelta([{ index: 1, type: 'text', text: { value: 'Here is the data: ' } }]),
      messageDelta([{ index: 1, type: 'text', text: { value: 'sandbox:/mnt/data/out.csv', annotations: [{ index: 0, type: 'file_path', text: 'sandbox:/mnt/data/out.csv', start_index: 18, end_index: 43, file_path: { file_id: 'file-csv' } }] } }]),
      // The final message comes empty but names the file it attached.
      ['thread.message.completed', { id: 'msg_x', object: 'thread.message', run_id: 'run_x', role: 'assistant', status: 'completed', created_at: 2, content: [], attachments: [{ file_id: 'file-csv', tools: [{ type: 'code_interpreter' }] }] }],
      ['thread.run.completed', run('completed')],
    ]);
    const call = codeCall(steps);
    assert.equal(call?.input, 'plt.plot(x)');
    assert.deepEqual(call?.outputs, [{ type: 'logs', logs: '\u001b[0;31mwarning\u001b[0m' }, { type: 'image', fileId: 'file-fig' }]);
    const message = messages.find((m) => m.id === 'msg_x');
    assert.deepEqual(message?.content, [
      { type: 'image_file', fileId: 'file-fig' },
      { type: 'text', text: 'Here is the data: sandbox:/mnt/data/out.csv', annotations: [{ type: 'file_path', fileId: 'file-csv', filename: 'out.csv', text: 'sandbox:/mnt/data/out.csv', startIndex: 18, endIndex: 43 }] },
    ]);
    assert.deepEqual(message?.attachments, [{ fileId: 'file-csv', filename: 'out.csv', tools: ['code_interpreter'] }], 'the chip shows the name the annotation gave');
    const deltas = events.filter((e) => e.type === 'message.delta' && e.messageId === 'msg_x');
    assert.ok(deltas.every((e) => e.type === 'message.delta' && e.index === 1), 'text deltas address the text part, after the image');
  });

  it('skips tools and parts it does not know, and nulls, without losing the places of the rest', async () => {
    const { steps, messages } = await play([
      ['thread.run.created', run('queued')],
      ['thread.run.in_progress', run('in_progress')],
      ['thread.run.step.created', { id: 'step_c', object: 'thread.run.step', run_id: 'run_x', type: 'tool_calls', status: 'in_progress', created_at: 1, step_details: { type: 'tool_calls', tool_calls: [{ id: 'r1', type: 'retrieval', retrieval: {} }, null] } }],
      // The code call is the second on the wire: its deltas say index 1.
      stepDelta([{ index: 1, id: 'call_2', type: 'code_interpreter', code_interpreter: { input: 'print(1)', outputs: [null, { index: 0, type: 'logs', logs: '1\n' }] } }]),
      stepDelta([{ index: 1, type: 'code_interpreter', code_interpreter: { outputs: [{ index: 1, type: 'image', image: {} }, { index: 2, type: 'image', image: { file_id: 'file-b' } }] } }]),
      stepDelta([{ index: 7, type: 'web_search', web_search: {} }, { index: 1e9, type: 'code_interpreter', code_interpreter: { input: 'never' } }]),
      ['thread.run.step.completed', { id: 'step_c', object: 'thread.run.step', run_id: 'run_x', type: 'tool_calls', status: 'completed', created_at: 1, completed_at: 2, step_details: null }],
      ['thread.message.created', { id: 'msg_x', object: 'thread.message', run_id: 'run_x', role: 'assistant', status: 'in_progress', created_at: 2, content: [{ type: 'audio', audio: {} }] }],
      messageDelta([{ index: 1, type: 'image_url', image_url: { url: 'https://example.com/plot.png' } }]),
      messageDelta([{ index: 2, type: 'text', text: { value: 'See 【4:0†data.csv】', annotations: null } }]),
      messageDelta([{ index: 2, type: 'text', text: { annotations: [{ index: 0, type: 'file_citation', text: '【4:0†data.csv】', file_citation: { file_id: 'file-d', quote: 'a,b' } }, { index: 1, type: 'file_citation', file_citation: {} }] } }]),
      messageDelta([{ index: 3, type: 'refusal', refusal: 'I cannot show the raw rows.' }]),
      ['thread.message.completed', { id: 'msg_x', object: 'thread.message', run_id: 'run_x', role: 'assistant', status: 'completed', created_at: 2, content: [{ type: 'audio' }, null, { type: 'text', text: { value: 'See 【4:0†data.csv】' } }] }],
      ['thread.run.completed', run('completed')],
    ]);
    const call = codeCall(steps);
    assert.equal(call?.id, 'call_2');
    assert.equal(call?.input, 'print(1)');
    assert.deepEqual(call?.outputs, [{ type: 'logs', logs: '1\n' }, { type: 'image', fileId: 'file-b' }]);
    const message = messages.find((m) => m.id === 'msg_x');
    assert.deepEqual(message?.content, [
      { type: 'image_url', url: 'https://example.com/plot.png' },
      { type: 'text', text: 'See 【4:0†data.csv】', annotations: [{ type: 'file_citation', fileId: 'file-d', filename: 'data.csv', quote: 'a,b', text: '【4:0†data.csv】' }] },
      { type: 'text', text: 'I cannot show the raw rows.', annotations: [] },
    ]);
  });

  it('names an attached file no citation names by looking it up once, and shows its id when the lookup hangs', async () => {
    const file = await h.backend.uploadFile('results.csv', new TextEncoder().encode('a,b\n1,2\n'), 'assistants');
    const answer = (id: string, attached: string[]) => [
      ['thread.message.created', { id, object: 'thread.message', run_id: 'run_x', role: 'assistant', status: 'in_progress', created_at: 2, content: [] }],
      ['thread.message.delta', { id, object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: 'Done.' } }] } }],
      ['thread.message.completed', { id, object: 'thread.message', run_id: 'run_x', role: 'assistant', status: 'completed', created_at: 2, content: [], attachments: attached.map((fileId) => ({ file_id: fileId, tools: [{ type: 'code_interpreter' }] })) }],
    ];
    const named = await play([['thread.run.created', run('queued')], ...answer('msg_x', [file.id]), ['thread.run.completed', run('completed')]]);
    assert.deepEqual(named.messages.find((m) => m.id === 'msg_x')?.attachments, [{ fileId: file.id, filename: 'results.csv', tools: ['code_interpreter'] }]);
    // A server whose files endpoint never answers: the answer still ends, its chip showing the id.
    h.server.inject({ method: 'GET', path: '/files/:file_id', kind: 'script', times: 5, script: { chunks: [], end: 'hang' } });
    const hung = await play([['thread.run.created', run('queued')], ...answer('msg_y', ['file-unknown']), ['thread.run.completed', run('completed')]]);
    assert.deepEqual(hung.messages.find((m) => m.id === 'msg_y')?.attachments, [{ fileId: 'file-unknown', tools: ['code_interpreter'] }]);
  });
});

describe('Assistants v2 mapping of listed steps and messages (polling) from independent servers', () => {
  it('maps steps with missing or unknown details, nulls and unknown tools to what can be shown', () => {
    const bare = fromWireStep({ id: 's1', run_id: 'r', type: 'tool_calls', status: 'in_progress', created_at: 1 } as Loose<WireStep>);
    assert.deepEqual(bare.details, { type: 'tool_calls', toolCalls: [] });
    const odd = fromWireStep({
      id: 's2',
      run_id: 'r',
      status: 'completed',
      created_at: 1,
      completed_at: 3,
      step_details: { type: 'tool_calls', tool_calls: [null, { id: 'x', type: 'retrieval' }, { id: 'c', type: 'code_interpreter', code_interpreter: { input: 'a', outputs: [null, { type: 'image', image: null }, { type: 'logs' }, { type: 'image', image: { file_id: 'f' } }] } }] },
    } as unknown as Loose<WireStep>);
    assert.deepEqual(odd.details, { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', id: 'c', input: 'a', outputs: [{ type: 'logs', logs: '' }, { type: 'image', fileId: 'f' }] }] });
    assert.equal(odd.completedAt, 3);
  });

  it('maps messages with nulls, unknown parts, images and citations of every shape', () => {
    const message = fromWireMessage({
      id: 'm',
      role: 'assistant',
      created_at: 1,
      content: [
        null,
        { type: 'image_file', image_file: { file_id: 'img', detail: 'high' } },
        { type: 'image_file', image_file: {} },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
        { type: 'text', text: { value: 'v', annotations: [null, { type: 'file_path', text: 'sandbox:/mnt/data/a b.png', start_index: 0, end_index: 1, file_path: { file_id: 'p' } }, { type: 'file_citation', text: '【1†x.md】', start_index: 0, end_index: 1, file_citation: { file_id: 'c' } }, { type: 'url_citation' }] } },
        { type: 'text', text: { value: 'no annotations' } },
        { type: 'input_audio' },
      ],
      attachments: [{ file_id: 'p', tools: [{ type: 'code_interpreter' }, { type: 'web' }] }, { tools: [] }, null],
    } as unknown as Loose<WireMessage>);
    assert.deepEqual(message.content, [
      { type: 'image_file', fileId: 'img' },
      { type: 'image_url', url: 'data:image/png;base64,AAAA' },
      {
        type: 'text',
        text: 'v',
        annotations: [
          { type: 'file_path', fileId: 'p', filename: 'a b.png', text: 'sandbox:/mnt/data/a b.png', startIndex: 0, endIndex: 1 },
          { type: 'file_citation', fileId: 'c', filename: 'x.md', text: '【1†x.md】', startIndex: 0, endIndex: 1 },
        ],
      },
      { type: 'text', text: 'no annotations', annotations: [] },
    ]);
    assert.deepEqual(message.attachments, [{ fileId: 'p', filename: 'a b.png', tools: ['code_interpreter'] }]);
    assert.equal(message.status, 'completed');
  });
});
