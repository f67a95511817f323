import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import { LINK_KEY } from '../../../../src/core/assistants/assistantService';
import type { Backend } from '../../../../src/core/backend';
import { ChatSession } from '../../../../src/core/chat/chatSession';
import type { AssistantsError } from '../../../../src/core/errors';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import type { Assistant, BackendKind } from '../../../../src/common/model';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { pngChart } from '../../../fakes/png';
import { functionFixture } from '../functions/fixture';

const protocols: BackendKind[] = ['responses', 'assistantsV2'];

for (const protocol of protocols) {
  describe(`thread management over ${protocol} (fake server)`, () => {
    let fake: FakeOpenAIServer;
    let dir: string;
    let store: ThreadStore;
    let errors: AssistantsError[];
    let backend: Backend;
    let assistant: Assistant;
    let published: string | undefined;

    const makeSession = (functions = functionFixture({ root: dir })) =>
      new ChatSession({
        store,
        connect: async () => backend,
        assistant: async () => assistant,
        // This user published workspace:helper to the server assistant the runs use (under v2).
        linkedFile: (a) => (a.id === published ? 'workspace:helper' : undefined),
        toolHandler: functions.handler,
        driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
        onUpdate: () => undefined,
        onError: (error) => errors.push(error),
      });

    const ask = async (session: ChatSession, text: string, answer: string) => {
      fake.model.enqueue({ steps: [{ type: 'text', text: answer }] });
      await session.send(text);
      await session.whenIdle();
    };

    /** The server-side thread each run started on (conversation or thread id). */
    const runThreads = () =>
      protocol === 'responses'
        ? fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').map((r) => String((r.body as { conversation?: unknown }).conversation))
        : fake.requests.filter((r) => r.method === 'POST' && /^\/threads\/[^/]+\/runs$/.test(r.path)).map((r) => r.path.split('/')[2]);

    beforeEach(async () => {
      fake = await FakeOpenAIServer.start({ timeScale: 0.05 });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threads-'));
      store = new ThreadStore(nodeFileSystem, path.join(dir, 'threads'));
      errors = [];
      const client = createOpenAIClient({ protocol, apiKey: 'test', baseUrl: fake.baseUrl });
      backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client);
      const draft = { name: 'Helper', model: 'gpt-test', tools: [] };
      // Under v2 the run uses the server object a file assistant was published to; it names the file.
      assistant =
        protocol === 'responses'
          ? { ...draft, id: 'workspace:helper', createdAt: 0 }
          : (await new ServerAssistantStore(client).create({ ...draft, metadata: { [LINK_KEY]: 'workspace:helper' } })).assistant!;
      published = protocol === 'responses' ? undefined : assistant.id;
    });

    afterEach(async () => {
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('records the assistant a thread runs with, as the file it came from', async () => {
      const session = makeSession();
      await ask(session, 'Hello\nthere', 'Hi.');
      const listed = await store.list();
      assert.equal(listed[0].assistantId, 'workspace:helper');
      assert.equal(listed[0].title, 'Hello there', 'the first question, on one line, is the title');
    });

    if (protocol === 'assistantsV2') {
      it('records a server assistant as itself when this user did not publish the file its metadata names', async () => {
        // A teammate's assistant, published from their own workspace:helper.
        published = undefined;
        await ask(makeSession(), 'Hello', 'Hi.');
        assert.equal((await store.list())[0].assistantId, assistant.id);
      });
    }

    if (protocol === 'responses') {
      it('records a file assistant as itself, whatever its own metadata names', async () => {
        // The metadata of a repository's file is its author's text: naming a personal assistant there
        // must not make the thread (and, once reopened, the chat) belong to that assistant.
        assistant = { ...assistant, metadata: { [LINK_KEY]: 'user:personal' } };
        await ask(makeSession(), 'Hello', 'Hi.');
        assert.equal((await store.list())[0].assistantId, 'workspace:helper');
      });
    }

    it('a rename or clear the disk refuses changes nothing: the open thread keeps its title and messages, and says why in a sentence', async () => {
      let full = false;
      const fullDisk = Object.assign(new Error(`ENOSPC: no space left on device, open '${dir}/t.json.tmp'`), { code: 'ENOSPC' });
      store = new ThreadStore({ ...nodeFileSystem, writeFileAtomic: (file, data) => (full ? Promise.reject(fullDisk) : nodeFileSystem.writeFileAtomic(file, data)) }, path.join(dir, 'threads'));
      const session = makeSession();
      await ask(session, 'Keep me', 'Kept.');
      const id = session.thread!.thread.id;
      full = true;
      await assert.rejects(session.renameThread(id, 'New title'), (e: AssistantsError) => e.kind === 'file_system' && /disk is full/.test(e.message) && !e.message.includes(dir));
      assert.equal(session.thread!.thread.title, 'Keep me', 'the chat does not show a title that was not saved');
      await assert.rejects(session.clearThread(id), /disk is full/);
      assert.equal(session.thread!.messages.length, 2, 'the chat still shows what the file still holds');
      assert.ok(session.thread!.thread.remoteId, 'the server-side thread is kept too');
      full = false;
      await ask(session, 'Still here?', 'Yes.');
      const saved = (await store.load(id))!;
      assert.equal(saved.thread.title, 'Keep me', 'a later save does not carry out the refused rename');
      assert.equal(saved.messages.length, 4, 'nor the refused clear');
    });

    it('renames the open thread on disk, and its next save keeps the new title', async () => {
      const session = makeSession();
      await ask(session, 'First question', 'First answer.');
      const id = session.thread!.thread.id;
      const updatedAt = session.thread!.thread.updatedAt;
      await session.renameThread(id, '  Release\nplan ');
      assert.equal((await store.load(id))?.thread.title, 'Release plan');
      assert.equal((await store.load(id))?.thread.updatedAt, updatedAt, 'a rename is no activity');
      await ask(session, 'Second question', 'Second answer.');
      assert.equal((await store.load(id))?.thread.title, 'Release plan');
      await assert.rejects(session.renameThread(id, '  '), /Give the thread a title/);
      await assert.rejects(session.renameThread('no-such-thread', 'x'), /no longer exists/);
    });

    it('clears a thread: no messages, runs or images, the title stays, and the model starts a new server-side thread', async () => {
      const session = makeSession();
      await ask(session, 'Remember the number 4711', 'Noted.');
      const stored = session.thread!;
      const id = stored.thread.id;
      const oldRemote = stored.thread.remoteId!;
      // An image the thread holds, kept beside it once saved.
      stored.messages.push({ id: 'msg_img', role: 'assistant', content: [{ type: 'image_url', url: `data:image/png;base64,${pngChart().toString('base64')}` }], createdAt: 1 });
      await store.save(stored);
      assert.equal(fs.readdirSync(path.join(dir, 'threads', 'outputs', id)).length, 1);

      await session.clearThread(id);
      const cleared = (await store.load(id))!;
      assert.deepEqual(cleared.messages, []);
      assert.deepEqual(cleared.runs, {});
      assert.equal(cleared.thread.title, 'Remember the number 4711');
      assert.equal(cleared.thread.assistantId, 'workspace:helper');
      assert.equal(cleared.thread.remoteId, undefined);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'threads', 'outputs', id)), [], 'the images went with the messages');
      const deleted = fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
      assert.ok(deleted.some((p) => p.endsWith(`/${oldRemote}`)), `the old server-side thread was deleted (${deleted.join(', ')})`);

      await ask(session, 'Which number?', 'No idea.');
      const after = (await store.load(id))!;
      assert.equal(after.messages.length, 2, 'the same thread goes on');
      assert.ok(after.thread.remoteId && after.thread.remoteId !== oldRemote, 'a new server-side thread');
      const runs = runThreads();
      assert.equal(runs.at(-1), after.thread.remoteId, 'the run after Clear is on the new server-side thread');
      assert.deepEqual(errors, []);
    });

    it('Clear Thread and Delete Thread drop what was allowed for the thread', async () => {
      const functions = functionFixture({ root: dir });
      functions.write('notes.txt', 'hello');
      functions.policies.read_file = 'ask';
      const session = makeSession(functions);
      /** Reads notes.txt as a run of thread `id` would; answers `answer` if asked. Returns whether it asked. */
      const asks = async (id: string, answer: 'thread' | 'deny') => {
        const before = functions.asked.length;
        functions.answers = [answer];
        const run = { id: 'run', threadId: 'remote', assistantId: 'a', status: 'requires_action' as const, createdAt: 0 };
        await functions.handler.handle([{ callId: 'c', name: 'read_file', arguments: '{"path":"notes.txt"}' }], { run, signal: new AbortController().signal, threadId: id });
        return functions.asked.length > before;
      };
      await ask(session, 'First', 'One.');
      const id = session.thread!.thread.id;
      assert.equal(await asks(id, 'thread'), true);
      assert.equal(await asks(id, 'deny'), false, 'allowed for this thread');
      await session.clearThread(id);
      assert.equal(await asks(id, 'thread'), true, 'Clear Thread dropped the grant');
      assert.equal(await asks(id, 'deny'), false);
      await session.deleteThread(id);
      assert.equal(await asks(id, 'deny'), true, 'Delete Thread dropped the grant');
      assert.deepEqual(errors, []);
    });

    it('stops a run going on in a thread before deleting it, followed here or not, so nothing goes on answering unseen', async () => {
      const session = makeSession();
      const cancels = () => fake.requests.filter((r) => r.method === 'POST' && /\/cancel$/.test(r.path)).length;
      // Followed here: the open thread, its answer streaming.
      fake.model.enqueue({ steps: [{ type: 'text', text: 'slow answer '.repeat(20), chunkSize: 2, chunkDelayMs: 200 }] });
      await session.send('Delete me while you answer');
      const open = session.thread!.thread.id;
      for (const deadline = Date.now() + 5000; !session.thread?.pendingRun && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      await session.deleteThread(open);
      assert.equal(session.busy, false, 'nothing followed any more');
      assert.equal(cancels(), 1, 'the run was cancelled on the server');
      assert.equal(await store.load(open), undefined);
      // Followed nowhere: its thread was left (another opened) while the run went on.
      fake.model.enqueue({ steps: [{ type: 'text', text: 'slow answer '.repeat(20), chunkSize: 2, chunkDelayMs: 200 }] });
      await session.send('Left running, then deleted');
      const left = session.thread!.thread.id;
      for (const deadline = Date.now() + 5000; !(await store.load(left))?.pendingRun && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      await session.newThread();
      await session.deleteThread(left);
      assert.equal(cancels(), 2, 'the run left going was cancelled too');
      assert.equal(await store.load(left), undefined);
      assert.deepEqual(errors, []);
    });

    it('refuses to clear while a run goes on, and clears a thread that is not open', async () => {
      const session = makeSession();
      fake.model.enqueue({ steps: [{ type: 'text', text: 'slow answer', chunkSize: 1, chunkDelayMs: 200 }] });
      await session.send('Take your time');
      const id = session.thread!.thread.id;
      await assert.rejects(session.clearThread(id), /A run is still in progress/);
      await session.whenIdle();
      assert.equal((await store.load(id))?.messages.length, 2, 'nothing was cleared');
      await session.newThread();
      await session.clearThread(id);
      assert.deepEqual((await store.load(id))?.messages, []);
    });
  });
}
