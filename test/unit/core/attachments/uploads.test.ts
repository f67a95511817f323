import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { UploadItem } from '../../../../src/core/attachments/uploads';
import { defaultToolFor, MAX_UPLOAD_BYTES, uploadFiles, uploadName } from '../../../../src/core/attachments/uploads';
import { MAX_INPUT_FILE_BYTES, pdfPageCount } from '../../../../src/core/attachments/inputFiles';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import { AssistantsError } from '../../../../src/core/errors';
import type { FileObject, FilePurpose } from '../../../../src/core/files';
import { memoryUploadIndex } from '../../../fakes/memoryUploadIndex';

let nextFileId = 0;

/** A PDF whose page tree says `pages` (a root /Pages node with its /Count, nested under another node as real files often are). */
function pdfOfPages(pages: number): string {
  const half = Math.floor(pages / 2);
  return [
    '%PDF-1.7',
    `1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj`,
    `2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count ${pages} /Resources << /Font << >> >> >> endobj`,
    `3 0 obj << /Type /Pages /Parent 2 0 R /Count ${half} >> endobj`,
    `4 0 obj << /Type /Pages /Parent 2 0 R /Count ${pages - half} >> endobj`,
    '%%EOF',
  ].join('\n');
}

const onePagePdf = '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n%%EOF\n';

/** Counts uploads; `gone` holds ids the server no longer has (deleted on the platform, expired). */
function countingFiles(gone: ReadonlySet<string> = new Set()) {
  const uploads: Array<{ name: string; bytes: number; purpose: FilePurpose }> = [];
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
        uploads.push({ name, bytes: data.length, purpose });
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

  it('hashes each file as it is read, chunk by chunk (a 400 MB file hashed at once held the host 0.4 s): files of one chunk and of many', async () => {
    const contents = ['a,b\n1,2\n', Buffer.alloc(5 * 1024 * 1024 + 17, 'x,y,z\n')];
    const items = contents.map((content, i) => item(`data/d${i}.csv`, content));
    const results = await uploadFiles(items, { files: countingFiles().files, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'p' });
    assert.deepEqual(
      results.map((result) => result.ok && result.sha256),
      contents.map((content) => createHash('sha256').update(content).digest('hex')),
    );
    assert.deepEqual(results.map((result) => result.ok && result.uploadedBytes), contents.map((content) => Buffer.byteLength(content)));
  });

  it('re-attaching 200 unchanged files uploads 0 bytes; a changed file is uploaded again', async () => {
    const items = Array.from({ length: 200 }, (_, i) => item(`src/f${i}.ts`, `export const n = ${i};\n`));
    const index = memoryUploadIndex();
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
    const index = memoryUploadIndex();
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
      { files: files.files, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'p' },
    );
    assert.deepEqual(files.uploads.map((u) => u.name).sort(), ['data.csv', 'main.rs.txt']);
    assert.ok(results[0].ok && results[0].filename === 'main.rs.txt');
    assert.ok(!results[1].ok && /empty/.test(results[1].reason));
    assert.ok(!results[2].ok && /512 MB/.test(results[2].reason));
    assert.ok(!results[3].ok && /not text/.test(results[3].reason));
    assert.ok(results[4].ok && results[4].item.tool === 'code_interpreter');
  });

  it('a PDF the model reads whole (Responses) goes up as user_data; the rest, and every file for Assistants v2, as assistants', async () => {
    const files = countingFiles();
    const index = memoryUploadIndex();
    const pdf = item('docs/spec.pdf', onePagePdf);
    const notes = item('docs/notes.md', '# Notes\n');
    const forData = { ...item('docs/table.pdf', onePagePdf.replace('1 0 obj', '1 0 obj ')), tool: 'code_interpreter' as const };
    await uploadFiles([pdf, notes, forData], { files: files.files, fs: nodeWorkspaceFs, index, provider: 'p', inputFiles: true });
    assert.deepEqual(files.uploads.map((u) => [u.name, u.purpose]).sort(), [['notes.md', 'assistants'], ['spec.pdf', 'user_data'], ['table.pdf', 'assistants']]);
    // The same bytes for Assistants v2, which puts PDFs into a vector store: not the user_data file, a new assistants one.
    const v2 = countingFiles();
    const again = await uploadFiles([pdf], { files: v2.files, fs: nodeWorkspaceFs, index, provider: 'p' });
    assert.deepEqual(v2.uploads.map((u) => u.purpose), ['assistants']);
    assert.ok(again[0].ok && !again[0].reused);
  });

  it('refuses a PDF the model would read whole past its limits (32 MB, 100 pages) before sending anything, with the reason', async () => {
    const files = countingFiles();
    const huge = item('scans/huge.pdf', '');
    fs.truncateSync(huge.absolute, MAX_INPUT_FILE_BYTES + 1);
    const long = item('books/long.pdf', pdfOfPages(101));
    const fits = item('books/short.pdf', pdfOfPages(100));
    const results = await uploadFiles([huge, long, fits], { files: files.files, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'p', inputFiles: true });
    assert.ok(!results[0].ok && /32 MB/.test(results[0].reason) && /knowledge/.test(results[0].reason), 'too big');
    assert.ok(!results[1].ok && /101 pages/.test(results[1].reason) && /at most 100 pages/.test(results[1].reason), 'too long');
    assert.ok(results[2].ok);
    assert.deepEqual(files.uploads.map((u) => u.name), ['short.pdf'], 'nothing refused was sent');
    // Under Assistants v2 the same PDFs go into a vector store, where these limits do not apply.
    const v2 = countingFiles();
    const stored = await uploadFiles([huge, long], { files: v2.files, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'p' });
    assert.ok(stored.every((r) => r.ok));
  });

  it('counts the pages of a PDF from its page tree, or its page objects; undefined when it cannot see them', () => {
    assert.equal(pdfPageCount(new TextEncoder().encode(pdfOfPages(3))), 3);
    assert.equal(pdfPageCount(new TextEncoder().encode(onePagePdf)), 1);
    const leavesOnly = '%PDF-1.4\n3 0 obj << /Type /Page >> endobj\n4 0 obj << /Type /Page >> endobj\n';
    assert.equal(pdfPageCount(new TextEncoder().encode(leavesOnly)), 2);
    assert.equal(pdfPageCount(new TextEncoder().encode('%PDF-1.5\n1 0 obj << /Type /ObjStm /N 40 >> stream\nxyz\nendstream endobj\n')), undefined);
  });

  it('chooses the code interpreter for data and file search for the rest; names follow the tool', () => {
    assert.equal(defaultToolFor('report.xlsx'), 'code_interpreter');
    assert.equal(defaultToolFor('src/app.ts'), 'file_search');
    assert.deepEqual(uploadName('sheet.xlsx', 'code_interpreter', true), { name: 'sheet.xlsx' });
    assert.ok('refused' in uploadName('a.exe', 'code_interpreter', true));
    assert.deepEqual(uploadName('Makefile', 'file_search', false), { name: 'Makefile.txt' });
    assert.match((uploadName('shot.png', 'file_search', true) as { refused: string }).refused, /Switch it to the code interpreter/, 'an attachment can switch tools');
    assert.deepEqual(uploadName('shot.jpeg', 'file_search', true, true), { refused: 'file search cannot read images, so knowledge cannot hold a .jpeg file.' });
  });

  it('stops the files not yet sent when cancelled, and says so for each', async () => {
    const abort = new AbortController();
    const files = countingFiles();
    const items = Array.from({ length: 10 }, (_, i) => item(`f${i}.md`, `# ${i}`));
    const results = await uploadFiles(items, {
      files: files.files,
      fs: nodeWorkspaceFs,
      index: memoryUploadIndex(),
      provider: 'p',
      signal: abort.signal,
      concurrency: 1,
      onProgress: (done) => done === 3 && abort.abort(),
    });
    assert.equal(files.uploads.length, 3);
    assert.equal(results.filter((r) => !r.ok && /cancelled/.test(r.reason)).length, 7);
  });
});
