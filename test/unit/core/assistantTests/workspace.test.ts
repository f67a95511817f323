import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_ASSISTANT_FILE_BYTES } from '../../../../src/core/assistants/assistantFile';
import { assistantLoader } from '../../../../src/core/assistantTests/workspace';
import type { FileSystem } from '../../../../src/core/workspace/fileSystem';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';

/** The assistant files a test file names, as the Testing view and `npm run test-assistants` load them. */
describe('assistantLoader', () => {
  let root: string;
  let testFile: string;
  /** Paths whose bytes the loader asked for. */
  let reads: string[];
  let load: ReturnType<typeof assistantLoader>;
  const signal = new AbortController().signal;

  beforeEach(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'assistant-loader-')));
    await fs.mkdir(path.join(root, '.assistants'));
    testFile = path.join(root, '.assistants', 'helper.assistant-tests.json');
    reads = [];
    const counting: Pick<FileSystem, 'readFile' | 'stat'> = {
      stat: (file) => nodeFileSystem.stat(file),
      readFile: (file) => {
        reads.push(file);
        return nodeFileSystem.readFile(file);
      },
    };
    load = assistantLoader(counting, testFile, root);
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const fileOf = (slug: string) => path.join(root, '.assistants', `${slug}.assistant.json`);
  /** A valid assistant file of `bytes` bytes: its JSON, then spaces (JSON allows any amount after the value). */
  async function writePadded(slug: string, bytes: number): Promise<void> {
    const json = JSON.stringify({ version: 1, name: slug, model: 'gpt-4.1-mini', instructions: 'Answer briefly.', tools: [] });
    await fs.writeFile(fileOf(slug), json + ' '.repeat(bytes - json.length));
  }

  it('loads an assistant file of any size the Assistants view lists (2 MB and just under the limit)', async () => {
    for (const [slug, bytes] of [['two-megabytes', 2 * 1024 * 1024], ['at-the-limit', MAX_ASSISTANT_FILE_BYTES]] as const) {
      await writePadded(slug, bytes);
      assert.equal((await fs.stat(fileOf(slug))).size, bytes);
      const assistant = await load(`${slug}.assistant.json`, signal);
      assert.equal(assistant.name, slug);
      assert.equal(assistant.id, `workspace:${slug}`);
    }
  });

  it('refuses a larger file unread, naming its size and the limit (5 MB, and a 600 MB sparse file)', async () => {
    await writePadded('five', 5 * 1024 * 1024);
    const huge = await fs.open(fileOf('huge'), 'w');
    await huge.truncate(600 * 1024 * 1024);
    await huge.close();
    await assert.rejects(load('five.assistant.json', signal), /^AssistantsError: The assistant file "five\.assistant\.json" is 5\.0 MB, larger than an assistant file may be \(4\.0 MB\), so it is not read; shorten it\.$/);
    await assert.rejects(load('huge.assistant.json', signal), /"huge\.assistant\.json" is 600 MB, larger than an assistant file may be \(4\.0 MB\)/);
    assert.deepEqual(reads, [], 'neither file was read');
  });

  it('still says which file is missing', async () => {
    await assert.rejects(load('nobody.assistant.json', signal), /The assistant file "nobody\.assistant\.json" does not exist; create it or name another/);
  });

  it('says in one sentence of its own why a folder, a pipe, a NUL character or a loop of links is no assistant file', async () => {
    await fs.mkdir(fileOf('folder'));
    await fs.mkdir(fileOf('nested'));
    await fs.writeFile(path.join(fileOf('nested'), 'x'), '{}');
    execFileSync('mkfifo', [fileOf('pipe')]);
    await fs.symlink('loop.assistant.json', fileOf('loop'));
    await fs.symlink('loop-b.assistant.json', fileOf('loop-a'));
    await fs.symlink('loop-a.assistant.json', fileOf('loop-b'));
    const cases: Array<[string, RegExp]> = [
      ['folder.assistant.json', /^The assistant file "folder\.assistant\.json" is a folder, not a file; name an assistant file in the test file's "assistant"\.$/],
      ['nested.assistant.json', /^The assistant file "nested\.assistant\.json" is a folder, not a file;/],
      ['pipe.assistant.json', /^The assistant file "pipe\.assistant\.json" is not a regular file \(a pipe, socket or device\), so it is not read; name an assistant file in the test file's "assistant"\.$/],
      ['a\u0000.assistant.json', /^The assistant file "a\\u0000\.assistant\.json" contains a NUL character; name the file in the test file's "assistant" without one\.$/],
      ['sub/\u0000/x.assistant.json', /contains a NUL character; name the file/],
      ['loop.assistant.json', /^The assistant file "loop\.assistant\.json" goes through a loop of links; make it a file, or a link to one inside the workspace folder\.$/],
      ['loop-a.assistant.json', /"loop-a\.assistant\.json" goes through a loop of links/],
    ];
    for (const [relative, sentence] of cases) {
      await assert.rejects(load(relative, signal), (error: Error) => {
        assert.equal(error.name, 'AssistantsError', relative);
        assert.match(error.message, sentence);
        assert.doesNotMatch(error.message, /EISDIR|null bytes|argument|\.\.|unexpected/i, relative);
        return true;
      });
    }
    assert.deepEqual(reads, [], 'none was read');
  });
});
