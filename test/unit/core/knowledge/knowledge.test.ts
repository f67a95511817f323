import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pngChart } from '../../../fakes/png';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import { AssistantService } from '../../../../src/core/assistants/assistantService';
import type { AssistantStore } from '../../../../src/core/assistants/assistantStore';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import { nodeFileSystem, nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import { ensureKnowledgeStore, removeKnowledgeStore } from '../../../../src/core/knowledge/assistantKnowledge';
import type { VectorStoreFile } from '../../../../src/core/files';
import { MAX_FILE_BATCH } from '../../../../src/core/files';
import type { KnowledgeFile } from '../../../../src/core/knowledge/plan';
import { knowledgeFile, planKnowledge, sourceAttributes } from '../../../../src/core/knowledge/plan';
import { KnowledgeMark } from '../../../../src/core/knowledge/mark';
import type { KnowledgeDeps, Located } from '../../../../src/core/knowledge/sync';
import { addToKnowledge, syncKnowledge } from '../../../../src/core/knowledge/sync';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { memoryUploadIndex } from '../../../fakes/memoryUploadIndex';
import { contractErrors } from '../../../contract/recorded';

/** A listed file; `ours` says whether it counts as added by this extension. */
function entry(id: string, status: VectorStoreFile['status'], attributes: VectorStoreFile['attributes'] = {}, ours = true): KnowledgeFile {
  return knowledgeFile({ id, vectorStoreId: 'vs_1', status, usageBytes: 1, createdAt: 0, attributes }, () => ours);
}

/** A workspace path as Sync finds it: the file, or gone. */
const onDisk = (dir: string) => async (p: string): Promise<Located> => (fs.existsSync(path.join(dir, p)) ? { absolute: path.join(dir, p) } : { gone: true });

describe('knowledge: the sync plan', () => {
  const listing = [
    entry('file-same', 'completed', sourceAttributes('src/same.ts', 'h-same')),
    entry('file-old', 'completed', sourceAttributes('src/changed.ts', 'h-old')),
    entry('file-gone', 'completed', sourceAttributes('src/gone.ts', 'h-gone')),
    entry('file-failed', 'failed', sourceAttributes('src/failed.ts', 'h-failed')),
    entry('file-dup-a', 'completed', sourceAttributes('src/dup.ts', 'h-dup')),
    entry('file-dup-b', 'in_progress', sourceAttributes('src/dup.ts', 'h-dup')),
    entry('file-elsewhere', 'completed'),
    // Someone else's file naming a path this extension manages: never replaced or removed.
    entry('file-theirs', 'completed', sourceAttributes('src/gone.ts', 'h-theirs'), false),
  ];

  const workspace = new Map([
    ['src/same.ts', 'h-same'],
    ['src/changed.ts', 'h-new'],
    ['src/gone.ts', undefined],
    ['src/failed.ts', 'h-failed'],
    ['src/dup.ts', 'h-dup'],
    ['src/new.ts', 'h-brand-new'],
  ]);

  it('keeps unchanged files, replaces changed ones, leaves an unchanged failed copy as it is, removes the deleted, adds the new', () => {
    const plan = planKnowledge(listing, workspace);
    assert.deepEqual(plan.keep.map((k) => [k.path, k.file.file.id]), [['src/same.ts', 'file-same'], ['src/dup.ts', 'file-dup-a']]);
    assert.deepEqual(plan.upload.map((u) => [u.path, u.replaces.map((r) => r.file.id)]), [
      ['src/changed.ts', ['file-old']],
      ['src/new.ts', []],
    ]);
    assert.deepEqual(plan.failed.map((f) => [f.path, f.file.file.id]), [['src/failed.ts', 'file-failed']]);
    assert.deepEqual(plan.remove.map((r) => [r.path, r.file.file.id, r.reason]), [['src/gone.ts', 'file-gone', 'deleted'], ['src/dup.ts', 'file-dup-b', 'duplicate']]);
    assert.deepEqual(plan.untracked.map((u) => u.file.id), ['file-elsewhere', 'file-theirs']);
  });

  it('retries an unchanged failed copy when asked, and replaces a failed copy whose file changed without being asked', () => {
    const asked = planKnowledge(listing, workspace, true);
    assert.deepEqual(asked.upload.map((u) => [u.path, u.replaces.map((r) => r.file.id)]), [
      ['src/changed.ts', ['file-old']],
      ['src/failed.ts', ['file-failed']],
      ['src/new.ts', []],
    ]);
    assert.deepEqual(asked.failed, []);
    const edited = planKnowledge(listing, new Map([['src/failed.ts', 'h-edited']]));
    assert.deepEqual(edited.upload.map((u) => [u.path, u.replaces.map((r) => r.file.id)]), [['src/failed.ts', ['file-failed']]]);
    assert.deepEqual(edited.failed, []);
  });

  it('leaves paths it was not asked about alone (an add of one file touches no other)', () => {
    const plan = planKnowledge(listing, new Map([['src/new.ts', 'h']]));
    assert.deepEqual(plan.upload.map((u) => u.path), ['src/new.ts']);
    assert.deepEqual([plan.keep, plan.remove], [[], []]);
  });
});

describe('knowledge: add and sync against the fake server', function () {
  this.timeout(30_000);
  let fake: FakeOpenAIServer;
  let dir: string;
  let deps: KnowledgeDeps;
  let backend: ResponsesBackend;
  const write = (relative: string, content: string | Uint8Array) => {
    const absolute = path.join(dir, relative);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    fs.writeFileSync(absolute, content);
    return { absolute, path: relative };
  };
  const storeFiles = (vectorStoreId: string) =>
    [...(fake.store.vectorStores.get(vectorStoreId)?.files.values() ?? [])].map((f) => ({ path: f.attributes.workspace_path, name: fake.store.files.get(f.fileId)?.filename, text: fake.store.files.get(f.fileId)?.data.toString('utf8') }));

  beforeEach(async () => {
    fake = await FakeOpenAIServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'knowledge-'));
    backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }));
    deps = { files: backend, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'fake', mark: KnowledgeMark.fromApiKey('sk-test-key') };
  });
  afterEach(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds files with their workspace path and hash, sends .tsx as text, refuses with reasons, and re-adds nothing unchanged', async () => {
    const store = await backend.createVectorStore('Knowledge', []);
    const big = write('big.md', '');
    fs.truncateSync(big.absolute, 512 * 1024 * 1024 + 1);
    const sources = [write('src/app.tsx', 'export const App = () => null;\n'), write('README.md', '# Inventory\n'), write('empty.md', ''), big, write('logo.ico', new Uint8Array([0, 1, 2, 3])), write('shot.PNG', pngChart()), write('data.bin', new Uint8Array([7, 0, 7]))];
    const first = await addToKnowledge(store.id, sources, deps);
    assert.deepEqual(first.added.sort(), ['README.md', 'src/app.tsx']);
    assert.deepEqual(first.refused.map((r) => r.path), ['empty.md', 'big.md', 'logo.ico', 'shot.PNG', 'data.bin']);
    assert.match(first.refused[0].reason, /empty/);
    assert.match(first.refused[1].reason, /512 MB/);
    assert.equal(first.refused[2].reason, 'file search cannot read images, so knowledge cannot hold a .ico file.');
    assert.equal(first.refused[3].reason, 'file search cannot read images, so knowledge cannot hold a .png file.');
    assert.equal(first.refused[4].reason, 'file search does not take .bin files and this one is not text, so knowledge cannot hold it.');
    for (const { reason } of first.refused) assert.doesNotMatch(reason, /code interpreter/, 'knowledge has no code interpreter to switch to');
    assert.equal(first.uploadedBytes, 31 + 12);
    assert.deepEqual(storeFiles(store.id).map((f) => [f.path, f.name]).sort(), [['README.md', 'README.md'], ['src/app.tsx', 'app.tsx.txt']]);

    const uploadsBefore = fake.requests.filter((r) => r.method === 'POST' && r.path === '/files').length;
    const again = await addToKnowledge(store.id, sources.slice(0, 2), deps);
    assert.deepEqual([again.unchanged.sort(), again.added, again.replaced, again.uploadedBytes], [['README.md', 'src/app.tsx'], [], [], 0]);
    assert.equal(fake.requests.filter((r) => r.method === 'POST' && r.path === '/files').length, uploadsBefore, 'no upload request at all');
    assert.deepEqual(contractErrors(fake.requests), []);
  });

  it('sync replaces a changed file (the old copy and its file gone), removes a deleted one when agreed, sends 0 bytes when nothing changed', async () => {
    const store = await backend.createVectorStore('Knowledge', []);
    const a = write('docs/a.md', 'alpha\n');
    const b = write('docs/b.md', 'bravo\n');
    const c = write('docs/c.md', 'charlie\n');
    await addToKnowledge(store.id, [a, b, c], deps);
    const oldA = [...(fake.store.vectorStores.get(store.id)?.files.values() ?? [])].find((f) => f.attributes.workspace_path === 'docs/a.md')?.fileId ?? '';
    const locate = onDisk(dir);

    const quiet = await syncKnowledge(store.id, locate, deps, async () => assert.fail('nothing to remove'));
    assert.deepEqual([quiet.unchanged.length, quiet.uploadedBytes, quiet.added, quiet.replaced, quiet.removed], [3, 0, [], [], []]);

    fs.writeFileSync(a.absolute, 'alpha, changed\n');
    fs.rmSync(c.absolute);
    let asked: string[] = [];
    const declined = await syncKnowledge(store.id, locate, deps, async (paths) => ((asked = paths), false));
    assert.deepEqual([declined.replaced, declined.keptMissing, asked, declined.uploadedBytes], [['docs/a.md'], ['docs/c.md'], ['docs/c.md'], 15]);
    assert.ok(!fake.store.files.has(oldA), 'the old file is deleted');
    assert.deepEqual(storeFiles(store.id).map((f) => [f.path, f.text]).sort(), [['docs/a.md', 'alpha, changed\n'], ['docs/b.md', 'bravo\n'], ['docs/c.md', 'charlie\n']]);

    const agreed = await syncKnowledge(store.id, locate, deps, async () => true);
    assert.deepEqual([agreed.removed, agreed.unchanged.sort(), agreed.uploadedBytes], [['docs/c.md'], ['docs/a.md', 'docs/b.md'], 0]);
    assert.deepEqual(storeFiles(store.id).map((f) => f.path).sort(), ['docs/a.md', 'docs/b.md']);
    assert.deepEqual(contractErrors(fake.requests), []);
  });

  it('adds 200 files in one file batch request, each with its own path and hash, within the spec', async () => {
    const store = await backend.createVectorStore('Knowledge', []);
    const sources = Array.from({ length: 200 }, (_, i) => write(`notes/n${i}.md`, `note ${i}\n`));
    const before = fake.requests.length;
    const report = await addToKnowledge(store.id, sources, deps);
    assert.equal(report.added.length, 200);
    const sent = fake.requests.slice(before).map((r) => `${r.method} ${r.path.replace(store.id, '{id}')}`);
    assert.equal(sent.filter((r) => r === 'POST /vector_stores/{id}/files').length, 0, 'no file is added on its own');
    assert.equal(sent.filter((r) => r === 'POST /vector_stores/{id}/file_batches').length, 1);
    assert.equal(sent.length, 1 + 200 + 1, 'a listing, the uploads, one batch');
    const held = storeFiles(store.id);
    assert.equal(held.length, 200);
    assert.ok(held.every((f) => f.text === `note ${String(f.path).slice('notes/n'.length, -'.md'.length)}\n`), 'each file keeps its own workspace path');
    const again = await addToKnowledge(store.id, sources, deps);
    assert.deepEqual([again.unchanged.length, again.uploadedBytes], [200, 0]);
    assert.deepEqual(contractErrors(fake.requests), []);
  });

  it('sync leaves an unchanged copy that failed indexing alone, with the server reason; retries it when asked or when the file changed', async () => {
    const store = await backend.createVectorStore('Knowledge', []);
    const broken = write('docs/broken.pdf', 'not a PDF\n');
    const fine = write('docs/fine.md', 'fine\n');
    await addToKnowledge(store.id, [broken, fine], deps);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the fake's indexing time
    const locate = onDisk(dir);
    const brokenCopy = () => [...(fake.store.vectorStores.get(store.id)?.files.values() ?? [])].find((f) => f.attributes.workspace_path === 'docs/broken.pdf')?.fileId;
    const first = brokenCopy();

    for (let sync = 0; sync < 3; sync++) {
      const before = fake.requests.length;
      const quiet = await syncKnowledge(store.id, locate, deps, async () => assert.fail('nothing to remove'));
      assert.deepEqual([quiet.failed, quiet.retried, quiet.unchanged, quiet.uploadedBytes], [[{ path: 'docs/broken.pdf', reason: 'The file could not be parsed as a PDF.' }], [], ['docs/fine.md'], 0]);
      assert.deepEqual(fake.requests.slice(before).map((r) => r.method), ['GET'], 'a sync of unchanged files only lists the store');
      assert.equal(brokenCopy(), first);
    }

    const asked = await syncKnowledge(store.id, locate, deps, async () => false, true);
    assert.deepEqual([asked.retried, asked.failed, asked.uploadedBytes], [['docs/broken.pdf'], [], 0]);

    fs.writeFileSync(broken.absolute, '%PDF-1.4 now a PDF\n');
    const edited = await syncKnowledge(store.id, locate, deps, async () => false);
    assert.deepEqual([edited.replaced, edited.failed], [['docs/broken.pdf'], []]);
    assert.notEqual(brokenCopy(), first);
    assert.deepEqual(contractErrors(fake.requests), []);
  });

  it('uploads again when the file the index remembers was deleted on the server', async () => {
    const store = await backend.createVectorStore('Knowledge', []);
    const a = write('a.md', 'alpha\n');
    await addToKnowledge(store.id, [a], deps);
    const [only] = fake.store.vectorStores.get(store.id)?.files.values() ?? [];
    fake.store.files.delete(only.fileId);
    // The store now reports the copy as failed; the add sends the same bytes again, under a new file.
    const report = await addToKnowledge(store.id, [a], deps);
    assert.deepEqual([report.retried, report.replaced, report.uploadedBytes], [['a.md'], [], 6]);
    assert.deepEqual(storeFiles(store.id).map((f) => f.text), ['alpha\n']);
  });
});

describe('knowledge: file batches', () => {
  it(`splits more files than one batch takes (${MAX_FILE_BATCH}) into several batches, one request each`, async () => {
    const sources = Array.from({ length: MAX_FILE_BATCH + 5 }, (_, i) => ({ absolute: `/w/f${i}.md`, path: `f${i}.md` }));
    const batches: number[] = [];
    let uploads = 0;
    // An in-memory disk and server: the split is the subject here, not the wire (the fake server tests above cover it).
    const memoryFs: KnowledgeDeps['fs'] = {
      stat: async (absolute) => ({ type: 'file', size: Buffer.byteLength(absolute), mtimeMs: 0 }),
      readChunks: async function* (absolute) {
        yield Buffer.from(absolute);
      },
    };
    const files: KnowledgeDeps['files'] = {
      uploadFile: async (name, data) => ({ id: `file-${++uploads}`, filename: name, bytes: data.length, purpose: 'assistants', createdAt: 0 }),
      retrieveFile: async () => assert.fail('nothing is reused'),
      deleteFile: async () => assert.fail('nothing is deleted'),
      listVectorStoreFiles: async () => [],
      deleteVectorStoreFile: async () => assert.fail('nothing is removed'),
      createVectorStoreFileBatch: async (_id, batch) => {
        batches.push(batch.length);
        return `vsfb_${batches.length}`;
      },
    };
    const report = await addToKnowledge('vs_1', sources, { files, fs: memoryFs, index: memoryUploadIndex(), provider: 'memory', mark: KnowledgeMark.fromApiKey('k') });
    assert.deepEqual(batches, [MAX_FILE_BATCH, 5]);
    assert.equal(report.added.length, MAX_FILE_BATCH + 5);
  });
});

describe('knowledge: replacing many files', () => {
  it('takes the older copies out a few at a time, and reports the files in their order', async () => {
    const mark = KnowledgeMark.fromApiKey('k');
    const sources = Array.from({ length: 12 }, (_, i) => ({ absolute: `/w/f${i}.md`, path: `f${i}.md` }));
    let running = 0;
    let most = 0;
    const slowly = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
    };
    const memoryFs: KnowledgeDeps['fs'] = {
      stat: async (absolute) => ({ type: 'file', size: Buffer.byteLength(`${absolute} new`), mtimeMs: 0 }),
      readChunks: async function* (absolute) {
        yield Buffer.from(`${absolute} new`);
      },
    };
    let uploads = 0;
    const files: KnowledgeDeps['files'] = {
      uploadFile: async (name, data) => ({ id: `file-new-${++uploads}`, filename: name, bytes: data.length, purpose: 'assistants', createdAt: 0 }),
      retrieveFile: async () => assert.fail('nothing is reused'),
      deleteFile: slowly,
      listVectorStoreFiles: async () =>
        sources.map((s, i) => ({ id: `file-old-${i}`, vectorStoreId: 'vs_1', status: 'completed' as const, usageBytes: 1, createdAt: 0, attributes: sourceAttributes(s.path, 'old', mark.sign({ vectorStoreId: 'vs_1', fileId: `file-old-${i}`, path: s.path, sha256: 'old' })) })),
      deleteVectorStoreFile: slowly,
      createVectorStoreFileBatch: async () => 'vsfb_1',
    };
    const report = await syncKnowledge('vs_1', async (p) => ({ absolute: `/w/${p}` }), { files, fs: memoryFs, index: memoryUploadIndex(), provider: 'memory', mark }, async () => false);
    assert.deepEqual(report.replaced, sources.map((s) => s.path));
    assert.ok(most > 1 && most <= 3, `deletions ran ${most} at a time`);
  });
});

describe('knowledge: the assistant records its vector store', function () {
  this.timeout(30_000);
  let fake: FakeOpenAIServer;
  let dir: string;
  beforeEach(async () => {
    fake = await FakeOpenAIServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'knowledge-assistant-'));
  });
  afterEach(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const serviceOver = (stores: AssistantStore[]) => {
    const values = new Map<string, unknown>();
    return new AssistantService({
      stores: async () => stores,
      state: { get: <T>(key: string) => values.get(key) as T | undefined, update: async (key, value) => void values.set(key, value) },
      firstAssistant: () => ({ name: 'First', model: 'gpt-4.1', tools: [] }),
      firstLocation: 'workspace',
      runAdditions: () => ({ tools: [] }),
    });
  };

  it('an assistant file without a store gets a new one with file search, written into its file; the next add reuses it', async () => {
    const files = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }));
    const store = new FileAssistantStore(nodeFileSystem, path.join(dir, '.assistants'), 'workspace');
    const service = serviceOver([store]);
    const entry = await service.create('workspace', { name: 'Helper', model: 'gpt-4.1', tools: [{ type: 'code_interpreter' }] });
    const made = await ensureKnowledgeStore(service, files, entry);
    assert.equal(made.created, true);
    assert.equal(fake.store.vectorStores.get(made.vectorStoreId)?.name, 'Helper knowledge');
    const onDisk = JSON.parse(fs.readFileSync(entry.file ?? '', 'utf8')) as { tools: { type: string }[]; tool_resources: unknown };
    assert.deepEqual(onDisk.tools.map((t) => t.type), ['code_interpreter', 'file_search']);
    assert.deepEqual(onDisk.tool_resources, { file_search: { vector_store_ids: [made.vectorStoreId] } });
    const again = await ensureKnowledgeStore(service, files, await service.get(entry.id));
    assert.deepEqual(again, { vectorStoreId: made.vectorStoreId, created: false });
    assert.equal(fake.store.vectorStores.size, 1);
  });

  it('two adds at once in one window make one vector store, recorded in the file, for files and for server assistants', async () => {
    const responses = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }));
    const fileService = serviceOver([new FileAssistantStore(nodeFileSystem, path.join(dir, '.assistants'), 'workspace')]);
    const client = createOpenAIClient({ protocol: 'assistantsV2', apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
    const serverService = serviceOver([new ServerAssistantStore(client)]);
    const cases = [
      { service: fileService, files: responses, entry: await fileService.create('workspace', { name: 'Helper', model: 'gpt-4.1', tools: [] }), adds: 2 },
      { service: fileService, files: responses, entry: await fileService.create('workspace', { name: 'Busy', model: 'gpt-4.1', tools: [] }), adds: 5 },
      { service: serverService, files: new AssistantsV2Backend(client), entry: await serverService.create('server', { name: 'Remote', model: 'gpt-4.1', tools: [] }), adds: 3 },
    ];
    for (const { service, files, entry, adds } of cases) {
      const before = fake.store.vectorStores.size;
      const results = await Promise.all(Array.from({ length: adds }, () => ensureKnowledgeStore(service, files, entry)));
      assert.equal(fake.store.vectorStores.size, before + 1, `${entry.name}: exactly one vector store was made`);
      assert.equal(new Set(results.map((r) => r.vectorStoreId)).size, 1, `${entry.name}: every add uses it`);
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.deepEqual((await service.get(entry.id)).assistant?.toolResources?.fileSearch?.vectorStoreIds, [results[0].vectorStoreId]);
    }
  });

  it('two windows adding at once: the one that records its store second uses the first\'s and deletes its own', async () => {
    const files = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }));
    const folder = path.join(dir, '.assistants');
    const [one, two] = [serviceOver([new FileAssistantStore(nodeFileSystem, folder, 'workspace')]), serviceOver([new FileAssistantStore(nodeFileSystem, folder, 'workspace')])];
    for (const name of ['Helper', 'Reviewer']) {
      const entry = await one.create('workspace', { name, model: 'gpt-4.1', tools: [{ type: 'code_interpreter' }] });
      // The second window read the assistant before the first wrote its store.
      const stale = await two.get(entry.id);
      const first = await ensureKnowledgeStore(one, files, entry);
      const second = await ensureKnowledgeStore(two, files, stale);
      assert.deepEqual(second, { vectorStoreId: first.vectorStoreId, created: false });
      assert.deepEqual([...fake.store.vectorStores.values()].filter((vs) => vs.name === `${name} knowledge`).map((vs) => vs.id), [first.vectorStoreId], 'the second window\'s store was deleted');
      const onDisk = JSON.parse(fs.readFileSync(entry.file ?? '', 'utf8')) as { tools: { type: string }[]; tool_resources: unknown };
      assert.deepEqual(onDisk.tools.map((t) => t.type), ['code_interpreter', 'file_search']);
      assert.deepEqual(onDisk.tool_resources, { file_search: { vector_store_ids: [first.vectorStoreId] } });
    }
  });

  it('removing a store the server lost keeps the stores and fields another window added meanwhile', async () => {
    const folder = path.join(dir, '.assistants');
    const [one, two] = [serviceOver([new FileAssistantStore(nodeFileSystem, folder, 'workspace')]), serviceOver([new FileAssistantStore(nodeFileSystem, folder, 'workspace')])];
    const entry = await one.create('workspace', { name: 'Keeper', model: 'gpt-4.1', tools: [{ type: 'file_search' }], toolResources: { fileSearch: { vectorStoreIds: ['vs_gone', 'vs_kept'] } } });
    const stale = await two.get(entry.id);
    const { id: _id, createdAt: _createdAt, ...draft } = entry.assistant!;
    await one.update(entry.id, { ...draft, instructions: 'Added elsewhere.', toolResources: { fileSearch: { vectorStoreIds: ['vs_gone', 'vs_kept', 'vs_new'] } } }, { base: draft });
    await removeKnowledgeStore(two, stale, 'vs_gone');
    const after = (await one.get(entry.id)).assistant;
    assert.deepEqual(after?.toolResources?.fileSearch?.vectorStoreIds, ['vs_kept', 'vs_new']);
    assert.equal(after?.instructions, 'Added elsewhere.');
  });

  it('an add whose assistant was deleted meanwhile deletes the store it made and says so', async () => {
    const files = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }));
    const service = serviceOver([new FileAssistantStore(nodeFileSystem, path.join(dir, '.assistants'), 'workspace')]);
    const entry = await service.create('workspace', { name: 'Gone', model: 'gpt-4.1', tools: [] });
    fs.rmSync(entry.file ?? '');
    await assert.rejects(ensureKnowledgeStore(service, files, entry), (error: unknown) => (error as { kind?: string }).kind === 'not_found');
    assert.equal(fake.store.vectorStores.size, 0, 'no orphan store is left');
    assert.ok(!fs.existsSync(entry.file ?? ''), 'the file is not brought back');
  });

  it('a server assistant (Assistants v2) gets the store on its server object', async () => {
    const client = createOpenAIClient({ protocol: 'assistantsV2', apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
    const service = serviceOver([new ServerAssistantStore(client)]);
    const entry = await service.create('server', { name: 'Remote', model: 'gpt-4.1', tools: [] });
    const made = await ensureKnowledgeStore(service, new AssistantsV2Backend(client), entry);
    const remote = (await (await fetch(`${fake.baseUrl}/assistants/${entry.id}`, { headers: { authorization: 'Bearer sk-test-key', 'openai-beta': 'assistants=v2' } })).json()) as {
      tools: { type: string }[];
      tool_resources: { file_search?: { vector_store_ids: string[] } };
    };
    assert.deepEqual(remote.tools.map((t) => t.type), ['file_search']);
    assert.deepEqual(remote.tool_resources.file_search?.vector_store_ids, [made.vectorStoreId]);
  });
});
