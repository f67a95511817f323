import * as assert from 'node:assert/strict';
import { AssistantsV2Backend } from '../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../src/backends/responses/responsesBackend';
import type { Backend } from '../../../src/core/backend';
import type { RunEvent } from '../../../src/common/events';
import type { Assistant, BackendKind, Thread } from '../../../src/common/model';
import { textOf } from '../../../src/common/model';
import { RunDriver } from '../../../src/core/runs/runDriver';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import { asObject } from '../../fakes/http';

/**
 * A server that ignores `stream: true` and answers in one JSON answer (the whole response, or the
 * run it started). Read as a stream, that answer held no event, and the run was started again and
 * again ("Gave up after 5 attempts. The server closed the stream before the run started"), each time
 * a run the server did: it is read as the run it names, followed to its end, and the next runs are
 * not asked to stream.
 */
const START_PATH: Record<BackendKind, RegExp> = { responses: /^\/responses$/, assistantsV2: /^\/threads\/[^/]+\/runs$/ };

async function setUp(fake: FakeOpenAIServer, protocol: BackendKind): Promise<{ backend: Backend; assistant: Assistant; newThread: () => Promise<Thread> }> {
  const client = createOpenAIClient({ protocol, apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
  const draft = { name: 'Helper', model: 'gpt-4.1-mini', instructions: 'Be brief.', tools: [] };
  const backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client, { baseUrl: fake.baseUrl });
  const assistant: Assistant = protocol === 'responses' ? { ...draft, id: 'asst_local', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
  const newThread = async (): Promise<Thread> => {
    const { remoteId } = await backend.createThread();
    const thread: Thread = { id: `local-${Math.random()}`, title: 'Whole', createdAt: 0, updatedAt: 0, backend: protocol, ...(remoteId ? { remoteId } : {}) };
    await backend.addMessage(thread, { content: [{ type: 'text', text: 'Answer at once.', annotations: [] }] });
    return thread;
  };
  return { backend, assistant, newThread };
}

describe('A server that answers a request for a stream in one JSON answer', () => {
  let fake: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const duration of [0, 400]) {
      it(`reads it as the run it names, started once, ${duration ? 'followed by polling to its end' : 'already ended'} (${protocol})`, async () => {
        fake = await FakeOpenAIServer.start({ streaming: 'ignored' });
        const { backend, assistant, newThread } = await setUp(fake, protocol);
        const events: RunEvent[] = [];
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
        const starts = (): Record<string, unknown>[] => fake!.requests.filter((r) => r.method === 'POST' && START_PATH[protocol].test(r.path)).map((r) => asObject(r.body));
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Answered whole.' }], durationMs: duration });
        const first = await driver.run({ kind: 'start', thread: await newThread(), assistant, history: [] }, (e) => events.push(e));
        assert.equal(first.run.status, 'completed');
        assert.equal(textOf(first.messages.at(-1)?.content ?? []), 'Answered whole.');
        assert.equal(starts().length, 1, 'the run was started once');
        assert.deepEqual(events.filter((e) => e.type === 'error'), []);
        const notes = events.flatMap((e) => (e.type === 'fallback' ? [e.reason] : []));
        // A run already ended needs no following; one still going (as v2 answers a start) is followed, and the note says why.
        const note = 'The server answered without streaming; following the same run by polling.';
        if (protocol === 'assistantsV2') assert.deepEqual(notes, [note]);
        else assert.ok(notes.every((n) => n === note), JSON.stringify(notes));
        fake.model.enqueue({ steps: [{ type: 'text', text: 'And again.' }] });
        const second = await driver.run({ kind: 'start', thread: await newThread(), assistant, history: [] }, () => undefined);
        assert.equal(textOf(second.messages.at(-1)?.content ?? []), 'And again.');
        assert.equal(starts().length, 2);
        assert.notEqual(starts()[1].stream, true, 'the next run is not asked to stream');
      });
    }
  }
});

describe('A web page sent as an event stream', () => {
  let fake: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    for (const [label, page] of [
      ['an HTML page', '<html><body>Sign in to the proxy</body></html>'],
      ['a doctype after a byte-order mark and blank lines', '\ufeff\r\n  \n<!DOCTYPE html><html><body>Gateway</body></html>'],
    ] as const) {
      it(`is refused in one request, in the sentence of a page that is not the API's (${label}, ${protocol})`, async () => {
        fake = await FakeOpenAIServer.start();
        const { backend, assistant, newThread } = await setUp(fake, protocol);
        fake.inject({ method: 'POST', path: protocol === 'responses' ? '/responses' : '/threads/:thread_id/runs', kind: 'script', times: 10, script: { headers: { 'content-type': 'text/event-stream' }, chunks: [page] } });
        const driver = new RunDriver(backend, { toolHandler: { handle: async () => [] }, poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
        await assert.rejects(driver.run({ kind: 'start', thread: await newThread(), assistant, history: [] }, () => undefined), (error: Error & { kind?: string }) => error.kind === 'bad_response' && /not the OpenAI API's JSON \(a web page or a proxy's answer\?\)/.test(error.message));
        assert.equal(fake.requests.filter((r) => r.method === 'POST' && START_PATH[protocol].test(r.path)).length, 1, 'not started again and again');
      });
    }
  }
});
