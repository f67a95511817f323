import * as assert from 'node:assert/strict';
import { LoadedRows } from '../../../../src/host/platform/loadedRows';

interface Row {
  id: string;
  title: string;
  assistantId?: string;
}

/** Loads that answer when the test says: `answer(rows)` or `fail(error)` settles the oldest unanswered one, `answerNewest(rows)` the newest. */
function controlledLoads() {
  const pending: { resolve: (rows: Row[]) => void; reject: (error: Error) => void }[] = [];
  return {
    load: () => new Promise<Row[]>((resolve, reject) => pending.push({ resolve, reject })),
    answer: (rows: Row[]) => pending.shift()?.resolve(rows),
    answerNewest: (rows: Row[]) => pending.pop()?.resolve(rows),
    fail: (error: Error) => pending.shift()?.reject(error),
    get waiting() {
      return pending.length;
    },
  };
}

/** Rows over `loads`, recording each announcement: the rows redrawn in place (their ids), or 'all'. */
function rowsOf(loads: ReturnType<typeof controlledLoads>) {
  const announced: (string[] | 'all')[] = [];
  const rows = new LoadedRows<Row>(loads.load, (row) => row.id, (changed) => announced.push(changed ? changed.map((row) => row.id) : 'all'), (row) => JSON.stringify(row));
  return { rows, announced };
}

async function firstLoad(loads: ReturnType<typeof controlledLoads>, rows: LoadedRows<Row>, answer: Row[]): Promise<Row[]> {
  const first = rows.get();
  assert.ok(first instanceof Promise, 'before the first load there is nothing to answer with');
  loads.answer(answer);
  return first;
}

describe('LoadedRows: a tree view\'s rows, each changed in place while they stay the same rows', () => {
  it('the same rows in the same order take their new values in place and are announced as those rows: the objects the view knows stay', async () => {
    const loads = controlledLoads();
    const { rows, announced } = rowsOf(loads);
    const shown = await firstLoad(loads, rows, [{ id: 'b', title: 'Newer', assistantId: 'x' }, { id: 'a', title: 'Older' }]);
    assert.equal(announced.length, 0, 'the first rows were asked for, not changed');
    const [b, a] = shown;

    const reload = rows.reload();
    assert.equal(rows.get(), shown, 'asked meanwhile: the rows shown, at once');
    loads.answer([{ id: 'b', title: 'Newer, renamed' }, { id: 'a', title: 'Older' }]);
    await reload;
    assert.deepEqual(announced, [['b']], 'the row that shows something else is redrawn in place; the view does not read them all again');
    const now = rows.get() as Row[];
    assert.equal(now, shown);
    assert.equal(now[0], b, 'the same object');
    assert.equal(now[1], a);
    assert.deepEqual(b, { id: 'b', title: 'Newer, renamed' }, 'new values taken, a value gone dropped');
  });

  it('rows that show the same as before are not redrawn: nothing is announced (a redraw gives a focused view the focus again)', async () => {
    const loads = controlledLoads();
    const { rows, announced } = rowsOf(loads);
    await firstLoad(loads, rows, [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }]);
    for (let i = 0; i < 3; i++) {
      const reload = rows.reload();
      loads.answer([{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }]);
      await reload;
    }
    assert.deepEqual(announced, []);
    const reload = rows.reload();
    loads.answer([{ id: 'a', title: 'A' }, { id: 'b', title: 'B, renamed' }]);
    await reload;
    assert.deepEqual(announced, [['b']]);
  });

  it('a row come, gone or moved makes the view read every row again', async () => {
    const loads = controlledLoads();
    const { rows, announced } = rowsOf(loads);
    await firstLoad(loads, rows, [{ id: 'b', title: 'B' }, { id: 'a', title: 'A' }]);
    const changes: Row[][] = [
      [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }],
      [{ id: 'c', title: 'C' }, { id: 'a', title: 'A' }, { id: 'b', title: 'B' }],
      [{ id: 'c', title: 'C' }, { id: 'b', title: 'B' }],
    ];
    for (const change of changes) {
      const reload = rows.reload();
      loads.answer(change);
      await reload;
      assert.deepEqual(rows.get(), change);
    }
    assert.deepEqual(announced, ['all', 'all', 'all']);
  });

  it('keeps copies: the objects the load handed out are never changed', async () => {
    const loads = controlledLoads();
    const { rows } = rowsOf(loads);
    const loaded = { id: 'a', title: 'A', assistantId: 'x' };
    await firstLoad(loads, rows, [loaded]);
    const reload = rows.reload();
    loads.answer([{ id: 'a', title: 'A again' }]);
    await reload;
    assert.deepEqual(loaded, { id: 'a', title: 'A', assistantId: 'x' });
    assert.deepEqual(rows.get(), [{ id: 'a', title: 'A again' }]);
  });

  it('keeps and announces the latest of reloads that overlap, whichever answers first', async () => {
    const loads = controlledLoads();
    const { rows, announced } = rowsOf(loads);
    await firstLoad(loads, rows, [{ id: 'a', title: '0' }]);
    const older = rows.reload();
    const newer = rows.reload();
    assert.equal(loads.waiting, 2);
    loads.answer([{ id: 'a', title: '1' }]);
    await older;
    assert.deepEqual(announced, [], 'an overtaken reload announces nothing');
    assert.deepEqual(rows.get(), [{ id: 'a', title: '0' }], 'nor are its rows kept');
    loads.answer([{ id: 'a', title: '2' }]);
    await newer;
    assert.deepEqual(announced, [['a']]);

    // The later answering first: the earlier one's rows, older, come after it and are dropped.
    const earlier = rows.reload();
    const later = rows.reload();
    loads.answerNewest([{ id: 'a', title: '4' }]);
    await later;
    loads.answer([{ id: 'a', title: '3' }]);
    await earlier;
    assert.deepEqual(announced, [['a'], ['a']]);
    assert.deepEqual(rows.get(), [{ id: 'a', title: '4' }]);
  });

  it('a first ask that a reload overtook answers with the reload\'s rows, never with none', async () => {
    const loads = controlledLoads();
    const { rows, announced } = rowsOf(loads);
    const a = { id: 'a', title: 'A' };
    const b = { id: 'b', title: 'B' };
    // The files changed while the view asked for its first rows.
    const first = rows.get();
    const reload = rows.reload();
    loads.answer([a]);
    // The overtaken load has answered; the reload's rows come later.
    await new Promise((resolve) => setImmediate(resolve));
    loads.answer([a, b]);
    assert.deepEqual((await first).map((row) => row.id), ['a', 'b'], 'the view is not shown empty (its welcome) while the newer rows are read');
    await reload;
    assert.deepEqual(announced, ['all']);

    // Overtaken twice, the newest reload answering last but one.
    const again = rowsOf(loads).rows;
    const asked = again.get();
    void again.reload();
    void again.reload();
    loads.answer([{ id: 'x', title: 'X' }]);
    await new Promise((resolve) => setImmediate(resolve));
    loads.answerNewest([{ id: 'z', title: 'Z' }]);
    loads.answer([{ id: 'y', title: 'Y' }]);
    assert.deepEqual((await asked).map((row) => row.id), ['z']);
  });

  it('a load that fails leaves the rows shown as they were, and the next ask or reload tries again', async () => {
    const loads = controlledLoads();
    const { rows, announced } = rowsOf(loads);
    const first = rows.get();
    loads.fail(new Error('disk gone'));
    await assert.rejects(Promise.resolve(first), /disk gone/);
    const again = rows.get();
    assert.equal(loads.waiting, 1, 'asked again, it reads again');
    loads.answer([{ id: 'a', title: 'A' }]);
    assert.deepEqual(await again, [{ id: 'a', title: 'A' }]);
    const reload = rows.reload();
    loads.fail(new Error('disk gone again'));
    await assert.rejects(reload, /disk gone again/);
    assert.deepEqual(announced, []);
    assert.deepEqual(rows.get(), [{ id: 'a', title: 'A' }]);
  });
});
