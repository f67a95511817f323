import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '../../../src/backends/connect';
import type { Assistant, BackendKind, Thread } from '../../../src/common/model';
import type { Backend } from '../../../src/core/backend';
import { AssistantsError } from '../../../src/core/errors';
import { refusal } from '../support/refusal';

/**
 * A server (or a proxy in front of one) that answers 200 with JSON lacking fields the API always
 * sends: an id, a list, a vector store's counts. What it answers either comes out as what can be
 * used, or fails with one sentence of kind `bad_response` that names the server, never with
 * JavaScript's words ("Cannot read properties of undefined", "Path parameters result in path with
 * invalid segments", "undefined").
 */
const JS_WORDS = /Cannot read|is not iterable|is not a function|undefined|\[object Object\]|TypeError|invalid segments|\n/;

const thread: Thread = { id: 'thr_1', title: 'T', createdAt: 1, updatedAt: 1, backend: 'responses', remoteId: 'conv_1' };
const assistant: Assistant = { id: 'asst_1', createdAt: 0, name: 'A', model: 'm', instructions: '', tools: [] };

/** Answers every request with `body` (200, JSON) until told otherwise. */
async function answering(): Promise<{ baseUrl: string; set(body: string): void; close(): Promise<void> }> {
  let body = '{}';
  const server = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    set: (next) => void (body = next),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

for (const protocol of ['responses', 'assistantsV2'] as BackendKind[]) {
  describe(`Answers that lack fields the API always sends (${protocol})`, () => {
    let server: Awaited<ReturnType<typeof answering>>;
    let backend: Backend;
    beforeEach(async () => {
      server = await answering();
      backend = connect({ protocol, apiKey: 'sk-test-key', baseUrl: server.baseUrl }).backend;
    });
    afterEach(() => server.close());

    it('a run started without its id is refused in one sentence naming the server, not followed to a path of "undefined"', async () => {
      for (const body of ['{}', '{"id":null,"status":"queued"}', '{"id":"","object":"thread.run"}']) {
        server.set(body);
        const error = await refusal(backend.create({ kind: 'start', thread, assistant, history: [] }));
        assert.equal(error.kind, 'bad_response', body);
        assert.match(error.message, new RegExp(`^The server at 127\\.0\\.0\\.1:\\d+ sent an answer without the (response|run)'s id, so it could not be used\\. Check the "assistants\\.baseUrl" setting`), body);
      }
    });

    it('a vector store without its file counts is read with none counted', async () => {
      for (const counts of ['', ',"file_counts":null', ',"file_counts":{"completed":"3","total":null}']) {
        server.set(`{"id":"vs_1","object":"vector_store","name":"K","status":"completed","created_at":1${counts}}`);
        const store = await backend.retrieveVectorStore('vs_1');
        assert.deepEqual(store.fileCounts, { inProgress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 }, counts);
        assert.equal(store.status, 'completed');
      }
    });

    it('every call on answers of the wrong shape resolves or says so in a sentence, never in JavaScript\'s words', async () => {
      const calls: [string, () => Promise<unknown>][] = [
        ['createThread', () => backend.createThread()],
        ['addMessage', () => backend.addMessage(thread, { content: [{ type: 'text', text: 'Hi', annotations: [] }] })],
        ['create', () => backend.create({ kind: 'start', thread, assistant, history: [] })],
        ['retrieve', () => backend.retrieve({ threadId: thread.id, remoteThreadId: 'conv_1', runId: 'run_1' })],
        ['retrieveVectorStore', () => backend.retrieveVectorStore('vs_1')],
        ['listVectorStores', () => backend.listVectorStores()],
        ['listFiles', () => backend.listFiles()],
      ];
      for (const body of ['{}', '{"data":null}', '{"data":[{}],"has_more":false}', '{"id":null,"data":[null]}', '{"file_counts":"none"}']) {
        server.set(body);
        for (const [name, call] of calls) {
          const outcome = await call().then(
            (value) => `resolved ${JSON.stringify(value)}`,
            (error: unknown) => (error instanceof AssistantsError ? `${error.kind}: ${error.message}` : `raw ${String(error)}`),
          );
          assert.doesNotMatch(outcome, /^raw /, `${name} on ${body}: ${outcome}`);
          if (!outcome.startsWith('resolved')) assert.doesNotMatch(outcome, JS_WORDS, `${name} on ${body}: ${outcome}`);
        }
      }
    });
  });
}

describe('Answers that lack fields: what only one protocol has', () => {
  it('Assistants v2: a thread created without its id is refused, since every run and message goes to it by that id', async () => {
    const server = await answering();
    try {
      const { backend } = connect({ protocol: 'assistantsV2', apiKey: 'sk-test-key', baseUrl: server.baseUrl });
      for (const body of ['{}', '{"id":7,"object":"thread"}']) {
        server.set(body);
        const error = await refusal(backend.createThread());
        assert.equal(error.kind, 'bad_response');
        assert.match(error.message, /sent an answer without the new thread's id/);
      }
    } finally {
      await server.close();
    }
  });

  it('Responses: a message added to a conversation that answers without its items is kept under a local id', async () => {
    const server = await answering();
    try {
      const { backend } = connect({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: server.baseUrl });
      for (const body of ['{}', '{"data":null}', '{"data":[null]}', '{"data":[{"id":5}]}']) {
        server.set(body);
        const message = await backend.addMessage(thread, { content: [{ type: 'text', text: 'Hi', annotations: [] }] });
        assert.match(message.id, /^msg_local_/, body);
        assert.deepEqual(message.content, [{ type: 'text', text: 'Hi', annotations: [] }]);
      }
      server.set('{"object":"list","data":[{"id":"msg_srv","type":"message"}]}');
      assert.equal((await backend.addMessage(thread, { content: [{ type: 'text', text: 'Hi', annotations: [] }] })).id, 'msg_srv');
    } finally {
      await server.close();
    }
  });
});
