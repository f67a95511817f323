/**
 * The child side of the thread durability suite (`threadDurability.ts`): a window's thread store
 * saving, listing and loading threads, in a process of its own that the suite may kill at any
 * moment. It is bundled with the store under test, so it speaks only the store's public API:
 * `new ThreadStore(fileSystem, dir)`, `save`, `list`, `load`.
 *
 * Commands (argv after the script):
 * - `stream <dir> <prefix>`: saves forever, every other save a new thread, the others adding a
 *   message to an earlier one (every third save an inline image); prints `ready`, then
 *   `ack <id> <messages>` as each save resolves.
 * - `batch <dir> <prefix> <count> <stores> [<startAt>]`: from `startAt` (epoch ms) on, saves
 *   `count` new threads one after another through each of `stores` store objects at once; prints
 *   `ack <id> 1` for each.
 * - `check <dir> <id>...`: a fresh store (the next window) lists and loads; prints one JSON line:
 *   `{ listed, loaded: { id: messages | null }, error? }`.
 */
import type { StoredThread } from '../../src/core/threads/threadStore';

/** The store's public API as every version of it has had it. */
interface StoreLike {
  save(stored: StoredThread): Promise<void>;
  list(): Promise<{ id: string }[]>;
  load(id: string): Promise<StoredThread | undefined>;
}

export interface StoreModule {
  ThreadStore: new (fileSystem: never, dir: string) => StoreLike;
  nodeFileSystem: unknown;
}

/** What `check` prints. */
export interface CheckResult {
  listed: string[];
  /** Messages in each loaded thread; null when it could not be loaded. */
  loaded: Record<string, number | null>;
  error?: string;
}

const TEXT = 'All work and no play makes a thread worth keeping. '.repeat(400);

/** A small PNG header and some bytes that make each image distinct (the store checks only the header). */
function inlineImage(n: number): string {
  const bytes = Buffer.alloc(150_000, n % 251);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  bytes.writeUInt32BE(n, 8);
  return `data:image/png;base64,${bytes.toString('base64')}`;
}

export function newThread(id: string, now: number): StoredThread {
  return {
    thread: { id, title: `Thread ${id}`, createdAt: now, updatedAt: now, backend: 'responses' },
    messages: [{ id: `${id}-m0`, role: 'user', content: [{ type: 'text', text: 'Start', annotations: [] }], createdAt: now }],
    runs: {},
  };
}

function storeOf(module: StoreModule, dir: string): StoreLike {
  return new module.ThreadStore(module.nodeFileSystem as never, dir);
}

async function stream(module: StoreModule, dir: string, prefix: string): Promise<never> {
  const store = storeOf(module, dir);
  const threads: StoredThread[] = [];
  process.stdout.write('ready\n');
  for (let n = 1; ; n++) {
    // Every other save starts a thread: a new thread is the one a kill before the index would hide.
    if (n % 2 === 1) threads.push(newThread(`${prefix}-${threads.length}`, n));
    const stored = n % 2 === 1 ? threads[threads.length - 1] : threads[(n / 2) % threads.length];
    const content: StoredThread['messages'][number]['content'] =
      n % 3 === 0 ? [{ type: 'image_url', url: inlineImage(n + prefix.length * 100_000) }] : [{ type: 'text', text: TEXT, annotations: [] }];
    stored.messages.push({ id: `${stored.thread.id}-m${n}`, role: 'assistant', content, createdAt: n });
    stored.thread.updatedAt = n;
    await store.save(stored);
    process.stdout.write(`ack ${stored.thread.id} ${stored.messages.length}\n`);
  }
}

async function batch(module: StoreModule, dir: string, prefix: string, count: number, stores: number, startAt: number): Promise<void> {
  const all = Array.from({ length: stores }, () => storeOf(module, dir));
  // Two processes started one after the other begin saving at the same moment.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  await Promise.all(
    all.map(async (store, s) => {
      for (let i = 0; i < count; i++) {
        const id = `${prefix}-s${s}-${i}`;
        await store.save(newThread(id, i));
        process.stdout.write(`ack ${id} 1\n`);
      }
    }),
  );
}

async function check(module: StoreModule, dir: string, ids: string[]): Promise<CheckResult> {
  const store = storeOf(module, dir);
  const result: CheckResult = { listed: [], loaded: {} };
  try {
    result.listed = (await store.list()).map((t) => t.id);
  } catch (error) {
    result.error = `list: ${error instanceof Error ? error.message : String(error)}`;
  }
  for (const id of ids) {
    try {
      result.loaded[id] = (await store.load(id))?.messages.length ?? null;
    } catch {
      result.loaded[id] = null;
    }
  }
  return result;
}

/** Runs the command in `argv` against the store in `module`. */
export async function runWriter(module: StoreModule, argv: string[]): Promise<void> {
  const [command, dir, ...rest] = argv;
  switch (command) {
    case 'stream':
      return stream(module, dir, rest[0]);
    case 'batch':
      return batch(module, dir, rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3] ?? 0));
    case 'check':
      process.stdout.write(`${JSON.stringify(await check(module, dir, rest))}\n`);
      return;
    default:
      throw new Error(`Unknown command: ${command}`);
  }
}
