import { createHash } from 'node:crypto';
import type { UploadIndex, UploadItem } from '../attachments/uploads';
import { MAX_UPLOAD_BYTES, UPLOAD_CONCURRENCY, formatBytes, uploadFiles } from '../attachments/uploads';
import { AssistantsError, asAssistantsError } from '../errors';
import type { FileOperations } from '../files';
import { MAX_FILE_BATCH } from '../files';
import type { WorkspaceFs } from '../workspace/workspaceFs';
import { READ_CHUNK_BYTES } from '../workspace/readText';
import type { KnowledgeMark } from './mark';
import { MARK_ATTRIBUTE } from './mark';
import type { KnowledgeFile, KnowledgePlan, Recognise } from './plan';
import { MAX_ATTRIBUTE_CHARS, knowledgeFile, planKnowledge, sourceAttributes } from './plan';

/** What knowledge needs from the server, the disk and the upload index. */
export interface KnowledgeDeps {
  files: Pick<FileOperations, 'uploadFile' | 'retrieveFile' | 'deleteFile' | 'listVectorStoreFiles' | 'createVectorStoreFileBatch' | 'deleteVectorStoreFile'>;
  fs: Pick<WorkspaceFs, 'stat' | 'readChunks'>;
  /** Content hash to file id; knowledge keys its entries by vector store and path as well. */
  index: UploadIndex;
  /** Names the server and key the index entries belong to. */
  provider: string;
  /** Marks the files added here, and tells them from files anyone else put in the store. */
  mark: KnowledgeMark;
  signal?: AbortSignal;
  /** A line for the progress notification (what is being done now). */
  onProgress?(message: string): void;
}

/** A workspace file given to knowledge: where it is and the path it is known by. */
export interface KnowledgeSource {
  absolute: string;
  /** The workspace path (`src/a.ts`; the folder's name first in a multi-root workspace). */
  path: string;
}

/** What an add or a sync did, path by path. */
export interface KnowledgeReport {
  /** New in the store. */
  added: string[];
  /** Changed in the workspace: the new bytes are in, the old copy is gone. */
  replaced: string[];
  /** Unchanged, but the store's copy had failed or been cancelled: added again, as asked. */
  retried: string[];
  /** Unchanged, and the store's copy had failed or been cancelled: left as it is, with the server's reason. */
  failed: Array<{ path: string; reason: string }>;
  /** The store already held these bytes: nothing sent. */
  unchanged: string[];
  /** Taken out of the store (deleted in the workspace, or a second copy). */
  removed: string[];
  /** Deleted in the workspace but kept in the store, as the user chose. */
  keptMissing: string[];
  /** Not added, with the reason (the service's limits and types, a failed request, a file now kept from knowledge); an older copy stays. */
  refused: Array<{ path: string; reason: string }>;
  /** Files in the store this extension did not add (by path, else file id): left as they are, whatever they name. */
  leftAlone: string[];
  /** Bytes sent to the Files API. */
  uploadedBytes: number;
}

/**
 * Adds workspace files to a vector store: a file whose bytes the store already holds for its path
 * is left alone (0 bytes sent), a changed one is uploaded and added and its old copy removed (the
 * old file deleted too). Each file is checked against what the service refuses before it is read.
 * Picking a file to add is asking for it: a copy of it whose indexing failed is added again.
 */
export async function addToKnowledge(vectorStoreId: string, sources: readonly KnowledgeSource[], deps: KnowledgeDeps): Promise<KnowledgeReport> {
  const report = emptyReport();
  deps.onProgress?.('Reading the vector store');
  const listing = await readListing(vectorStoreId, deps);
  const workspace = new Map<string, string | undefined>();
  const absolutes = new Map<string, string>();
  const picked = new Set(sources.map((source) => source.path));
  report.leftAlone.push(...new Set(listing.flatMap((entry) => (!entry.ours && entry.path !== undefined && picked.has(entry.path) ? [entry.path] : []))));
  for (const source of sources) {
    deps.signal?.throwIfAborted();
    const refusal = await precheck(source, deps);
    if (refusal) {
      report.refused.push({ path: source.path, reason: refusal });
      continue;
    }
    deps.onProgress?.(`Comparing ${source.path}`);
    const sha256 = await hashFile(deps.fs, source.absolute, deps.signal);
    if (sha256 === undefined) {
      report.refused.push({ path: source.path, reason: 'it no longer exists.' });
      continue;
    }
    workspace.set(source.path, sha256);
    absolutes.set(source.path, source.absolute);
  }
  await carryOut(vectorStoreId, planKnowledge(listing, workspace, true), absolutes, deps, report, async () => true);
  return report;
}

/** Where a workspace path is now, as knowledge may use it: a file, gone, or kept from knowledge (with why). */
export type Located = { absolute: string } | { gone: true } | { refused: string };

/**
 * Re-checks every file this extension added to a vector store (see `KnowledgeMark`) from the
 * workspace: changed ones are replaced, unchanged ones cost nothing, and those deleted from the
 * workspace are removed when `confirmRemoval` agrees (else kept and reported). A path `locate`
 * refuses (ignored by .gitignore, hidden by files.exclude, on the deny list, outside the
 * workspace) is not read, and its copy stays. Files anyone else put in the store are left alone,
 * whatever path they name. An unchanged file whose copy failed indexing is reported in `failed`
 * and left alone, unless `retryFailed`.
 */
export async function syncKnowledge(
  vectorStoreId: string,
  locate: (path: string) => Promise<Located>,
  deps: KnowledgeDeps,
  confirmRemoval: (paths: string[]) => Promise<boolean>,
  retryFailed = false,
): Promise<KnowledgeReport> {
  const report = emptyReport();
  deps.onProgress?.('Reading the vector store');
  const listing = await readListing(vectorStoreId, deps);
  report.leftAlone.push(...listing.flatMap((entry) => (entry.ours ? [] : [entry.path ?? entry.file.id])));
  const workspace = new Map<string, string | undefined>();
  const absolutes = new Map<string, string>();
  for (const path of new Set(listing.flatMap((entry) => (entry.ours && entry.path !== undefined ? [entry.path] : [])))) {
    deps.signal?.throwIfAborted();
    deps.onProgress?.(`Comparing ${path}`);
    const located = await locate(path);
    if ('refused' in located) {
      report.refused.push({ path, reason: `${located.refused.replace(/\.$/, '')}; its copy in the store stays (Remove from Knowledge takes it out).` });
      continue;
    }
    const sha256 = 'gone' in located ? undefined : await hashFile(deps.fs, located.absolute, deps.signal);
    workspace.set(path, sha256);
    if ('absolute' in located && sha256 !== undefined) absolutes.set(path, located.absolute);
  }
  await carryOut(vectorStoreId, planKnowledge(listing, workspace, retryFailed), absolutes, deps, report, confirmRemoval);
  return report;
}

/** A vector store's files, each known as ours or not. */
async function readListing(vectorStoreId: string, deps: KnowledgeDeps): Promise<KnowledgeFile[]> {
  const recognise = recogniser(vectorStoreId, deps);
  return (await deps.files.listVectorStoreFiles(vectorStoreId, deps.signal)).map((file) => knowledgeFile(file, recognise));
}

/**
 * Which files of a vector store this extension added: those whose mark verifies for this store,
 * file, path and hash; and, from versions that did not mark them, an unmarked file this machine's
 * upload index records uploading for this very store and path (a record no repository can write).
 */
export function recogniser(vectorStoreId: string, deps: Pick<KnowledgeDeps, 'mark' | 'index' | 'provider'>): Recognise {
  return (file, path, sha256) => {
    const mark = file.attributes[MARK_ATTRIBUTE];
    if (mark !== undefined) return deps.mark.verify({ vectorStoreId, fileId: file.id, path, sha256 }, mark);
    return deps.index.get(deps.provider, knowledgeIndexKey(sha256, vectorStoreId, path)) === file.id;
  };
}

/** The upload index's key for a file uploaded to knowledge: its bytes, for one store and path. */
function knowledgeIndexKey(sha256: string, vectorStoreId: string, path: string): string {
  return `${sha256} ${vectorStoreId} ${path}`;
}

/**
 * Takes one file out of a vector store, and deletes the file itself when this extension added it
 * (one added elsewhere may be used elsewhere: only its place in this store goes).
 */
export async function removeFromKnowledge(vectorStoreId: string, entry: KnowledgeFile, deps: Pick<KnowledgeDeps, 'files' | 'index' | 'provider' | 'signal'>): Promise<void> {
  await ignoreNotFound(deps.files.deleteVectorStoreFile(vectorStoreId, entry.file.id, deps.signal));
  if (!entry.ours) return;
  // Knowledge keys its uploads by vector store and path, so no other store or attachment shares this file.
  await ignoreNotFound(deps.files.deleteFile(entry.file.id, deps.signal));
  await deps.index.forget(deps.provider, entry.file.id);
}

async function carryOut(
  vectorStoreId: string,
  plan: KnowledgePlan,
  absolutes: ReadonlyMap<string, string>,
  deps: KnowledgeDeps,
  report: KnowledgeReport,
  confirmRemoval: (paths: string[]) => Promise<boolean>,
): Promise<void> {
  report.unchanged.push(...plan.keep.map((k) => k.path));
  report.failed.push(...plan.failed.map(({ path, file }) => ({ path, reason: file.file.lastError ?? `its indexing was ${file.file.status === 'cancelled' ? 'cancelled' : 'failed'} (the server gave no reason)` })));
  const items: UploadItem[] = plan.upload.map(({ path }) => ({ absolute: absolutes.get(path) ?? path, display: path, tool: 'file_search' }));
  const results = await uploadFiles(items, {
    files: deps.files,
    fs: deps.fs,
    index: deps.index,
    provider: deps.provider,
    signal: deps.signal,
    indexKey: (item, sha256) => knowledgeIndexKey(sha256, vectorStoreId, item.display),
    knowledge: true,
    onProgress: (done, total, last) => deps.onProgress?.(`Uploaded ${done} of ${total}: ${last.item.display}`),
  });
  const uploaded: Uploaded[] = [];
  for (const [i, result] of results.entries()) {
    const { path, replaces } = plan.upload[i];
    if (result.ok) uploaded.push({ path, replaces, fileId: result.fileId, sha256: result.sha256, bytes: result.uploadedBytes });
    else report.refused.push({ path, reason: replaces.length ? `${result.reason} The older copy stays.` : result.reason });
  }
  for (let start = 0; start < uploaded.length; start += MAX_FILE_BATCH) {
    await addBatch(vectorStoreId, uploaded.slice(start, start + MAX_FILE_BATCH), deps, report);
  }
  const duplicates = plan.remove.filter((r) => r.reason === 'duplicate');
  const deleted = plan.remove.filter((r) => r.reason === 'deleted');
  const removeDeleted = deleted.length > 0 && (await confirmRemoval([...new Set(deleted.map((r) => r.path))]));
  const removals = [...duplicates, ...(removeDeleted ? deleted : [])];
  const failures = await eachLimited(removals, async (entry) => {
    deps.signal?.throwIfAborted();
    await removeFromKnowledge(vectorStoreId, entry.file, deps);
  });
  const failure = failures.find((f) => f !== undefined);
  if (failure !== undefined) throw failure;
  for (const entry of removals) if (!report.removed.includes(entry.path)) report.removed.push(entry.path);
  if (!removeDeleted) report.keptMissing.push(...new Set(deleted.map((r) => r.path)));
}

/** A file uploaded (or found uploaded) for a path, to add to the vector store. */
interface Uploaded {
  path: string;
  replaces: KnowledgeFile[];
  fileId: string;
  sha256: string;
  bytes: number;
}

/**
 * Adds uploaded files to the vector store in one request (a file batch), then takes their older
 * copies out. A batch the server refuses leaves every file of it refused with the server's reason,
 * and their older copies in place.
 */
async function addBatch(vectorStoreId: string, batch: readonly Uploaded[], deps: KnowledgeDeps, report: KnowledgeReport): Promise<void> {
  const ready: Array<Uploaded & { older: KnowledgeFile[] }> = [];
  for (const file of batch) {
    try {
      deps.signal?.throwIfAborted();
      // A copy whose indexing failed may be this very file: it goes first, so the file can be added again.
      const same = file.replaces.find((copy) => copy.file.id === file.fileId);
      if (same) await ignoreNotFound(deps.files.deleteVectorStoreFile(vectorStoreId, same.file.id, deps.signal));
      ready.push({ ...file, older: file.replaces.filter((copy) => copy !== same) });
    } catch (error) {
      report.refused.push({ path: file.path, reason: `it could not be added to the vector store: ${asAssistantsError(error).message}` });
    }
  }
  if (ready.length === 0) return;
  deps.onProgress?.(`Adding ${ready.length} file${ready.length === 1 ? '' : 's'} to the vector store`);
  try {
    await deps.files.createVectorStoreFileBatch(vectorStoreId, ready.map((file) => ({ fileId: file.fileId, attributes: sourceAttributes(file.path, file.sha256, deps.mark.sign({ vectorStoreId, fileId: file.fileId, path: file.path, sha256: file.sha256 })) })), deps.signal);
  } catch (error) {
    const reason = `it could not be added to the vector store: ${asAssistantsError(error).message}`;
    for (const file of ready) report.refused.push({ path: file.path, reason });
    return;
  }
  // Older copies go a few at a time (two requests each); the report keeps the order of the files.
  const failures = await eachLimited(ready, async (file) => {
    for (const old of file.older) await removeFromKnowledge(vectorStoreId, old, deps);
  });
  for (const [i, file] of ready.entries()) {
    report.uploadedBytes += file.bytes;
    const failure = failures[i];
    if (failure) {
      report.refused.push({ path: file.path, reason: `its new copy is in, but an older copy could not be removed: ${asAssistantsError(failure).message}` });
      continue;
    }
    const bucket = file.replaces.length === 0 ? report.added : file.replaces.some((copy) => copy.sha256 === file.sha256) ? report.retried : report.replaced;
    bucket.push(file.path);
  }
}

/**
 * Runs `task` on every item, `UPLOAD_CONCURRENCY` at a time, and gives back each item's failure
 * (undefined for those that succeeded), in the items' order.
 */
async function eachLimited<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<unknown[]> {
  const failures: unknown[] = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        await task(items[index]);
      } catch (error) {
        failures[index] = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, items.length) }, worker));
  return failures;
}

/** Why the service would refuse a file, told before it is read; undefined when it may go. */
async function precheck(source: KnowledgeSource, deps: Pick<KnowledgeDeps, 'fs'>): Promise<string | undefined> {
  if (source.path.length > MAX_ATTRIBUTE_CHARS) return `its path is longer than the ${MAX_ATTRIBUTE_CHARS} characters a vector store can record.`;
  const stat = await deps.fs.stat(source.absolute);
  if (!stat || stat.type !== 'file') return 'it is not a file (or no longer exists).';
  if (stat.size === 0) return 'it is empty; the service refuses empty files.';
  if (stat.size > MAX_UPLOAD_BYTES) return `it has ${formatBytes(stat.size)}; the service takes at most 512 MB a file.`;
  return undefined;
}

/** SHA-256 of a file's bytes (hex), read in chunks; undefined when the file is not there. */
export async function hashFile(fs: Pick<WorkspaceFs, 'stat' | 'readChunks'>, absolute: string, signal?: AbortSignal): Promise<string | undefined> {
  const stat = await fs.stat(absolute);
  if (!stat || stat.type !== 'file') return undefined;
  const hash = createHash('sha256');
  for await (const chunk of fs.readChunks(absolute, READ_CHUNK_BYTES * 16, signal)) hash.update(chunk);
  return hash.digest('hex');
}

async function ignoreNotFound(pending: Promise<void>): Promise<void> {
  try {
    await pending;
  } catch (error) {
    if (!(error instanceof AssistantsError) || error.kind !== 'not_found') throw error;
  }
}

/** A report of nothing done. */
export function emptyReport(): KnowledgeReport {
  return { added: [], replaced: [], retried: [], failed: [], unchanged: [], removed: [], keptMissing: [], refused: [], leftAlone: [], uploadedBytes: 0 };
}

/** Adds `one` into `total` (a sync over several vector stores reports once). */
export function mergeReports(total: KnowledgeReport, one: KnowledgeReport): void {
  for (const key of ['added', 'replaced', 'retried', 'unchanged', 'removed', 'keptMissing', 'leftAlone'] as const) total[key].push(...one[key]);
  total.refused.push(...one.refused);
  total.failed.push(...one.failed);
  total.uploadedBytes += one.uploadedBytes;
}
