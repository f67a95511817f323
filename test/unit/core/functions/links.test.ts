import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listFilesFunction, readFileFunction, searchTextFunction } from '../../../../src/core/functions/fileFunctions';
import { Confinement, DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import type { WorkspaceFs } from '../../../../src/core/workspace/workspaceFs';
import type { FunctionFixture } from './fixture';
import { functionFixture } from './fixture';

describe('writes through links: propose_edit and Apply never leave the workspace', () => {
  let ws: FunctionFixture;
  let outside: string;
  const link = (target: string, at: string) => {
    fs.mkdirSync(path.dirname(path.join(ws.root, at)), { recursive: true });
    fs.symlinkSync(target, path.join(ws.root, at));
  };
  const propose = (file: string, args: Record<string, unknown> = { content: 'written by the model\n' }) => ws.call('propose_edit', { path: file, ...args });
  const outsideFiles = () => fs.readdirSync(outside, { recursive: true }).map(String).sort();

  beforeEach(() => {
    ws = functionFixture();
    outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'outside-')));
    fs.writeFileSync(path.join(outside, 'target.txt'), 'outside\n');
    ws.write('src/a.ts', 'export const a = 1;\n');
    ws.policies.propose_edit = 'allow';
    ws.decide = (proposed) => ({ applied: true, text: proposed });
  });
  afterEach(() => {
    ws.dispose();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('refuses a dangling link out, whatever its form: absolute, relative, to a missing folder, through a chain', async () => {
    link(path.join(outside, 'x'), 'notes.md');
    link(path.join(path.relative(path.join(ws.root, 'docs'), outside), 'y.txt'), 'docs/relative.txt');
    link(`../${path.relative(path.dirname(ws.root), outside)}/z`, 'up.txt');
    link(path.join(outside, 'no', 'such', 'folder'), 'generated');
    link('second-hop', 'first-hop');
    link(path.join(outside, 'chained'), 'second-hop');
    for (const file of ['notes.md', 'docs/relative.txt', 'up.txt', 'generated/a/b.ts', 'first-hop']) {
      const output = await propose(file);
      assert.match(output, /links to a place outside the workspace/, `${file}: ${output}`);
      assert.ok(!output.includes(outside), 'the refusal names no local path');
    }
    assert.deepEqual(outsideFiles(), ['target.txt'], 'nothing was created outside');
    assert.equal(ws.proposals.length, 0, 'nothing was shown to the user');
  });

  it('refuses a linked folder in the middle of the path, existing or not, and a loop of links', async () => {
    link(outside, 'vendor');
    link(path.join(outside, 'later'), 'src/out');
    link('loop-b', 'loop-a');
    link('loop-a', 'loop-b');
    assert.match(await propose('vendor/target.txt', { edits: [{ oldText: 'outside', newText: 'changed' }] }), /links to a place outside/);
    assert.match(await propose('vendor/new/file.txt'), /links to a place outside/);
    assert.match(await propose('src/out/deeper/file.ts'), /links to a place outside/);
    assert.match(await propose('loop-a'), /more than 40 links/);
    assert.match(await propose('loop-a/x'), /more than 40 links/);
    assert.equal(fs.readFileSync(path.join(outside, 'target.txt'), 'utf8'), 'outside\n');
    assert.deepEqual(outsideFiles(), ['target.txt']);
  });

  it('follows a dangling link that stays inside, and writes where it leads', async () => {
    link('docs/v2.md', 'latest.md');
    assert.match(await propose('latest.md'), /applied the edit/);
    assert.equal(fs.readFileSync(path.join(ws.root, 'docs', 'v2.md'), 'utf8'), 'written by the model\n');
    assert.ok(fs.lstatSync(path.join(ws.root, 'latest.md')).isSymbolicLink(), 'the link itself is left as it was');
  });

  it('checks again at Apply: a file or folder swapped for a link during the review is not written through', async () => {
    const swaps: Array<[string, () => void]> = [
      ['the file becomes a link out', () => {
        fs.rmSync(path.join(ws.root, 'src', 'a.ts'));
        fs.symlinkSync(path.join(outside, 'target.txt'), path.join(ws.root, 'src', 'a.ts'));
      }],
      ['the file becomes a dangling link out', () => {
        fs.rmSync(path.join(ws.root, 'src', 'a.ts'));
        fs.symlinkSync(path.join(outside, 'new.txt'), path.join(ws.root, 'src', 'a.ts'));
      }],
      ['its folder becomes a link out', () => {
        fs.copyFileSync(path.join(ws.root, 'src', 'a.ts'), path.join(outside, 'a.ts'));
        fs.rmSync(path.join(ws.root, 'src'), { recursive: true });
        fs.symlinkSync(outside, path.join(ws.root, 'src'));
      }],
      ['the file becomes a link to another file of the workspace', () => {
        ws.write('other.ts', 'export const a = 1;\n');
        fs.rmSync(path.join(ws.root, 'src', 'a.ts'));
        fs.symlinkSync(path.join(ws.root, 'other.ts'), path.join(ws.root, 'src', 'a.ts'));
      }],
    ];
    for (const [what, swap] of swaps) {
      fs.rmSync(path.join(ws.root, 'src'), { recursive: true, force: true });
      ws.write('src/a.ts', 'export const a = 1;\n');
      ws.decide = (proposed) => {
        swap();
        return { applied: true, text: proposed };
      };
      const output = await propose('src/a.ts', { edits: [{ oldText: 'a = 1', newText: 'a = 2' }] });
      assert.match(output, /Nothing was written: when the user applied the edit, the path no longer passed the workspace check/, `${what}: ${output}`);
      assert.ok(!output.includes(outside), 'the refusal names no local path');
    }
    assert.equal(fs.readFileSync(path.join(outside, 'target.txt'), 'utf8'), 'outside\n');
    assert.equal(fs.readFileSync(path.join(outside, 'a.ts'), 'utf8'), 'export const a = 1;\n');
    assert.ok(!fs.existsSync(path.join(outside, 'new.txt')));
    assert.equal(fs.readFileSync(path.join(ws.root, 'other.ts'), 'utf8'), 'export const a = 1;\n');
  });

  it('edits no file that has other names (hard links), when proposed or when the user applies', async () => {
    // A hard link to a file outside, one to a file inside, and a file given a second name during the review.
    fs.linkSync(path.join(outside, 'target.txt'), path.join(ws.root, 'notes.txt'));
    ws.write('docs/one.md', 'outside\n');
    fs.linkSync(path.join(ws.root, 'docs', 'one.md'), path.join(ws.root, 'docs', 'two.md'));
    for (const file of ['notes.txt', 'docs/two.md']) {
      for (const args of [{ content: 'written by the model\n' }, { edits: [{ oldText: 'outside', newText: 'changed' }] }]) {
        const output = await propose(file, args);
        assert.match(output, /has 2 names \(hard links\).*it is not edited here/, `${file}: ${output}`);
      }
    }
    assert.equal(ws.proposals.length, 0, 'nothing was shown');
    ws.decide = (proposed) => {
      fs.linkSync(path.join(ws.root, 'src', 'a.ts'), path.join(outside, 'second-name.ts'));
      return { applied: true, text: proposed };
    };
    assert.match(await propose('src/a.ts', { edits: [{ oldText: 'a = 1', newText: 'a = 2' }] }), /Nothing was written: .*has 2 names \(hard links\)/);
    assert.equal(fs.readFileSync(path.join(outside, 'target.txt'), 'utf8'), 'outside\n');
    assert.equal(fs.readFileSync(path.join(outside, 'second-name.ts'), 'utf8'), 'export const a = 1;\n');
    assert.equal(await ws.call('read_file', { path: 'notes.txt' }), 'outside\n', 'reading such a file is reading the workspace');
  });

  it('read_file and list_files treat a dangling link out as outside, not as a missing file', async () => {
    link(path.join(outside, 'x'), 'notes.md');
    assert.match(await ws.call('read_file', { path: 'notes.md' }), /links to a place outside/);
    assert.doesNotMatch(await ws.call('list_files', {}), /notes\.md/);
  });
});

describe('reads through links swapped after the check: what is opened is what was checked', () => {
  let root: string;
  let outside: string;
  const SECRET = 'outside-secret-4b1d';
  /** The workspace's file access, with a swap run once right before a file is opened for reading. */
  const swapping = (swap: () => void): WorkspaceFs => {
    let pending: (() => void) | undefined = swap;
    return {
      ...nodeWorkspaceFs,
      readChunks(absolute, chunkBytes, signal) {
        pending?.();
        pending = undefined;
        return nodeWorkspaceFs.readChunks(absolute, chunkBytes, signal);
      },
    };
  };
  const functionsOver = (fs: WorkspaceFs) => {
    const confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: [root], deny: DEFAULT_DENY, exclude: [] }), false);
    return { read: readFileFunction({ fs, confinement }), search: searchTextFunction({ fs, confinement }) };
  };
  const context = () => ({ signal: new AbortController().signal, run: { id: 'r', threadId: 't', assistantId: 'a', status: 'requires_action' as const, createdAt: 0 } });
  const answer = (work: Promise<string>) => work.catch((error: unknown) => `Error: ${error instanceof Error ? error.message : String(error)}`);

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-')));
    outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'outside-')));
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
    fs.writeFileSync(path.join(outside, 'a.ts'), `${SECRET}\n`);
    fs.writeFileSync(path.join(outside, 'target.txt'), `${SECRET}\n`);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  for (const [label, swap] of [
    ['the file swapped for a link out', () => (fs.rmSync(path.join(root, 'src', 'a.ts')), fs.symlinkSync(path.join(outside, 'target.txt'), path.join(root, 'src', 'a.ts')))],
    ['its folder swapped for a link out', () => (fs.rmSync(path.join(root, 'src'), { recursive: true }), fs.symlinkSync(outside, path.join(root, 'src')))],
    ['its folder renamed away and a link out put in its place', () => (fs.renameSync(path.join(root, 'src'), path.join(root, 'moved')), fs.symlinkSync(outside, path.join(root, 'src')))],
  ] as const) {
    it(`read_file and search_text read nothing when ${label} after the check`, async () => {
      const read = await answer(functionsOver(swapping(swap)).read.handle({ path: 'src/a.ts' }, context()));
      assert.doesNotMatch(read, new RegExp(SECRET));
      assert.match(read, /changed while it was being opened|not read/, read);
      fs.rmSync(path.join(root, 'src'), { recursive: true, force: true });
      fs.rmSync(path.join(root, 'moved'), { recursive: true, force: true });
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
      const found = await answer(functionsOver(swapping(swap)).search.handle({ query: 'e' }, context()));
      assert.doesNotMatch(found, new RegExp(SECRET), found);
    });
  }

  it('a .gitignore that links out of the workspace is not read; one linking inside is', async () => {
    const opened: string[] = [];
    const recording: WorkspaceFs = { ...nodeWorkspaceFs, readChunks: (absolute, chunkBytes, signal) => (opened.push(absolute), nodeWorkspaceFs.readChunks(absolute, chunkBytes, signal)) };
    fs.writeFileSync(path.join(outside, 'ignore-all'), '*\n');
    fs.symlinkSync(path.join(outside, 'ignore-all'), path.join(root, '.gitignore'));
    fs.writeFileSync(path.join(root, 'src', 'rules'), 'b.ts\n');
    fs.writeFileSync(path.join(root, 'src', 'b.ts'), 'export const b = 2;\n');
    fs.symlinkSync('rules', path.join(root, 'src', '.gitignore'));
    const listed = await listFilesFunction({ fs: recording, confinement: new Confinement(nodeWorkspaceFs, () => ({ roots: [root], deny: [], exclude: [] }), false) }).handle({}, context());
    assert.deepEqual(opened.filter((file) => !file.startsWith(root)), [], 'nothing outside was opened');
    assert.match(listed, /src\/a\.ts/, 'the link out ignores nothing');
    assert.doesNotMatch(listed, /src\/b\.ts/, 'the link inside is read where it leads');
  });
});
