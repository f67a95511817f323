import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forEachLine, MAX_LINE_CHARS, READ_CHUNK_BYTES, readTextRange } from '../../../../src/core/workspace/readText';
import type { WorkspaceFs } from '../../../../src/core/workspace/workspaceFs';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';

/** Counts the bytes handed out, to show that reading stops once it has what it sends. */
function countingFs(): { fs: Pick<WorkspaceFs, 'readChunks'>; bytes: () => number } {
  let bytes = 0;
  return {
    fs: {
      async *readChunks(absolute, chunkBytes, signal) {
        for await (const chunk of nodeWorkspaceFs.readChunks(absolute, chunkBytes, signal)) {
          bytes += chunk.length;
          yield chunk;
        }
      },
    },
    bytes: () => bytes,
  };
}

describe('bounded reads', () => {
  let dir: string;
  let big: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-'));
    big = path.join(dir, 'big.txt');
    const line = `${'a'.repeat(99)}\n`;
    fs.writeFileSync(big, line.repeat(200_000)); // 20 MB
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads only as far as the characters it keeps', async () => {
    const counter = countingFs();
    const read = await readTextRange(counter.fs, big, { maxChars: 1000 });
    assert.ok(read.kind === 'text' && read.cut && read.text.length === 1000);
    assert.ok(counter.bytes() <= READ_CHUNK_BYTES, `read ${counter.bytes()} bytes for 1000 characters`);
  });

  it('stops at the end of the line range', async () => {
    const counter = countingFs();
    const read = await readTextRange(counter.fs, big, { startLine: 10, endLine: 12, maxChars: 100_000 });
    assert.ok(read.kind === 'text');
    assert.equal(read.text.split('\n').length, 4);
    assert.deepEqual([read.firstLine, read.lastLine, read.cut], [10, 12, false]);
    assert.ok(counter.bytes() <= READ_CHUNK_BYTES);
  });

  it('handles a file with no newline at all without keeping it whole', async () => {
    const oneLine = path.join(dir, 'one-line.txt');
    fs.writeFileSync(oneLine, 'b'.repeat(5_000_000));
    const counter = countingFs();
    const read = await readTextRange(counter.fs, oneLine, { startLine: 2, maxChars: 100 });
    assert.ok(read.kind === 'text' && read.pastEnd);
    const lines: Array<{ length: number; cut: boolean }> = [];
    await forEachLine(nodeWorkspaceFs, oneLine, (text, _line, cut) => (lines.push({ length: text.length, cut }), true));
    assert.deepEqual(lines, [{ length: MAX_LINE_CHARS, cut: true }]);
    const short = path.join(dir, 'short-lines.txt');
    fs.writeFileSync(short, `${'c'.repeat(MAX_LINE_CHARS)}\r\n${'d'.repeat(MAX_LINE_CHARS + 1)}\nend`);
    const flags: boolean[] = [];
    await forEachLine(nodeWorkspaceFs, short, (_text, _line, cut) => (flags.push(cut), true));
    assert.deepEqual(flags, [false, true, false], 'a line of exactly the limit is whole; one character more is cut');
  });

  it('keeps multi-byte characters whole across chunk boundaries', async () => {
    const file = path.join(dir, 'utf8.txt');
    const text = 'é'.repeat(READ_CHUNK_BYTES); // 2 bytes each: every chunk boundary splits one
    fs.writeFileSync(file, text);
    const read = await readTextRange(nodeWorkspaceFs, file, { maxChars: text.length });
    assert.ok(read.kind === 'text' && read.text === text);
  });

  it('marks a NUL byte as binary', async () => {
    const file = path.join(dir, 'bin');
    fs.writeFileSync(file, Buffer.from([65, 0, 66]));
    assert.deepEqual(await readTextRange(nodeWorkspaceFs, file, { maxChars: 10 }), { kind: 'binary' });
    assert.equal(await forEachLine(nodeWorkspaceFs, file, () => true), 'binary');
  });
});
