import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileSystem } from '../../../../src/core/workspace/fileSystem';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import { isStoredOutput } from '../../../../src/common/model';
import type { SetAsideFile, StoredThread } from '../../../../src/core/threads/threadStore';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { pngChart } from '../../../fakes/png';

function storedThread(id: string, updatedAt: number): StoredThread {
  return {
    thread: { id, title: `Thread ${id}`, createdAt: updatedAt, updatedAt, backend: 'responses', remoteId: `conv_${id}` },
    messages: [{ id: `msg_${id}`, role: 'user', content: [{ type: 'text', text: 'hello', annotations: [] }], createdAt: updatedAt }],
    runs: {},
  };
}

/** A distinct PNG of some 20 KB per `n` (bytes after the image do not stop it being one). */
function png(n: number): Buffer {
  return Buffer.concat([pngChart(), Buffer.alloc(20_000, n % 251), Buffer.from(`#${n}`)]);
}

const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

/** A thread whose run made `count` plots (inline, as Responses sends them) and whose answer shows one more. */
function threadWithImages(id: string, count: number): StoredThread {
  const stored = storedThread(id, 100);
  stored.runs.run_1 = {
    run: { id: 'run_1', threadId: id, assistantId: 'a', status: 'completed', createdAt: 100 },
    steps: [
      {
        id: 'step_1',
        runId: 'run_1',
        status: 'completed',
        createdAt: 100,
        details: {
          type: 'tool_calls',
          toolCalls: [{ type: 'code_interpreter', id: 'ci_1', input: 'plot()', outputs: Array.from({ length: count }, (_, i) => ({ type: 'image' as const, fileId: `inline-${i}`, url: dataUrl(png(i)) })) }],
        },
      },
    ],
  };
  stored.messages.push({ id: 'msg_answer', role: 'assistant', content: [{ type: 'image_url', url: dataUrl(png(1000)) }], createdAt: 101, runId: 'run_1' });
  return stored;
}

/** The Node file system, counting the files each write touches. */
function countingFileSystem(): { fs: FileSystem; written: string[] } {
  const written: string[] = [];
  return { written, fs: { ...nodeFileSystem, writeFileAtomic: (file, data) => (written.push(file), nodeFileSystem.writeFileAtomic(file, data)) } };
}

/** A process id that is certainly no longer running. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid ?? 999_999;
}

describe('ThreadStore', () => {
  let dir: string;
  let store: ThreadStore;
  let setAside: SetAsideFile[][];

  const ids = async (s = store) => (await s.list()).map((t) => t.id);
  const write = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content);
  const corruptFiles = () => fs.readdirSync(path.join(dir, 'corrupt'));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threads-'));
    setAside = [];
    store = new ThreadStore(nodeFileSystem, dir, { onSetAside: (files) => setAside.push(files) });
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
    assert.deepEqual(await ids(), ['new', 'old']);
    assert.equal((await store.mostRecent())?.thread.id, 'new');
  });

  it('deletes a thread, its file and its outputs', async () => {
    await store.save(threadWithImages('a', 2));
    await store.delete('a');
    assert.equal(await store.load('a'), undefined);
    assert.deepEqual(await store.list(), []);
    assert.equal(fs.existsSync(path.join(dir, 'outputs', 'a')), false);
  });

  it('refuses ids that could escape its folder', async () => {
    await assert.rejects(store.load('../x'), /Invalid thread id/);
    await assert.rejects(store.readOutput('../x', 'stored-output:x.png'), /Invalid thread id/);
  });

  describe('the index is a cache: the thread files are the truth', () => {
    beforeEach(async () => {
      await store.save(storedThread('a', 100));
      await store.save(storedThread('b', 300));
      await store.list();
    });

    const indexCases: [string, string][] = [
      ['a null entry', '{"version":1,"threads":[null]}'],
      ['an entry whose id is ../x', '{"version":1,"threads":[{"id":"../x","title":"x","createdAt":1,"updatedAt":999,"backend":"responses"}]}'],
      ['an entry whose id is ../x (current format)', '{"version":2,"threads":[{"id":"../x","title":"x","createdAt":1,"updatedAt":999,"backend":"responses","file":{"size":1,"mtimeMs":1,"ino":1}}]}'],
      ['entries of the wrong shape', '{"version":2,"threads":[1,"a",{"id":"a"},{"id":"b","title":7}]}'],
      ['threads that is not a list', '{"version":2,"threads":{"a":1}}'],
      ['null', 'null'],
      ['text that is not JSON', '{ not json'],
      ['an empty file', ''],
    ];
    for (const [name, content] of indexCases) {
      it(`lists the threads when the index holds ${name}`, async () => {
        write('index.json', content);
        const fresh = new ThreadStore(nodeFileSystem, dir);
        assert.deepEqual(await ids(fresh), ['b', 'a']);
        assert.equal((await fresh.mostRecent())?.thread.id, 'b');
      });
    }

    it('lists the threads when the index is missing or is a folder', async () => {
      fs.rmSync(path.join(dir, 'index.json'));
      assert.deepEqual(await ids(new ThreadStore(nodeFileSystem, dir)), ['b', 'a']);
      fs.rmSync(path.join(dir, 'index.json'));
      fs.mkdirSync(path.join(dir, 'index.json'));
      assert.deepEqual(await ids(new ThreadStore(nodeFileSystem, dir)), ['b', 'a']);
    });

    it('drops an entry whose file is gone, and shows a file the index does not name', async () => {
      fs.rmSync(path.join(dir, 'thread-a.json'));
      fs.copyFileSync(path.join(dir, 'thread-b.json'), path.join(dir, 'thread-c.json'));
      write('thread-c.json', JSON.stringify(storedThread('c', 200)));
      assert.deepEqual(await ids(new ThreadStore(nodeFileSystem, dir)), ['b', 'c']);
    });

    it('takes the title and time from the file when the index says otherwise', async () => {
      const changed = storedThread('a', 500);
      changed.thread.title = 'Renamed elsewhere';
      write('thread-a.json', JSON.stringify(changed));
      const [first] = await new ThreadStore(nodeFileSystem, dir).list();
      assert.deepEqual([first.id, first.title, first.updatedAt], ['a', 'Renamed elsewhere', 500]);
    });

    it('skips a folder named like a thread file', async () => {
      fs.mkdirSync(path.join(dir, 'thread-d.json'));
      assert.deepEqual(await ids(), ['b', 'a']);
      assert.equal(await store.load('d'), undefined);
      assert.deepEqual(setAside, []);
    });

    it('reads only changed files when the index is current', async () => {
      const reads: string[] = [];
      const counting: FileSystem = { ...nodeFileSystem, readFile: (file) => (reads.push(path.basename(file)), nodeFileSystem.readFile(file)) };
      await new ThreadStore(counting, dir).list();
      assert.deepEqual(reads, ['index.json']);
    });
  });

  describe('corrupt thread files are set aside', () => {
    const corruptions: [string, string][] = [
      ['an empty file', ''],
      ['JSON cut short', JSON.stringify(storedThread('x', 1)).slice(0, 40)],
      ['bytes that are not text', '\u0000\u00ff\u00fe garbage'],
      ['null', 'null'],
      ['{}', '{}'],
      ['a thread named after another id', JSON.stringify(storedThread('other', 1))],
      ['messages that are not a list', JSON.stringify({ ...storedThread('x', 1), messages: 'none' })],
      ['a message part of no known type', JSON.stringify({ ...storedThread('x', 1), messages: [{ id: 'm', role: 'user', content: [{ type: 'video' }], createdAt: 1 }] })],
      ['a run without steps', JSON.stringify({ ...storedThread('x', 1), runs: { r: { run: { id: 'r', status: 'completed' } } } })],
    ];
    for (const [name, content] of corruptions) {
      it(`holding ${name}: moved to corrupt/, reported once, the rest listed`, async () => {
        await store.save(storedThread('good', 100));
        fs.writeFileSync(path.join(dir, 'thread-x.json'), Buffer.from(content, 'latin1'));
        assert.deepEqual(await ids(), ['good']);
        assert.equal(setAside.length, 1);
        assert.equal(setAside[0][0].id, 'x');
        assert.equal(fs.existsSync(path.join(dir, 'thread-x.json')), false);
        assert.deepEqual(corruptFiles(), [path.basename(setAside[0][0].file)]);
        assert.equal(fs.readFileSync(setAside[0][0].file, 'latin1'), content, 'the bytes are kept as they were');
        assert.deepEqual(await ids(), ['good']);
        assert.equal(setAside.length, 1, 'told once');
      });
    }

    it('sets aside a corrupt file met when opening it, and says nothing is there', async () => {
      write('thread-x.json', '{}');
      assert.equal(await store.load('x'), undefined);
      assert.equal(setAside.length, 1);
      assert.equal(corruptFiles().length, 1);
    });

    it('reports all corrupt files found by one listing in one call', async () => {
      write('thread-x.json', '{}');
      write('thread-y.json', '[');
      await store.list();
      assert.deepEqual(setAside.map((batch) => batch.map((f) => f.id).sort()), [['x', 'y']]);
    });

    it('skips a corrupt file when finding the most recent thread', async () => {
      await store.save(storedThread('good', 100));
      write('thread-x.json', '{}');
      assert.equal((await store.mostRecent())?.thread.id, 'good');
    });
  });

  describe('concurrent writers and crashes', () => {
    it('two stores in one process saving at once lose no thread from the list', async () => {
      const other = new ThreadStore(nodeFileSystem, dir);
      await Promise.all(Array.from({ length: 20 }, (_, i) => [store.save(storedThread(`a${i}`, i)), other.save(storedThread(`b${i}`, i))]).flat());
      assert.equal((await store.list()).length, 40);
      assert.equal((await other.list()).length, 40);
    });

    it('listing while another store saves loses no thread', async () => {
      const other = new ThreadStore(nodeFileSystem, dir);
      const saves = Array.from({ length: 20 }, (_, i) => other.save(storedThread(`t${i}`, i)));
      const lists = Array.from({ length: 5 }, () => store.list());
      await Promise.all([...saves, ...lists]);
      assert.equal((await store.list()).length, 20);
      assert.equal((await new ThreadStore(nodeFileSystem, dir).list()).length, 20);
    });

    it('a crash right after the thread file is written does not hide the thread', async () => {
      await store.save(storedThread('a', 100));
      await store.list();
      // The process dies at the next index write: nothing after the thread file gets written.
      const dying: FileSystem = {
        ...nodeFileSystem,
        writeFileAtomic: (file, data) => (path.basename(file) === 'index.json' ? Promise.reject(new Error('killed')) : nodeFileSystem.writeFileAtomic(file, data)),
      };
      await new ThreadStore(dying, dir).save(storedThread('b', 200));
      assert.deepEqual(await ids(new ThreadStore(nodeFileSystem, dir)), ['b', 'a']);
    });

    it('removes temporary files a killed writer left, and keeps those of live writers', async () => {
      await store.save(storedThread('a', 100));
      const dead = deadPid();
      write(`thread-a.json.${dead}-0a1b.tmp`, '{"half":');
      write(`index.json.${dead}.7.tmp`, '');
      fs.mkdirSync(path.join(dir, 'outputs', 'a'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'outputs', 'a', `abc.png.${dead}-ff.tmp`), 'x');
      const live = `thread-b.json.${process.pid}-0c.tmp`;
      write(live, '{');
      assert.deepEqual(await ids(new ThreadStore(nodeFileSystem, dir)), ['a']);
      assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), [live]);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'outputs', 'a')), []);
    });

    it('leaves no temporary files behind after many saves', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(storedThread(`t${i}`, i))));
      assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
      assert.equal((await store.list()).length, 20);
    });
  });

  describe('images are kept beside the thread', () => {
    it('writes each inline image once, by content hash, and keeps the thread file small', async () => {
      const stored = threadWithImages('a', 20);
      const inlineBytes = JSON.stringify(stored).length;
      await store.save(stored);
      const file = fs.readFileSync(path.join(dir, 'thread-a.json'), 'utf8');
      assert.doesNotMatch(file, /data:image/);
      assert.ok(file.length < 10_000 && file.length * 10 < inlineBytes, `thread file of ${file.length} bytes`);
      assert.equal(fs.readdirSync(path.join(dir, 'outputs', 'a')).length, 21);
    });

    it('gives back every image byte for byte', async () => {
      await store.save(threadWithImages('a', 3));
      const loaded = await new ThreadStore(nodeFileSystem, dir).load('a');
      const step = loaded?.runs.run_1.steps[0].details;
      assert.ok(step?.type === 'tool_calls' && step.toolCalls[0].type === 'code_interpreter');
      const outputs = step.toolCalls[0].outputs;
      for (const [i, output] of outputs.entries()) {
        assert.ok(output.type === 'image' && output.url && isStoredOutput(output.url), `output ${i} is a stored output`);
        assert.deepEqual(Buffer.from((await store.readOutput('a', output.url))!), png(i));
        assert.equal(output.fileId, `inline-${i}`);
      }
      const part = loaded?.messages[1].content[0];
      assert.ok(part?.type === 'image_url' && isStoredOutput(part.url));
      assert.deepEqual(Buffer.from((await store.readOutput('a', part.url))!), png(1000));
    });

    it('rewrites only the thread file when saved again while a run streams', async () => {
      const counting = countingFileSystem();
      const streaming = new ThreadStore(counting.fs, dir);
      const stored = threadWithImages('a', 20);
      await streaming.save(stored);
      assert.equal(counting.written.length, 22, 'twenty-one images and the thread');
      counting.written.length = 0;
      for (let i = 0; i < 5; i++) {
        stored.messages.push({ id: `m${i}`, role: 'assistant', content: [{ type: 'text', text: 'more', annotations: [] }], createdAt: 200 });
        await streaming.save(stored);
      }
      assert.deepEqual(counting.written.map((f) => path.basename(f)), Array(5).fill('thread-a.json'));
    });

    it('writes an image met again (the same step sent anew) under the same name, once', async () => {
      const counting = countingFileSystem();
      const streaming = new ThreadStore(counting.fs, dir);
      const stored = threadWithImages('a', 1);
      await streaming.save(stored);
      const again = threadWithImages('a', 1);
      stored.runs.run_1 = again.runs.run_1;
      counting.written.length = 0;
      await streaming.save(stored);
      assert.deepEqual(counting.written.map((f) => path.basename(f)), ['thread-a.json']);
      assert.equal(fs.readdirSync(path.join(dir, 'outputs', 'a')).length, 2);
    });

    it('keeps inline what is not an image it can name (a data URL of another type)', async () => {
      const stored = storedThread('a', 1);
      stored.messages.push({ id: 'm', role: 'assistant', content: [{ type: 'image_url', url: 'data:image/svg+xml;base64,PHN2Zy8+' }], createdAt: 1 });
      await store.save(stored);
      const part = (await store.load('a'))?.messages[1].content[0];
      assert.ok(part?.type === 'image_url' && part.url.startsWith('data:image/svg+xml'));
    });

    it('reads an older thread file that still holds its images inline, and moves them out on the next save', async () => {
      write('thread-a.json', JSON.stringify(threadWithImages('a', 2)));
      const loaded = await store.load('a');
      assert.ok(loaded);
      await store.save(loaded);
      assert.doesNotMatch(fs.readFileSync(path.join(dir, 'thread-a.json'), 'utf8'), /data:image/);
    });

    it('removes the outputs a thread no longer refers to, and only those', async () => {
      const stored = threadWithImages('a', 3);
      await store.save(stored);
      stored.runs = {};
      await store.save(stored);
      assert.equal(await store.removeUnusedOutputs('a'), 3);
      const part = (await store.load('a'))?.messages[1].content[0];
      assert.ok(part?.type === 'image_url');
      assert.deepEqual(Buffer.from((await store.readOutput('a', part.url))!), png(1000), 'the image the answer still shows stays');
      assert.equal(fs.readdirSync(path.join(dir, 'outputs', 'a')).length, 1);
    });

    it('answers nothing for an output that is not there or not a stored output', async () => {
      await store.save(storedThread('a', 1));
      assert.equal(await store.readOutput('a', `stored-output:${'0'.repeat(64)}.png`), undefined);
      assert.equal(await store.readOutput('a', 'stored-output:../../index.json'), undefined);
    });
  });
});
