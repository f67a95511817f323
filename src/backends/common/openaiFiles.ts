import { toFile } from 'openai';
import type { OpenAI } from 'openai';
import type { FileObject as WireFile } from 'openai/resources/files';
import type { VectorStore as WireVectorStore } from 'openai/resources/vector-stores/vector-stores';
import type { VectorStoreFile as WireVectorStoreFile } from 'openai/resources/vector-stores/files';
import { AssistantsError } from '../../core/errors';
import type { FileObject, FileOperations, FilePurpose, OutputDownload, OutputFileRef, VectorStore, VectorStoreFile, VectorStoreFileInput } from '../../core/files';
import { MAX_CONTAINER_FILES, MAX_CREATE_FILE_IDS, MAX_FILE_BATCH } from '../../core/files';
import { PollSchedule } from '../../core/runs/pollSchedule';
import { abortableSleep } from '../../core/runs/sleep';
import type { ErrorContext } from '../errorMapping';
import { hostOf, notApiAnswer, redact, toAssistantsError } from '../errorMapping';
import { itemsOf, listAll } from './pages';

/** Used only when the server sends no `openai-poll-after-ms`; indexing a few files takes seconds. */
const BATCH_POLL_MS = 500;
/** How long a new vector store may take to index before we hand it back still in progress. */
const INDEX_WAIT_MS = 60_000;

/**
 * Files, vector stores and models: the same endpoints whichever run protocol the server speaks, so
 * both backends extend this. Every call maps its failure to an AssistantsError.
 */
export class OpenAIFileOperations implements FileOperations {
  constructor(
    protected readonly client: OpenAI,
    protected readonly errorContext: ErrorContext = {},
  ) {}

  /** `text` with the key masked in every form (see `redact`): for a function's output, which no server wrote. */
  maskSecrets(text: string): string {
    return redact(text, this.errorContext);
  }

  uploadFile(name: string, data: Uint8Array, purpose: FilePurpose, signal?: AbortSignal): Promise<FileObject> {
    return this.call(async () => fromWireFile(await this.client.files.create({ file: await toFile(data, name), purpose }, { signal })));
  }

  listFiles(signal?: AbortSignal): Promise<FileObject[]> {
    return this.call(async () => {
      const files = await listAll(this.client.files.list({ limit: 100 }, { signal }), 'files', this.errorContext);
      return files.map(fromWireFile);
    });
  }

  retrieveFile(id: string, signal?: AbortSignal): Promise<FileObject> {
    return this.call(async () => fromWireFile(await this.client.files.retrieve(id, { signal })));
  }

  deleteFile(id: string, signal?: AbortSignal): Promise<void> {
    return this.call(async () => void (await this.client.files.delete(id, { signal })));
  }

  /** Files a code interpreter wrote live in its container (Responses); the rest are plain files. */
  outputFile(ref: OutputFileRef, maxBytes: number, signal?: AbortSignal): Promise<OutputDownload> {
    return this.call(async () => {
      const { fileId, containerId } = ref;
      const meta = containerId
        ? await this.client.containers.files.retrieve(fileId, { container_id: containerId }, { signal })
        : await this.client.files.retrieve(fileId, { signal });
      const name = 'path' in meta && typeof meta.path === 'string' ? meta.path : 'filename' in meta && typeof meta.filename === 'string' ? meta.filename : undefined;
      const named = name ? { name } : {};
      if (typeof meta.bytes === 'number' && meta.bytes > maxBytes) return { tooLarge: meta.bytes, ...named };
      const response = containerId
        ? await this.client.containers.files.content.retrieve(fileId, { container_id: containerId }, { signal })
        : await this.client.files.content(fileId, { signal });
      const read = await readAtMost(response, maxBytes, { signal, host: hostOf(this.errorContext) });
      return 'bytes' in read ? { bytes: read.bytes, ...named } : { tooLarge: read.tooLarge, ...named };
    });
  }

  containerFiles(containerId: string, signal?: AbortSignal): Promise<{ fileId: string; path: string }[]> {
    return this.call(async () => {
      const files: { fileId: string; path: string }[] = [];
      const seen = new Set<string>();
      let page = await this.client.containers.files.list(containerId, { limit: 100 }, { signal });
      for (;;) {
        // Each page read as listAll reads one (a list of objects with ids, else a sentence).
        for (const file of itemsOf(page, "the container's files", this.errorContext)) {
          // A server that repeats a page would list forever: a file seen twice ends the listing.
          if (seen.has(file.id) || files.length >= MAX_CONTAINER_FILES) return files;
          seen.add(file.id);
          files.push({ fileId: file.id, path: typeof file.path === 'string' ? file.path : '' });
        }
        if (!page.hasNextPage()) return files;
        page = await page.getNextPage();
      }
    });
  }

  /** Creates the store with its files and resolves once they are indexed (or a minute has passed). */
  async createVectorStore(name: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore> {
    const store = await this.call(() => this.client.vectorStores.create({ name, file_ids: fileIds.slice(0, MAX_CREATE_FILE_IDS) }, { signal }));
    if (fileIds.length > MAX_CREATE_FILE_IDS) return this.addVectorStoreFiles(store.id, fileIds.slice(MAX_CREATE_FILE_IDS), signal);
    return this.untilIndexed(fromWireVectorStore(store), signal);
  }

  addVectorStoreFiles(vectorStoreId: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore> {
    return this.call(async () => {
      for (let start = 0; start < fileIds.length; start += MAX_FILE_BATCH) {
        const batch = fileIds.slice(start, start + MAX_FILE_BATCH);
        await this.client.vectorStores.fileBatches.createAndPoll(vectorStoreId, { file_ids: batch }, { signal, pollIntervalMs: BATCH_POLL_MS });
      }
      return fromWireVectorStore(await this.client.vectorStores.retrieve(vectorStoreId, { signal }));
    });
  }

  listVectorStores(signal?: AbortSignal): Promise<VectorStore[]> {
    return this.call(async () => {
      const stores = await listAll(this.client.vectorStores.list({ limit: 100 }, { signal }), 'vector stores', this.errorContext);
      return stores.map(fromWireVectorStore);
    });
  }

  retrieveVectorStore(id: string, signal?: AbortSignal): Promise<VectorStore> {
    return this.call(async () => fromWireVectorStore(await this.client.vectorStores.retrieve(id, { signal })));
  }

  listVectorStoreFiles(vectorStoreId: string, signal?: AbortSignal): Promise<VectorStoreFile[]> {
    return this.call(async () => {
      const files = await listAll(this.client.vectorStores.files.list(vectorStoreId, { limit: 100 }, { signal }), "the vector store's files", this.errorContext);
      return files.map((file) => fromWireVectorStoreFile(file, this.errorContext));
    });
  }

  async createVectorStoreFileBatch(vectorStoreId: string, files: readonly VectorStoreFileInput[], signal?: AbortSignal): Promise<string> {
    if (files.length > MAX_FILE_BATCH) throw new AssistantsError('bad_request', `A vector store takes at most ${MAX_FILE_BATCH} files a batch; ${files.length} were given.`);
    const body = { files: files.map((file) => ({ file_id: file.fileId, attributes: file.attributes })) };
    const batch = await this.call(() => this.client.vectorStores.fileBatches.create(vectorStoreId, body, { signal }));
    return batch.id;
  }

  retrieveVectorStoreFile(vectorStoreId: string, fileId: string, signal?: AbortSignal): Promise<VectorStoreFile> {
    return this.call(async () => fromWireVectorStoreFile(await this.client.vectorStores.files.retrieve(fileId, { vector_store_id: vectorStoreId }, { signal }), this.errorContext));
  }

  deleteVectorStoreFile(vectorStoreId: string, fileId: string, signal?: AbortSignal): Promise<void> {
    return this.call(async () => void (await this.client.vectorStores.files.delete(fileId, { vector_store_id: vectorStoreId }, { signal })));
  }

  deleteVectorStore(id: string, signal?: AbortSignal): Promise<void> {
    return this.call(async () => void (await this.client.vectorStores.delete(id, { signal })));
  }

  listModels(signal?: AbortSignal): Promise<string[]> {
    return this.call(async () => {
      const models = await listAll(this.client.models.list({ signal }), 'models', this.errorContext);
      return models.map((model) => model.id).sort();
    });
  }

  protected async call<T>(fn: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      throw toAssistantsError(error, this.errorContext);
    }
    // The SDK hands back a body that is not JSON as text; no call of ours expects text.
    if (typeof result === 'string') throw notApiAnswer(this.errorContext);
    return result;
  }

  private async untilIndexed(store: VectorStore, signal: AbortSignal | undefined): Promise<VectorStore> {
    const schedule = new PollSchedule({ initialMs: 100, maxMs: 1000 });
    const deadline = Date.now() + INDEX_WAIT_MS;
    let current = store;
    while (current.status === 'in_progress' && Date.now() < deadline) {
      await abortableSleep(schedule.next(false), signal);
      const id = current.id;
      current = fromWireVectorStore(await this.call(() => this.client.vectorStores.retrieve(id, { signal })));
    }
    return current;
  }
}

function fromWireFile(wire: WireFile): FileObject {
  return {
    id: wire.id,
    filename: wire.filename,
    bytes: wire.bytes,
    purpose: wire.purpose,
    createdAt: wire.created_at,
    status: wire.status,
  };
}

function fromWireVectorStore(wire: WireVectorStore): VectorStore {
  // Servers copying the API may leave the counts out (or send them of another type): none counted then.
  const counts: Partial<Record<keyof WireVectorStore['file_counts'], unknown>> = typeof wire.file_counts === 'object' && wire.file_counts !== null ? wire.file_counts : {};
  const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    id: wire.id,
    name: wire.name,
    status: wire.status,
    fileCounts: {
      inProgress: count(counts.in_progress),
      completed: count(counts.completed),
      failed: count(counts.failed),
      cancelled: count(counts.cancelled),
      total: count(counts.total),
    },
    createdAt: wire.created_at,
  };
}

/** A vector store file as the domain keeps it; the server's reason for a failure is server text, shown to the user: the key is masked in it. */
function fromWireVectorStoreFile(wire: WireVectorStoreFile, context: ErrorContext): VectorStoreFile {
  return {
    id: wire.id,
    vectorStoreId: wire.vector_store_id,
    status: wire.status,
    ...(wire.last_error ? { lastError: redact(wire.last_error.message, context) } : {}),
    usageBytes: wire.usage_bytes,
    createdAt: wire.created_at,
    attributes: wire.attributes ?? {},
  };
}

/** A file's content that sends nothing for this long is given up. */
export const DOWNLOAD_IDLE_MS = 30_000;
/** A file's content that has not arrived whole after this long is given up, however it trickles. */
export const DOWNLOAD_DEADLINE_MS = 10 * 60_000;

/**
 * A response body read up to `maxBytes`: past that the read stops and only the size known so far
 * (the declared length, or what arrived) comes back, so a huge file never fills memory. The SDK's
 * timeout ends when the headers come; the body is read here within `idleMs` between pieces and
 * `deadlineMs` in all (by default {@link DOWNLOAD_IDLE_MS}, {@link DOWNLOAD_DEADLINE_MS}), else it
 * throws an `AssistantsError` of kind `timeout` naming `host`: a server that trickles a file
 * forever would otherwise hold a download (and those waiting their turn after it) for good.
 */
export async function readAtMost(
  response: Response,
  maxBytes: number,
  options: { signal?: AbortSignal; host?: string; idleMs?: number; deadlineMs?: number } = {},
): Promise<{ bytes: Uint8Array } | { tooLarge: number }> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { tooLarge: declared };
  }
  if (!response.body) return { bytes: new Uint8Array(await response.arrayBuffer()) };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const deadline = Date.now() + (options.deadlineMs ?? DOWNLOAD_DEADLINE_MS);
  for (;;) {
    const wait = Math.min(options.idleMs ?? DOWNLOAD_IDLE_MS, deadline - Date.now());
    const piece = await withinTime(reader.read(), wait, options.signal).catch(async (error: unknown) => {
      await reader.cancel().catch(() => undefined);
      throw error;
    });
    if (piece === 'late') {
      await reader.cancel().catch(() => undefined);
      throw new AssistantsError('timeout', `The server at ${options.host ?? 'the server'} took too long to send a file (${total} bytes came). Try again later.`);
    }
    const { done, value } = piece;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { tooLarge: total };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes };
}

/** `promise`, or 'late' when it has not settled within `ms` (or `signal` aborts first: then it rejects with the abort). */
function withinTime<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T | 'late'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<'late'>((resolve, reject) => {
    timer = setTimeout(() => resolve('late'), Math.max(0, ms));
    if (signal) {
      onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new DOMException('The download was stopped.', 'AbortError'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  return Promise.race([promise, late]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
}

/** The server's `openai-poll-after-ms` hint: how long to wait before polling again. */
export function pollAfter(headers: Headers): number | undefined {
  const value = Number(headers.get('openai-poll-after-ms') ?? Number.NaN);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
