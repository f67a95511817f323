import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNewFile, folderNameFree, plainFileOrNone, slotFor } from '../../../../src/core/workspace/fileSystem';

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

describe('slotFor, createNewFile and folderNameFree: files an export writes beside a document', () => {
  let dir: string;
  let outside: string;
  const bytes = Buffer.from('day,value\n');
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slot-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('takes a name nothing holds, and one holding these very bytes', async () => {
    assert.equal(await slotFor(dir, 'new-images/x.csv', bytes), 'free');
    fs.mkdirSync(path.join(dir, 'images'));
    assert.equal(await slotFor(dir, 'images/x.csv', bytes), 'free');
    fs.writeFileSync(path.join(dir, 'images', 'x.csv'), bytes);
    assert.equal(await slotFor(dir, 'images/x.csv', bytes), 'same');
  });

  it('finds taken a file of other bytes, a folder, and a link at the end or on the way, dangling or not', async function () {
    if (process.platform === 'win32') this.skip();
    fs.mkdirSync(path.join(dir, 'images'));
    fs.writeFileSync(path.join(dir, 'images', 'mine.csv'), 'the user\'s own');
    fs.writeFileSync(path.join(dir, 'images', 'longer.csv'), Buffer.concat([bytes, bytes]));
    fs.mkdirSync(path.join(dir, 'images', 'folder.csv'));
    fs.writeFileSync(path.join(outside, 'target.csv'), bytes);
    fs.symlinkSync(path.join(outside, 'target.csv'), path.join(dir, 'images', 'out.csv'));
    fs.symlinkSync(path.join(outside, 'authorized_keys'), path.join(dir, 'images', 'dangling.csv'));
    fs.symlinkSync(outside, path.join(dir, 'linked-images'));
    for (const name of ['images/mine.csv', 'images/longer.csv', 'images/folder.csv', 'images/out.csv', 'images/dangling.csv', 'linked-images/new.csv', 'linked-images/target.csv']) {
      assert.equal(await slotFor(dir, name, bytes), 'taken', name);
    }
  });

  it('creates a file only where nothing is, never through a link', async function () {
    if (process.platform === 'win32') this.skip();
    assert.equal(await createNewFile(dir, 'a-images/x.csv', bytes), true);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'a-images', 'x.csv')), bytes);
    assert.equal(await createNewFile(dir, 'a-images/x.csv', Buffer.from('other')), false, 'a file there stays');
    assert.deepEqual(fs.readFileSync(path.join(dir, 'a-images', 'x.csv')), bytes);
    fs.symlinkSync(path.join(outside, 'authorized_keys'), path.join(dir, 'a-images', 'keys'));
    assert.equal(await createNewFile(dir, 'a-images/keys', bytes), false, 'a dangling link is not followed');
    fs.symlinkSync(outside, path.join(dir, 'b-images'));
    await assert.rejects(createNewFile(dir, 'b-images/y.csv', bytes), /b-images is a link or not a folder/);
    assert.deepEqual(fs.readdirSync(outside), [], 'nothing was written outside');
  });

  it('names a folder past a file or a link of its name', async function () {
    if (process.platform === 'win32') this.skip();
    assert.equal(await folderNameFree(dir, 'notes-images', 3), 'notes-images');
    fs.symlinkSync(outside, path.join(dir, 'notes-images'));
    fs.writeFileSync(path.join(dir, 'notes-images-2'), 'a file');
    assert.equal(await folderNameFree(dir, 'notes-images', 3), 'notes-images-3');
    fs.mkdirSync(path.join(dir, 'notes-images-3'));
    assert.equal(await folderNameFree(dir, 'notes-images', 3), 'notes-images-3', 'a real folder is used');
    fs.symlinkSync(path.join(outside, 'gone'), path.join(dir, 'report-images'));
    fs.symlinkSync(path.join(outside, 'gone'), path.join(dir, 'report-images-2'));
    assert.equal(await folderNameFree(dir, 'report-images', 2), undefined);
  });
});
