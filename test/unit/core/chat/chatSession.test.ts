import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import type { Backend } from '../../../../src/core/backend';
import type { ChatUpdate } from '../../../../src/core/chat/chatSession';
import { ChatSession } from '../../../../src/core/chat/chatSession';
import type { AssistantsError } from '../../../../src/core/errors';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import type { Assistant, BackendKind, RunStep } from '../../../../src/common/model';
import { isStoredOutput } from '../../../../src/common/model';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { functionFixture } from '../functions/fixture';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { pngChart } from '../../../fakes/png';

const protocols: BackendKind[] = ['responses', 'assistantsV2'];

for (const protocol of protocols) {
  describe(`ChatSession over ${protocol} (fake server)`, () => {
    let fake: FakeOpenAIServer;
    let dir: string;
    let workspace: string;
    let updates: ChatUpdate[];
    let errors: AssistantsError[];
    let backend: Backend;
    let assistant: Assistant;

    /** The sessions a test made: each finishes saving before the test's folders are removed. */
    let sessions: ChatSession[] = [];
    const makeSession = (store = new ThreadStore(nodeFileSystem, dir)) =>
      track(new ChatSession({
        store,
        connect: async () => backend,
        assistant: async () => assistant,
        toolHandler: functionFixture({ root: workspace }).handler,
        driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
        onUpdate: (update) => updates.push(update),
        onError: (error) => errors.push(error),
      }));
    const track = (session: ChatSession): ChatSession => {
      sessions.push(session);
      return session;
    };

    /** Resolves once the server has received `count` requests that start a run. */
    const runsStarted = async (count: number) => {
      const starts = () => fake.requests.filter((r) => r.method === 'POST' && (protocol === 'responses' ? r.path === '/responses' : /^\/threads\/[^/]+\/runs$/.test(r.path))).length;
      const deadline = Date.now() + 10_000;
      while (starts() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(starts(), count, 'the run was not started on the server');
    };

    const idle = async (session: ChatSession) => {
      const deadline = Date.now() + 10_000;
      while (session.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(session.busy, false, 'the run did not finish');
    };

    /** Starts the fake server (its clock `clockOffsetSeconds` off ours) and the backend and assistant on it. */
    const serve = async (clockOffsetSeconds = 0) => {
      fake = await FakeOpenAIServer.start({ timeScale: 0.05, clockOffsetSeconds });
      const client = createOpenAIClient({ protocol, apiKey: 'test', baseUrl: fake.baseUrl });
      backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client);
      const draft = { name: 'Test', model: 'gpt-test', instructions: 'Be brief.', tools: functionFixture({ root: workspace }).registry.tools().filter((t) => t.type === 'function' && t.function.name === 'read_file') };
      assistant = protocol === 'responses' ? { ...draft, id: 'default', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
    };

    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-'));
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-ws-'));
      fs.writeFileSync(path.join(workspace, 'notes.md'), 'The launch code is 4711.\n');
      updates = [];
      errors = [];
      await serve();
    });

    afterEach(async () => {
      // A save still queued (the half-second one of a streamed answer, or the last state of a run the
      // chat already shows as ended) would land in the next test's folder and errors.
      for (const session of sessions) {
        await session.whenFilesKept();
        session.dispose();
      }
      sessions = [];
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(workspace, { recursive: true, force: true });
    });

    it('sends, streams the answer, and keeps the thread for the next window', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Hello from the fake model.', chunkSize: 5 }] });
      const session = makeSession();
      await session.open();
      await session.send('Hi there');
      await idle(session);
      assert.deepEqual(errors, []);
      const deltas = updates.filter((u) => u.type === 'run' && u.event.type === 'message.delta');
      assert.ok(deltas.length > 1, 'the answer arrived in several deltas');
      const created = updates.find((u) => u.type === 'run' && u.event.type === 'message.created');
      const streamed = created?.type === 'run' && created.event.type === 'message.created' ? created.event.message.content[0] : undefined;
      assert.ok(!(streamed?.type === 'text' && streamed.text.includes('fake model.')), 'deltas are not already in the created message');
      const reopened = makeSession();
      await reopened.open();
      const stored = reopened.thread!;
      assert.equal(stored.thread.title, 'Hi there');
      assert.equal(stored.messages.length, 2);
      const answer = stored.messages[1].content[0];
      assert.equal(answer.type === 'text' && answer.text, 'Hello from the fake model.');
      const runs = Object.values(stored.runs);
      assert.equal(runs.length, 1);
      assert.equal(runs[0].run.status, 'completed');
      assert.equal(stored.pendingRun, undefined);
    });

    it('sends additional instructions for this run after the assistant\'s own, and none on the next run', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Bonjour.' }] });
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Hello.' }] });
      const session = makeSession();
      await session.send('Hi', { instructions: '  Answer in French.  ' });
      await idle(session);
      await session.send('Hi again');
      await idle(session);
      assert.deepEqual(errors, []);
      const starts = fake.requests.filter((r) => r.method === 'POST' && (protocol === 'responses' ? r.path === '/responses' : /\/threads\/[^/]+\/runs$/.test(r.path)));
      const sent = starts.map((r) => (r.body as { instructions?: string }).instructions);
      assert.equal(sent[0], 'Be brief.\n\nAnswer in French.');
      assert.notEqual(sent.at(-1), sent[0], 'the next run is back to the assistant\'s own instructions');
      assert.ok(!String(sent.at(-1) ?? '').includes('French'));
    });

    it('Retry now ends the wait after a 429 at once instead of after the server\'s Retry-After', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Here at last.' }] });
      fake.inject({ method: 'POST', path: protocol === 'responses' ? '/responses' : /^\/threads\/[^/]+\/runs$/, kind: 'rate_limit', retryAfterSeconds: 15, retryAfterMs: 15_000 });
      const session: ChatSession = new ChatSession({
        store: new ThreadStore(nodeFileSystem, dir),
        connect: async () => backend,
        assistant: async () => assistant,
        toolHandler: functionFixture({ root: workspace }).handler,
        driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
        onUpdate: (update) => {
          updates.push(update);
          const retrying = (update.type === 'waiting' || update.type === 'run') && update.event.type === 'retry';
          if (retrying) setTimeout(() => session.retryNow(), 50);
        },
        onError: (error) => errors.push(error),
      });
      const started = Date.now();
      await session.send('Hello?');
      await idle(session);
      assert.deepEqual(errors, []);
      assert.ok(updates.some((u) => (u.type === 'waiting' || u.type === 'run') && u.event.type === 'retry'), 'the 429 was announced');
      assert.ok(Date.now() - started < 10_000, 'the run did not wait out the 15 s');
      assert.match(JSON.stringify(session.thread?.messages), /Here at last/);
    });

    it('shows a plot at once, keeps it beside the thread, and gives it back after a reload', async () => {
      fake.model.enqueue({ steps: [{ type: 'code_interpreter', code: 'plot()', logs: 'done', image: true }, { type: 'text', text: 'Here is the chart.' }] });
      // Responses sends outputs only to an assistant that has the code interpreter.
      if (protocol === 'responses') assistant = { ...assistant, tools: [...assistant.tools, { type: 'code_interpreter' }] };
      const store = new ThreadStore(nodeFileSystem, dir);
      const session = makeSession(store);
      await session.send('Plot it');
      await idle(session);
      assert.deepEqual(errors, []);
      const imagesOf = (steps: RunStep[]) =>
        steps.flatMap((step) => (step.details.type === 'tool_calls' ? step.details.toolCalls : [])).flatMap((call) => (call.type === 'code_interpreter' ? call.outputs : [])).flatMap((o) => (o.type === 'image' ? [o] : []));
      const forwarded = updates.flatMap((u) => (u.type === 'run' && u.event.type.startsWith('step.') && 'step' in u.event ? imagesOf([u.event.step]) : []));
      if (protocol === 'responses') assert.ok(forwarded.some((o) => /^data:image\/png;base64,/.test(o.url ?? '')), 'the chat gets the image as it arrives');
      const file = fs.readFileSync(path.join(dir, `thread-${session.thread!.thread.id}.json`), 'utf8');
      assert.doesNotMatch(file, /data:image/, 'the thread file holds no image');
      const reopened = makeSession(new ThreadStore(nodeFileSystem, dir));
      await reopened.open();
      const kept = imagesOf(Object.values(reopened.thread!.runs).flatMap((r) => r.steps));
      assert.equal(kept.length, 1);
      if (protocol === 'responses') {
        assert.ok(kept[0].url && isStoredOutput(kept[0].url));
        assert.deepEqual(Buffer.from((await store.readOutput(reopened.thread!.thread.id, kept[0].url))!), pngChart());
      } else {
        assert.equal(kept[0].url, undefined, 'a server file stays a file id');
      }
    });

    it('answers a read_file call from the workspace and finishes the run', async () => {
      fake.model.enqueue(
        { steps: [{ type: 'function_call', name: 'read_file', arguments: { path: 'notes.md' } }] },
        { steps: [{ type: 'text', text: 'The file says 4711.' }] },
      );
      const session = makeSession();
      await session.send('What is in notes.md?');
      await idle(session);
      assert.deepEqual(errors, []);
      const run = Object.values(session.thread!.runs)[0];
      assert.equal(run.run.status, 'completed');
      const call = run.steps.flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : [])).find((c) => c.type === 'function');
      assert.ok(call && call.type === 'function' && call.name === 'read_file');
      assert.equal(call.output, 'The launch code is 4711.\n', 'the step shows what the function answered');
      const submitted = fake.requests.filter((r) => JSON.stringify(r.body ?? '').includes('The launch code is 4711.'));
      assert.ok(submitted.length > 0, 'the file content was sent back as the function output');
    });

    it('takes the next question as soon as the run has ended, while its last state is still being saved', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'First answer.' }] }, { steps: [{ type: 'text', text: 'Second answer.' }] });
      // A store whose saves take a while, as on a busy disk: the chat shows the end before the save is done.
      class SlowStore extends ThreadStore {
        override async save(...args: Parameters<ThreadStore['save']>): Promise<void> {
          await new Promise((r) => setTimeout(r, 300));
          return super.save(...args);
        }
      }
      const session = makeSession(new SlowStore(nodeFileSystem, dir));
      await session.send('First question');
      const deadline = Date.now() + 10_000;
      const ended = () => updates.some((u) => u.type === 'run' && u.event.type === 'run.updated' && u.event.run.status === 'completed');
      while (!ended() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(ended(), 'the first run ended');
      await session.send('Second question');
      await idle(session);
      assert.deepEqual(errors, []);
      const answers = session.thread!.messages.filter((m) => m.role === 'assistant').map((m) => (m.content[0]?.type === 'text' ? m.content[0].text : ''));
      assert.deepEqual(answers, ['First answer.', 'Second answer.']);
    });

    it('records with each run the assistant that ran it, in the thread file too', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'First.' }] }, { steps: [{ type: 'text', text: 'Second.' }] });
      const session = makeSession();
      await session.send('One');
      await idle(session);
      const first = assistant;
      assistant = { ...first, name: 'Other' };
      await session.send('Two');
      await idle(session);
      const names = (runs: Record<string, { assistant?: { name: string } }>) => Object.values(runs).map((r) => r.assistant?.name);
      assert.deepEqual(names(session.thread!.runs), ['Test', 'Other']);
      const reread = await new ThreadStore(nodeFileSystem, dir).load(session.thread!.thread.id);
      assert.deepEqual(names(reread!.runs), ['Test', 'Other']);
    });

    it('Stop cancels the run on the server', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'word '.repeat(400), chunkSize: 5, chunkDelayMs: 100 }] });
      const session = makeSession();
      await session.send('Tell me a long story');
      const deadline = Date.now() + 5000;
      while (!updates.some((u) => u.type === 'run' && u.event.type === 'message.delta') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      session.stop();
      await idle(session);
      const run = Object.values(session.thread!.runs)[0];
      assert.equal(run.run.status, 'cancelled');
    });

    it('leaves a run going when the window closes, and the next window picks it up', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'part '.repeat(40), chunkSize: 5, chunkDelayMs: 200 }] });
      const first = makeSession();
      await first.send('Survive a reload');
      const deadline = Date.now() + 5000;
      while (!first.thread?.pendingRun && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(first.thread?.pendingRun, 'the run ref is stored while the run goes on');
      // The next window reads the file: wait until the save that holds the ref has reached it.
      const onDisk = new ThreadStore(nodeFileSystem, dir);
      while (!(await onDisk.load(first.thread.thread.id))?.pendingRun && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      first.dispose();
      const runsStarted = fake.requests.filter((r) => r.method === 'POST' && /\/(responses|runs)$/.test(r.path)).length;

      const second = makeSession();
      await second.open();
      assert.equal(second.busy, true, 'the stored run is picked up again');
      await idle(second);
      assert.deepEqual(errors, []);
      const stored = second.thread!;
      const run = Object.values(stored.runs)[0];
      assert.equal(run.run.status, 'completed');
      assert.equal(stored.pendingRun, undefined);
      const answer = stored.messages.find((m) => m.role === 'assistant')?.content[0];
      assert.equal(answer?.type === 'text' && answer.text, 'part '.repeat(40));
      assert.equal(fake.requests.filter((r) => r.method === 'POST' && /\/(responses|runs)$/.test(r.path)).length, runsStarted, 'no second run');
      assert.equal(fake.requests.filter((r) => /\/cancel$/.test(r.path)).length, 0, 'closing the window cancels nothing');
    });

    it('a file older than the open thread (its own earlier save, still naming a run this chat followed to its end) is not taken for news', async () => {
      const a = makeSession();
      const answers = (session: ChatSession) => session.thread!.messages.filter((m) => m.role === 'assistant').length;
      for (const [round, question] of ['First question', 'Second question'].entries()) {
        fake.model.enqueue({ steps: [{ type: 'text', text: `Answer ${round}.` }] });
        await a.send(question);
        await idle(a);
        const current = a.thread!;
        // What the file held while a run went on: the question, no answer yet, the run pending (the first run's, after the second).
        const stale = structuredClone(current);
        const runIds = Object.keys(current.runs);
        stale.messages = stale.messages.slice(0, -1);
        stale.pendingRun = { threadId: current.thread.id, ...(current.thread.remoteId ? { remoteThreadId: current.thread.remoteId } : {}), runId: runIds[0] };
        await new ThreadStore(nodeFileSystem, dir).save(stale);
        assert.equal(await a.syncWithFile(), false, `round ${round}: the older file is not taken`);
        assert.equal(a.thread, current, `round ${round}: the open thread stays`);
        assert.equal(answers(a), round + 1, `round ${round}: every answer stays`);
        assert.equal(a.busy, false, `round ${round}: no finished run is followed again`);
      }
      assert.deepEqual(errors, []);
    });

    it('two windows on one thread: what one asks reaches the other, its run is followed there, and a send there neither asks over it nor loses it', async () => {
      const text = (session: ChatSession) => session.thread!.messages.map((m) => (m.content[0]?.type === 'text' ? m.content[0].text : ''));
      /** Waits until thread `id`'s file satisfies `test` (the other window reads the file, not this one's memory). */
      const onDisk = async (id: string, test: (stored: NonNullable<Awaited<ReturnType<ThreadStore['load']>>>) => boolean) => {
        const store = new ThreadStore(nodeFileSystem, dir);
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) {
          const stored = await store.load(id);
          if (stored && test(stored)) return;
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.fail('the file never showed it');
      };
      fake.model.enqueue({ steps: [{ type: 'text', text: 'First answer.' }] });
      const a = makeSession();
      await a.send('First, from A');
      await idle(a);
      const id = a.thread!.thread.id;
      const b = makeSession();
      await b.open();
      assert.equal(await b.syncWithFile(), false, 'nothing new: nothing taken');

      // A asks again; B, not told, sends on its own copy while A's run goes on: refused, and B now follows A's run.
      fake.model.enqueue({ steps: [{ type: 'text', text: 'slow '.repeat(30), chunkSize: 5, chunkDelayMs: 100 }] });
      await a.send('Second, from A');
      await onDisk(id, (stored) => stored.pendingRun !== undefined);
      await assert.rejects(b.send('Asked over it, from B'), /Another window has a run going on in this thread/);
      assert.equal(b.busy, true, 'B follows the run A started');
      assert.deepEqual(text(b).slice(-1), ['Second, from A'], 'B shows the question A asked');
      await assert.rejects(b.send('Again, from B'), /A run is still in progress/);
      await idle(a);
      await idle(b);

      // A asks a third time and B is told nothing at all: B's send goes on top of it, and nothing A wrote is lost.
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Third answer.' }] });
      await a.send('Third, from A');
      await idle(a);
      await onDisk(id, (stored) => stored.messages.length === 6 && stored.pendingRun === undefined);
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Fourth answer.' }] });
      await b.send('Fourth, from B');
      await idle(b);
      assert.deepEqual(errors, []);
      const final = await new ThreadStore(nodeFileSystem, dir).load(id);
      assert.deepEqual(final!.messages.filter((m) => m.role === 'user').map((m) => (m.content[0]?.type === 'text' ? m.content[0].text : '')), ['First, from A', 'Second, from A', 'Third, from A', 'Fourth, from B']);
      assert.equal(final!.messages.length, 8, 'every question with its one answer');
      assert.equal(Object.keys(final!.runs).length, 4);
    });

    describe('two windows on one thread: only the window that drives a run answers its calls', () => {
      /** A window: its id among `open` (the windows still open), a function answered only when `approve` is called (the user's approval), and what it was told. */
      const windowOn = (id: string, open: Set<string>) => {
        const asked: string[] = [];
        /** Calls whose approval was withdrawn before the user answered (the run stopped). */
        const withdrawn: string[] = [];
        let approve: () => void = () => undefined;
        const approved = new Promise<void>((resolve) => (approve = resolve));
        const told: ChatUpdate[] = [];
        const session = track(new ChatSession({
          store: new ThreadStore(nodeFileSystem, dir),
          connect: async () => backend,
          assistant: async () => assistant,
          toolHandler: {
            handle: async (calls, context) => {
              asked.push(...calls.map((call) => call.callId));
              const stopped = new Promise<'stopped'>((resolve) => context.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
              if ((await Promise.race([approved, stopped])) === 'stopped') {
                withdrawn.push(...calls.map((call) => call.callId));
                return calls.map((call) => ({ callId: call.callId, output: 'Denied: the run was stopped.' }));
              }
              return calls.map((call) => ({ callId: call.callId, output: `approved in ${id}` }));
            },
          },
          driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
          onUpdate: (update) => told.push(update),
          onError: (error) => errors.push(error),
          window: { id, alive: (other) => open.has(other) },
        }));
        const shownElsewhere = () => told.filter((u): u is Extract<ChatUpdate, { type: 'elsewhere' }> => u.type === 'elsewhere').at(-1)?.calls.map((call) => call.name) ?? [];
        return { session, asked, withdrawn, approve, shownElsewhere };
      };
      const until = async (test: () => boolean, what: string) => {
        const deadline = Date.now() + 10_000;
        while (!test() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(test(), what);
      };
      const untilStored = async (id: string, test: (stored: NonNullable<Awaited<ReturnType<ThreadStore['load']>>>) => boolean, what: string) => {
        const store = new ThreadStore(nodeFileSystem, dir);
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
          const stored = await store.load(id);
          if (stored && test(stored)) return;
        }
        assert.fail(what);
      };
      /** The function outputs the server was sent, by the window that answered. */
      const outputsSent = () => fake.requests.filter((r) => r.method === 'POST').flatMap((r) => JSON.stringify(r.body ?? '').match(/approved in [A-Z]|Denied: the run was stopped/g) ?? []);
      /** A asks a question whose run calls read_file, and waits on the approval; B, on the same thread, follows that run. */
      const askedInA = async (open: Set<string>) => {
        fake.model.enqueue({ steps: [{ type: 'function_call', name: 'read_file', arguments: { path: 'notes.md' } }] }, { steps: [{ type: 'text', text: 'The file says 4711.' }] });
        const a = windowOn('A', open);
        await a.session.send('What is in notes.md?');
        await until(() => a.asked.length === 1, 'A asks for the approval');
        // B opens the thread as its file holds it, once A's run is there: A writes it beside asking, not before.
        await untilStored(a.session.thread!.thread.id, (stored) => stored.pendingRun !== undefined, 'the thread file holds the run A drives');
        const b = windowOn('B', open);
        await b.session.open();
        assert.equal(b.session.busy, true, 'B follows the run A drives');
        await until(() => b.shownElsewhere().length === 1, 'B shows the call waiting on A');
        return { a, b };
      };

      it('the window that follows shows the call read-only and never answers it; the answer of the window that asked is sent once and reaches both', async () => {
        const open = new Set(['A', 'B']);
        const { a, b } = await askedInA(open);
        assert.deepEqual(b.shownElsewhere(), ['read_file']);
        await new Promise((r) => setTimeout(r, 1500));
        assert.deepEqual(b.asked, [], 'B never asked (nor ran the function)');
        a.approve();
        await idle(a.session);
        await until(() => !b.session.busy && b.session.thread?.pendingRun === undefined, 'B sees the run end');
        assert.deepEqual(errors, []);
        assert.deepEqual(outputsSent(), ['approved in A'], 'one output, from A');
        assert.deepEqual(b.asked, []);
        assert.deepEqual(b.shownElsewhere(), [], 'the read-only card is gone once answered');
        const runOf = (session: ChatSession) => Object.values(session.thread!.runs).at(-1)!.run.status;
        assert.equal(runOf(a.session), 'completed');
        assert.equal(runOf(b.session), 'completed', 'B shows the end of the run');
      });

      for (const [gone, end] of [
        ['closed without letting the run go (its process is gone)', (a: ReturnType<typeof windowOn>, open: Set<string>) => {
          open.delete('A');
          // Its handler ends with it, unanswered: no output of A's ever leaves.
          a.session.dispose();
        }],
        ['still open, but it let the run go (another thread opened there)', async (a: ReturnType<typeof windowOn>) => {
          await a.session.newThread();
        }],
      ] as const) {
        it(`the window that follows answers once the window that drove the run is ${gone}`, async () => {
          const open = new Set(['A', 'B']);
          const { a, b } = await askedInA(open);
          await end(a, open);
          await until(() => b.asked.length === 1, 'B asks for the approval now');
          b.approve();
          await idle(b.session);
          assert.deepEqual(outputsSent(), ['approved in B'], 'one output, from B');
          assert.equal(Object.values(b.session.thread!.runs).at(-1)!.run.status, 'completed');
        });
      }

      it('a window opened after the one that drove the run is gone drives it at once (a reload)', async () => {
        const open = new Set(['A', 'B']);
        const { a, b } = await askedInA(open);
        open.delete('A');
        a.session.dispose();
        b.session.dispose();
        open.delete('B');
        open.add('C');
        const c = windowOn('C', open);
        await c.session.open();
        await until(() => c.asked.length === 1, 'C asks for the approval');
        assert.deepEqual(c.shownElsewhere(), [], 'nothing shown as waiting elsewhere');
        c.approve();
        await idle(c.session);
        assert.deepEqual(outputsSent(), ['approved in C']);
      });

      it('Stop in the window that follows stops the run on the server, and the approval waiting in the window that asked is withdrawn, unanswered', async () => {
        const open = new Set(['A', 'B']);
        const { a, b } = await askedInA(open);
        b.session.stop();
        await idle(b.session);
        assert.ok(fake.requests.some((r) => r.method === 'POST' && /\/cancel$/.test(r.path)), 'the server was asked to cancel the run');
        assert.deepEqual(b.asked, []);
        await until(() => a.withdrawn.length === 1, 'A withdraws its approval card');
        await idle(a.session);
        assert.deepEqual(outputsSent(), [], 'no approval given anywhere');
        const stored = await new ThreadStore(nodeFileSystem, dir).load(a.session.thread!.thread.id);
        assert.equal(stored!.pendingRun, undefined, 'the thread keeps no run to follow');
        assert.notEqual(Object.values(stored!.runs).at(-1)!.run.status, 'requires_action', 'nor one waiting on an answer');
      });
    });

    it('tells about a rate limit on starting the run, then runs', async () => {
      fake.inject({ method: 'POST', path: protocol === 'responses' ? '/responses' : '/threads/:thread_id/runs', kind: 'rate_limit', retryAfterSeconds: 0, retryAfterMs: 50 });
      fake.model.enqueue({ steps: [{ type: 'text', text: 'After the wait.' }] });
      const session = makeSession();
      await session.send('Busy server?');
      await idle(session);
      const waiting = updates.filter((u) => u.type === 'waiting');
      assert.equal(waiting.length, 1);
      assert.ok(waiting[0].type === 'waiting' && waiting[0].event.type === 'retry' && waiting[0].event.waitMs === 50);
      assert.equal(Object.values(session.thread!.runs)[0].run.status, 'completed');
    });

    it('calls `accepted` once the question is saved, before the chat is told of it', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Fine.' }] });
      const session = makeSession();
      let shownBeforeAccepted: boolean | undefined;
      await session.send('Kept as a draft until now', {
        accepted: async () => {
          shownBeforeAccepted = updates.some((u) => u.type === 'message');
          assert.match(JSON.stringify(session.thread?.messages), /Kept as a draft until now/, 'the question is on the thread');
        },
      });
      assert.equal(shownBeforeAccepted, false, 'the chat heard of the question only after');
      assert.ok(updates.some((u) => u.type === 'message'));
      await idle(session);
    });

    /** The texts of the server-side thread's messages, oldest first (what the model reads). */
    const serverTexts = async (session: ChatSession): Promise<string[]> => {
      const client = createOpenAIClient({ protocol, apiKey: 'test', baseUrl: fake.baseUrl });
      const remoteId = session.thread?.thread.remoteId ?? '';
      const texts: string[] = [];
      if (protocol === 'responses') {
        for await (const item of client.conversations.items.list(remoteId, { order: 'asc' })) {
          if (item.type === 'message') texts.push(item.content.map((part) => ('text' in part ? part.text : '')).join(''));
        }
      } else {
        for await (const message of client.beta.threads.messages.list(remoteId, { order: 'asc' })) {
          texts.push(message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join(''));
        }
      }
      return texts;
    };
    const localTexts = (session: ChatSession) => session.thread!.messages.map((m) => m.content.map((part) => (part.type === 'text' ? part.text : '')).join(''));

    it('Edit and resend replaces the last question and its answer, here and on the server', async () => {
      for (const text of ['First answer.', 'Second answer.', 'Edited answer.']) fake.model.enqueue({ steps: [{ type: 'text', text }] });
      const session = makeSession();
      await session.send('one');
      await idle(session);
      await session.send('two');
      await idle(session);
      const firstQuestion = session.thread!.messages[0].id;
      await assert.rejects(session.send('not the last', { replaces: firstQuestion }), /Only the last question/);
      assert.equal(session.thread!.messages.length, 4, 'a refused edit removes nothing');
      const question = session.thread!.messages[2];
      await session.send('two, edited', { replaces: question.id });
      await idle(session);
      assert.deepEqual(errors, []);
      assert.deepEqual(localTexts(session), ['one', 'First answer.', 'two, edited', 'Edited answer.']);
      assert.equal(Object.keys(session.thread!.runs).length, 2, 'the replaced answer\'s run went with it');
      assert.deepEqual(await serverTexts(session), ['one', 'First answer.', 'two, edited', 'Edited answer.'], 'the model no longer reads the old question');
      const reopened = makeSession();
      await reopened.open();
      assert.deepEqual(localTexts(reopened), ['one', 'First answer.', 'two, edited', 'Edited answer.'], 'saved that way');
    });

    it('a question saved just before the window closed, with no run ref yet, is named unanswered in the next window, and Retry answers it', async () => {
      // The run's creation hangs: the window goes before any ref exists.
      fake.inject({ method: 'POST', path: protocol === 'responses' ? '/responses' : '/threads/:thread_id/runs', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks: [], end: 'hang' } });
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Answered after all.' }] });
      const first = makeSession();
      await first.send('Lost in the reload?');
      assert.equal(first.unansweredQuestion(), undefined, 'not while its run is being started here');
      const onDisk = new ThreadStore(nodeFileSystem, dir);
      const saved = await onDisk.load(first.thread!.thread.id);
      assert.equal(saved?.messages.at(-1)?.role, 'user', 'the question is in the thread file');
      assert.equal(saved?.pendingRun, undefined, 'and no run ref is');
      await runsStarted(1);
      first.dispose();

      const second = makeSession();
      await second.open();
      assert.equal(second.busy, false, 'there is nothing to resume');
      const question = second.thread!.messages.at(-1)!;
      assert.equal(second.unansweredQuestion(), question.id);
      await second.retry();
      assert.equal(second.unansweredQuestion(), undefined, 'not while Retry runs');
      await idle(second);
      assert.deepEqual(localTexts(second), ['Lost in the reload?', 'Answered after all.']);
      assert.equal(second.unansweredQuestion(), undefined, 'answered now');
    });

    for (const [clock, offset] of [['five minutes behind', -300], ['five minutes ahead of', 300]] as const) {
      it(`tells which run answers which question by the thread, not by time, with the server's clock ${clock} ours`, async () => {
        await fake.close();
        await serve(offset);
        fake.model.enqueue({ steps: [], outcome: { status: 'failed', code: 'server_error', message: 'The server had an error.' } });
        const first = makeSession();
        await first.send('One');
        await idle(first);
        assert.equal(first.thread!.messages.at(-1)?.role, 'user', 'the failed run wrote no answer');
        assert.equal(first.unansweredQuestion(), undefined, 'the failed run answers it, with its failure and Retry');
        // The next question's run never gets started: the window goes first.
        fake.inject({ method: 'POST', path: protocol === 'responses' ? '/responses' : '/threads/:thread_id/runs', kind: 'script', script: { headers: { 'content-type': 'text/event-stream' }, chunks: [], end: 'hang' } });
        await first.send('Two');
        await runsStarted(2);
        first.dispose();

        const second = makeSession();
        await second.open();
        const question = second.thread!.messages.at(-1)!;
        assert.equal(question.role, 'user');
        assert.equal(second.unansweredQuestion(), question.id, "the first question's failed run does not answer the second");
        fake.model.enqueue({ steps: [{ type: 'text', text: 'Two, answered.' }] });
        await second.retry();
        await idle(second);
        assert.deepEqual(localTexts(second), ['One', 'Two', 'Two, answered.']);
        assert.equal(second.unansweredQuestion(), undefined);
        second.dispose();
      });
    }

    it('names no question unanswered when its run failed (the run says so) or when the thread ends with an answer', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Fine.' }] });
      fake.model.enqueue({ steps: [], outcome: { status: 'failed', code: 'server_error', message: 'The server had an error.' } });
      const session = makeSession();
      await session.send('One');
      await idle(session);
      assert.equal(session.unansweredQuestion(), undefined);
      await session.send('Two');
      await idle(session);
      assert.equal(session.thread!.messages.at(-1)?.role, 'user', 'the failed run wrote no answer');
      assert.equal(session.unansweredQuestion(), undefined, 'its run is recorded, with its failure and Retry');
    });

    it('Retry runs a failed question again without adding it a second time', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Half an ans' }], outcome: { status: 'failed', code: 'server_error', message: 'The server had an error.' } });
      fake.model.enqueue({ steps: [{ type: 'text', text: 'The whole answer.' }] });
      const session = makeSession();
      await session.send('Explain it');
      await idle(session);
      assert.equal(Object.values(session.thread!.runs)[0].run.status, 'failed');
      await session.retry();
      await idle(session);
      assert.deepEqual(localTexts(session).filter((t) => t === 'Explain it'), ['Explain it'], 'one question');
      assert.equal(localTexts(session).at(-1), 'The whole answer.');
      assert.doesNotMatch(localTexts(session).join('|'), /Half an ans/, 'the failed answer went');
      const runs = Object.values(session.thread!.runs);
      assert.deepEqual(runs.map((r) => r.run.status), ['completed'], 'the failed run went with its answer');
      const server = await serverTexts(session);
      assert.deepEqual(server.filter((t) => t === 'Explain it'), ['Explain it'], 'the server holds the question once');
      assert.doesNotMatch(server.join('|'), /Half an ans/);
    });

    it('refuses a Retry while a run goes on, or with no question', async () => {
      const session = makeSession();
      await assert.rejects(session.retry(), /no question/);
      fake.model.enqueue({ steps: [{ type: 'text', text: 'slow '.repeat(50), chunkSize: 5, chunkDelayMs: 100 }] });
      await session.send('first');
      await assert.rejects(session.retry(), /still in progress/);
      session.stop();
      await idle(session);
    });

    it('refuses a second send while a run is active, and empty text', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'slow '.repeat(50), chunkSize: 5, chunkDelayMs: 100 }] });
      const session = makeSession();
      await assert.rejects(session.send('   '), /Type a message/);
      await session.send('first');
      await assert.rejects(session.send('second'), /still in progress/);
      session.stop();
      await idle(session);
    });
  });
}

describe('ChatSession on a local server (Responses without conversations or background mode)', () => {
  it('keeps the history locally, sends it with each run, and needs no background responses', async () => {
    const fake = await FakeOpenAIServer.start({ conversations: false, background: false, timeScale: 0.05 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-local-'));
    try {
      const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'local', baseUrl: fake.baseUrl }));
      const errors: AssistantsError[] = [];
      const session = new ChatSession({
        store: new ThreadStore(nodeFileSystem, dir),
        connect: async () => backend,
        assistant: async () => ({ id: 'default', name: 'Local', model: 'llama', tools: [], createdAt: 0 }),
        toolHandler: { handle: async () => [] },
        onUpdate: () => undefined,
        onError: (error) => errors.push(error),
      });
      fake.model.enqueue({ steps: [{ type: 'text', text: 'First answer.' }] }, { steps: [{ type: 'text', text: 'Second answer.' }] });
      await session.send('first question');
      await session.whenIdle();
      await session.send('second question');
      await session.whenIdle();
      assert.deepEqual(errors, []);
      assert.equal(session.thread?.thread.remoteId, undefined, 'no conversation on such a server');
      assert.equal(session.thread?.messages.length, 4);
      const runs = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/responses') && r.status === 200);
      const lastInput = JSON.stringify((runs[runs.length - 1].body as { input?: unknown }).input);
      assert.match(lastInput, /first question/);
      assert.match(lastInput, /First answer\./);
      assert.match(lastInput, /second question/);
      assert.ok(Object.values(session.thread!.runs).every((r) => r.run.status === 'completed'));
    } finally {
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
