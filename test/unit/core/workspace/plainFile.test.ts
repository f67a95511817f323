import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plainFileOrNone } from '../../../../src/core/workspace/fileSystem';

describe('plainFileOrNone: what a write beside a file of the workspace may write', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plain-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes a missing file and a regular one', async () => {
    fs.writeFileSync(path.join(dir, 'a.assistant-tests.json'), '{}');
    assert.equal(await plainFileOrNone(path.join(dir, 'a.assistant-tests.json')), true);
    assert.equal(await plainFileOrNone(path.join(dir, 'new.assistant-tests.json')), true);
  });

  it('refuses a link, dangling or not, inside or out, and a folder, a pipe or a device', async function () {
    if (process.platform === 'win32') this.skip();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'target.json'), 'keep');
      fs.writeFileSync(path.join(dir, 'inside.json'), '{}');
      fs.symlinkSync(path.join(outside, 'target.json'), path.join(dir, 'out.assistant-tests.json'));
      fs.symlinkSync(path.join(outside, 'missing.json'), path.join(dir, 'dangling.assistant-tests.json'));
      fs.symlinkSync('inside.json', path.join(dir, 'in.assistant-tests.json'));
      fs.symlinkSync('/dev/zero', path.join(dir, 'zero.assistant-tests.json'));
      fs.mkdirSync(path.join(dir, 'folder.assistant-tests.json'));
      execFileSync('mkfifo', [path.join(dir, 'pipe.assistant-tests.json')]);
      for (const name of ['out', 'dangling', 'in', 'zero', 'folder', 'pipe']) assert.equal(await plainFileOrNone(path.join(dir, `${name}.assistant-tests.json`)), false, name);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
