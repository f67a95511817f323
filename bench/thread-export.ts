/**
 * What exporting a thread to JSON costs when it keeps files up to its limit (256 MB: 8 files of
 * 32 MB, embedded as `data:` URLs): the wall time, and the longest the event loop (the extension
 * host) waited between two turns, measured by a 5 ms ticker that runs until the export's string
 * is whole. Run with `npm run bench:thread-export` (Node needs `--max-old-space-size=4096`, which
 * the script passes). Prints; asserts nothing.
 */
import { threadToJson } from '../src/core/threads/threadExport';
import type { StoredThread } from '../src/core/threads/threadStore';

const FILES = 8;
const FILE_BYTES = 32 * 1024 * 1024;

async function main(): Promise<void> {
  const annotations = Array.from({ length: FILES }, (_, i) => ({
    type: 'file_path' as const,
    text: `sandbox:/mnt/data/f${i}.bin`,
    fileId: `file-${i}`,
    kept: { url: `stored-output:${String(i).padStart(64, '0')}.bin`, filename: `f${i}.bin`, bytes: FILE_BYTES },
  }));
  const stored: StoredThread = {
    thread: { id: 't', title: 'Kept files at the limit', createdAt: 0, backend: 'responses' },
    messages: [{ id: 'm', role: 'assistant', createdAt: 0, status: 'completed', content: [{ type: 'text', text: 'Files.', annotations }] }],
    runs: {},
  } as StoredThread;
  const bytes = new Uint8Array(FILE_BYTES).fill(65);
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  const json = await threadToJson(stored, async () => bytes);
  const took = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  console.log(`JSON export of a thread keeping ${FILES} files of ${FILE_BYTES / 1024 / 1024} MB: ${(json.length / 1e6).toFixed(0)} M characters in ${took.toFixed(0)} ms; longest wait between turns ${longest.toFixed(0)} ms`);
}

void main();
