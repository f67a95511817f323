import * as path from 'node:path';
import type { RunRef } from './runRef';
import type { FileSystem } from './fileSystem';
import type { Message, Run, RunStep, Thread } from './model';

/** A run as it is kept with its thread: the run and its steps. */
export interface RunRecord {
  run: Run;
  steps: RunStep[];
}

/** Everything kept for one thread, in one file. */
export interface StoredThread {
  thread: Thread;
  messages: Message[];
  runs: Record<string, RunRecord>;
  /** A run that had not finished when last saved; resumed after a window reload. */
  pendingRun?: RunRef;
}

type ThreadSummary = Pick<Thread, 'id' | 'title' | 'createdAt' | 'updatedAt' | 'backend'>;

interface IndexFile {
  version: 1;
  threads: ThreadSummary[];
}

const INDEX = 'index.json';
const THREAD_FILE = /^thread-([A-Za-z0-9_-]+)\.json$/;

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

/**
 * The workspace's threads: one file per thread plus an index for listing, which is rebuilt from the
 * thread files whenever it is missing or unreadable. Every write is atomic, and writes are queued so
 * two saves never interleave.
 */
export class ThreadStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly fs: FileSystem, private readonly dir: string) {}

  /** Threads, most recently updated first. */
  async list(): Promise<ThreadSummary[]> {
    const index = await this.readIndex();
    return [...index.threads].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async load(id: string): Promise<StoredThread | undefined> {
    const bytes = await this.fs.readFile(this.threadFile(id));
    if (!bytes) return undefined;
    try {
      return decode(bytes) as StoredThread;
    } catch {
      return undefined;
    }
  }

  async mostRecent(): Promise<StoredThread | undefined> {
    for (const summary of await this.list()) {
      const stored = await this.load(summary.id);
      if (stored) return stored;
    }
    return undefined;
  }

  save(stored: StoredThread): Promise<void> {
    return this.enqueue(async () => {
      await this.fs.writeFileAtomic(this.threadFile(stored.thread.id), encode(stored));
      const index = await this.readIndex();
      const { id, title, createdAt, updatedAt, backend } = stored.thread;
      const threads = index.threads.filter((t) => t.id !== id);
      threads.push({ id, title, createdAt, updatedAt, backend });
      await this.writeIndex({ version: 1, threads });
    });
  }

  delete(id: string): Promise<void> {
    return this.enqueue(async () => {
      await this.fs.delete(this.threadFile(id));
      const index = await this.readIndex();
      await this.writeIndex({ version: 1, threads: index.threads.filter((t) => t.id !== id) });
    });
  }

  /** Rebuilds the index from the thread files (they are the truth). */
  async rebuildIndex(): Promise<IndexFile> {
    const threads: ThreadSummary[] = [];
    for (const name of await this.fs.readDir(this.dir)) {
      const match = THREAD_FILE.exec(name);
      if (!match) continue;
      const stored = await this.load(match[1]);
      if (!stored) continue;
      const { id, title, createdAt, updatedAt, backend } = stored.thread;
      threads.push({ id, title, createdAt, updatedAt, backend });
    }
    const index: IndexFile = { version: 1, threads };
    await this.writeIndex(index);
    return index;
  }

  private async readIndex(): Promise<IndexFile> {
    const bytes = await this.fs.readFile(path.join(this.dir, INDEX));
    if (bytes) {
      try {
        const index = decode(bytes) as IndexFile;
        if (index.version === 1 && Array.isArray(index.threads)) return index;
      } catch {
        // unreadable: rebuilt below
      }
    }
    return this.rebuildIndex();
  }

  private writeIndex(index: IndexFile): Promise<void> {
    return this.fs.writeFileAtomic(path.join(this.dir, INDEX), encode(index));
  }

  private threadFile(id: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`Invalid thread id: ${id}`);
    return path.join(this.dir, `thread-${id}.json`);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
