import * as assert from 'node:assert/strict';
import { formatDurability, runDurability } from '../../../support/threadDurability';

// The durability suite in small (`npm run bench:threads` runs it in full): real processes, killed
// with SIGKILL while they save, and two processes and two stores writing at once.
describe('thread store durability (child processes)', function () {
  this.timeout(120_000);

  it('loses, hides and leaves behind nothing when writers are killed or write at once', async () => {
    const rows = await runDurability({ kills: 4, concurrentThreads: 8, corruptions: false });
    const table = formatDurability(rows);
    assert.equal(rows.length, 3, table);
    for (const row of rows) {
      assert.ok(row.acknowledged > 0, `${row.scenario}: nothing was saved\n${table}`);
      assert.deepEqual([row.lost, row.hidden, row.unreadable, row.setAside, row.tempLeft], [0, 0, 0, 0, 0], `${row.scenario}\n${table}`);
    }
  });
});
