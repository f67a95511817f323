import * as assert from 'node:assert/strict';
import type { ToolHandler } from '../../src/core/toolHandler';
import type { Assistant, Thread } from '../../src/common/model';
import { RunDriver } from '../../src/core/runs/runDriver';
import type { V2Harness } from '../unit/backends/assistantsV2/harness';
import { createAssistant, listAssistants, newThread, startHarness } from '../unit/backends/assistantsV2/harness';
import { assertExercised, contractErrors } from './recorded';

const echoTools: ToolHandler = { handle: async (calls) => calls.map((c) => ({ callId: c.callId, output: `${c.name} done` })) };

describe('Assistants v2 adapter and fake routes against the OpenAPI description', function () {
  // The first validation compiles schemas out of a 3 MB document.
  this.timeout(60_000);
  let h: V2Harness;
  let assistant: Assistant;
  let thread: Thread;

  beforeEach(async () => {
    h = await startHarness({ pollAfterMs: 10 });
  });
  afterEach(async () => {
    await h.server.close();
  });

  async function setUp(): Promise<void> {
    const file = await h.backend.uploadFile('guide.md', new TextEncoder().encode('The deploy guide: run the release script, then tag.'), 'assistants');
    const store = await h.backend.createVectorStore('Docs', [file.id]);
    await h.backend.addVectorStoreFiles(store.id, []);
    assistant = await createAssistant(h.assistants, {
      name: 'Contract',
      description: 'Checks every shape',
      instructions: 'Answer from the docs.',
      model: 'gpt-4.1',
      tools: [
        { type: 'file_search', maxNumResults: 5 },
        { type: 'code_interpreter' },
        { type: 'function', function: { name: 'lookup', description: 'Looks up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, strict: true } },
      ],
      toolResources: { fileSearch: { vectorStoreIds: [store.id] }, codeInterpreter: { fileIds: [file.id] } },
      temperature: 0.5,
      topP: 0.8,
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: {} }, strict: false },
      metadata: { origin: 'contract' },
    });
    await h.assistants.update(assistant.id, { name: 'Contract 2', model: 'gpt-4.1-mini', tools: [{ type: 'file_search' }, { type: 'code_interpreter' }, ...assistant.tools.slice(2)], toolResources: assistant.toolResources });
    await listAssistants(h.assistants);
    thread = await newThread(h.backend);
    await h.backend.addMessage(thread, {
      content: [{ type: 'text', text: 'How do I deploy?', annotations: [] }, { type: 'image_url', url: 'https://example.com/diagram.png' }],
      attachments: [{ fileId: file.id, tools: ['file_search'] }],
    });
    // Let the vector stores index the file so the search finds it.
    await new Promise((resolve) => setTimeout(resolve, 80));
  }

  it('a streamed run with file search, code, citations, a tool round and a cancel', async () => {
    await setUp();
    h.server.model.enqueue(
      {
        steps: [
          { type: 'file_search', queries: ['deploy'] },
          { type: 'code_interpreter', code: 'print(1 + 1)', logs: '2', image: true },
          { type: 'function_call', name: 'lookup', arguments: { q: 'tag' } },
          { type: 'function_call', name: 'lookup', arguments: { q: 'release' } },
        ],
      },
      { steps: [{ type: 'text', text: 'Run the release script, then tag.', citeFiles: true }] },
    );
    const driver = new RunDriver(h.backend, { toolHandler: echoTools, poll: { initialMs: 10 } });
    const result = await driver.run({ kind: 'start', thread, assistant, history: [] }, () => undefined);
    assert.equal(result.run.status, 'completed');
    // The answer after the code's figure starts with it, as an image_file part, then its text.
    const [figure, answer] = result.messages.at(-1)?.content ?? [];
    assert.equal(figure?.type, 'image_file');
    assert.ok(answer?.type === 'text' && answer.annotations.some((a) => a.type === 'file_citation'));
    const search = result.steps.flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : [])).find((c) => c.type === 'file_search');
    assert.ok(search?.type === 'file_search' && search.results?.[0]?.text?.includes('deploy guide'));

    h.server.model.enqueue({ steps: [{ type: 'text', text: 'z'.repeat(300), chunkSize: 3, chunkDelayMs: 3 }] });
    const stop = new AbortController();
    const events: string[] = [];
    const cancelled = driver.run({ kind: 'start', thread, assistant, history: [] }, (e) => {
      events.push(e.type);
      if (e.type === 'message.delta') stop.abort();
    }, stop.signal);
    assert.equal((await cancelled).run.status, 'cancelled');

    const streamed = h.server.requests.filter((r) => Array.isArray(r.response));
    assert.ok(streamed.length >= 3, 'the runs were streamed');
    const names = new Set(streamed.flatMap((r) => (r.response as { event: string }[]).map((e) => e.event)));
    for (const name of ['thread.run.created', 'thread.run.step.delta', 'thread.message.delta', 'thread.run.requires_action', 'thread.run.completed', 'done']) {
      assert.ok(names.has(name), `no ${name} event was checked`);
    }
    assertExercised(h.server.requests, ['POST /threads/:thread_id/runs/:run_id/submit_tool_outputs', 'POST /threads/:thread_id/runs/:run_id/cancel', 'POST /assistants/:assistant_id']);
    assert.deepEqual(contractErrors(h.server.requests), []);
  });

  it('a background run polled through every endpoint, and the failed outcomes', async () => {
    await setUp();
    h.server.model.enqueue(
      { steps: [{ type: 'code_interpreter', code: 'plot()', logs: 'ok', image: true }, { type: 'text', text: 'Here is the chart.' }], queuedMs: 10, durationMs: 20 },
      { steps: [{ type: 'text', text: 'Bad.' }], outcome: { status: 'failed', code: 'rate_limit_exceeded', message: 'Too many.' } },
      { steps: [{ type: 'text', text: 'Late.' }], outcome: { status: 'expired' } },
      { steps: [{ type: 'text', text: 'Cut' }], outcome: { status: 'incomplete', reason: 'max_prompt_tokens' } },
    );
    const driver = new RunDriver(h.backend, { toolHandler: echoTools, preferStreaming: false, poll: { initialMs: 10 } });
    const first = await driver.run({ kind: 'start', thread, assistant, history: [] }, () => undefined);
    assert.equal(first.run.status, 'completed');
    const image = first.steps.flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : [])).find((c) => c.type === 'code_interpreter');
    assert.ok(image?.type === 'code_interpreter');
    const png = image.outputs.find((o) => o.type === 'image');
    assert.ok(png?.type === 'image');
    const got = await h.backend.outputFile({ fileId: png.fileId }, 1024 * 1024);
    assert.ok('bytes' in got);
    const bytes = got.bytes;
    assert.deepEqual([...bytes.subarray(1, 4)], [...new TextEncoder().encode('PNG')]);
    for (const status of ['failed', 'expired', 'incomplete']) {
      assert.equal((await driver.run({ kind: 'start', thread, assistant, history: [] }, () => undefined)).run.status, status);
    }
    // A cancel from elsewhere while the stream stays open: the stream itself reports cancelling, then cancelled.
    h.server.model.enqueue({ steps: [{ type: 'text', text: 'w'.repeat(200), chunkSize: 2, chunkDelayMs: 3 }] });
    const statuses: string[] = [];
    let runId = '';
    let asked = false;
    for await (const event of h.backend.stream({ kind: 'start', thread, assistant, history: [] })) {
      if (event.type === 'run.updated') {
        runId = event.run.id;
        statuses.push(event.run.status);
      }
      if (event.type === 'message.delta' && !asked) {
        asked = true;
        await h.backend.cancel({ threadId: thread.id, remoteThreadId: thread.remoteId, runId });
      }
    }
    assert.deepEqual(statuses.slice(-2), ['cancelling', 'cancelled']);
    // Endpoints the adapter does not use, so the fake's answers to them are checked too.
    const threadId = thread.remoteId ?? '';
    await h.client.beta.assistants.retrieve(assistant.id);
    await h.client.beta.threads.retrieve(threadId);
    await h.client.beta.threads.runs.list(threadId, { limit: 2 });
    const steps = await h.client.beta.threads.runs.steps.list(first.run.id, { thread_id: threadId });
    await h.client.beta.threads.runs.steps.retrieve(steps.data[0].id, { thread_id: threadId, run_id: first.run.id, include: ['step_details.tool_calls[*].file_search.results[*].content'] });
    await h.client.beta.threads.messages.retrieve(first.messages[0].id, { thread_id: threadId });
    // Edit and resend: the question and what followed it go from the server-side thread.
    await h.backend.truncateThread(thread, first.messages[0].id, false);
    assert.equal((await h.client.beta.threads.messages.list(threadId)).data.some((m) => m.id === first.messages[0].id), false);
    await h.backend.listFiles();
    await h.backend.listVectorStores();
    await h.backend.listModels();
    await h.backend.deleteThread(thread);
    await h.assistants.delete(assistant.id);
    assertExercised(h.server.requests, [
      'GET /threads/:thread_id/runs/:run_id',
      'GET /threads/:thread_id/runs/:run_id/steps',
      'GET /threads/:thread_id/messages',
      'GET /threads/:thread_id/messages/:message_id',
      'GET /threads/:thread_id/runs',
      'GET /threads/:thread_id/runs/:run_id/steps/:step_id',
      'GET /assistants/:assistant_id',
      'GET /threads/:thread_id',
      'DELETE /threads/:thread_id',
      'DELETE /threads/:thread_id/messages/:message_id',
      'DELETE /assistants/:assistant_id',
    ]);
    assert.deepEqual(contractErrors(h.server.requests), []);
  });
});
