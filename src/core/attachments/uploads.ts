import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { AssistantsError } from '../errors';
import type { FileOperations, FilePurpose } from '../files';
import type { AttachmentTool } from '../../common/model';
import type { WorkspaceFs } from '../workspace/workspaceFs';
import { READ_CHUNK_BYTES } from '../workspace/readText';
import { IMAGE_EXTENSIONS } from '../threads/images';
import { inputFilePagesRefusal, inputFileSizeRefusal, readsWhole } from './inputFiles';

/** The service refuses files over this size (OpenAI's Files API: 512 MB a file). */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
/** Uploads running at once. */
export const UPLOAD_CONCURRENCY = 3;

/**
 * Extensions file search accepts (OpenAI's list of supported file types); other text files are
 * sent as plain text (`name.ext.txt`), other binary files are refused.
 * Source: https://platform.openai.com/docs/assistants/tools/file-search#supported-files
 */
const FILE_SEARCH_TYPES = new Set([
  'c', 'cpp', 'cs', 'css', 'doc', 'docx', 'go', 'html', 'java', 'js', 'json', 'md', 'pdf', 'php', 'pptx', 'py', 'rb', 'sh', 'tex', 'ts', 'txt',
]);
/** Data the code interpreter reads better than file search does (tables, spreadsheets, archives). */
const DATA_TYPES = new Set(['csv', 'tsv', 'xlsx', 'xls', 'json', 'jsonl', 'parquet', 'xml', 'zip', 'tar', 'pkl']);
/** Binary types the code interpreter accepts as they are. */
const CODE_INTERPRETER_BINARY = new Set(['xlsx', 'xls', 'parquet', 'zip', 'tar', 'pkl', 'pdf', 'docx', 'pptx', 'png', 'jpg', 'jpeg', 'gif']);

/** Image types, by extension: file search reads none of them. */
const IMAGE_TYPES = new Set([...Object.values(IMAGE_EXTENSIONS), 'jpeg', 'bmp', 'tif', 'tiff', 'svg', 'ico', 'heic', 'avif']);

/** The tool a file goes to unless the user switches it: data to the code interpreter, the rest to file search. */
export function defaultToolFor(name: string): AttachmentTool {
  return DATA_TYPES.has(extensionOf(name)) ? 'code_interpreter' : 'file_search';
}

/** Content hash to file id, per provider: what was uploaded before with the same bytes. */
export interface UploadIndex {
  get(provider: string, sha256: string): string | undefined;
  set(provider: string, sha256: string, fileId: string): Promise<void>;
  /** Forgets a file id the server no longer has. */
  forget(provider: string, fileId: string): Promise<void>;
}

/** A workspace file to upload. */
export interface UploadItem {
  absolute: string;
  /** Relative path, for messages and as the uploaded name's base. */
  display: string;
  tool: AttachmentTool;
}

export type UploadResult =
  | { ok: true; item: UploadItem; fileId: string; filename: string; sha256: string; uploadedBytes: number; reused: boolean }
  | { ok: false; item: UploadItem; reason: string };

export interface UploadOptions {
  files: Pick<FileOperations, 'uploadFile' | 'retrieveFile'>;
  fs: Pick<WorkspaceFs, 'stat' | 'readChunks'>;
  index: UploadIndex;
  /** Names the server the index entries belong to (a file id means nothing elsewhere). */
  provider: string;
  signal?: AbortSignal;
  /** Called as each file finishes, with the count done of the total. */
  onProgress?(done: number, total: number, last: UploadResult): void;
  concurrency?: number;
  /** The index key of a file's bytes (default: the hash alone, so equal bytes anywhere share one upload). */
  indexKey?(item: UploadItem, sha256: string): string;
  /**
   * The backend gives the model some attachments whole, as input files (Responses: a PDF attached
   * for file search): those go up with the purpose `user_data`, and only within the model's limits.
   */
  inputFiles?: boolean;
  /** The files go into an assistant's knowledge (a vector store), where the code interpreter is no alternative. */
  knowledge?: boolean;
}

/**
 * Uploads workspace files, a few at a time, skipping any whose bytes were uploaded before to the
 * same provider (content hash to file id, per purpose): re-attaching unchanged files sends nothing.
 * Each file is checked first against what the service refuses (size, type, and for a file the model
 * reads whole its 32 MB and 100 pages); a refusal comes back with its reason, never silently.
 * Aborting `signal` stops the files not yet sent.
 */
export async function uploadFiles(items: readonly UploadItem[], options: UploadOptions): Promise<UploadResult[]> {
  const results: UploadResult[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      let result: UploadResult;
      try {
        options.signal?.throwIfAborted();
        result = await uploadOne(item, options);
      } catch (error) {
        const aborted = options.signal?.aborted;
        result = { ok: false, item, reason: aborted ? 'cancelled before it was sent.' : `the upload failed: ${error instanceof Error ? error.message : String(error)}` };
      }
      results[index] = result;
      done += 1;
      options.onProgress?.(done, items.length, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? UPLOAD_CONCURRENCY, items.length) }, worker));
  return results;
}

async function uploadOne(item: UploadItem, options: UploadOptions): Promise<UploadResult> {
  const stat = await options.fs.stat(item.absolute);
  if (!stat || stat.type !== 'file') return { ok: false, item, reason: 'it is not a file (or no longer exists).' };
  if (stat.size === 0) return { ok: false, item, reason: 'it is empty; the service refuses empty files.' };
  if (stat.size > MAX_UPLOAD_BYTES) return { ok: false, item, reason: `it has ${formatBytes(stat.size)}; the service takes at most 512 MB a file.` };
  const whole = options.inputFiles === true && readsWhole([item.tool], item.display);
  const tooBig = whole ? inputFileSizeRefusal(stat.size) : undefined;
  if (tooBig) return { ok: false, item, reason: tooBig };
  const { bytes, sha256 } = await readAll(options.fs, item.absolute, stat.size, options.signal);
  const tooLong = whole ? inputFilePagesRefusal(bytes) : undefined;
  if (tooLong) return { ok: false, item, reason: tooLong };
  const binary = bytes.subarray(0, 8192).includes(0);
  const filename = uploadName(item.display, item.tool, binary, options.knowledge === true);
  if ('refused' in filename) return { ok: false, item, reason: filename.refused };
  const purpose: FilePurpose = whole ? 'user_data' : 'assistants';
  // A file id is tied to its purpose: the same bytes uploaded for the other purpose are not reused.
  const key = (options.indexKey?.(item, sha256) ?? sha256) + (purpose === 'assistants' ? '' : ` ${purpose}`);
  const known = options.index.get(options.provider, key);
  if (known && (await stillThere(options, known))) return { ok: true, item, fileId: known, filename: filename.name, sha256, uploadedBytes: 0, reused: true };
  const uploaded = await options.files.uploadFile(filename.name, bytes, purpose, options.signal);
  await options.index.set(options.provider, key, uploaded.id);
  return { ok: true, item, fileId: uploaded.id, filename: filename.name, sha256, uploadedBytes: bytes.length, reused: false };
}

/**
 * Whether the server still has a file the index remembers (files are deleted on the platform, or
 * expire); one that is gone is forgotten, so its bytes are uploaded again.
 */
async function stillThere(options: UploadOptions, fileId: string): Promise<boolean> {
  try {
    await options.files.retrieveFile(fileId, options.signal);
    return true;
  } catch (error) {
    if (!(error instanceof AssistantsError) || error.kind !== 'not_found') throw error;
    await options.index.forget(options.provider, fileId);
    return false;
  }
}

/**
 * The name to upload under, or why the service would refuse the file. `knowledge`: the file goes
 * into an assistant's knowledge, so the refusal does not point at the code interpreter.
 */
export function uploadName(display: string, tool: AttachmentTool, binary: boolean, knowledge = false): { name: string } | { refused: string } {
  const base = path.posix.basename(display);
  const extension = extensionOf(base);
  if (tool === 'code_interpreter') {
    if (!binary || CODE_INTERPRETER_BINARY.has(extension)) return { name: base };
    return { refused: `the code interpreter does not take .${extension || '(no extension)'} files.` };
  }
  if (FILE_SEARCH_TYPES.has(extension)) return { name: base };
  // Source files of types the service does not know (.rs, .toml, .vue, Makefile…) are text: send them as such.
  if (!binary) return { name: `${base}.txt` };
  const type = `.${extension || '(no extension)'}`;
  if (!knowledge) return { refused: `file search does not take ${type} files, and it is not text. Switch it to the code interpreter if it is data.` };
  if (IMAGE_TYPES.has(extension)) return { refused: `file search cannot read images, so knowledge cannot hold a ${type} file.` };
  return { refused: `file search does not take ${type} files and this one is not text, so knowledge cannot hold it.` };
}

async function readAll(fs: Pick<WorkspaceFs, 'readChunks'>, absolute: string, size: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; sha256: string }> {
  const bytes = new Uint8Array(size);
  // Hashed chunk by chunk as it is read: the whole of a 400 MB file at once held the extension host 0.4 s.
  const hash = createHash('sha256');
  let offset = 0;
  for await (const chunk of fs.readChunks(absolute, READ_CHUNK_BYTES * 16, signal)) {
    if (offset + chunk.length > bytes.length) throw new Error('the file grew while it was read.');
    bytes.set(chunk, offset);
    hash.update(chunk);
    offset += chunk.length;
  }
  return { bytes: offset === size ? bytes : bytes.subarray(0, offset), sha256: hash.digest('hex') };
}

function extensionOf(name: string): string {
  const ext = path.posix.extname(name).toLowerCase();
  return ext ? ext.slice(1) : '';
}

/** Bytes as "12.3 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
