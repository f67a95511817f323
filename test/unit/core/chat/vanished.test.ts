import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { APIError } from 'openai';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { toAssistantsError } from '../../../../src/backends/errorMapping';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import { AssistantService } from '../../../../src/core/assistants/assistantService';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import { uploadFiles } from '../../../../src/core/attachments/uploads';
import type { Backend } from '../../../../src/core/backend';
import { ChatSession } from '../../../../src/core/chat/chatSession';
import { AssistantsError } from '../../../../src/core/errors';
import type { MissingObject } from '../../../../src/core/errors';
import { nodeFileSystem, nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import { removeKnowledgeStore } from '../../../../src/core/knowledge/assistantKnowledge';
import type { Assistant, BackendKind, Message } from '../../../../src/common/model';
import { textOf } from '../../../../src/common/model';
import { RunDriver } from '../../../../src/core/runs/runDriver';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { memoryUploadIndex } from '../../../fakes/memoryUploadIndex';

const noTools = { handle: async () => [] };

describe('a server object that vanished is named, with its kind and id', () => {
  const cases: Array<[number, string, MissingObject]> = [
    [404, "Conversation with id 'conv_68ab' not found.", { object: 'thread', id: 'conv_68ab' }],
    [404, "No thread found with id 'thread_abc123'.", { object: 'thread', id: 'thread_abc123' }],
    [404, "Vector store with id 'vs_9z' not found.", { object: 'vector_store', id: 'vs_9z' }],
    [404, "No vector store found with id 'vs_old'.", { object: 'vector_store', id: 'vs_old' }],
    [404, 'No such File object: file-Ab12Cd', { object: 'file', id: 'file-Ab12Cd' }],
    [400, "Invalid input file: no file with id 'file-gone'.", { object: 'file', id: 'file-gone' }],
    [404, "No file found with id 'file-x1'.", { object: 'file', id: 'file-x1' }],
    // Other servers' and proxies' wordings: an id of a known shape in a refusal that says it is gone.
    [404, "The vector store 'vs_abc123' does not exist.", { object: 'vector_store', id: 'vs_abc123' }],
    [400, "Invalid 'tools[0].vector_store_ids[0]': vector store vs_Q7r2 has expired.", { object: 'vector_store', id: 'vs_Q7r2' }],
    [404, 'Conversation conv_9a8b7c does not exist or was deleted.', { object: 'thread', id: 'conv_9a8b7c' }],
    [400, "Previous response with id 'resp_0ab12' not found.", { object: 'thread', id: 'resp_0ab12' }],
    [400, 'previous_response_id resp_77aa is not found; it may have expired.', { object: 'thread', id: 'resp_77aa' }],
    [404, "File 'file-Abc123' was deleted.", { object: 'file', id: 'file-Abc123' }],
    [404, "The file 'assistant-Xyz987Q' could not be found.", { object: 'file', id: 'assistant-Xyz987Q' }],
    [400, 'file_9fe2c1d not found in vector store vs_abc123.', { object: 'file', id: 'file_9fe2c1d' }],
  ];
  for (const [status, said, missing] of cases) {
    it(`${status} "${said}"`, () => {
      const error = toAssistantsError(APIError.generate(status, { error: { message: said } }, undefined, new Headers()));
      assert.deepEqual([error.kind, error.options.missing], ['not_found', missing]);
      assert.match(error.message, /no longer (on the server|has this thread)/);
      assert.match(error.message, { thread: /Continue in a new thread/, vector_store: /Remove from Assistant/, file: /Re-upload it/ }[missing.object]);
    });
  }
  it('leaves other refusals as they were', () => {
    for (const said of ['No such model', "Invalid URL (POST /v1/conversations)", 'The model `x` does not exist', "Invalid 'vector_store_ids': vs_abc123 is not a valid id.", 'Response resp_abc123 is still in progress.']) {
      const error = toAssistantsError(APIError.generate(404, { error: { message: said } }, undefined, new Headers()));
      assert.equal(error.options.missing, undefined, said);
    }
  });
});

for (const protocol of ['responses', 'assistantsV2'] as BackendKind[]) {
  describe(`vanished server objects are not dead ends (${protocol}, fake server)`, () => {
    let fake: FakeOpenAIServer;
    let dir: string;
    let backend: Backend;
    let assistant: Assistant;
    let client: ReturnType<typeof createOpenAIClient>;
    const errors: AssistantsError[] = [];

    const idle = async (session: ChatSession) => {
      const deadline = Date.now() + 10_000;
      while (session.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(session.busy, false, 'the run did not finish');
    };
    const session = (store: ThreadStore) =>
      new ChatSession({
        store,
        connect: async () => backend,
        assistant: async () => assistant,
        toolHandler: noTools,
        driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
        onUpdate: () => undefined,
        onError: (error) => errors.push(error),
      });

    beforeEach(async () => {
      fake = await FakeOpenAIServer.start({ timeScale: 0.05 });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanished-'));
      errors.length = 0;
      client = createOpenAIClient({ protocol, apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
      backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client);
      const draft = { name: 'Test', model: 'gpt-test', tools: [] };
      assistant = protocol === 'responses' ? { ...draft, id: 'default', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
    });
    afterEach(async () => {
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a thread whose conversation vanished says so, and continues in a new thread carrying its messages; the old one stays", async () => {
      const store = new ThreadStore(nodeFileSystem, dir);
      const chat = session(store);
      fake.model.enqueue({ steps: [{ type: 'text', text: 'The launch code is 4711.' }] });
      await chat.send('What is the launch code?');
      await idle(chat);
      const old = chat.thread!;
      const lost = old.thread.remoteId!;
      assert.ok(lost, 'the thread has a server-side copy');
      assert.equal(fake.vanish(lost), true);

      const refused = await chat.send('And the backup code?').then(
        () => assert.fail('a send on a vanished conversation must fail'),
        (error: AssistantsError) => error,
      );
      assert.deepEqual([refused.kind, refused.options.missing], ['not_found', { object: 'thread', id: lost }]);
      assert.match(refused.message, /no longer has this thread's conversation.*Continue in a new thread/);
      assert.equal(chat.thread?.messages.length, 2, 'nothing half-added');

      await chat.continueInNewThread();
      const carried = chat.thread!;
      assert.notEqual(carried.thread.id, old.thread.id);
      assert.equal(carried.thread.title, old.thread.title);
      assert.deepEqual(carried.messages.map((m) => textOf(m.content)), ['What is the launch code?', 'The launch code is 4711.']);
      assert.notEqual(carried.thread.remoteId, lost);
      const requests = fake.requests.length;
      fake.model.enqueue({ steps: [{ type: 'text', text: 'The backup code is 1234.' }] });
      await chat.send('And the backup code?');
      await idle(chat);
      assert.deepEqual(errors, []);
      assert.deepEqual(chat.thread?.messages.map((m) => textOf(m.content)).slice(-2), ['And the backup code?', 'The backup code is 1234.']);
      const sent = fake.requests.slice(requests).map((r) => JSON.stringify(r.body ?? ''));
      assert.ok(!sent.some((body) => body.includes(lost)), 'nothing names the lost conversation');
      if (protocol === 'responses') {
        const run = fake.requests.slice(requests).find((r) => r.method === 'POST' && r.path === '/responses');
        assert.match(JSON.stringify(run?.body), /What is the launch code\?.*The launch code is 4711\..*And the backup code\?/, 'the history goes with the question');
      } else {
        // The new server-side thread holds the history, each message with its role, before the new question.
        const posted = fake.requests.filter((r) => r.method === 'POST' && r.path === `/threads/${carried.thread.remoteId}/messages`).map((r) => r.body as { role: string; content: Array<{ text: string }> });
        assert.deepEqual(posted.map((m) => [m.role, m.content[0].text]), [
          ['user', 'What is the launch code?'],
          ['assistant', 'The launch code is 4711.'],
          ['user', 'And the backup code?'],
        ]);
      }
      const kept = await store.load(old.thread.id);
      assert.equal(kept?.messages.length, 2, 'the old thread is kept as it was');
      assert.equal((await store.list()).length, 2);
    });

    it('a knowledge vector store that vanished refuses the run with its id; removed from the assistant, the next run goes', async () => {
      const files = backend;
      const kept = await files.createVectorStore('Kept knowledge', []);
      const gone = await files.createVectorStore('Expired knowledge', []);
      const folder = fs.mkdtempSync(path.join(dir, 'assistants-'));
      const values = new Map<string, unknown>();
      const service = new AssistantService({
        stores: async () => [new FileAssistantStore(nodeFileSystem, folder, 'workspace')],
        state: { get: <T>(key: string) => values.get(key) as T | undefined, update: async (key, value) => void values.set(key, value) },
        firstAssistant: () => ({ name: 'First', model: 'gpt-test', tools: [] }),
        firstLocation: 'workspace',
        runAdditions: () => ({ tools: [] }),
      });
      const entry = await service.create('workspace', { name: 'Helper', model: 'gpt-test', tools: [{ type: 'file_search' }], toolResources: { fileSearch: { vectorStoreIds: [gone.id, kept.id] } } });
      assert.equal(fake.vanish(gone.id), true);
      const serverAssistant = async (a: Assistant): Promise<Assistant> => (protocol === 'responses' ? a : (await new ServerAssistantStore(client).create({ name: a.name, model: a.model, tools: a.tools, ...(a.toolResources ? { toolResources: a.toolResources } : {}) })).assistant!);
      const run = async (a: Assistant) => {
        const { remoteId } = await backend.createThread();
        const thread = { id: 't', title: 'T', createdAt: 1, updatedAt: 1, backend: protocol, ...(remoteId ? { remoteId } : {}) };
        const message: Message = await backend.addMessage(thread, { content: [{ type: 'text', text: 'Search it', annotations: [] }] });
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Searched.' }] });
        return new RunDriver(backend, { toolHandler: noTools, poll: { initialMs: 20, maxMs: 100 } }).run({ kind: 'start', thread, assistant: await serverAssistant(a), history: [message] }, () => undefined);
      };
      const refused = await run((await service.get(entry.id)).assistant!).then(
        () => assert.fail('a run over a vanished store must fail'),
        (error: AssistantsError) => error,
      );
      assert.deepEqual(refused.options.missing, { object: 'vector_store', id: gone.id });
      assert.match(refused.message, new RegExp(`vector store ${gone.id} is no longer on the server.*Remove from Assistant`));

      await removeKnowledgeStore(service, await service.get(entry.id), gone.id);
      const fixed = (await service.get(entry.id)).assistant!;
      assert.deepEqual(fixed.toolResources?.fileSearch?.vectorStoreIds, [kept.id]);
      assert.ok(fixed.tools.some((t) => t.type === 'file_search'), 'file search stays on');
      const answered = await run(fixed);
      assert.equal(answered.run.status, 'completed');
      // The last store taken out leaves no empty list behind.
      await removeKnowledgeStore(service, await service.get(entry.id), kept.id);
      assert.equal((await service.get(entry.id)).assistant?.toolResources?.fileSearch, undefined);
    });

    if (protocol === 'responses') {
      it("the vector store made for a thread's attachments vanished: the run says to retry, and Retry makes it again", async () => {
        const file = await backend.uploadFile('notes.md', new TextEncoder().encode('The launch code is 4711.\n'), 'assistants');
        const chat = session(new ThreadStore(nodeFileSystem, dir));
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Read it.' }] });
        await chat.send('Read the notes', { attachments: [{ fileId: file.id, filename: 'notes.md', tools: ['file_search'] }] });
        await idle(chat);
        assert.deepEqual(errors, []);
        const made = [...fake.store.vectorStores.values()].filter((vs) => vs.name === 'Thread attachments');
        assert.equal(made.length, 1);
        fake.vanish(made[0].id);
        const refused = await chat.send('Again, please').then(
          async () => (await idle(chat), errors[0]),
          (error: AssistantsError) => error,
        );
        assert.ok(refused, 'the run over the lost store fails');
        assert.match(refused.message, /attached files is no longer on the server.*Retry/);
        assert.equal(refused.options.missing, undefined, 'no knowledge store of the assistant to remove');
        errors.length = 0;
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Read it again.' }] });
        await chat.retry();
        await idle(chat);
        assert.deepEqual(errors, []);
        assert.equal(textOf(chat.thread!.messages.at(-1)!.content), 'Read it again.');
        assert.equal([...fake.store.vectorStores.values()].filter((vs) => vs.name === 'Thread attachments').length, 1, 'made again');
      });

      it("a response that failed for the attachments' own vector store says to retry, not to remove it from the assistant", async () => {
        const file = await backend.uploadFile('notes.md', new TextEncoder().encode('The launch code is 4711.\n'), 'assistants');
        const chat = session(new ThreadStore(nodeFileSystem, dir));
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Read it.' }] });
        await chat.send('Read the notes', { attachments: [{ fileId: file.id, filename: 'notes.md', tools: ['file_search'] }] });
        await idle(chat);
        const made = [...fake.store.vectorStores.values()].find((vs) => vs.name === 'Thread attachments');
        assert.ok(made);
        fake.model.enqueue({ steps: [], outcome: { status: 'failed', code: 'server_error', message: `Vector store with id '${made.id}' not found.` } });
        await chat.send('Again, please');
        await idle(chat);
        const run = Object.values(chat.thread!.runs).map((r) => r.run).find((r) => r.status === 'failed');
        assert.match(run?.lastError?.message ?? '', /attached files is no longer on the server.*Retry/);
        assert.equal(run?.lastError?.missing, undefined, 'no knowledge store of the assistant to remove');
        assert.ok(errors.every((e) => e.options.missing === undefined));
      });
    }

    for (const said of ['Conversation conv_Gone77 does not exist or was deleted.', "No thread found with id 'thread_Gone88'."]) {
      it(`a run that fails with "${said}" as its own error offers Continue in a new thread, as a refusal would`, async () => {
        const chat = session(new ThreadStore(nodeFileSystem, dir));
        fake.model.enqueue({ steps: [], outcome: { status: 'failed', code: 'server_error', message: said } });
        await chat.send('Hello').catch(() => undefined);
        await idle(chat);
        const refused = errors.at(-1);
        assert.deepEqual(refused?.options.missing?.object, 'thread');
        assert.match(refused?.message ?? '', /Continue in a new thread/);
        const run = Object.values(chat.thread!.runs).map((r) => r.run).find((r) => r.status === 'failed');
        assert.match(run?.lastError?.message ?? '', /Continue in a new thread/, 'the run ends failed in the same sentence');
      });
    }

    it('a file an earlier message held vanished: runs of the thread say so, and going on without it lets them start again', async () => {
      const file = await backend.uploadFile('notes.md', new TextEncoder().encode('The launch code is 4711.\n'), 'assistants');
      const chat = session(new ThreadStore(nodeFileSystem, dir));
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Read it.' }] });
      await chat.send('Read the notes', { attachments: [{ fileId: file.id, filename: 'notes.md', tools: ['file_search'] }] });
      await idle(chat);
      fake.vanish(file.id);
      // A new window: nothing remembered from the first run.
      backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client);
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Answered.' }] });
      const refused = await chat.send('What else?').then(
        async () => (await idle(chat), errors[0]),
        (error: AssistantsError) => error,
      );
      if (protocol === 'responses') {
        // The history's attachments go into a vector store made for the run: the lost file refuses it.
        assert.deepEqual(refused?.options.missing, { object: 'file', id: file.id });
        errors.length = 0;
        assert.equal(await chat.dropAttachment(file.id), 1);
        assert.equal(chat.thread!.messages[0].attachments, undefined);
        assert.equal(textOf(chat.thread!.messages[0].content), 'Read the notes', 'the message stays');
        await chat.retry();
        await idle(chat);
      }
      // Assistants v2 keeps attachments on the server's thread: the run goes on without the file.
      assert.deepEqual(errors, []);
      assert.equal(textOf(chat.thread!.messages.at(-1)!.content), 'Answered.');
    });

    it('an attachment whose file vanished refuses the send or run with its id; re-uploading sends the bytes again under a new id', async () => {
      const workspace = fs.mkdtempSync(path.join(dir, 'ws-'));
      fs.writeFileSync(path.join(workspace, 'notes.md'), 'The launch code is 4711.\n');
      const index = memoryUploadIndex();
      const upload = () => uploadFiles([{ absolute: path.join(workspace, 'notes.md'), display: 'notes.md', tool: 'file_search' }], { files: backend, fs: nodeWorkspaceFs, index, provider: 'fake' });
      const [first] = await upload();
      assert.ok(first.ok);
      assert.equal(fake.vanish(first.fileId), true);
      const chat = session(new ThreadStore(nodeFileSystem, dir));
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Read it.' }] });
      const failure = await chat
        .send('Read the notes', { attachments: [{ fileId: first.fileId, filename: 'notes.md', tools: ['file_search'] }] })
        .then(async () => {
          await idle(chat);
          return errors[0];
        })
        .catch((error: AssistantsError) => error);
      assert.ok(failure instanceof AssistantsError, 'the send or its run fails');
      assert.deepEqual(failure.options.missing, { object: 'file', id: first.fileId });
      assert.match(failure.message, /Re-upload it/);

      const [again] = await upload();
      assert.ok(again.ok && !again.reused && again.fileId !== first.fileId, 'the bytes went up again, under a new id');
      errors.length = 0;
      const fresh = session(new ThreadStore(nodeFileSystem, fs.mkdtempSync(path.join(dir, 'threads-'))));
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Read it.' }] });
      await fresh.send('Read the notes', { attachments: [{ fileId: again.fileId, filename: 'notes.md', tools: ['file_search'] }] });
      await idle(fresh);
      assert.deepEqual(errors, []);
    });
  });
}
