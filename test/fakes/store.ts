import { pngChart } from './png';

/** An uploaded file with its bytes. */
export interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  createdAt: number;
  data: Buffer;
}

/** A file attached to a vector store; it is `in_progress` until `readyAt` (ms clock). */
export interface StoredVectorStoreFile {
  fileId: string;
  createdAt: number;
  readyAt: number;
  batchId?: string;
  /** The key-value pairs given when the file was added. */
  attributes: Record<string, string | number | boolean>;
}

export interface StoredVectorStore {
  id: string;
  name: string;
  createdAt: number;
  metadata: Record<string, string>;
  files: Map<string, StoredVectorStoreFile>;
  batches: Map<string, { id: string; createdAt: number; fileIds: string[] }>;
}

export interface StoredContainerFile {
  id: string;
  path: string;
  source: 'user' | 'assistant';
  createdAt: number;
  data: Buffer;
}

export interface StoredContainer {
  id: string;
  name: string;
  createdAt: number;
  files: Map<string, StoredContainerFile>;
}

/** One file_search hit. */
export interface SearchHit {
  fileId: string;
  filename: string;
  score: number;
  text: string;
}

/** Where the scripted code interpreter saves its chart. */
export const CHART_PATH = '/mnt/data/chart.png';

/** How long an attached file stays `in_progress` before the vector store has indexed it. */
const INDEXING_MS = 60;

/**
 * All state of one fake server instance. Protocol modules keep their own objects in `collection(name)` so
 * both protocols share files, vector stores and containers.
 */
export class FakeStore {
  readonly files = new Map<string, StoredFile>();
  readonly vectorStores = new Map<string, StoredVectorStore>();
  readonly containers = new Map<string, StoredContainer>();
  private readonly collections = new Map<string, Map<string, unknown>>();
  private counter = 0;

  constructor(
    private readonly timeScale = 1,
    private readonly clockOffsetSeconds = 0,
  ) {}

  /** A fresh id such as `resp_0000000001a`; a prefix ending in `-` (as `file-`) is used as is. */
  newId(prefix: string): string {
    this.counter += 1;
    const separator = prefix.endsWith('-') || prefix.endsWith('_') ? '' : '_';
    return `${prefix}${separator}${this.counter.toString(16).padStart(12, '0')}fake`;
  }

  /** A named map for protocol-specific objects (responses, conversations, threads, runs...). */
  collection<T>(name: string): Map<string, T> {
    let map = this.collections.get(name);
    if (!map) {
      map = new Map<string, unknown>();
      this.collections.set(name, map);
    }
    return map as Map<string, T>;
  }

  /** Unix seconds by the server's clock (see `clockOffsetSeconds`), as the API's `created_at` fields. */
  nowSeconds(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffsetSeconds;
  }

  /** A scripted delay scaled by the server's time scale. */
  scaled(ms: number): number {
    return Math.max(0, Math.round(ms * this.timeScale));
  }

  addFile(filename: string, purpose: string, data: Buffer): StoredFile {
    const file: StoredFile = { id: this.newId('file-'), filename, purpose, bytes: data.length, createdAt: this.nowSeconds(), data };
    this.files.set(file.id, file);
    return file;
  }

  createVectorStore(name: string, fileIds: string[], metadata: Record<string, string> = {}): StoredVectorStore {
    const store: StoredVectorStore = {
      id: this.newId('vs'),
      name,
      createdAt: this.nowSeconds(),
      metadata,
      files: new Map(),
      batches: new Map(),
    };
    this.vectorStores.set(store.id, store);
    this.attachFiles(store, fileIds);
    return store;
  }

  /** Attaches files to a vector store; each becomes searchable after a short indexing time. */
  attachFiles(store: StoredVectorStore, fileIds: string[], batchId?: string, attributes: Record<string, string | number | boolean> = {}): void {
    const readyAt = Date.now() + this.scaled(INDEXING_MS);
    for (const fileId of fileIds) {
      store.files.set(fileId, { fileId, createdAt: this.nowSeconds(), readyAt, batchId, attributes });
    }
  }

  /** `in_progress` until indexed; `failed` when the file was deleted meanwhile, or cannot be parsed. */
  vectorStoreFileStatus(entry: StoredVectorStoreFile): 'in_progress' | 'completed' | 'failed' {
    if (!this.files.has(entry.fileId)) return 'failed';
    if (Date.now() < entry.readyAt) return 'in_progress';
    return this.vectorStoreFileError(entry) ? 'failed' : 'completed';
  }

  /** Why indexing failed, as the service words it: the file is gone, or a `.pdf` is not a PDF. */
  vectorStoreFileError(entry: StoredVectorStoreFile): { code: string; message: string } | undefined {
    const file = this.files.get(entry.fileId);
    if (!file) return { code: 'invalid_file', message: 'The file was deleted.' };
    if (/\.pdf$/i.test(file.filename) && !file.data.subarray(0, 5).equals(Buffer.from('%PDF-'))) return { code: 'invalid_file', message: 'The file could not be parsed as a PDF.' };
    return undefined;
  }

  /** Keyword search over the indexed files of the given vector stores; best first. */
  search(vectorStoreIds: string[], queries: string[], maxResults = 5): SearchHit[] {
    const terms = queries
      .join(' ')
      .toLowerCase()
      .split(/[^\p{L}\p{N}_]+/u)
      .filter((t) => t.length > 2);
    const hits: SearchHit[] = [];
    for (const id of vectorStoreIds) {
      const store = this.vectorStores.get(id);
      if (!store) continue;
      for (const entry of store.files.values()) {
        const file = this.files.get(entry.fileId);
        if (!file || this.vectorStoreFileStatus(entry) !== 'completed') continue;
        const text = file.data.toString('utf8');
        const lower = text.toLowerCase();
        const matching = terms.filter((t) => lower.includes(t));
        // Every indexed file is a candidate; matching terms lift it, so a question with no overlap still cites something.
        const score = Math.round(((matching.length + 1) / (terms.length + 1)) * 1000) / 1000;
        hits.push({ fileId: file.id, filename: file.filename, score, text: passageOf(text, lower, matching) });
      }
    }
    return hits.sort((a, b) => b.score - a.score || a.filename.localeCompare(b.filename)).slice(0, maxResults);
  }

  createContainer(name: string): StoredContainer {
    const container: StoredContainer = { id: this.newId('cntr'), name, createdAt: this.nowSeconds(), files: new Map() };
    this.containers.set(container.id, container);
    return container;
  }

  /** Adds the chart a code-interpreter run "drew" (`/mnt/data/chart.png`) to its container. */
  addChart(container: StoredContainer): StoredContainerFile {
    return this.addContainerFile(container, CHART_PATH, pngChart());
  }

  /** Adds a file a code-interpreter run wrote to its container. */
  addContainerFile(container: StoredContainer, path: string, data: Buffer): StoredContainerFile {
    const id = this.newId('cfile');
    const file: StoredContainerFile = { id, path, source: 'assistant', createdAt: this.nowSeconds(), data };
    container.files.set(id, file);
    return file;
  }

  /**
   * What the service does to code-interpreter output once its container has been idle for 20
   * minutes, now: every container goes, with its files (asking for one answers 404). The files
   * Assistants v2 runs wrote (purpose `assistants_output`) go too, as when they are deleted.
   * Returns how many containers and files went.
   */
  expireCodeOutputs(): { containers: number; files: number } {
    const containers = this.containers.size;
    this.containers.clear();
    const outputs = [...this.files.values()].filter((file) => file.purpose === 'assistants_output');
    for (const file of outputs) this.files.delete(file.id);
    return { containers, files: outputs.length };
  }
}

/**
 * The chunk a search returns from a file, as a real index's chunk: 400 characters from the start of
 * the line where the longest matching term first shows (the file's start when none matches).
 */
function passageOf(text: string, lower: string, matching: string[]): string {
  const term = [...matching].sort((a, b) => b.length - a.length)[0];
  const at = term === undefined ? 0 : lower.indexOf(term);
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return text.slice(lineStart, lineStart + 400);
}
