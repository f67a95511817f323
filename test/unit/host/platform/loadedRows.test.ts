import * as assert from 'node:assert/strict';
import { LoadedRows } from '../../../../src/host/platform/loadedRows';

/** A load that answers when the test says: `answer(rows)` or `fail(error)` settles the oldest unanswered one, `answerNewest(rows)` the newest. */
function controlledLoads<T>() {
  const pending: { resolve: (rows: T[]) => void; reject: (error: Error) => void }[] = [];
  return {
    load: () => new Promise<T[]>((resolve, reject) => pending.push({ resolve, reject })),
    answer: (rows: T[]) => pending.shift()?.resolve(rows),
    answerNewest: (rows: T[]) => pending.pop()?.resolve(rows),
    fail: (error: Error) => pending.shift()?.reject(error),
    get waiting() {
      return pending.length;
    },
  };
}

describe('LoadedRows: a tree view\'s rows, read before the view is told they changed', () => {
  it('answers with the rows at once (an array, not a promise) while a reload reads the next ones, and announces only once they are in', async () => {
    const loads = controlledLoads<string>();
    let announced = 0;
    const rows = new LoadedRows(loads.load, () => announced++);
    const first = rows.get();
    assert.ok(first instanceof Promise, 'before the first load there is nothing to answer with');
    loads.answer(['a', 'b']);
    assert.deepEqual(await first, ['a', 'b']);
    assert.equal(announced, 0, 'the first rows were asked for, not changed');

    const reload = rows.reload();
    assert.equal(announced, 0, 'not announced before the new rows are read');
    assert.deepEqual(rows.get(), ['a', 'b'], 'asked meanwhile: the rows shown, at once');
    loads.answer(['c', 'a', 'b']);
    await reload;
    assert.equal(announced, 1);
    assert.deepEqual(rows.get(), ['c', 'a', 'b'], 'asked after the announcement: the new rows, at once');
  });

  it('keeps and announces the latest of reloads that overlap, whichever answers first', async () => {
    const loads = controlledLoads<number>();
    const announcements: number[][] = [];
    const rows: LoadedRows<number> = new LoadedRows(loads.load, () => announcements.push(rows.get() as number[]));
    const first = rows.get();
    loads.answer([0]);
    await first;
    const older = rows.reload();
    const newer = rows.reload();
    assert.equal(loads.waiting, 2);
    loads.answer([1]);
    await older;
    assert.deepEqual(announcements, [], 'an overtaken reload announces nothing');
    assert.deepEqual(rows.get(), [0], 'nor are its rows kept');
    loads.answer([2]);
    await newer;
    assert.deepEqual(announcements, [[2]]);

    // The later answering first: the earlier one's rows, older, come after it and are dropped.
    const earlier = rows.reload();
    const later = rows.reload();
    loads.answerNewest([4]);
    await later;
    loads.answer([3]);
    await earlier;
    assert.deepEqual(announcements, [[2], [4]]);
    assert.deepEqual(rows.get(), [4]);
  });

  it('a load that fails leaves the rows shown as they were, and the next ask or reload tries again', async () => {
    const loads = controlledLoads<string>();
    let announced = 0;
    const rows = new LoadedRows(loads.load, () => announced++);
    const first = rows.get();
    loads.fail(new Error('disk gone'));
    await assert.rejects(Promise.resolve(first), /disk gone/);
    const again = rows.get();
    assert.equal(loads.waiting, 1, 'asked again, it reads again');
    loads.answer(['a']);
    assert.deepEqual(await again, ['a']);
    const reload = rows.reload();
    loads.fail(new Error('disk gone again'));
    await assert.rejects(reload, /disk gone again/);
    assert.equal(announced, 0);
    assert.deepEqual(rows.get(), ['a']);
  });
});
