import { toFile } from 'openai';
import type { OpenAI } from 'openai';
import type { FileObject as WireFile } from 'openai/resources/files';
import type { VectorStore as WireVectorStore } from 'openai/resources/vector-stores/vector-stores';
import type { FileObject, FilePurpose, VectorStore } from '../../core/backend';

/** The API accepts at most this many file ids per batch request. */
const MAX_BATCH = 500;
/** Used only when the server sends no `openai-poll-after-ms`; indexing a few files takes seconds. */
const BATCH_POLL_MS = 500;

/**
 * Files, vector stores and models: the same endpoints whichever run protocol the server speaks.
 * Errors are left as SDK errors; the backend maps them.
 */
export class FilesAndStores {
  constructor(private readonly client: OpenAI) {}

  async uploadFile(name: string, data: Uint8Array, purpose: FilePurpose, signal?: AbortSignal): Promise<FileObject> {
    const file = await toFile(data, name);
    return fromWireFile(await this.client.files.create({ file, purpose }, { signal }));
  }

  async listFiles(signal?: AbortSignal): Promise<FileObject[]> {
    const files: FileObject[] = [];
    for await (const file of this.client.files.list({ limit: 100 }, { signal })) files.push(fromWireFile(file));
    return files;
  }

  async deleteFile(id: string, signal?: AbortSignal): Promise<void> {
    await this.client.files.delete(id, { signal });
  }

  async fileContent(id: string, signal?: AbortSignal): Promise<Uint8Array> {
    const response = await this.client.files.content(id, { signal });
    return new Uint8Array(await response.arrayBuffer());
  }

  async createVectorStore(name: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore> {
    const first = fileIds.slice(0, MAX_BATCH);
    const store = await this.client.vectorStores.create({ name, file_ids: first }, { signal });
    if (fileIds.length <= MAX_BATCH) return fromWireVectorStore(store);
    return this.addVectorStoreFiles(store.id, fileIds.slice(MAX_BATCH), signal);
  }

  async addVectorStoreFiles(vectorStoreId: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore> {
    for (let start = 0; start < fileIds.length; start += MAX_BATCH) {
      const batch = fileIds.slice(start, start + MAX_BATCH);
      await this.client.vectorStores.fileBatches.createAndPoll(vectorStoreId, { file_ids: batch }, { signal, pollIntervalMs: BATCH_POLL_MS });
    }
    return fromWireVectorStore(await this.client.vectorStores.retrieve(vectorStoreId, { signal }));
  }

  async listVectorStores(signal?: AbortSignal): Promise<VectorStore[]> {
    const stores: VectorStore[] = [];
    for await (const store of this.client.vectorStores.list({ limit: 100 }, { signal })) stores.push(fromWireVectorStore(store));
    return stores;
  }

  async deleteVectorStore(id: string, signal?: AbortSignal): Promise<void> {
    await this.client.vectorStores.delete(id, { signal });
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for await (const model of this.client.models.list({ signal })) ids.push(model.id);
    return ids.sort();
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
  const counts = wire.file_counts;
  return {
    id: wire.id,
    name: wire.name,
    status: wire.status,
    fileCounts: {
      inProgress: counts.in_progress,
      completed: counts.completed,
      failed: counts.failed,
      cancelled: counts.cancelled,
      total: counts.total,
    },
    createdAt: wire.created_at,
  };
}
