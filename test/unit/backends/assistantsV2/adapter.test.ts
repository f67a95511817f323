import * as assert from 'node:assert/strict';
import { AssistantsError } from '../../../../src/core/errors';
import type { RunSnapshot } from '../../../../src/common/runRef';
import { isTerminal } from '../../../../src/common/model';
import type { V2Harness } from './harness';
import { collect, createAssistant, deltaText, listAssistants, newAssistant, newThread, startHarness } from './harness';

describe('AssistantsV2Backend against the fake server', () => {
  let h: V2Harness;

  beforeEach(async () => {
    h = await startHarness({ pollAfterMs: 15 });
  });
  afterEach(async () => {
    await h.server.close();
  });

  describe('assistants', () => {
    it('creates, lists, updates and deletes assistant objects on the server', async () => {
      const created = await createAssistant(h.assistants, {
        name: 'Reviewer',
        description: 'Reviews code',
        instructions: 'Point out bugs.',
        model: 'gpt-4.1',
        tools: [
          { type: 'file_search', maxNumResults: 8 },
          { type: 'code_interpreter' },
          { type: 'function', function: { name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } } }, strict: false } },
        ],
        toolResources: { fileSearch: { vectorStoreIds: ['vs_1'] } },
        temperature: 0.3,
        topP: 0.9,
        responseFormat: { type: 'json_schema', name: 'review', schema: { type: 'object' }, strict: true },
        metadata: { team: 'core' },
      });
      assert.match(created.id, /^asst_/);
      assert.equal(created.name, 'Reviewer');
      assert.equal(created.description, 'Reviews code');
      assert.deepEqual(created.tools[0], { type: 'file_search', maxNumResults: 8 });
      assert.equal(created.tools[2].type === 'function' && created.tools[2].function.name, 'read_file');
      assert.deepEqual(created.toolResources, { fileSearch: { vectorStoreIds: ['vs_1'] } });
      assert.equal(created.temperature, 0.3);
      assert.equal(created.topP, 0.9);
      assert.deepEqual(created.responseFormat, { type: 'json_schema', name: 'review', schema: { type: 'object' }, strict: true });
      assert.deepEqual(created.metadata, { team: 'core' });

      const second = await newAssistant(h.assistants, { name: 'Second' });
      const listed = await listAssistants(h.assistants);
      assert.deepEqual(listed.map((a) => a.id).sort(), [created.id, second.id].sort());

      const updated = (await h.assistants.update(created.id, { name: 'Renamed', model: 'gpt-4o', tools: [] })).assistant;
      assert.ok(updated);
      assert.equal(updated.name, 'Renamed');
      assert.equal(updated.model, 'gpt-4o');
      assert.deepEqual(updated.tools, []);
      // An update replaces the definition: fields left out of the draft are cleared.
      assert.equal(updated.description, undefined);
      assert.equal(updated.responseFormat, undefined);

      await h.assistants.delete(created.id);
      assert.deepEqual((await listAssistants(h.assistants)).map((a) => a.id), [second.id]);
      await assert.rejects(h.assistants.delete(created.id), (e: unknown) => e instanceof AssistantsError && e.kind === 'not_found');
    });

    it('lists every assistant across pages', async () => {
      const created = await Promise.all(Array.from({ length: 105 }, (_, i) => newAssistant(h.assistants, { name: `A${i}` })));
      const ids = created.map((a) => a.id);
      const listed = await listAssistants(h.assistants);
      assert.equal(listed.length, 105);
      assert.deepEqual(new Set(listed.map((a) => a.id)), new Set(ids));
      const listRequests = h.server.requests.filter((r) => r.method === 'GET' && r.path === '/assistants');
      assert.equal(listRequests.length, 2);
    });
  });

  describe('threads and messages', () => {
    it('adds a message with attachments and content parts', async () => {
      const thread = await newThread(h.backend);
      const file = await h.backend.uploadFile('notes.md', new TextEncoder().encode('# Notes'), 'assistants');
      const message = await h.backend.addMessage(thread, {
        content: [
          { type: 'text', text: 'Summarise this', annotations: [] },
          { type: 'image_url', url: 'https://example.com/a.png' },
        ],
        attachments: [{ fileId: file.id, tools: ['file_search', 'code_interpreter'] }],
      });
      assert.match(message.id, /^msg_/);
      assert.equal(message.role, 'user');
      assert.deepEqual(message.content, [
        { type: 'text', text: 'Summarise this', annotations: [] },
        { type: 'image_url', url: 'https://example.com/a.png' },
      ]);
      // The wire names the file by id only: its name is looked up, once, for the chip.
      assert.deepEqual(message.attachments, [{ fileId: file.id, filename: 'notes.md', tools: ['file_search', 'code_interpreter'] }]);
      const again = await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'And again', annotations: [] }], attachments: [{ fileId: file.id, filename: 'my notes.md', tools: ['file_search'] }] });
      assert.deepEqual(again.attachments, [{ fileId: file.id, filename: 'my notes.md', tools: ['file_search'] }], 'the name the user attached it under wins');
      assert.equal(h.server.requests.filter((r) => r.method === 'GET' && r.path === `/files/${file.id}`).length, 1);
      const sent = h.server.requests.find((r) => r.method === 'POST' && r.path === `/threads/${thread.remoteId}/messages`);
      assert.equal(sent?.headers['openai-beta'], 'assistants=v2');
    });

    it('deletes the server thread, and tolerates one that is already gone', async () => {
      const thread = await newThread(h.backend);
      await h.backend.deleteThread(thread);
      await h.backend.deleteThread(thread);
      assert.equal(h.server.requests.filter((r) => r.method === 'DELETE').map((r) => r.status).join(','), '200,404');
    });
  });

  describe('runs', () => {
    it('streams a run: run.updated first, steps, text deltas, message, usage, terminal status', async () => {
      const assistant = await newAssistant(h.assistants);
      const thread = await newThread(h.backend);
      await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Hello', annotations: [] }] });
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'Hi there, how can I help?', chunkSize: 5 }] });

      const events = await collect(h.backend.stream({ kind: 'start', thread, assistant, history: [] }));
      assert.equal(events[0].type, 'run.updated');
      const runId = events[0].type === 'run.updated' ? events[0].run.id : '';
      assert.match(runId, /^run_/);
      assert.equal(deltaText(events), 'Hi there, how can I help?');
      assert.ok(events.filter((e) => e.type === 'message.delta').length >= 5);
      const types = events.map((e) => e.type);
      assert.ok(types.indexOf('step.created') < types.indexOf('message.created'));
      assert.ok(types.indexOf('message.completed') < types.indexOf('step.completed'));
      const last = events.filter((e) => e.type === 'run.updated').at(-1);
      assert.equal(last?.type === 'run.updated' && last.run.status, 'completed');
      const completed = events.find((e) => e.type === 'message.completed');
      assert.deepEqual(completed?.type === 'message.completed' && completed.message.content, [{ type: 'text', text: 'Hi there, how can I help?', annotations: [] }]);
      assert.ok(events.some((e) => e.type === 'usage' && e.usage.totalTokens > 0));
    });

    it('polls a background run from queued to completed and reads the poll-after hint', async () => {
      const assistant = await newAssistant(h.assistants);
      const thread = await newThread(h.backend);
      await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Hello', annotations: [] }] });
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'Polled answer.' }], queuedMs: 20, durationMs: 300 });

      const created = await h.backend.create({ kind: 'start', thread, assistant, history: [] });
      assert.equal(created.run.status, 'queued');
      assert.equal(created.ref.remoteThreadId, thread.remoteId);
      const seen = new Set<string>([created.run.status]);
      let snapshot: RunSnapshot = created;
      const hints: (number | undefined)[] = [];
      for (let i = 0; i < 100 && !isTerminal(snapshot.run.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        snapshot = await h.backend.retrieve(created.ref);
        seen.add(snapshot.run.status);
        hints.push(snapshot.pollAfterMs);
      }
      assert.equal(snapshot.run.status, 'completed');
      assert.ok(seen.has('in_progress'), `statuses seen: ${[...seen].join(',')}`);
      assert.ok(hints.includes(15), 'unfinished runs carry openai-poll-after-ms');
      assert.equal(hints.at(-1), undefined, 'a finished run carries no poll hint');
      assert.equal(snapshot.messages.length, 1);
      assert.deepEqual(snapshot.messages[0].content, [{ type: 'text', text: 'Polled answer.', annotations: [] }]);
      assert.equal(snapshot.messages[0].runId, created.run.id);
      assert.deepEqual(snapshot.steps.map((s) => [s.details.type, s.status]), [['message_creation', 'completed']]);
    });

    it('maps requires_action, submits outputs by streaming, and shows the function step with its output', async () => {
      const assistant = await newAssistant(h.assistants, {
        tools: [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }],
      });
      const thread = await newThread(h.backend);
      await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Time?', annotations: [] }] });
      h.server.model.enqueue(
        { steps: [{ type: 'function_call', name: 'get_time', arguments: { zone: 'UTC' } }, { type: 'function_call', name: 'get_time', arguments: { zone: 'CET' } }] },
        { steps: [{ type: 'text', text: 'It is noon.' }] },
      );
      const first = await collect(h.backend.stream({ kind: 'start', thread, assistant, history: [] }));
      const paused = first.filter((e) => e.type === 'run.updated').at(-1);
      assert.ok(paused?.type === 'run.updated');
      assert.equal(paused.run.status, 'requires_action');
      const calls = paused.run.requiredAction?.toolCalls ?? [];
      assert.deepEqual(calls.map((c) => [c.name, JSON.parse(c.arguments)]), [['get_time', { zone: 'UTC' }], ['get_time', { zone: 'CET' }]]);
      const updated = first.filter((e) => e.type === 'step.updated').at(-1);
      assert.ok(updated?.type === 'step.updated' && updated.step.details.type === 'tool_calls');
      assert.deepEqual(
        updated.step.details.toolCalls.map((c) => c.type === 'function' && [c.id, c.name, JSON.parse(c.arguments)]),
        calls.map((c) => [c.callId, c.name, JSON.parse(c.arguments)]),
      );

      const ref = { threadId: thread.id, remoteThreadId: thread.remoteId, runId: paused.run.id };
      const second = await collect(
        h.backend.stream({ kind: 'submit', thread, assistant, ref, history: [], outputs: calls.map((c, i) => ({ callId: c.callId, output: `12:0${i}` })) }),
      );
      assert.equal(second[0].type, 'run.updated');
      assert.equal(deltaText(second), 'It is noon.');
      const done = second.find((e) => e.type === 'step.completed' && e.step.details.type === 'tool_calls');
      assert.ok(done?.type === 'step.completed' && done.step.details.type === 'tool_calls');
      assert.deepEqual(done.step.details.toolCalls.map((c) => c.type === 'function' && c.output), ['12:00', '12:01']);
      const final = await h.backend.retrieve(ref);
      assert.equal(final.run.status, 'completed');
      assert.equal(final.steps.length, 2);
    });

    it('turns a server that cannot stream into kind unsupported', async () => {
      await h.server.close();
      h = await startHarness({ streaming: false });
      const assistant = await newAssistant(h.assistants);
      const thread = await newThread(h.backend);
      await assert.rejects(collect(h.backend.stream({ kind: 'start', thread, assistant, history: [] })), (e: unknown) => e instanceof AssistantsError && e.kind === 'unsupported');
    });

    it('reports a stream that drops before the run ends as a network error, and the run goes on', async () => {
      const assistant = await newAssistant(h.assistants);
      const thread = await newThread(h.backend);
      await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Hello', annotations: [] }] });
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'A long answer that keeps going.', chunkSize: 4, chunkDelayMs: 15 }] });
      h.server.inject({ method: 'POST', path: '/threads/:thread_id/runs', kind: 'reset', afterEvents: 10 });
      const seen: string[] = [];
      let runId = '';
      await assert.rejects(
        (async () => {
          for await (const event of h.backend.stream({ kind: 'start', thread, assistant, history: [] })) {
            seen.push(event.type);
            if (event.type === 'run.updated') runId = event.run.id;
          }
        })(),
        (e: unknown) => e instanceof AssistantsError && e.kind === 'network',
      );
      assert.equal(seen[0], 'run.updated');
      let snapshot = await h.backend.retrieve({ threadId: thread.id, remoteThreadId: thread.remoteId, runId });
      for (let i = 0; i < 100 && !isTerminal(snapshot.run.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        snapshot = await h.backend.retrieve(snapshot.ref);
      }
      assert.equal(snapshot.run.status, 'completed');
      assert.equal(snapshot.messages[0].content[0].type === 'text' && snapshot.messages[0].content[0].text, 'A long answer that keeps going.');
    });

    it('maps file search results, code interpreter outputs and citations the same streamed and polled', async () => {
      const file = await h.backend.uploadFile('faq.txt', new TextEncoder().encode('Refunds take five days.'), 'assistants');
      const store = await h.backend.createVectorStore('FAQ', [file.id]);
      const assistant = await newAssistant(h.assistants, { tools: [{ type: 'file_search' }, { type: 'code_interpreter' }], toolResources: { fileSearch: { vectorStoreIds: [store.id] } } });
      const thread = await newThread(h.backend);
      await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'How long do refunds take?', annotations: [] }] });
      await new Promise((resolve) => setTimeout(resolve, 80));
      const code = 'days = 5\nprint(f"{days} days")\n' + '# padding so the input arrives in several deltas\n'.repeat(3);
      h.server.model.enqueue({
        steps: [
          { type: 'file_search', queries: ['refunds'] },
          { type: 'code_interpreter', code, logs: '5 days', image: true },
          { type: 'text', text: 'Refunds take five days.', citeFiles: true },
        ],
      });
      const events = await collect(h.backend.stream({ kind: 'start', thread, assistant, history: [] }));
      const runId = events[0].type === 'run.updated' ? events[0].run.id : '';
      const completedSteps = events.flatMap((e) => (e.type === 'step.completed' ? [e.step] : []));
      const toolCalls = completedSteps.flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : []));
      const search = toolCalls.find((c) => c.type === 'file_search');
      assert.ok(search?.type === 'file_search');
      assert.equal(search.results?.[0].fileId, file.id);
      assert.equal(search.results?.[0].filename, 'faq.txt');
      assert.equal(search.results?.[0].text, 'Refunds take five days.');
      const interpreter = toolCalls.find((c) => c.type === 'code_interpreter');
      assert.ok(interpreter?.type === 'code_interpreter');
      assert.equal(interpreter.input, code);
      assert.equal(interpreter.outputs[0].type === 'logs' && interpreter.outputs[0].logs, '5 days');
      const image = interpreter.outputs[1];
      assert.ok(image?.type === 'image');
      const got = await h.backend.outputFile({ fileId: image.fileId }, 1024 * 1024);
      assert.ok('bytes' in got);
      const png = got.bytes;
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      // The deltas alone rebuild the code input before the step completes.
      const partial = events.filter((e) => e.type === 'step.updated' && e.step.details.type === 'tool_calls' && e.step.details.toolCalls[0]?.type === 'code_interpreter');
      const lastPartial = partial.at(-1);
      assert.ok(partial.length > 2 && lastPartial?.type === 'step.updated' && lastPartial.step.details.type === 'tool_calls');
      const partialCall = lastPartial.step.details.toolCalls[0];
      assert.equal(partialCall.type === 'code_interpreter' && partialCall.input, code);

      const message = events.find((e) => e.type === 'message.completed');
      assert.ok(message?.type === 'message.completed');
      // As the service does, the answer shows the code's figure first (once: the chat draws it with the step), then its text.
      assert.deepEqual(message.message.content[0], { type: 'image_file', fileId: image.fileId });
      const text = message.message.content[1];
      assert.ok(text?.type === 'text');
      const citation = text.annotations[0];
      assert.ok(citation?.type === 'file_citation');
      assert.equal(citation.fileId, file.id);
      assert.equal(text.text.slice(citation.startIndex, citation.endIndex), citation.text);

      const polled = await h.backend.retrieve({ threadId: thread.id, remoteThreadId: thread.remoteId, runId });
      assert.deepEqual(polled.steps, completedSteps);
      assert.deepEqual(polled.messages, [message.message]);
    });

    it('cancels a run: cancelling, then cancelled, with the open message marked incomplete', async () => {
      const assistant = await newAssistant(h.assistants);
      const thread = await newThread(h.backend);
      await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Hello', annotations: [] }] });
      h.server.model.enqueue({ steps: [{ type: 'text', text: 'x'.repeat(200), chunkSize: 2, chunkDelayMs: 5 }], queuedMs: 0 });
      const created = await h.backend.create({ kind: 'start', thread, assistant, history: [] });
      await new Promise((resolve) => setTimeout(resolve, 120));
      await h.backend.cancel(created.ref);
      let snapshot = await h.backend.retrieve(created.ref);
      assert.ok(['cancelling', 'cancelled'].includes(snapshot.run.status));
      for (let i = 0; i < 100 && !isTerminal(snapshot.run.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        snapshot = await h.backend.retrieve(created.ref);
      }
      assert.equal(snapshot.run.status, 'cancelled');
      assert.equal(snapshot.messages[0].status, 'incomplete');
      assert.equal(snapshot.steps[0].status, 'cancelled');
    });
  });
});
