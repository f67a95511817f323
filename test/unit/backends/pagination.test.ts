import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AbstractPage } from 'openai/core/pagination';
import { listAll } from '../../../src/backends/common/pages';
import { createOpenAIClient } from '../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../src/backends/responses/responsesBackend';
import { refusal } from '../support/refusal';
import { nodeWorkspaceFs } from '../../../src/core/workspace/fileSystem';
import { KnowledgeMark } from '../../../src/core/knowledge/mark';
import { addToKnowledge, syncKnowledge } from '../../../src/core/knowledge/sync';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import { memoryUploadIndex } from '../../fakes/memoryUploadIndex';
import { newAssistant, newThread, startHarness } from './assistantsV2/harness';
import type { V2Harness } from './assistantsV2/harness';

interface Item {
  id: string;
}

/** Pages as a server sends them: each names the items it holds and whether more follow. */
function pages(bodies: { ids: string[]; hasMore: boolean }[]): { first: Promise<AbstractPage<Item>>; requests: () => number } {
  let requests = 0;
  const page = (index: number): AbstractPage<Item> => {
    requests += 1;
    const body = bodies[Math.min(index, bodies.length - 1)];
    const data = body.ids.map((id) => ({ id }));
    return {
      getPaginatedItems: () => data,
      hasNextPage: () => body.hasMore && data.length > 0,
      nextPageRequestOptions: () => ({ query: { after: data.at(-1)?.id } }),
      getNextPage: async () => page(index + 1),
    } as unknown as AbstractPage<Item>;
  };
  return { first: Promise.resolve(page(0)), requests: () => requests };
}

/** One page with `has_more: true`, the same every time it is asked for. */
function repeatedPage(data: unknown[]): { headers: Record<string, string>; chunks: string[] } {
  const ids = data.map((item) => (item as Item).id);
  return { headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ object: 'list', data, first_id: ids[0], last_id: ids.at(-1), has_more: true })] };
}

describe('Listings that never end', () => {
  it('reads every page of a listing that ends', async () => {
    const listing = pages([{ ids: ['a', 'b'], hasMore: true }, { ids: ['c'], hasMore: true }, { ids: ['d'], hasMore: false }]);
    assert.deepEqual((await listAll(listing.first, 'files', {})).map((item) => item.id), ['a', 'b', 'c', 'd']);
    assert.equal(listing.requests(), 3);
  });

  it('stops at a page sent again (the same page, or a cycle of pages) and says so', async () => {
    for (const { bodies, asked } of [
      { bodies: [{ ids: ['a', 'b'], hasMore: true }], asked: 2 },
      { bodies: [{ ids: ['a'], hasMore: true }, { ids: ['b'], hasMore: true }, { ids: ['a'], hasMore: true }], asked: 3 },
    ]) {
      const listing = pages(bodies);
      const error = await refusal(listAll(listing.first, 'run steps', { baseUrl: 'https://proxy.example/v1' }));
      assert.equal(error.kind, 'server');
      assert.match(error.message, /^The server at proxy\.example sent a page of run steps it had sent before and said there was more, so the listing stopped after \d pages\./);
      assert.equal(listing.requests(), asked);
    }
  });

  it('stops after a bounded number of pages of a listing that keeps going', async () => {
    let n = 0;
    const endless = Array.from({ length: 50 }, () => ({ ids: [`item-${n++}`], hasMore: true }));
    const listing = pages(endless);
    const error = await refusal(listAll(listing.first, 'files', {}, 10));
    assert.match(error.message, /kept sending more pages of files, so the listing stopped after 10 pages/);
    assert.equal(listing.requests(), 10);
  });

  it('refuses a page whose items are no list, and skips items that are no objects with an id', async () => {
    for (const data of [{ a: 1 }, 'abc', 5]) {
      const page = { getPaginatedItems: () => data, hasNextPage: () => true, nextPageRequestOptions: () => ({ query: { after: 'x' } }) } as unknown as AbstractPage<Item>;
      const error = await refusal(listAll(Promise.resolve(page), "the run's steps", { baseUrl: 'https://proxy.example/v1' }));
      assert.equal(error.kind, 'bad_response');
      assert.match(error.message, /^The server at proxy\.example sent a page of the run's steps that is not a list\./);
    }
    const holes = [null, { id: 'a' }, 5, 'b', { name: 'no id' }, { id: 7 }, { id: 'c' }];
    const page = { getPaginatedItems: () => holes, hasNextPage: () => false } as unknown as AbstractPage<Item>;
    assert.deepEqual((await listAll(Promise.resolve(page), 'files', {})).map((item) => item.id), ['a', 'c']);
  });

  describe('on the fake server', () => {
    let fake: FakeOpenAIServer | undefined;
    let v2: V2Harness | undefined;
    let dir: string | undefined;
    afterEach(async () => {
      await fake?.close();
      await v2?.server.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      fake = v2 = dir = undefined;
    });

    it('knowledge sync stops at a repeated page of the vector store files, says so, and changes nothing', async () => {
      fake = await FakeOpenAIServer.start();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pages-'));
      const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }), { baseUrl: fake.baseUrl });
      const deps = { files: backend, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'fake', mark: KnowledgeMark.fromApiKey('sk-test-key') };
      const file = path.join(dir, 'a.md');
      fs.writeFileSync(file, 'alpha\n');
      const store = await backend.createVectorStore('Knowledge', []);
      await addToKnowledge(store.id, [{ absolute: file, path: 'a.md' }], deps);
      const listed = await backend.listVectorStoreFiles(store.id);
      fs.writeFileSync(file, 'alpha, changed\n');
      fake.inject({ method: 'GET', path: '/vector_stores/:vector_store_id/files', kind: 'script', times: 10, script: repeatedPage(listed.map((f) => ({ ...f, object: 'vector_store.file' }))) });
      const before = fake.requests.length;
      const error = await refusal(syncKnowledge(store.id, async () => ({ absolute: file }), deps, async () => true));
      assert.match(error.message, /sent a page of the vector store's files it had sent before.*stopped after 2 pages/);
      const made = fake.requests.slice(before);
      assert.deepEqual(made.map((r) => `${r.method} ${r.path.replace(/vs_[^/]+/, 'vs')}`), ['GET /vector_stores/vs/files', 'GET /vector_stores/vs/files'], 'two pages read, nothing uploaded or deleted');
    });

    it('a poll of an Assistants v2 run whose steps come as no list, or as a list with holes, says so or reads what is there', async () => {
      v2 = await startHarness();
      const assistant = await newAssistant(v2.assistants);
      const thread = await newThread(v2.backend);
      await v2.backend.addMessage(thread, { content: [{ type: 'text', text: 'Hi', annotations: [] }] });
      v2.server.model.enqueue({ steps: [{ type: 'text', text: 'Listed.' }] });
      const started = await v2.backend.create({ kind: 'start', thread, assistant, history: [] });
      const route = '/threads/:thread_id/runs/:run_id/steps';
      const json = { 'content-type': 'application/json' };
      v2.server.inject({ method: 'GET', path: route, kind: 'script', script: { headers: json, chunks: [JSON.stringify({ object: 'list', data: { step_1: {} }, has_more: true })] } });
      const error = await refusal(v2.backend.retrieve(started.ref));
      assert.equal(error.kind, 'bad_response');
      assert.match(error.message, /sent a page of the run's steps that is not a list/);
      const step = { id: 'step_1', object: 'thread.run.step', type: 'message_creation', status: 'completed', step_details: { type: 'message_creation', message_creation: { message_id: 'msg_1' } } };
      v2.server.inject({ method: 'GET', path: route, kind: 'script', script: { headers: json, chunks: [JSON.stringify({ object: 'list', data: [null, 3, step, { object: 'no id' }], has_more: false })] } });
      const snapshot = await v2.backend.retrieve(started.ref);
      assert.deepEqual(snapshot.steps.map((s) => s.id), ['step_1']);
    });

    it('the models and a container\'s files come as no list, or as a list with holes: said, or read for what is there', async () => {
      fake = await FakeOpenAIServer.start();
      const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }), { baseUrl: fake.baseUrl });
      const json = { 'content-type': 'application/json' };
      const page = (data: unknown, more = false) => ({ headers: json, chunks: [JSON.stringify({ object: 'list', data, has_more: more })] });
      fake.inject({ method: 'GET', path: '/models', kind: 'script', script: page({ 'gpt-x': {} }) });
      const models = await refusal(backend.listModels());
      assert.equal(models.kind, 'bad_response');
      assert.match(models.message, /sent a page of models that is not a list/);
      fake.inject({ method: 'GET', path: '/models', kind: 'script', script: page([null, { id: 'gpt-b' }, 7, { id: 5 }, { id: 'gpt-a' }]) });
      assert.deepEqual(await backend.listModels(), ['gpt-a', 'gpt-b']);
      const files = '/containers/:container_id/files';
      fake.inject({ method: 'GET', path: files, kind: 'script', script: page('abc', true) });
      assert.match((await refusal(backend.containerFiles('cntr_1'))).message, /sent a page of the container's files that is not a list/);
      fake.inject({ method: 'GET', path: files, kind: 'script', times: 50, script: page([null, { id: 'cfile_1', path: '/mnt/data/a.csv' }, { id: 'cfile_2', path: 3 }, 'x'], true) });
      assert.deepEqual(await backend.containerFiles('cntr_1'), [{ fileId: 'cfile_1', path: '/mnt/data/a.csv' }, { fileId: 'cfile_2', path: '' }], 'the page sent again ends the listing');
    });

    for (const listing of ['steps', 'messages'] as const) {
      it(`a poll of an Assistants v2 run stops at a repeated page of its ${listing} and says so`, async () => {
        v2 = await startHarness();
        const assistant = await newAssistant(v2.assistants);
        const thread = await newThread(v2.backend);
        await v2.backend.addMessage(thread, { content: [{ type: 'text', text: 'Hi', annotations: [] }] });
        v2.server.model.enqueue({ steps: [{ type: 'text', text: 'Listed.' }] });
        const started = await v2.backend.create({ kind: 'start', thread, assistant, history: [] });
        const sample = listing === 'steps' ? { id: 'step_1', object: 'thread.run.step' } : { id: 'msg_1', object: 'thread.message' };
        const route = listing === 'steps' ? '/threads/:thread_id/runs/:run_id/steps' : '/threads/:thread_id/messages';
        v2.server.inject({ method: 'GET', path: route, kind: 'script', times: 10, script: repeatedPage([sample]) });
        const error = await refusal(v2.backend.retrieve(started.ref));
        assert.equal(error.kind, 'server', 'retried by the driver like a server error');
        assert.match(error.message, new RegExp(`sent a page of the run's ${listing} it had sent before and said there was more, so the listing stopped after 2 pages`));
      });
    }
  });
});
