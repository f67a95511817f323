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

/** A value of a vector store file's `attributes` (at most 16 keys of 64 characters; strings of at most 512). */
export type AttributeValue = string | number | boolean;

/**
 * A file as a vector store holds it (`vector_store.file`): its id is the file's id. `attributes`
 * are the key-value pairs set when it was added (knowledge keeps its workspace path and content hash
 * there). Source: the OpenAPI description, `VectorStoreFileObject`.
 */
export interface VectorStoreFile {
  /** The file's id. */
  id: string;
  vectorStoreId: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  /** Why indexing failed, as the server says it. */
  lastError?: string;
  /** Bytes the file takes in the vector store. */
  usageBytes: number;
  /** Unix seconds. */
  createdAt: number;
  attributes: Record<string, AttributeValue>;
}

/**
 * The most file ids one request may add to a vector store: a file batch takes 2,000
 * (`CreateVectorStoreFileBatchRequest`), a new vector store 500 (`CreateVectorStoreRequest`).
 * Source: the OpenAPI description.
 */
export const MAX_FILE_BATCH = 2000;
export const MAX_CREATE_FILE_IDS = 500;

/** The most files `containerFiles` lists: a container the model filled past that is not searched further. */
export const MAX_CONTAINER_FILES = 1000;

/** A file to add to a vector store with the attributes it keeps there. */
export interface VectorStoreFileInput {
  fileId: string;
  attributes: Record<string, AttributeValue>;
}

/** A file the assistant made: in a code-interpreter container when `containerId` is set (Responses), else a plain file. */
export interface OutputFileRef {
  fileId: string;
  containerId?: string;
}

/**
 * What `outputFile` brought back: the bytes, or only the size when the file is larger than asked
 * for (nothing past the limit is read); `name` is what the server calls it (a container file's path,
 * such as `/mnt/data/chart.png`, or a file's name), when it said.
 */
export type OutputDownload = { bytes: Uint8Array; name?: string } | { tooLarge: number; name?: string };

/** Files, vector stores and models: the same for both protocols. Every method throws `AssistantsError`. */
export interface FileOperations {
  uploadFile(name: string, data: Uint8Array, purpose: FilePurpose, signal?: AbortSignal): Promise<FileObject>;
  listFiles(signal?: AbortSignal): Promise<FileObject[]>;
  /** One file's object; throws `not_found` when the server no longer has it. */
  retrieveFile(id: string, signal?: AbortSignal): Promise<FileObject>;
  deleteFile(id: string, signal?: AbortSignal): Promise<void>;
  /**
   * A file the assistant made, read up to `maxBytes` (its metadata first, for its name and size,
   * then its content). Throws `not_found` when the server no longer has it (a container expires
   * about 20 minutes after its last use).
   */
  outputFile(ref: OutputFileRef, maxBytes: number, signal?: AbortSignal): Promise<OutputDownload>;
  /**
   * The files in a code-interpreter container (Responses), with their paths (`/mnt/data/x.csv`), at
   * most `MAX_CONTAINER_FILES`; a page that repeats ends the listing.
   */
  containerFiles(containerId: string, signal?: AbortSignal): Promise<{ fileId: string; path: string }[]>;
  createVectorStore(name: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore>;
  /** Adds files in batches and resolves once the server has processed them. */
  addVectorStoreFiles(vectorStoreId: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore>;
  listVectorStores(signal?: AbortSignal): Promise<VectorStore[]>;
  retrieveVectorStore(id: string, signal?: AbortSignal): Promise<VectorStore>;
  /** Every file of a vector store, newest first. */
  listVectorStoreFiles(vectorStoreId: string, signal?: AbortSignal): Promise<VectorStoreFile[]>;
  /**
   * Adds up to `MAX_FILE_BATCH` files, each with its own attributes, in one request (a vector store
   * file batch, `POST /vector_stores/{id}/file_batches` with `files`); the server indexes them
   * afterwards (status `in_progress`). Resolves with the batch's id without waiting for indexing.
   * Throws `bad_request` for more files than one batch takes.
   */
  createVectorStoreFileBatch(vectorStoreId: string, files: readonly VectorStoreFileInput[], signal?: AbortSignal): Promise<string>;
  retrieveVectorStoreFile(vectorStoreId: string, fileId: string, signal?: AbortSignal): Promise<VectorStoreFile>;
  /** Takes a file out of a vector store; the file itself stays (delete it with `deleteFile`). */
  deleteVectorStoreFile(vectorStoreId: string, fileId: string, signal?: AbortSignal): Promise<void>;
  deleteVectorStore(id: string, signal?: AbortSignal): Promise<void>;
  listModels(signal?: AbortSignal): Promise<string[]>;
}
