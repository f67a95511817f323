import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeFileSystem } from '../../../src/core/fileSystem';
import type { StoredThread } from '../../../src/core/threadStore';
import { ThreadStore } from '../../../src/core/threadStore';

function storedThread(id: string, updatedAt: number): StoredThread {
  return {
    thread: { id, title: `Thread ${id}`, createdAt: updatedAt, updatedAt, backend: 'responses', remoteId: `conv_${id}` },
    messages: [{ id: `msg_${id}`, role: 'user', content: [{ type: 'text', text: 'hello', annotations: [] }], createdAt: updatedAt }],
    runs: {},
  };
}

describe('ThreadStore', () => {
  let dir: string;
  let store: ThreadStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threads-'));
    store = new ThreadStore(nodeFileSystem, dir);
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saves and loads a thread with its messages', async () => {
    await store.save(storedThread('a', 100));
    const loaded = await store.load('a');
    assert.equal(loaded?.thread.remoteId, 'conv_a');
    assert.equal(loaded?.messages[0].content[0].type, 'text');
  });

  it('lists threads most recent first and finds the most recent', async () => {
    await store.save(storedThread('old', 100));
    await store.save(storedThread('new', 200));
    assert.deepEqual((await store.list()).map((t) => t.id), ['new', 'old']);
    assert.equal((await store.mostRecent())?.thread.id, 'new');
  });

  it('rebuilds a missing or corrupt index from the thread files', async () => {
    await store.save(storedThread('a', 100));
    await store.save(storedThread('b', 300));
    fs.writeFileSync(path.join(dir, 'index.json'), '{ not json');
    const fresh = new ThreadStore(nodeFileSystem, dir);
    assert.deepEqual((await fresh.list()).map((t) => t.id), ['b', 'a']);
    fs.rmSync(path.join(dir, 'index.json'));
    assert.deepEqual((await new ThreadStore(nodeFileSystem, dir).list()).map((t) => t.id), ['b', 'a']);
  });

  it('deletes a thread and its file', async () => {
    await store.save(storedThread('a', 100));
    await store.delete('a');
    assert.equal(await store.load('a'), undefined);
    assert.deepEqual(await store.list(), []);
  });

  it('leaves no temporary files behind and never interleaves concurrent saves', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(storedThread(`t${i}`, i))));
    const names = fs.readdirSync(dir);
    assert.equal(names.filter((n) => n.endsWith('.tmp')).length, 0);
    assert.equal((await store.list()).length, 20);
  });

  it('refuses ids that could escape its folder', async () => {
    await assert.rejects(store.load('../x'), /Invalid thread id/);
  });
});
