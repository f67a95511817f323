/** Files, vector stores and models on the server: the same objects for both protocols. */

export interface FileObject {
  id: string;
  filename: string;
  bytes: number;
  purpose: string;
  createdAt: number;
  status?: 'uploaded' | 'processed' | 'error';
}

export type FilePurpose = 'assistants' | 'user_data';

export interface VectorStore {
  id: string;
  name: string;
  status: 'expired' | 'in_progress' | 'completed';
  fileCounts: { inProgress: number; completed: number; failed: number; cancelled: number; total: number };
  createdAt: number;
}

/** Files, vector stores and models: the same for both protocols. Every method throws `AssistantsError`. */
export interface FileOperations {
  uploadFile(name: string, data: Uint8Array, purpose: FilePurpose, signal?: AbortSignal): Promise<FileObject>;
  listFiles(signal?: AbortSignal): Promise<FileObject[]>;
  deleteFile(id: string, signal?: AbortSignal): Promise<void>;
  /** A file's bytes; `containerId` for files a code interpreter made (Responses). */
  fileContent(id: string, containerId?: string, signal?: AbortSignal): Promise<Uint8Array>;
  createVectorStore(name: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore>;
  /** Adds files in batches and resolves once the server has processed them. */
  addVectorStoreFiles(vectorStoreId: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore>;
  listVectorStores(signal?: AbortSignal): Promise<VectorStore[]>;
  deleteVectorStore(id: string, signal?: AbortSignal): Promise<void>;
  listModels(signal?: AbortSignal): Promise<string[]>;
}
