import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileSystem } from '../../../../src/core/workspace/fileSystem';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import type { WaitingOutput } from '../../../../src/core/functions/outputRequests';
import { OutputDraftStore, OutputRequests } from '../../../../src/core/functions/outputRequests';

const call = { callId: 'call_1', runId: 'run_1', name: 'lookup_price', arguments: '{"sku":"A1"}' };

describe('custom function outputs the user types', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outputs-'));
    file = path.join(dir, 'output-drafts.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** One window's list of waiting calls over the file, and what it last showed. */
  function window(store = new OutputDraftStore(nodeFileSystem, file)) {
    const shown: WaitingOutput[][] = [];
    const requests = new OutputRequests({ store, onChange: (waiting) => shown.push(waiting) });
    return { requests, shown, store };
  }

  /** Resolves once `requests` lists the call (asking reads the kept text first). */
  async function waiting(requests: OutputRequests): Promise<WaitingOutput> {
    for (let i = 0; i < 100 && requests.list().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const [first] = requests.list();
    assert.ok(first, 'the call waits');
    return first;
  }

  it('a window reload brings back what was typed while the call still waits', async () => {
    const first = window();
    const asked = first.requests.ask(call, new AbortController().signal);
    await waiting(first.requests);
    await first.requests.saveDraft('call_1', '{"price": 3.5,');
    // The window closes: its process stops following the run, which goes on waiting on the server.
    first.requests.dispose();
    assert.equal(await asked, undefined);

    const next = window();
    const again = next.requests.ask(call, new AbortController().signal);
    assert.equal((await waiting(next.requests)).draft, '{"price": 3.5,', 'the resumed run asks again, with the text');
    assert.equal(next.shown.at(-1)?.[0].draft, '{"price": 3.5,', 'and the chat is shown it');
    await next.requests.submit('call_1', '{"price": 3.5}');
    assert.equal(await again, '{"price": 3.5}');
    assert.equal(await new OutputDraftStore(nodeFileSystem, file).get('call_1'), undefined, 'a submitted output keeps nothing for a later window');
  });

  it('keeps texts by call: another call asks with its own, an empty text keeps nothing', async () => {
    const { requests } = window();
    void requests.ask(call, new AbortController().signal);
    void requests.ask({ ...call, callId: 'call_2' }, new AbortController().signal);
    for (let i = 0; i < 100 && requests.list().length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await requests.saveDraft('call_1', 'one');
    await requests.saveDraft('call_2', 'two');
    await requests.saveDraft('call_2', '');
    await requests.saveDraft('call_unknown', 'nobody asked');
    const reread = new OutputDraftStore(nodeFileSystem, file);
    assert.equal(await reread.get('call_1'), 'one');
    assert.equal(await reread.get('call_2'), undefined);
    assert.equal(await reread.get('call_unknown'), undefined, 'only a waiting call keeps a text');
    requests.dispose();
  });

  it('a stopped run takes its question away; a kept text is dropped once it is a week old', async () => {
    let now = Date.UTC(2026, 0, 1);
    const store = new OutputDraftStore(nodeFileSystem, file, { now: () => now });
    const { requests, shown } = window(store);
    const stop = new AbortController();
    const asked = requests.ask(call, stop.signal);
    await waiting(requests);
    await requests.saveDraft('call_1', 'half typed');
    stop.abort();
    assert.equal(await asked, undefined);
    assert.deepEqual(shown.at(-1), [], 'no card stays');
    now += 6 * 24 * 60 * 60 * 1000;
    assert.equal(await new OutputDraftStore(nodeFileSystem, file, { now: () => now }).get('call_1'), 'half typed', 'kept: the window may only have closed');
    now += 2 * 24 * 60 * 60 * 1000;
    assert.equal(await new OutputDraftStore(nodeFileSystem, file, { now: () => now }).get('call_1'), undefined);
  });

  it('writes every change at once, never going back to an older text when writes are slow', async () => {
    let writes = 0;
    const slow: FileSystem = {
      ...nodeFileSystem,
      writeFileAtomic: async (target, data) => {
        writes++;
        await new Promise((r) => setTimeout(r, 30));
        await nodeFileSystem.writeFileAtomic(target, data);
      },
    };
    const store = new OutputDraftStore(slow, file);
    const typed = ['{', '{"', '{"p', '{"pr', '{"pri', '{"pric', '{"price'];
    await Promise.all(typed.map((text) => store.save('call_1', text)));
    assert.equal(await new OutputDraftStore(nodeFileSystem, file).get('call_1'), typed.at(-1));
    assert.ok(writes <= 2, `keystrokes during a write share the next one (${writes} writes)`);
  });

  it('a damaged file keeps nothing, and the next change replaces it; a failing disk is reported', async () => {
    fs.writeFileSync(file, '{"call_1": {"text": "cut');
    const store = new OutputDraftStore(nodeFileSystem, file);
    assert.equal(await store.get('call_1'), undefined);
    await store.save('call_1', 'fresh');
    assert.equal(await new OutputDraftStore(nodeFileSystem, file).get('call_1'), 'fresh');
    const errors: unknown[] = [];
    const full: FileSystem = { ...nodeFileSystem, writeFileAtomic: () => Promise.reject(new Error('ENOSPC: no space left on device')) };
    const failing = new OutputDraftStore(full, path.join(dir, 'other.json'), { onError: (error) => errors.push(error) });
    await failing.save('call_1', 'kept in memory');
    assert.equal(errors.length, 1);
    assert.equal(await failing.get('call_1'), 'kept in memory');
  });
});
