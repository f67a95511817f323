import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Draft } from '../../../../src/core/threads/draftStore';
import { DraftStore, EMPTY_DRAFT, applyDraftChange } from '../../../../src/core/threads/draftStore';
import type { FileSystem } from '../../../../src/core/workspace/fileSystem';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';

describe('the composer draft the host keeps', () => {
  describe('ordering of writes and clears', () => {
    const save = (text: string, seq: number) => ({ kind: 'save' as const, draft: { text, seq } });
    const clear = (seq: number) => ({ kind: 'clear' as const, draft: { text: '', seq } });
    const cases: { name: string; changes: ReturnType<typeof save | typeof clear>[]; expected: Draft }[] = [
      { name: 'a newer write replaces the draft', changes: [save('a', 1), save('ab', 2)], expected: { text: 'ab', seq: 2 } },
      { name: 'an older write arriving late is dropped', changes: [save('ab', 2), save('a', 1)], expected: { text: 'ab', seq: 2 } },
      { name: 'a send clears the draft it carried', changes: [save('question', 5), clear(6)], expected: { text: '', seq: 6 } },
      { name: 'a write older than the clear never brings the sent question back', changes: [save('question', 5), clear(6), save('question', 5), save('questio', 4)], expected: { text: '', seq: 6 } },
      { name: 'text typed after the send is kept', changes: [save('question', 5), clear(6), save('next', 7)], expected: { text: 'next', seq: 7 } },
      { name: 'a clear older than what was typed since changes nothing', changes: [save('typed while sending', 8), clear(6)], expected: { text: 'typed while sending', seq: 8 } },
      { name: 'a clear wins a tie with the write of the same change', changes: [save('question', 6), clear(6)], expected: { text: '', seq: 6 } },
      { name: 'a write does not beat an equal number', changes: [save('first', 3), save('second', 3)], expected: { text: 'first', seq: 3 } },
    ];
    for (const { name, changes, expected } of cases) {
      it(name, () => assert.deepEqual(changes.reduce(applyDraftChange, EMPTY_DRAFT), expected));
    }
  });

  describe('DraftStore on disk', () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'draft-'));
      file = path.join(dir, 'draft.json');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('writes each change at once, with no pause in typing and no flush, and the next window reads it', async () => {
      const store = new DraftStore(nodeFileSystem, file);
      await store.save({ text: 'h', seq: 1 });
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { text: 'h', seq: 1 }, 'the first keystroke is on disk');
      await store.save({ text: 'hello', seq: 2 });
      assert.deepEqual(await new DraftStore(nodeFileSystem, file).current(), { text: 'hello', seq: 2 }, 'a window that starts now reads the last keystroke');
    });

    it('keystrokes made while a write goes out are written together, the newest winning', async () => {
      const writes: Draft[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started: () => void = () => undefined;
      const firstStarted = new Promise<void>((resolve) => (started = resolve));
      const heldFs: FileSystem = {
        ...nodeFileSystem,
        writeFileAtomic: async (target, data) => {
          writes.push(JSON.parse(new TextDecoder().decode(data)) as Draft);
          if (writes.length === 1) {
            started();
            await gate;
          }
          await nodeFileSystem.writeFileAtomic(target, data);
        },
      };
      const store = new DraftStore(heldFs, file);
      const first = store.save({ text: 'the', seq: 1 });
      // The first write is going out (and held): the next keystrokes come meanwhile.
      await firstStarted;
      const later = ['the last', 'the last word'].map((text, i) => store.save({ text, seq: i + 2 }));
      void store.save({ text: 'stale', seq: 1 });
      release();
      await Promise.all([first, ...later]);
      assert.deepEqual(writes, [{ text: 'the', seq: 1 }, { text: 'the last word', seq: 3 }]);
      assert.deepEqual(await new DraftStore(nodeFileSystem, file).current(), { text: 'the last word', seq: 3 });
    });

    it('flush resolves with the last keystrokes on disk (the window is closing)', async () => {
      const store = new DraftStore(nodeFileSystem, file);
      void store.save({ text: 'last words', seq: 9 });
      await store.flush();
      assert.deepEqual(await new DraftStore(nodeFileSystem, file).current(), { text: 'last words', seq: 9 });
    });

    it('a clear is on disk when it resolves, and a slow older write cannot land after it', async () => {
      // The first write is slow: the clear queued behind it must still be what the file holds.
      let slow = true;
      const writes: string[] = [];
      const slowFs: FileSystem = {
        ...nodeFileSystem,
        writeFileAtomic: async (target, data) => {
          const wasSlow = slow;
          slow = false;
          if (wasSlow) await new Promise((resolve) => setTimeout(resolve, 50));
          writes.push(new TextDecoder().decode(data));
          await nodeFileSystem.writeFileAtomic(target, data);
        },
      };
      const store = new DraftStore(slowFs, file);
      void store.save({ text: 'the question', seq: 5 });
      await store.current();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.clear(6);
      void store.save({ text: 'the question', seq: 5 });
      await store.flush();
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { text: '', seq: 6 });
      assert.deepEqual(writes.map((w) => JSON.parse(w) as Draft), [{ text: 'the question', seq: 5 }, { text: '', seq: 6 }]);
    });

    it('a damaged file is no draft, and the next write replaces it', async () => {
      fs.writeFileSync(file, '{"text": 12');
      const store = new DraftStore(nodeFileSystem, file);
      assert.deepEqual(await store.current(), EMPTY_DRAFT);
      await store.save({ text: 'fresh', seq: 1 });
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { text: 'fresh', seq: 1 });
    });

    it('a failing disk is reported, and the draft stays in memory', async () => {
      const errors: unknown[] = [];
      const full: FileSystem = { ...nodeFileSystem, writeFileAtomic: () => Promise.reject(new Error('ENOSPC')) };
      const store = new DraftStore(full, file, { onError: (error) => errors.push(error) });
      await store.save({ text: 'kept', seq: 1 });
      await store.flush();
      assert.equal(errors.length, 1);
      assert.deepEqual(await store.current(), { text: 'kept', seq: 1 });
    });
  });
});
