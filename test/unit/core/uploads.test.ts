import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { UploadIndex, UploadItem } from '../../../src/core/attachments/uploads';
import { defaultToolFor, MAX_UPLOAD_BYTES, uploadFiles, uploadName } from '../../../src/core/attachments/uploads';
import { nodeWorkspaceFs } from '../../../src/core/fileSystem';
import { AssistantsError } from '../../../src/core/errors';
import type { FileObject, FilePurpose } from '../../../src/core/files';

function memoryIndex(): UploadIndex & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (provider, sha) => entries.get(`${provider}/${sha}`),
    set: async (provider, sha, id) => void entries.set(`${provider}/${sha}`, id),
    forget: async (provider, id) => {
      for (const [key, value] of entries) if (key.startsWith(`${provider}/`) && value === id) entries.delete(key);
    },
  };
}

let nextFileId = 0;

/** Counts uploads; `gone` holds ids the server no longer has (deleted on the platform, expired). */
function countingFiles(gone: ReadonlySet<string> = new Set()) {
  const uploads: Array<{ name: string; bytes: number }> = [];
  const checked: string[] = [];
  let running = 0;
  let maxRunning = 0;
  return {
    uploads,
    checked,
    maxRunning: () => maxRunning,
    files: {
      async retrieveFile(id: string): Promise<FileObject> {
        checked.push(id);
        if (gone.has(id)) throw new AssistantsError('not_found', `No such File object: ${id}`);
        return { id, filename: 'x', bytes: 1, purpose: 'assistants', createdAt: 0 };
      },
      async uploadFile(name: string, data: Uint8Array, purpose: FilePurpose): Promise<FileObject> {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 2));
        running -= 1;
        uploads.push({ name, bytes: data.length });
        return { id: `file-${++nextFileId}`, filename: name, bytes: data.length, purpose, createdAt: 0 };
      },
    },
  };
}

describe('uploads: dedupe by content hash, limits, a few at a time', () => {
  let dir: string;
  const item = (relative: string, content: string | Uint8Array, tool = defaultToolFor(relative)): UploadItem => {
    const absolute = path.join(dir, relative);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    fs.writeFileSync(absolute, content);
    return { absolute, display: relative, tool };
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uploads-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('re-attaching 200 unchanged files uploads 0 bytes; a changed file is uploaded again', async () => {
    const items = Array.from({ length: 200 }, (_, i) => item(`src/f${i}.ts`, `export const n = ${i};\n`));
    const index = memoryIndex();
    const first = countingFiles();
    const progress: number[] = [];
    const results = await uploadFiles(items, { files: first.files, fs: nodeWorkspaceFs, index, provider: 'p', onProgress: (done) => progress.push(done) });
    assert.ok(results.every((r) => r.ok && !r.reused));
    assert.equal(first.uploads.length, 200);
    assert.ok(first.maxRunning() <= 3 && first.maxRunning() > 1, `ran ${first.maxRunning()} at once`);
    assert.deepEqual(progress, Array.from({ length: 200 }, (_, i) => i + 1));

    const again = countingFiles();
    const second = await uploadFiles(items, { files: again.files, fs: nodeWorkspaceFs, index, provider: 'p' });
    assert.equal(again.uploads.length, 0);
    assert.equal(second.reduce((sum, r) => sum + (r.ok ? r.uploadedBytes : 0), 0), 0);
    assert.deepEqual(second.map((r) => r.ok && r.fileId), results.map((r) => r.ok && r.fileId));

    fs.writeFileSync(items[7].absolute, 'export const n = "changed";\n');
    const third = countingFiles();
    await uploadFiles(items, { files: third.files, fs: nodeWorkspaceFs, index, provider: 'p' });
    assert.deepEqual(third.uploads.map((u) => u.name), ['f7.ts']);

    assert.equal(again.checked.length, 200, 'each remembered id is checked with the server');

    const elsewhere = countingFiles();
    await uploadFiles(items.slice(0, 2), { files: elsewhere.files, fs: nodeWorkspaceFs, index, provider: 'another server' });
    assert.equal(elsewhere.uploads.length, 2, 'file ids of one provider mean nothing to another');
  });

  it('does not trust a file id the server no longer has: the bytes go again and the index learns the new id', async () => {
    const items = [item('a.md', '# a'), item('b.md', '# b')];
    const index = memoryIndex();
    const first = await uploadFiles(items, { files: countingFiles().files, fs: nodeWorkspaceFs, index, provider: 'p' });
    const goneId = first[0].ok ? first[0].fileId : '';
    const later = countingFiles(new Set([goneId]));
    const second = await uploadFiles(items, { files: later.files, fs: nodeWorkspaceFs, index, provider: 'p' });
    assert.deepEqual(later.uploads.map((u) => u.name), ['a.md']);
    assert.ok(second[0].ok && !second[0].reused && second[0].fileId !== goneId);
    assert.ok(second[1].ok && second[1].reused);
    assert.ok(![...index.entries.values()].includes(goneId), 'the gone id is forgotten');
  });

  it('refuses what the service refuses, with the reason, and sends unknown source types as text', async () => {
    const files = countingFiles();
    const big = item('big.bin', '');
    fs.truncateSync(big.absolute, MAX_UPLOAD_BYTES + 1);
    const results = await uploadFiles(
      [item('src/main.rs', 'fn main() {}\n'), item('empty.md', ''), big, item('logo.ico', new Uint8Array([0, 1, 2])), item('data.csv', 'a,b\n1,2\n')],
      { files: files.files, fs: nodeWorkspaceFs, index: memoryIndex(), provider: 'p' },
    );
    assert.deepEqual(files.uploads.map((u) => u.name).sort(), ['data.csv', 'main.rs.txt']);
    assert.ok(results[0].ok && results[0].filename === 'main.rs.txt');
    assert.ok(!results[1].ok && /empty/.test(results[1].reason));
    assert.ok(!results[2].ok && /512 MB/.test(results[2].reason));
    assert.ok(!results[3].ok && /not text/.test(results[3].reason));
    assert.ok(results[4].ok && results[4].item.tool === 'code_interpreter');
  });

  it('chooses the code interpreter for data and file search for the rest; names follow the tool', () => {
    assert.equal(defaultToolFor('report.xlsx'), 'code_interpreter');
    assert.equal(defaultToolFor('src/app.ts'), 'file_search');
    assert.deepEqual(uploadName('sheet.xlsx', 'code_interpreter', true), { name: 'sheet.xlsx' });
    assert.ok('refused' in uploadName('a.exe', 'code_interpreter', true));
    assert.deepEqual(uploadName('Makefile', 'file_search', false), { name: 'Makefile.txt' });
  });

  it('stops the files not yet sent when cancelled, and says so for each', async () => {
    const abort = new AbortController();
    const files = countingFiles();
    const items = Array.from({ length: 10 }, (_, i) => item(`f${i}.md`, `# ${i}`));
    const results = await uploadFiles(items, {
      files: files.files,
      fs: nodeWorkspaceFs,
      index: memoryIndex(),
      provider: 'p',
      signal: abort.signal,
      concurrency: 1,
      onProgress: (done) => done === 3 && abort.abort(),
    });
    assert.equal(files.uploads.length, 3);
    assert.equal(results.filter((r) => !r.ok && /cancelled/.test(r.reason)).length, 7);
  });
});
