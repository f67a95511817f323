import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import { Confinement, DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
import { KnowledgeMark, MARK_ATTRIBUTE } from '../../../../src/core/knowledge/mark';
import { knowledgeFile, sourceAttributes } from '../../../../src/core/knowledge/plan';
import { locateKnowledgeSource } from '../../../../src/core/knowledge/sources';
import type { KnowledgeDeps } from '../../../../src/core/knowledge/sync';
import { addToKnowledge, recogniser, removeFromKnowledge, syncKnowledge } from '../../../../src/core/knowledge/sync';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { memoryUploadIndex } from '../../../fakes/memoryUploadIndex';
import { contractErrors } from '../../../contract/recorded';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('knowledge: Sync touches only what this extension added, through the filters of Add', function () {
  this.timeout(30_000);
  let fake: FakeOpenAIServer;
  let dir: string;
  let backend: ResponsesBackend;
  let deps: KnowledgeDeps;
  let exclude: string[];
  let deny: string[];
  let confinement: Confinement;
  const write = (relative: string, content: string) => {
    const absolute = path.join(dir, relative);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    fs.writeFileSync(absolute, content);
    return { absolute, path: relative };
  };
  const locate = (p: string) => locateKnowledgeSource(confinement, nodeWorkspaceFs, p);
  const held = (vectorStoreId: string) => [...(fake.store.vectorStores.get(vectorStoreId)?.files.values() ?? [])].map((f) => ({ id: f.fileId, path: f.attributes.workspace_path, text: fake.store.files.get(f.fileId)?.data.toString('utf8') }));
  /** Requests that send or delete something (a sync of files it must leave alone makes none). */
  const changes = (from: number) => fake.requests.slice(from).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

  /** Puts a file in the store as someone else would: any bytes, any attributes. */
  const plant = async (vectorStoreId: string, name: string, bytes: string, attributes: Record<string, string>) => {
    const file = await backend.uploadFile(name, new TextEncoder().encode(bytes), 'assistants');
    await backend.createVectorStoreFileBatch(vectorStoreId, [{ fileId: file.id, attributes }]);
    return file.id;
  };

  beforeEach(async () => {
    fake = await FakeOpenAIServer.start();
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'knowledge-own-')));
    backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }));
    deps = { files: backend, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'fake', mark: KnowledgeMark.fromApiKey('sk-test-key') };
    exclude = ['**/generated'];
    deny = [...DEFAULT_DENY];
    confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: [dir], deny, exclude }));
    write('.gitignore', 'secret.log\nbuild/\n');
    write('sub/.gitignore', '*.local.md\n');
    write('.env-production', 'OPENAI_API_KEY=made-up-0123456789\n');
    write('config/.env_local', 'TOKEN=abc\n');
    write('deploy/id_deploy', 'private key\n');
    write('secret.log', 'password=hunter2\n');
    write('build/out.js', 'bundle\n');
    write('sub/notes.local.md', 'private notes\n');
    write('generated/schema.md', 'generated\n');
    write('keys/deploy.pem', '-----BEGIN PRIVATE KEY-----\n');
    write('docs/readme.md', 'the readme\n');
  });
  afterEach(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const excluded = ['.env-production', 'config/.env_local', 'deploy/id_deploy', 'secret.log', 'build/out.js', 'sub/notes.local.md', 'generated/schema.md', 'keys/deploy.pem'];

  it('refuses, before reading, every path that .gitignore, files.exclude or the deny list keeps out, and one outside the workspace', async () => {
    for (const p of excluded) {
      const located = await locate(p);
      assert.ok('refused' in located, `${p} was let through`);
    }
    assert.match(JSON.stringify(await locate('secret.log')), /ignored by \.gitignore/);
    assert.match(JSON.stringify(await locate('sub/notes.local.md')), /ignored by \.gitignore/, 'a nested .gitignore counts');
    assert.match(JSON.stringify(await locate('generated/schema.md')), /files\.exclude/);
    assert.match(JSON.stringify(await locate('config/.env_local')), /may hold secrets/);
    assert.ok('refused' in (await locate('../outside.md')));
    assert.deepEqual(await locate('docs/readme.md'), { absolute: path.join(dir, 'docs/readme.md') });
    assert.deepEqual(await locate('docs/gone.md'), { gone: true });
  });

  for (const [kind, attributesFor] of [
    ['no mark', (_store: string, _id: string, p: string, h: string) => sourceAttributes(p, h)],
    ['a made-up mark', (_store: string, _id: string, p: string, h: string) => sourceAttributes(p, h, 'f'.repeat(32))],
    ['a mark made with another key', (store: string, id: string, p: string, h: string) => sourceAttributes(p, h, KnowledgeMark.fromApiKey('sk-someone-else').sign({ vectorStoreId: store, fileId: id, path: p, sha256: h }))],
  ] as const) {
    it(`leaves alone files someone else put in the store (${kind}): none of the paths they name is read, uploaded or removed, none of their files deleted`, async () => {
      const store = await backend.createVectorStore('Repository knowledge', []);
      // The attributes name workspace files the user never chose; the bytes differ, so a sync that trusted them would upload the real ones.
      const named = [...excluded, 'docs/readme.md', 'docs/deleted.md'];
      for (const p of named) {
        const file = await backend.uploadFile(path.basename(p), new TextEncoder().encode(`old ${p}`), 'assistants');
        await backend.createVectorStoreFileBatch(store.id, [{ fileId: file.id, attributes: attributesFor(store.id, file.id, p, sha(`old ${p}`)) }]);
      }
      const before = fake.requests.length;
      const filesBefore = fake.store.files.size;
      const report = await syncKnowledge(store.id, locate, deps, async () => assert.fail('nothing of theirs is offered for removal'));
      assert.deepEqual(changes(before), [], 'no upload, no addition, no deletion');
      assert.equal(fake.store.files.size, filesBefore);
      assert.deepEqual(report.leftAlone.sort(), [...named].sort());
      assert.deepEqual([report.added, report.replaced, report.removed, report.uploadedBytes], [[], [], [], 0]);
      assert.deepEqual(contractErrors(fake.requests), []);
    });
  }

  it('a mark copied from another store, or onto another file, does not verify', async () => {
    const mine = await backend.createVectorStore('Mine', []);
    const doc = write('docs/a.md', 'alpha\n');
    await addToKnowledge(mine.id, [doc], deps);
    const [copy] = held(mine.id);
    const attributes = fake.store.vectorStores.get(mine.id)?.files.get(copy.id)?.attributes as Record<string, string>;
    assert.match(attributes[MARK_ATTRIBUTE], /^[0-9a-f]{32}$/, 'what this extension adds is marked');
    const other = await backend.createVectorStore('Theirs', []);
    // The same file and attributes in another store, and the same attributes on another file in this one.
    await backend.createVectorStoreFileBatch(other.id, [{ fileId: copy.id, attributes }]);
    const theirs = await plant(mine.id, 'a.md', 'replaced by someone\n', attributes);
    const recogniseOther = recogniser(other.id, deps);
    const recogniseMine = recogniser(mine.id, deps);
    const listed = async (id: string, recognise: typeof recogniseMine) => (await backend.listVectorStoreFiles(id)).map((f) => knowledgeFile(f, recognise));
    assert.deepEqual((await listed(other.id, recogniseOther)).map((e) => e.ours), [false]);
    assert.deepEqual((await listed(mine.id, recogniseMine)).map((e) => [e.file.id === theirs, e.ours]).sort(), [[false, true], [true, false]]);
    fs.rmSync(doc.absolute);
    const report = await syncKnowledge(mine.id, locate, deps, async () => true);
    assert.deepEqual(report.removed, ['docs/a.md']);
    assert.ok(fake.store.files.has(theirs), 'their file is not deleted');
    assert.deepEqual(held(mine.id).map((f) => f.id), [theirs]);
  });

  it('its own files that the filters now keep out are neither read nor sent again; their copies stay, with the reason', async () => {
    const store = await backend.createVectorStore('Mine', []);
    const sources = ['docs/a.md', 'docs/b.md', 'docs/c.md', 'notes/d.md'].map((p) => write(p, `first ${p}\n`));
    const added = await addToKnowledge(store.id, sources, deps);
    assert.equal(added.added.length, 4);
    for (const s of sources) fs.writeFileSync(s.absolute, `changed ${s.path}\n`);
    write('.gitignore', 'secret.log\nbuild/\ndocs/a.md\n');
    exclude.push('docs/b.md');
    deny.push('**/c.md');
    const before = fake.requests.length;
    const report = await syncKnowledge(store.id, locate, deps, async () => assert.fail('nothing was deleted'));
    assert.deepEqual(report.replaced, ['notes/d.md']);
    assert.deepEqual(report.refused.map((r) => r.path).sort(), ['docs/a.md', 'docs/b.md', 'docs/c.md']);
    for (const r of report.refused) assert.match(r.reason, /its copy in the store stays/);
    assert.deepEqual(changes(before).filter((c) => c === 'POST /files').length, 1, 'only notes/d.md went up');
    assert.deepEqual(held(store.id).map((f) => [f.path, f.text]).sort(), [
      ['docs/a.md', 'first docs/a.md\n'],
      ['docs/b.md', 'first docs/b.md\n'],
      ['docs/c.md', 'first docs/c.md\n'],
      ['notes/d.md', 'changed notes/d.md\n'],
    ]);
  });

  it('a file an earlier version added (unmarked) is still its own on the machine that uploaded it, and comes back marked', async () => {
    const store = await backend.createVectorStore('Mine', []);
    const doc = write('docs/legacy.md', 'legacy\n');
    const file = await backend.uploadFile('legacy.md', new TextEncoder().encode('legacy\n'), 'assistants');
    await backend.createVectorStoreFileBatch(store.id, [{ fileId: file.id, attributes: sourceAttributes('docs/legacy.md', sha('legacy\n')) }]);
    await deps.index.set('fake', `${sha('legacy\n')} ${store.id} docs/legacy.md`, file.id);
    fs.writeFileSync(doc.absolute, 'legacy, edited\n');
    const report = await syncKnowledge(store.id, locate, deps, async () => true);
    assert.deepEqual(report.replaced, ['docs/legacy.md']);
    assert.ok(!fake.store.files.has(file.id), 'its old copy is deleted, as its own');
    const [now] = [...(fake.store.vectorStores.get(store.id)?.files.values() ?? [])];
    assert.match(String(now.attributes[MARK_ATTRIBUTE]), /^[0-9a-f]{32}$/);
    // Another machine (an empty upload index) leaves such a file alone.
    const elsewhere = await plant(store.id, 'other.md', 'other\n', sourceAttributes('docs/other.md', sha('other\n')));
    const second = await syncKnowledge(store.id, locate, { ...deps, index: memoryUploadIndex() }, async () => assert.fail('not offered'));
    assert.ok(second.leftAlone.includes('docs/other.md'));
    assert.ok(fake.store.files.has(elsewhere));
  });

  it('Add next to a copy someone else put there leaves that copy, and says so; Remove takes a foreign file out of the store without deleting it', async () => {
    const store = await backend.createVectorStore('Mine', []);
    const theirs = await plant(store.id, 'readme.md', 'their readme\n', sourceAttributes('docs/readme.md', sha('their readme\n')));
    const report = await addToKnowledge(store.id, [{ absolute: path.join(dir, 'docs/readme.md'), path: 'docs/readme.md' }], deps);
    assert.deepEqual([report.added, report.leftAlone], [['docs/readme.md'], ['docs/readme.md']]);
    assert.ok(fake.store.files.has(theirs));
    const entry = (await backend.listVectorStoreFiles(store.id)).map((f) => knowledgeFile(f, recogniser(store.id, deps))).find((e) => e.file.id === theirs);
    assert.equal(entry?.ours, false);
    await removeFromKnowledge(store.id, entry!, deps);
    assert.ok(fake.store.files.has(theirs), 'the file itself stays');
    assert.deepEqual(held(store.id).map((f) => f.text), ['the readme\n']);
  });
});
