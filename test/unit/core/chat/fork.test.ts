import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import type { Backend } from '../../../../src/core/backend';
import { ChatSession } from '../../../../src/core/chat/chatSession';
import type { AssistantsError } from '../../../../src/core/errors';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import type { Assistant, BackendKind } from '../../../../src/common/model';
import { textOf } from '../../../../src/common/model';
import { answersMarkdown, questionsOf, replayQuestions } from '../../../../src/core/chat/replay';
import { MAX_TITLE_LENGTH } from '../../../../src/core/threads/threadList';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { pngChart } from '../../../fakes/png';

const noTools = { handle: async () => [] };
const texts = (messages: { content: Parameters<typeof textOf>[0] }[]) => messages.map((m) => textOf(m.content));

for (const protocol of ['responses', 'assistantsV2'] as BackendKind[]) {
  describe(`fork and replay a thread (${protocol}, fake server)`, () => {
    let fake: FakeOpenAIServer;
    let dir: string;
    let backend: Backend;
    let first: Assistant;
    let other: Assistant;
    let active: Assistant;
    let store: ThreadStore;
    const errors: AssistantsError[] = [];

    const idle = async (session: ChatSession) => {
      const deadline = Date.now() + 10_000;
      while (session.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(session.busy, false, 'the run did not finish');
    };
    const newSession = () =>
      new ChatSession({
        store,
        connect: async () => backend,
        assistant: async () => active,
        toolHandler: noTools,
        driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
        onUpdate: () => undefined,
        onError: (error) => errors.push(error),
      });
    /** A thread of `first` with three questions and their answers. */
    const threeExchanges = async (chat: ChatSession) => {
      for (const n of [1, 2, 3]) {
        fake.model.enqueue({ steps: [{ type: 'text', text: `Answer ${n}.` }] });
        await chat.send(`Question ${n}?`);
        await idle(chat);
      }
      return chat.thread!;
    };
    /** The model each run request of `since` asked for (Responses) or the assistant it ran (Assistants v2). */
    const ranWith = (since: number) =>
      fake.requests
        .slice(since)
        .filter((r) => r.method === 'POST' && (r.path === '/responses' || /^\/threads\/[^/]+\/runs$/.test(r.path)))
        .map((r) => (protocol === 'responses' ? (r.body as { model: string }).model : (r.body as { assistant_id: string }).assistant_id));

    beforeEach(async () => {
      fake = await FakeOpenAIServer.start({ timeScale: 0.05 });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fork-'));
      errors.length = 0;
      const client = createOpenAIClient({ protocol, apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
      backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client);
      const drafts = [{ name: 'First', model: 'gpt-first', tools: [] }, { name: 'Other', model: 'gpt-other', tools: [] }];
      [first, other] =
        protocol === 'responses'
          ? drafts.map((draft, i) => ({ ...draft, id: `local-${i}`, createdAt: 0 }))
          : await Promise.all(drafts.map(async (draft) => (await new ServerAssistantStore(client).create(draft)).assistant!));
      active = first;
      store = new ThreadStore(nodeFileSystem, dir);
    });
    afterEach(async () => {
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('forks at message N for another assistant: the fork holds messages 0..N and their history, the original is unchanged here and on the server', async () => {
      const chat = newSession();
      const original = await threeExchanges(chat);
      const before = structuredClone(original);
      const fork = await chat.forkThread(original.thread.id, { upTo: original.messages[3].id, assistantId: other.id });

      assert.notEqual(fork.thread.id, original.thread.id);
      assert.equal(fork.thread.title, `${original.thread.title} (fork)`);
      assert.equal(fork.thread.assistantId, other.id);
      assert.deepEqual(texts(fork.messages), ['Question 1?', 'Answer 1.', 'Question 2?', 'Answer 2.']);
      assert.deepEqual(Object.keys(fork.runs).sort(), [original.messages[1].runId, original.messages[3].runId].sort(), 'the runs of the kept answers, not the third');
      assert.notEqual(fork.thread.remoteId ?? '', original.thread.remoteId);
      assert.deepEqual(await store.load(original.thread.id), JSON.parse(JSON.stringify(before)), 'the original thread file is as it was');
      assert.equal(chat.thread?.thread.id, original.thread.id, 'the chat stays on the original');
      assert.ok(!fake.requests.some((r) => r.method === 'DELETE' || (original.thread.remoteId && r.path.includes(original.thread.remoteId) && r.method === 'POST' && r.path.endsWith('/delete'))), 'nothing deleted on the server');

      // The fork goes on with the other assistant, the model reading messages 0..N only.
      active = other;
      await chat.openThread(fork.thread.id);
      const since = fake.requests.length;
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Forked answer.' }] });
      await chat.send('Question 3 again?');
      await idle(chat);
      assert.deepEqual(errors, []);
      assert.deepEqual(texts(chat.thread!.messages).slice(-2), ['Question 3 again?', 'Forked answer.']);
      assert.deepEqual(ranWith(since), [protocol === 'responses' ? 'gpt-other' : other.id]);
      if (protocol === 'responses') {
        const body = JSON.stringify(fake.requests.slice(since).find((r) => r.path === '/responses')?.body);
        assert.match(body, /Question 1\?.*Answer 1\..*Question 2\?.*Answer 2\..*Question 3 again\?/);
        assert.doesNotMatch(body, /Answer 3\./, 'what came after the fork point is not sent');
      } else {
        const posted = fake.requests.filter((r) => r.method === 'POST' && r.path === `/threads/${fork.thread.remoteId}/messages`).map((r) => r.body as { role: string; content: Array<{ text: string }> });
        assert.deepEqual(posted.map((m) => [m.role, m.content[0].text]), [
          ['user', 'Question 1?'],
          ['assistant', 'Answer 1.'],
          ['user', 'Question 2?'],
          ['assistant', 'Answer 2.'],
          ['user', 'Question 3 again?'],
        ]);
      }
      assert.deepEqual(texts((await store.load(original.thread.id))!.messages), texts(before.messages), 'the original still holds its six messages');
      assert.equal((await store.list()).length, 2);
    });

    it('forks at the first question with the same assistant, a long title kept within bounds; refuses a message not on the thread and a thread whose run goes on', async () => {
      const chat = newSession();
      const original = await threeExchanges(chat);
      await chat.renameThread(original.thread.id, 'x'.repeat(MAX_TITLE_LENGTH));
      const fork = await chat.forkThread(original.thread.id, { upTo: original.messages[0].id });
      assert.deepEqual(texts(fork.messages), ['Question 1?']);
      assert.deepEqual(fork.runs, {});
      assert.equal(fork.thread.assistantId, original.thread.assistantId);
      assert.ok(fork.thread.title.endsWith(' (fork)') && fork.thread.title.length <= MAX_TITLE_LENGTH, fork.thread.title);

      await assert.rejects(chat.forkThread(original.thread.id, { upTo: 'msg_not_here' }), (error: AssistantsError) => error.kind === 'not_found');
      fake.model.enqueue({ steps: [{ type: 'text', text: 'A slow answer.', chunkSize: 1, chunkDelayMs: 200 }] });
      await chat.send('Question 4?');
      await assert.rejects(chat.forkThread(original.thread.id), (error: AssistantsError) => error.kind === 'bad_request' && /in progress/.test(error.message));
      chat.stop();
      await idle(chat);
      assert.equal((await store.list()).length, 2, 'only the one fork was made');
    });

    it('forks a thread whose question holds an image and attachment chips: the fork keeps both, its image beside it, and the original keeps its own', async () => {
      const chat = newSession();
      const original = await threeExchanges(chat);
      const image = pngChart();
      original.messages[2].content.push({ type: 'image_url', url: `data:image/png;base64,${image.toString('base64')}` });
      original.messages[2].attachments = [{ fileId: 'file-notes', filename: 'notes.md', tools: ['file_search'] }];
      await store.save(original);
      const fork = await chat.forkThread(original.thread.id, { upTo: original.messages[3].id });
      const part = fork.messages[2].content.find((p) => p.type === 'image_url');
      assert.ok(part?.type === 'image_url');
      assert.deepEqual(Buffer.from((await store.readOutput(fork.thread.id, part.url))!), image, 'the image is kept beside the fork');
      assert.deepEqual(fork.messages[2].attachments, [{ fileId: 'file-notes', filename: 'notes.md', tools: ['file_search'] }]);
      await store.delete(fork.thread.id);
      const kept = (await store.load(original.thread.id))!;
      const own = kept.messages[2].content.find((p) => p.type === 'image_url');
      assert.ok(own?.type === 'image_url');
      assert.deepEqual(Buffer.from((await store.readOutput(original.thread.id, own.url))!), image, 'deleting the fork leaves the original its image');
    });

    it('forks with another model: the fork runs with it, a fork of the fork for the same assistant keeps it, one for another assistant does not; a bad model name is refused', async () => {
      const chat = newSession();
      const original = await threeExchanges(chat);
      const fork = await chat.forkThread(original.thread.id, { upTo: original.messages[1].id, model: 'gpt-bigger' });
      assert.equal(fork.thread.model, 'gpt-bigger');
      assert.equal((await store.load(fork.thread.id))?.thread.model, 'gpt-bigger', 'kept with the thread');
      await chat.openThread(fork.thread.id);
      const since = fake.requests.length;
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Bigger answer.' }] });
      await chat.send('Question 2 on a bigger model?');
      await idle(chat);
      assert.deepEqual(errors, []);
      const runs = fake.requests.slice(since).filter((r) => r.method === 'POST' && (r.path === '/responses' || /^\/threads\/[^/]+\/runs$/.test(r.path)));
      assert.deepEqual(runs.map((r) => (r.body as { model?: string }).model), ['gpt-bigger']);
      if (protocol === 'assistantsV2') assert.deepEqual(runs.map((r) => (r.body as { assistant_id: string }).assistant_id), [first.id]);

      assert.equal((await chat.forkThread(fork.thread.id)).thread.model, 'gpt-bigger');
      assert.equal((await chat.forkThread(fork.thread.id, { model: '' })).thread.model, undefined, "an empty model is the assistant's own");
      assert.equal((await chat.forkThread(fork.thread.id, { assistantId: other.id })).thread.model, undefined);
      for (const bad of ['gpt 4', 'x'.repeat(101)]) {
        await assert.rejects(chat.forkThread(original.thread.id, { model: bad }), (error: AssistantsError) => error.kind === 'bad_request');
      }
      const untouched = await chat.forkThread(original.thread.id);
      active = first;
      await chat.openThread(untouched.thread.id);
      const later = fake.requests.length;
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Own model.' }] });
      await chat.send('And with the assistant\'s model?');
      await idle(chat);
      const own = fake.requests.slice(later).find((r) => r.method === 'POST' && (r.path === '/responses' || /^\/threads\/[^/]+\/runs$/.test(r.path)));
      assert.equal((own?.body as { model?: string }).model, protocol === 'responses' ? 'gpt-first' : undefined, 'a thread without a model of its own runs with its assistant\'s');
    });

    it('replays the questions in order on another assistant, each after the previous answer, in a new thread', async () => {
      const chat = newSession();
      const original = structuredClone(await threeExchanges(chat));
      active = other;
      await chat.newThread();
      const since = fake.requests.length;
      fake.model.enqueue(...[1, 2, 3].map((n) => ({ steps: [{ type: 'text' as const, text: `Other answer ${n}.` }] })));
      const answered: number[] = [];
      const result = await replayQuestions(chat, questionsOf(original), { title: 'Replayed', onAnswered: (n) => answered.push(n) });
      assert.deepEqual(result, { answered: 3, total: 3 });
      assert.deepEqual(answered, [1, 2, 3]);
      const replay = chat.thread!;
      assert.notEqual(replay.thread.id, original.thread.id);
      assert.equal(replay.thread.title, 'Replayed');
      assert.deepEqual(texts(replay.messages), ['Question 1?', 'Other answer 1.', 'Question 2?', 'Other answer 2.', 'Question 3?', 'Other answer 3.']);
      assert.deepEqual(ranWith(since), Array(3).fill(protocol === 'responses' ? 'gpt-other' : other.id));
      assert.deepEqual(errors, []);
      assert.deepEqual(texts((await store.load(original.thread.id))!.messages), texts(original.messages), 'the original is unchanged');
      const markdown = answersMarkdown(replay, 'Other');
      assert.match(markdown, /## Question 1\n\n> Question 1\?\n\nOther answer 1\.\n\n## Question 2/);
    });

    it('a thread opened while the first question is being saved gets no question: the replay stops there', async () => {
      const chat = newSession();
      const original = structuredClone(await threeExchanges(chat));
      await chat.newThread();
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Answer one.' }] });
      // The user opens the original thread while the replay's first question is being written to disk.
      const save = store.save.bind(store);
      let opening: Promise<void> | undefined;
      store.save = async (thread) => {
        await save(thread);
        if (opening || thread.thread.id === original.thread.id || thread.messages.length !== 1) return;
        opening = chat.openThread(original.thread.id);
        await opening;
      };
      try {
        assert.deepEqual(await replayQuestions(chat, questionsOf(original)), { answered: 0, total: 3, stopped: 'left' });
      } finally {
        store.save = save;
      }
      await opening;
      assert.equal(chat.thread?.thread.id, original.thread.id);
      assert.deepEqual(texts(chat.thread!.messages), texts(original.messages), 'the thread opened got no question');
      await chat.whenIdle();
    });

    it('stops a replay on cancel (nothing more is sent) and at a question whose run fails', async () => {
      const chat = newSession();
      const original = structuredClone(await threeExchanges(chat));
      active = other;
      await chat.newThread();
      const stop = new AbortController();
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Only one.' }] });
      const cancelled = await replayQuestions(chat, questionsOf(original), { signal: stop.signal, onAnswered: () => stop.abort() });
      assert.deepEqual(cancelled, { answered: 1, total: 3, stopped: 'cancelled' });
      assert.deepEqual(texts(chat.thread!.messages), ['Question 1?', 'Only one.']);

      // Cancelled while the second answer streams: the run is stopped there.
      await chat.newThread();
      const midway = new AbortController();
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Fine.' }] }, { steps: [{ type: 'text', text: 'A very slow second answer.', chunkSize: 1, chunkDelayMs: 4000 }] });
      const running = replayQuestions(chat, questionsOf(original), { signal: midway.signal });
      // Cancelled once the second question's run has begun (its question alone on the thread is not yet a run to stop).
      const deadline = Date.now() + 10_000;
      while (Object.keys(chat.thread?.runs ?? {}).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      midway.abort();
      assert.deepEqual(await running, { answered: 1, total: 3, stopped: 'cancelled' });
      assert.ok(!texts(chat.thread!.messages).includes('Question 3?'), 'the third question is not sent');
      const last = Object.values(chat.thread!.runs).sort((a, b) => a.run.createdAt - b.run.createdAt).at(-1)!;
      assert.equal(last.run.status, 'cancelled');

      // Another thread opened in the chat meanwhile: nothing more goes to the replay's thread, nor to the one opened.
      await chat.newThread();
      fake.model.enqueue({ steps: [{ type: 'text', text: 'A slow first answer.', chunkSize: 1, chunkDelayMs: 4000 }] });
      const leaving = replayQuestions(chat, questionsOf(original));
      for (const until = Date.now() + 5000; (chat.thread?.messages.length ?? 0) < 1 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
      const replayId = chat.thread!.thread.id;
      await chat.openThread(original.thread.id);
      assert.deepEqual(await leaving, { answered: 0, total: 3, stopped: 'left' });
      assert.deepEqual(texts(chat.thread!.messages), texts(original.messages), 'the thread opened got no question');
      assert.deepEqual(texts((await store.load(replayId))!.messages).filter((t) => t.startsWith('Question')), ['Question 1?']);
      await chat.whenIdle();

      await chat.newThread();
      fake.model.enqueue({ steps: [], outcome: { status: 'failed', code: 'server_error', message: 'The model broke.' } });
      const failed = await replayQuestions(chat, questionsOf(original));
      assert.deepEqual(failed, { answered: 0, total: 3, stopped: 'failed' });
      assert.deepEqual(texts(chat.thread!.messages), ['Question 1?']);
    });
  });
}
