/**
 * What saving costs while a run streams, on a thread whose code-interpreter run made 20 images of
 * 3 MB that arrived inline (base64 `data:` URLs, as the Responses API sends them): the chat saves
 * every 500 ms, so a 10 s answer means 20 saves meant to take 10 s.
 *
 * Measures this checkout's thread store against a baseline: by default the way threads were saved
 * before (the whole thread, images inline, in one JSON file rewritten on every save, then the index);
 * `--baseline <checkout>` measures that checkout's store instead. Prints, side by side: the 20 saves'
 * wall time, the longest the event loop (the extension host) was blocked, the first and a later
 * single save, and the thread file's size. Run with `npm run bench:thread-save`. Asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type * as FileSystemModule from '../src/core/workspace/fileSystem';
import { nodeFileSystem } from '../src/core/workspace/fileSystem';
import type * as ThreadStoreModule from '../src/core/threads/threadStore';
import type { StoredThread } from '../src/core/threads/threadStore';

const IMAGES = 20;
const IMAGE_BYTES = 3 * 1024 * 1024;
const SAVES = 20;
const INTERVAL_MS = 500;

interface SavingStore {
  save(stored: StoredThread): Promise<void>;
}

interface Target {
  label: string;
  open(dir: string): Promise<SavingStore>;
}

/** How threads were saved before this store: everything in one file, then the index read and rewritten. */
function inlineBaseline(): Target {
  return {
    label: 'before: one JSON file, images inline',
    open: async (dir) => {
      const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
      let queue: Promise<unknown> = Promise.resolve();
      return {
        save: (stored) => {
          const task = async () => {
            await nodeFileSystem.writeFileAtomic(path.join(dir, `thread-${stored.thread.id}.json`), encode(stored));
            const index = path.join(dir, 'index.json');
            const bytes = await nodeFileSystem.readFile(index);
            const threads = (bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as { threads: { id: string }[] }).threads : []).filter((t) => t.id !== stored.thread.id);
            const { id, title, createdAt, updatedAt, backend } = stored.thread;
            await nodeFileSystem.writeFileAtomic(index, encode({ version: 1, threads: [...threads, { id, title, createdAt, updatedAt, backend }] }));
          };
          const next = queue.then(task, task);
          queue = next.catch(() => undefined);
          return next;
        },
      };
    },
  };
}

/** The thread store of a checkout (this one by default). */
function checkoutStore(label: string, root: string): Target {
  return {
    label,
    open: async (dir) => {
      // A baseline from before src/core was sorted into rooms has its modules at src/core/.
      const module = (now: string, before: string) => path.join(root, fs.existsSync(path.join(root, now)) ? now : before);
      const { ThreadStore } = (await import(module('src/core/threads/threadStore.ts', 'src/core/threadStore.ts'))) as typeof ThreadStoreModule;
      const { nodeFileSystem } = (await import(module('src/core/workspace/fileSystem.ts', 'src/core/fileSystem.ts'))) as typeof FileSystemModule;
      return new ThreadStore(nodeFileSystem, dir);
    },
  };
}

function image(n: number): string {
  const bytes = randomBytes(IMAGE_BYTES);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  bytes.writeUInt32BE(n, 8);
  return `data:image/png;base64,${bytes.toString('base64')}`;
}

/** The thread as the chat holds it when the run's plots have arrived and the answer streams. */
function threadWithPlots(urls: string[]): StoredThread {
  return {
    thread: { id: 'bench', title: 'Plot twenty charts', createdAt: 1, updatedAt: 1, backend: 'responses' },
    messages: [
      { id: 'm1', role: 'user', content: [{ type: 'text', text: 'Plot twenty charts', annotations: [] }], createdAt: 1 },
      { id: 'm2', role: 'assistant', content: [{ type: 'text', text: '', annotations: [] }], createdAt: 2, runId: 'run', status: 'in_progress' },
    ],
    runs: {
      run: {
        run: { id: 'run', threadId: 'bench', assistantId: 'a', status: 'in_progress', createdAt: 1 },
        steps: [
          {
            id: 'step',
            runId: 'run',
            status: 'completed',
            createdAt: 1,
            details: {
              type: 'tool_calls',
              toolCalls: [{ type: 'code_interpreter', id: 'ci', input: 'plot()', outputs: urls.map((url, i) => ({ type: 'image' as const, fileId: `inline-${i}`, url })) }],
            },
          },
        ],
      },
    },
  };
}

interface Figures {
  streamMs: number;
  maxBlockMs: number;
  firstSaveMs: number;
  laterSaveMs: number;
  fileBytes: number;
}

async function measure(target: Target, urls: string[]): Promise<Figures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thread-save-'));
  try {
    const store = await target.open(dir);
    // A streaming answer: a delta lands, and every half second the chat saves without waiting for the last save.
    const stored = threadWithPlots(urls);
    const answer = stored.messages[1].content[0];
    const blocked = monitorEventLoopDelay({ resolution: 10 });
    blocked.enable();
    const started = performance.now();
    const saves: Promise<void>[] = [];
    for (let i = 0; i < SAVES; i++) {
      if (answer.type === 'text') answer.text += `Chart ${i + 1} shows the trend. `;
      saves.push(store.save(stored));
      if (i < SAVES - 1) await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
    await Promise.all(saves);
    const streamMs = performance.now() - started;
    blocked.disable();
    // Single saves, one at a time: a fresh thread's first save, then a save once it is on disk.
    const fresh = threadWithPlots(urls);
    fresh.thread.id = 'single';
    let t = performance.now();
    await store.save(fresh);
    const firstSaveMs = performance.now() - t;
    fresh.thread.updatedAt++;
    t = performance.now();
    await store.save(fresh);
    const laterSaveMs = performance.now() - t;
    return { streamMs, maxBlockMs: blocked.max / 1e6, firstSaveMs, laterSaveMs, fileBytes: fs.statSync(path.join(dir, 'thread-bench.json')).size };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--baseline');
  const baseline = at >= 0 ? checkoutStore(`before: ${process.argv[at + 1]}`, path.resolve(process.argv[at + 1])) : inlineBaseline();
  const targets = [baseline, checkoutStore('this checkout', path.resolve(__dirname, '..'))];
  const urls = Array.from({ length: IMAGES }, (_, i) => image(i));
  console.log(`A thread with ${IMAGES} images of ${IMAGE_BYTES / 1024 / 1024} MB (inline), ${SAVES} saves every ${INTERVAL_MS} ms while the answer streams:\n`);
  const results: [string, Figures][] = [];
  for (const target of targets) results.push([target.label, await measure(target, urls)]);
  const rows: [string, (f: Figures) => string][] = [
    [`${SAVES} saves meant for ${((SAVES - 1) * INTERVAL_MS) / 1000} s took`, (f) => `${(f.streamMs / 1000).toFixed(1)} s`],
    ['longest event-loop block', (f) => `${f.maxBlockMs.toFixed(0)} ms`],
    ['first save of the thread', (f) => `${f.firstSaveMs.toFixed(0)} ms`],
    ['a later save', (f) => `${f.laterSaveMs.toFixed(0)} ms`],
    ['thread file', (f) => (f.fileBytes < 1024 * 1024 ? `${(f.fileBytes / 1024).toFixed(1)} KB` : `${(f.fileBytes / 1024 / 1024).toFixed(1)} MB`)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const columns = results.map(([label]) => Math.max(label.length, 10));
  console.log([''.padEnd(width), ...results.map(([label], i) => label.padStart(columns[i]))].join('  '));
  for (const [name, cell] of rows) console.log([name.padEnd(width), ...results.map(([, f], i) => cell(f).padStart(columns[i]))].join('  '));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
