import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { processWindow } from '../../../../src/core/chat/windowIdentity';

describe('processWindow: which windows on a thread store are still open', () => {
  it('is open itself, and another window is open while its extension host process runs', async () => {
    const here = processWindow();
    assert.equal(here.alive(here.id), true);
    assert.notEqual(processWindow().id, here.id, 'two windows of one process id are told apart');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 30000)'], { stdio: 'ignore' });
    const id = `${other.pid}:another`;
    assert.equal(here.alive(id), true, 'its process runs');
    const exited = new Promise((resolve) => other.once('exit', resolve));
    other.kill();
    await exited;
    assert.equal(here.alive(id), false, 'its process is gone (closed, or reloaded)');
  });

  it('takes a window id it cannot read as a window gone', () => {
    const here = processWindow();
    for (const id of ['', 'x:y', '-1:z', '0:z', '1.5:z', `${Number.MAX_SAFE_INTEGER + 2}:z`]) assert.equal(here.alive(id), false, id);
  });
});
