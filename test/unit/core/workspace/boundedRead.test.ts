import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeErrors, MAX_ASSISTANT_FILE_BYTES } from '../../../../src/core/assistants/assistantFile';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import { assistantLoader } from '../../../../src/core/assistantTests/workspace';
import type { FileSystem } from '../../../../src/core/workspace/fileSystem';
import { FileTooLargeError, nodeFileSystem } from '../../../../src/core/workspace/fileSystem';

/**
 * Files whose size says less than they hold: each reports 0 bytes. Read whole, pagemap filled the
 * extension host's memory (terabytes: 2 GB came in 0.7 s); kallsyms holds megabytes.
 */
const UNDERSTATED = ['/proc/self/pagemap', '/proc/kallsyms'];

const VALID = (name: string) => JSON.stringify({ version: 1, name, model: 'gpt-4.1-mini', instructions: 'Answer briefly.', tools: [] });

describe('a file is read no further than its limit, whatever its size says', () => {
  let dir: string;
  beforeEach(function () {
    if (!UNDERSTATED.every((file) => fs.existsSync(file))) this.skip();
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bounded-read-')));
  });
  afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('readFile with maxBytes stops past the limit (links to files that say they are empty), and reads a file at the limit whole', async () => {
    for (const [index, target] of UNDERSTATED.entries()) {
      const at = path.join(dir, `link${index}`);
      fs.symlinkSync(target, at);
      assert.equal((await nodeFileSystem.stat(at))?.size, 0, target);
      await assert.rejects(nodeFileSystem.readFile(at, { maxBytes: 64 * 1024 }), (error: unknown) => error instanceof FileTooLargeError && /^link\d holds more than 65536 bytes, so it is not read\.$/.test(error.message), target);
    }
    fs.writeFileSync(path.join(dir, 'exact'), 'x'.repeat(100_000));
    assert.equal((await nodeFileSystem.readFile(path.join(dir, 'exact'), { maxBytes: 100_000 }))?.byteLength, 100_000);
    await assert.rejects(nodeFileSystem.readFile(path.join(dir, 'exact'), { maxBytes: 99_999 }), FileTooLargeError);
    assert.equal(await nodeFileSystem.readFile(path.join(dir, 'missing'), { maxBytes: 10 }), undefined);
  });

  it('an assistant file in personal storage that links to such a file is listed with the reason, beside the others', async () => {
    for (const [index, target] of UNDERSTATED.entries()) fs.symlinkSync(target, path.join(dir, `odd${index}.assistant.json`));
    fs.writeFileSync(path.join(dir, 'plain.assistant.json'), VALID('Plain'));
    const entries = await new FileAssistantStore(nodeFileSystem, dir, 'user').list();
    assert.deepEqual(
      entries.map((entry) => [entry.name, entry.assistant !== undefined]),
      [
        ['odd0', false],
        ['odd1', false],
        ['Plain', true],
      ],
    );
    for (const entry of entries.slice(0, 2)) assert.equal(describeErrors(entry.errors ?? []), 'is larger than an assistant file may be (4.0 MB), so it is not read; shorten it');
  });
});

describe('the assistant file a test file names stays in the workspace, and is read no further than its limit', () => {
  let tmp: string;
  let root: string;
  let outside: string;
  let reads: string[];
  const signal = new AbortController().signal;

  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'loader-links-')));
    root = path.join(tmp, 'ws');
    outside = path.join(tmp, 'elsewhere');
    fs.mkdirSync(path.join(root, '.assistants'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'private.assistant.json'), VALID('Private prompt from another project'));
    fs.writeFileSync(path.join(root, '.assistants', 'real.assistant.json'), VALID('Real'));
    reads = [];
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const loader = (files: Pick<FileSystem, 'readFile' | 'stat'> = nodeFileSystem) =>
    assistantLoader({ stat: (file) => files.stat(file), readFile: (file, options) => (reads.push(file), files.readFile(file, options)) }, path.join(root, '.assistants', 'x.assistant-tests.json'), root);

  it('refuses a name that links out of the workspace (to an assistant file elsewhere, to /proc, dangling) and reads nothing there', async () => {
    const plants: Array<[string, string]> = [
      ['elsewhere', path.join(outside, 'private.assistant.json')],
      ['dangling', path.join(outside, 'later.assistant.json')],
      ...(fs.existsSync('/proc/self/pagemap') ? [['pagemap', '/proc/self/pagemap'] as [string, string]] : []),
    ];
    for (const [name, target] of plants) {
      fs.symlinkSync(target, path.join(root, '.assistants', `${name}.assistant.json`));
      await assert.rejects(loader()(`${name}.assistant.json`, signal), new RegExp(`^AssistantsError: The assistant file "${name}\\.assistant\\.json" links to a place outside the workspace folder; copy the file into the folder instead of linking to it\\.$`), name);
    }
    assert.deepEqual(reads, []);
  });

  it('loads a link within the workspace under the name the test file gives it', async () => {
    fs.symlinkSync('real.assistant.json', path.join(root, '.assistants', 'alias.assistant.json'));
    const assistant = await loader()('alias.assistant.json', signal);
    assert.equal(assistant.name, 'Real');
    assert.equal(assistant.id, 'workspace:alias');
  });

  it('stops reading a file that grew past the limit after its size was looked at', async () => {
    for (const [name, bytes] of [
      ['grown', MAX_ASSISTANT_FILE_BYTES + 1],
      ['much-grown', 3 * MAX_ASSISTANT_FILE_BYTES],
    ] as const) {
      fs.writeFileSync(path.join(root, '.assistants', `${name}.assistant.json`), VALID(name).padEnd(bytes, ' '));
      // Its size as it was when looked at: small.
      const earlier: Pick<FileSystem, 'readFile' | 'stat'> = { stat: async (file) => ({ ...(await nodeFileSystem.stat(file))!, size: 100 }), readFile: (file, options) => nodeFileSystem.readFile(file, options) };
      await assert.rejects(loader(earlier)(`${name}.assistant.json`, signal), new RegExp(`^AssistantsError: The assistant file "${name}\\.assistant\\.json" is larger than an assistant file may be \\(4\\.0 MB\\), so it is not read; shorten it\\.$`));
    }
  });
});
