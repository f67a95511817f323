import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import type { Backend } from '../../../../src/core/backend';
import type { ChatSessionOptions, ChatUpdate } from '../../../../src/core/chat/chatSession';
import { ChatSession } from '../../../../src/core/chat/chatSession';
import type { AssistantsError } from '../../../../src/core/errors';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import { carryKept, fileNameOf, filesOfThread, sandboxLinksIn, sandboxPathOf } from '../../../../src/core/threads/keptFiles';
import type { Annotation, Assistant, BackendKind, KeptFile, Message, RunStep } from '../../../../src/common/model';
import { isStoredOutput } from '../../../../src/common/model';
import type { StoredThread } from '../../../../src/core/threads/threadStore';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { pngChart } from '../../../fakes/png';
import type { Turn } from '../../../fakes/scriptedModel';

const CSV = Buffer.from('day,value\nmon,3\ntue,5\n');
const TSV = Buffer.from('name\tscore\nada\t9\n');

const protocols: BackendKind[] = ['responses', 'assistantsV2'];

for (const protocol of protocols) {
  describe(`files a run makes are kept when they are made, over ${protocol} (fake server)`, () => {
    let fake: FakeOpenAIServer;
    let dir: string;
    let updates: ChatUpdate[];
    let errors: AssistantsError[];
    let backend: Backend;
    let assistant: Assistant;
    let sessions: ChatSession[];

    const makeSession = (keeping: ChatSessionOptions['keeping'] = {}, store = new ThreadStore(nodeFileSystem, dir)) => {
      const session = new ChatSession({
        store,
        connect: async () => backend,
        assistant: async () => assistant,
        toolHandler: { handle: async () => [] },
        driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
        onUpdate: (update) => updates.push(update),
        onError: (error) => errors.push(error),
        keeping: { retryAfterMs: 30, ...keeping },
      });
      sessions.push(session);
      return session;
    };

    /** Sends `question`, waits for the run and for every file it made to be kept, and returns the thread. */
    const ask = async (session: ChatSession, question: string, turn?: Turn): Promise<StoredThread> => {
      if (turn) fake.model.enqueue(turn);
      await session.send(question);
      const deadline = Date.now() + 20_000;
      while (session.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(session.busy, false, 'the run did not finish');
      await session.whenFilesKept();
      return session.thread!;
    };

    const keptFiles = (stored: StoredThread): Map<string, KeptFile> => {
      const kept = new Map<string, KeptFile>();
      for (const { ref, holder } of filesOfThread(stored)) if (holder.kept) kept.set(`${ref.containerId ?? ''}/${ref.fileId}`, holder.kept);
      return kept;
    };

    const readKept = async (stored: StoredThread, kept: KeptFile | undefined): Promise<Buffer | undefined> => {
      assert.ok(kept?.url && isStoredOutput(kept.url), `kept beside the thread: ${JSON.stringify(kept)}`);
      const bytes = await new ThreadStore(nodeFileSystem, dir).readOutput(stored.thread.id, kept.url);
      return bytes ? Buffer.from(bytes) : undefined;
    };

    const contentRequests = () => fake.requests.filter((r) => r.method === 'GET' && /\/content$/.test(r.path));

    const codeTurn = (text: string, extra: Partial<Extract<Turn['steps'][number], { type: 'code_interpreter' }>> = {}, citeOutputs = true): Turn => ({
      steps: [
        { type: 'code_interpreter', code: 'write()', logs: 'ok', ...extra },
        { type: 'text', text, citeOutputs },
      ],
    });

    beforeEach(async () => {
      fake = await FakeOpenAIServer.start({ timeScale: 0.05 });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-'));
      updates = [];
      errors = [];
      sessions = [];
      const client = createOpenAIClient({ protocol, apiKey: 'test', baseUrl: fake.baseUrl });
      backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client);
      const draft = { name: 'Test', model: 'gpt-test', tools: [{ type: 'code_interpreter' as const }] };
      assistant = protocol === 'responses' ? { ...draft, id: 'default', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
    });

    afterEach(async () => {
      for (const session of sessions) session.dispose();
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('keeps a PNG figure once, under the name the model gave it, and shows it after its container is gone', async () => {
      const session = makeSession();
      const stored = await ask(session, 'Plot it', codeTurn('Here is the chart: [chart.png](sandbox:/mnt/data/chart.png).', { image: true, imageAsFile: true }));
      assert.deepEqual(errors, []);
      const kept = [...keptFiles(stored).values()];
      assert.equal(kept.length, 1, 'the figure and its citation name one file, kept once');
      assert.equal(kept[0].filename, 'chart.png');
      assert.deepEqual(await readKept(stored, kept[0]), pngChart());
      assert.match(kept[0].url ?? '', /\.png$/);
      assert.equal(contentRequests().length, 1, 'downloaded once');
      // The chat heard of it: a step or message now carries the kept file.
      assert.ok(updates.some((u) => JSON.stringify(u).includes(kept[0].url ?? '-')), 'the chat was told');

      fake.store.expireCodeOutputs();
      const reopened = makeSession();
      await reopened.open();
      await reopened.whenFilesKept();
      const again = [...keptFiles(reopened.thread!).values()];
      assert.deepEqual(again, kept, 'the next window finds it kept, and asks the server for nothing');
      assert.equal(contentRequests().length, 1);
      const file = reopened.thread!.messages.at(-1)!;
      // Over Assistants v2 an answer after a figure starts with it (an image_file part), then its text.
      const part = file.content.find((p) => p.type === 'text') ?? file.content[0];
      assert.ok(part.type === 'text');
      const figure = await reopened.keptFile(reopened.thread!.thread.id, filesOfThread(reopened.thread!)[0].ref);
      assert.equal(figure?.url, kept[0].url);
      assert.equal(await reopened.keptFile(reopened.thread!.thread.id, { fileId: 'file-not-named' }), undefined, 'a file the thread does not name is none of its own');
      assert.equal(await reopened.keptFile('another-thread', filesOfThread(reopened.thread!)[0].ref), undefined, 'nor one of a thread not open');
    });

    if (protocol === 'responses') {
      it('names a figure sent inline after the file the answer cites with the same bytes', async () => {
        const session = makeSession();
        const stored = await ask(session, 'Plot it', codeTurn('Here is [chart.png](sandbox:/mnt/data/chart.png).', { image: true }));
        const outputs = Object.values(stored.runs).flatMap((r) => r.steps).flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : [])).flatMap((c) => (c.type === 'code_interpreter' ? c.outputs : []));
        const inline = outputs.find((o) => o.type === 'image');
        assert.ok(inline?.type === 'image' && inline.url !== undefined, 'the figure came inline');
        assert.equal(inline.kept?.filename, 'chart.png');
        const reopened = makeSession();
        await reopened.open();
        assert.match(JSON.stringify(reopened.thread!.runs), /"kept":\{"filename":"chart.png"\}/, 'the name is kept with the thread');
      });
    }

    it('keeps a CSV and a TSV the answer links to, each under its own name and bytes', async () => {
      const session = makeSession();
      const text = 'Download [x.csv](sandbox:/mnt/data/x.csv) and [scores](sandbox:/mnt/data/scores.tsv).';
      const stored = await ask(session, 'Write the data', codeTurn(text, { files: [{ path: '/mnt/data/x.csv', data: CSV }, { path: '/mnt/data/scores.tsv', data: TSV }] }));
      assert.deepEqual(errors, []);
      const answer = stored.messages.at(-1)!;
      const cited = answer.content.flatMap((p) => (p.type === 'text' ? p.annotations : [])).filter((a) => a.type === 'file_path');
      assert.equal(cited.length, 2);
      const byName = new Map(cited.map((a) => [a.type === 'file_path' ? a.kept?.filename : undefined, a.type === 'file_path' ? a.kept : undefined]));
      assert.deepEqual(await readKept(stored, byName.get('x.csv')), CSV);
      assert.deepEqual(await readKept(stored, byName.get('scores.tsv')), TSV);
      assert.match(byName.get('x.csv')?.url ?? '', /\.csv$/);
      assert.match(byName.get('scores.tsv')?.url ?? '', /\.tsv$/);
    });

    it('finds the file a sandbox link names when the server did not cite it', async () => {
      const session = makeSession();
      const text = 'The table is at [x.csv](sandbox:/mnt/data/x.csv); the chart at [chart](sandbox:/mnt/data/chart.png).';
      const stored = await ask(session, 'Write the data', codeTurn(text, { image: true, imageAsFile: true, files: [{ path: '/mnt/data/x.csv', data: CSV }] }, false));
      assert.deepEqual(errors, []);
      const answer = stored.messages.at(-1)!;
      const part = answer.content.find((p) => p.type === 'text') ?? answer.content[0];
      assert.ok(part.type === 'text');
      const links = part.annotations.flatMap((a) => (a.type === 'file_path' ? [a] : []));
      assert.deepEqual(links.map((a) => a.text).sort(), ['sandbox:/mnt/data/chart.png', 'sandbox:/mnt/data/x.csv']);
      const csv = links.find((a) => a.text?.endsWith('x.csv'));
      assert.equal(csv?.kept?.filename, 'x.csv');
      assert.deepEqual(await readKept(stored, csv?.kept), CSV);
      assert.deepEqual(await readKept(stored, links.find((a) => a.text?.endsWith('chart.png'))?.kept), pngChart());
      // The citation is the thread's own: a reload finds it.
      const reopened = makeSession();
      await reopened.open();
      const reread = reopened.thread!.messages.at(-1)!.content.find((p) => p.type === 'text');
      assert.ok(reread?.type === 'text' && reread.annotations.some((a) => a.type === 'file_path' && a.kept?.url === csv?.kept?.url));
    });

    it('says in one sentence that a file over the cap is not kept, and writes nothing for it', async () => {
      const session = makeSession({ maxFileBytes: 30 });
      const big = Buffer.alloc(40, 'a');
      const stored = await ask(session, 'Write it', codeTurn('[big.csv](sandbox:/mnt/data/big.csv) and [small.csv](sandbox:/mnt/data/small.csv)', { files: [{ path: '/mnt/data/big.csv', data: big }, { path: '/mnt/data/small.csv', data: CSV.subarray(0, 20) }] }));
      const kept = [...keptFiles(stored).values()];
      const tooBig = kept.find((k) => k.filename === 'big.csv');
      assert.equal(tooBig?.url, undefined);
      assert.match(tooBig?.error ?? '', /^big\.csv is 0 MB, more than the 0 MB kept of one file, so it was not kept/);
      assert.equal(kept.find((k) => k.filename === 'small.csv')?.url !== undefined, true, 'a file under the cap is kept');
      const outputs = fs.readdirSync(path.join(dir, 'outputs', stored.thread.id));
      assert.equal(outputs.length, 1, 'only the small file is on disk');
    });

    it('stops keeping past the cap of a thread', async () => {
      const session = makeSession({ maxThreadBytes: CSV.length + 5 });
      const stored = await ask(session, 'Write it', codeTurn('[a.csv](sandbox:/mnt/data/a.csv)', { files: [{ path: '/mnt/data/a.csv', data: CSV }] }));
      const next = await ask(session, 'Again', codeTurn('[b.csv](sandbox:/mnt/data/b.csv)', { files: [{ path: '/mnt/data/b.csv', data: Buffer.from('other,bytes\n1,2\n') }] }));
      const kept = [...keptFiles(next).values()];
      assert.ok(kept.find((k) => k.filename === 'a.csv')?.url);
      assert.match(kept.find((k) => k.filename === 'b.csv')?.error ?? '', /^b\.csv was not kept: this thread keeps .* MB of files already/);
      assert.equal(stored.thread.id, next.thread.id);
    });

    it('keeps at most so many files a thread, and says so of the rest', async () => {
      const session = makeSession({ maxThreadFiles: 2 });
      const names = ['a.csv', 'b.csv', 'c.csv'];
      const text = names.map((name) => `[${name}](sandbox:/mnt/data/${name})`).join(' ');
      const stored = await ask(session, 'Write them', codeTurn(text, { files: names.map((name) => ({ path: `/mnt/data/${name}`, data: Buffer.from(name) })) }));
      const kept = [...keptFiles(stored).values()];
      assert.equal(kept.filter((k) => k.url).length, 2);
      assert.match(kept.find((k) => !k.url)?.error ?? '', /^c\.csv was not kept: this thread keeps at most 2 files/);
      assert.equal(contentRequests().length, 2, 'the third is not downloaded');
    });

    it('drops a download on its way when its thread is cleared: nothing is written beside it', async () => {
      fake.inject({ method: 'GET', path: protocol === 'responses' ? '/containers/:container_id/files/:file_id/content' : '/files/:file_id/content', kind: 'slow_first_byte', delayMs: 400 });
      const session = makeSession();
      fake.model.enqueue(codeTurn('[x.csv](sandbox:/mnt/data/x.csv)', { files: [{ path: '/mnt/data/x.csv', data: CSV }] }));
      await session.send('Write it');
      const deadline = Date.now() + 20_000;
      while ((session.busy || !fake.requests.some((r) => /\/content$/.test(r.path))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const threadId = session.thread!.thread.id;
      await session.clearThread(threadId);
      await session.whenFilesKept();
      await new Promise((r) => setTimeout(r, 500));
      await session.whenFilesKept();
      const outputs = path.join(dir, 'outputs', threadId);
      assert.deepEqual(fs.existsSync(outputs) ? fs.readdirSync(outputs) : [], [], 'no file of the cleared thread is kept');
      assert.deepEqual(errors, []);
    });

    const contentPath = protocol === 'responses' ? '/containers/:container_id/files/:file_id/content' : '/files/:file_id/content';

    it('tries a failed download once more later, and keeps the file then', async () => {
      fake.inject({ method: 'GET', path: contentPath, kind: 'server_error', times: 1 });
      const session = makeSession();
      const stored = await ask(session, 'Write it', codeTurn('[x.csv](sandbox:/mnt/data/x.csv)', { files: [{ path: '/mnt/data/x.csv', data: CSV }] }));
      // The first failure waits for its retry: wait for that too.
      const deadline = Date.now() + 15_000;
      while (![...keptFiles(stored).values()].some((k) => k.url) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        await session.whenFilesKept();
      }
      const kept = [...keptFiles(session.thread!).values()];
      assert.deepEqual(await readKept(stored, kept[0]), CSV);
      assert.equal(contentRequests().length, 2);
    });

    for (const fault of ['server_error', 'gone'] as const) {
      it(`says in one sentence, after one retry, that a file is not kept (${fault})`, async () => {
        if (fault === 'server_error') fake.inject({ method: 'GET', path: contentPath, kind: 'server_error', times: 5 });
        const session = makeSession();
        fake.model.enqueue(codeTurn('[x.csv](sandbox:/mnt/data/x.csv)', { files: [{ path: '/mnt/data/x.csv', data: CSV }] }));
        // Gone: the server answers 404 for the file, as once its container expired.
        if (fault === 'gone') fake.inject({ method: 'GET', path: protocol === 'responses' ? '/containers/:container_id/files/:file_id' : '/files/:file_id', kind: 'script', times: 5, script: { status: 404, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ error: { message: 'No such file.', type: 'invalid_request_error', code: null, param: null } })] } });
        await session.send('Write it');
        const deadline = Date.now() + 15_000;
        const settled = () => [...keptFiles(session.thread!).values()].some((k) => k.error);
        while (!settled() && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
          await session.whenFilesKept();
        }
        const kept = [...keptFiles(session.thread!).values()];
        assert.equal(kept.length, 1);
        assert.equal(kept[0].url, undefined);
        assert.equal(kept[0].failures, 2, 'tried twice, then given up');
        assert.match(kept[0].error ?? '', fault === 'gone' ? /^x\.csv could not be kept: the server no longer has it/ : /^x\.csv could not be downloaded, so it was not kept/);
        assert.equal(kept[0].error?.split(/[.;] [A-Z]/).length, 1, 'one sentence');
        // A later window does not try a third time.
        const before = fake.requests.length;
        const reopened = makeSession();
        await reopened.open();
        await reopened.whenFilesKept();
        assert.equal(fake.requests.filter((r) => /files/.test(r.path)).length, fake.requests.slice(0, before).filter((r) => /files/.test(r.path)).length);
      });
    }
  });
}

describe('keptFiles: names, links and carried state', () => {
  it('names a file by the model\'s name, never a folder, control characters or dots alone', () => {
    assert.equal(fileNameOf('/mnt/data/chart.png'), 'chart.png');
    assert.equal(fileNameOf(undefined, 'C:\\\\out\\\\x.csv'), 'x.csv');
    assert.equal(fileNameOf('..', '/mnt/data/\u0007bell.txt'), 'bell.txt');
    assert.equal(fileNameOf('', '.'), undefined);
  });

  it('names a file the model named hostilely with a name every file system takes and that reads as it is', () => {
    const cases: Array<[string, string]> = [
      ['../../x.png', 'x.png'],
      ['con.png', '_con.png'],
      ['NUL', '_NUL'],
      ['lpt9.csv', '_lpt9.csv'],
      ['COM\u00b9.txt', '_COM\u00b9.txt'],
      ['conout$', '_conout$'],
      ['console.png', 'console.png'],
      ['chart\u202Egnp.exe', 'chartgnp.exe'],
      ['a\u2066b\u2069.csv', 'ab.csv'],
      ['first\nsecond.csv', 'firstsecond.csv'],
      ['a:b?c*.csv', 'a_b_c_.csv'],
      ['<script>.html', '_script_.html'],
      ['x.png.', 'x.png'],
      ['x.png . ', 'x.png'],
      ['....', ''],
    ];
    for (const [given, expected] of cases) assert.equal(fileNameOf(given) ?? '', expected, JSON.stringify(given));
    for (const long of [`${'a'.repeat(300)}.png`, `${'\u56fe'.repeat(300)}.csv`, `${'\u{1F600}'.repeat(200)}.png`, `${'\u{1F600}'.repeat(61)}.png`, 'x'.repeat(1_000_000)]) {
      const name = fileNameOf(long) ?? '';
      assert.ok([...name].length <= 120 && Buffer.byteLength(name) <= 200, `${long.slice(0, 8)}… cut to ${name.length} characters, ${Buffer.byteLength(name)} bytes`);
      assert.doesNotMatch(name, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, 'never cut inside a character');
      if (/\.\w+$/.test(long)) assert.equal(name.slice(name.lastIndexOf('.')), long.slice(long.lastIndexOf('.')), 'its extension kept');
    }
  });

  it('reads sandbox links, percent-encoded ones too, and nothing else', () => {
    assert.deepEqual(sandboxLinksIn('See [a](sandbox:/mnt/data/a.csv) and <sandbox:/mnt/data/my%20b.txt>, [web](https://x.test/sandbox:/y).'), ['/mnt/data/a.csv', '/mnt/data/my b.txt', '/y']);
    assert.equal(sandboxPathOf('sandbox:/mnt/data/x.csv'), '/mnt/data/x.csv');
    assert.equal(sandboxPathOf('https://example.com/x.csv'), undefined);
  });

  it('carries what was kept over to a step or message the server sends again', () => {
    const kept: KeptFile = { url: `stored-output:${'a'.repeat(64)}.png`, filename: 'chart.png', bytes: 10 };
    const step = (keptState?: KeptFile): RunStep => ({
      id: 's1',
      runId: 'r1',
      status: 'completed',
      createdAt: 1,
      details: { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', id: 'c1', input: '', outputs: [{ type: 'image', fileId: 'f1', ...(keptState ? { kept: keptState } : {}) }] }] },
    });
    const fresh = carryKept(step(kept), step());
    assert.deepEqual(fresh.details.type === 'tool_calls' && fresh.details.toolCalls[0].type === 'code_interpreter' && fresh.details.toolCalls[0].outputs[0], { type: 'image', fileId: 'f1', kept });
    const message = (annotations: Annotation[]): Message => ({ id: 'm1', role: 'assistant', createdAt: 1, status: 'completed', content: [{ type: 'text', text: '[x](sandbox:/mnt/data/x.csv)', annotations }] });
    const linked = message([{ type: 'file_path', text: 'sandbox:/mnt/data/x.csv', fileId: 'f2', filename: 'x.csv', kept }]);
    const again = carryKept(linked, message([]));
    const part = again.content[0];
    assert.ok(part.type === 'text');
    assert.deepEqual(part.annotations, [{ type: 'file_path', text: 'sandbox:/mnt/data/x.csv', fileId: 'f2', filename: 'x.csv', kept }], 'a citation found for an uncited link is kept too');
  });
});
