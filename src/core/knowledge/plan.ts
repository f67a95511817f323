import type { VectorStoreFile } from '../files';
import { MARK_ATTRIBUTE } from './mark';

/**
 * Attribute keys on a vector store file that tie it to its workspace source: the path as the
 * workspace shows it (relative; the folder's name first in a multi-root workspace) and the SHA-256
 * of the bytes uploaded. The vector store itself is the index, so two windows, or two machines,
 * agree on what is there.
 */
export const PATH_ATTRIBUTE = 'workspace_path';
export const HASH_ATTRIBUTE = 'sha256';
/** The API keeps attribute strings up to this length; a longer path cannot be recorded. */
export const MAX_ATTRIBUTE_CHARS = 512;

/**
 * A vector store file with the workspace source its attributes name (none for files added
 * elsewhere), and whether this extension added it (`ours`): only those are ever replaced, removed
 * or deleted, whatever path the attributes of the others name.
 */
export interface KnowledgeFile {
  file: VectorStoreFile;
  path?: string;
  sha256?: string;
  ours: boolean;
}

/** Whether this extension added a vector store file, from its attributes (see `KnowledgeMark`). */
export type Recognise = (file: VectorStoreFile, path: string, sha256: string) => boolean;

/** Reads the workspace source a vector store file's attributes name; `recognise` says whether it is ours (by default: none is). */
export function knowledgeFile(file: VectorStoreFile, recognise?: Recognise): KnowledgeFile {
  const path = file.attributes[PATH_ATTRIBUTE];
  const sha256 = file.attributes[HASH_ATTRIBUTE];
  if (typeof path !== 'string') return { file, ours: false };
  if (typeof sha256 !== 'string') return { file, path, ours: false };
  return { file, path, sha256, ours: recognise?.(file, path, sha256) ?? false };
}

/** The attributes a file added from the workspace gets: its path, its hash and the mark that makes it ours. */
export function sourceAttributes(path: string, sha256: string, mark?: string): Record<string, string> {
  return { [PATH_ATTRIBUTE]: path, [HASH_ATTRIBUTE]: sha256, ...(mark !== undefined ? { [MARK_ATTRIBUTE]: mark } : {}) };
}

/**
 * What to do with a vector store, given what it holds and what the workspace has now.
 * - `upload`: a path to upload and add; `replaces` are its older copies, removed once the new one is in.
 * - `keep`: the store already holds these bytes for the path: nothing is sent.
 * - `remove`: copies to take out: the source is gone from the workspace, or a second copy of a kept path.
 * - `failed`: the store's copy of these very bytes failed indexing (or was cancelled): left as it is,
 *   since the same bytes would most likely fail again; retried only when the plan is asked to.
 * - `untracked`: files this extension did not add (no workspace path, or no mark it can verify):
 *   left alone, whatever path they name.
 */
export interface KnowledgePlan {
  upload: Array<{ path: string; replaces: KnowledgeFile[] }>;
  keep: Array<{ path: string; file: KnowledgeFile }>;
  failed: Array<{ path: string; file: KnowledgeFile }>;
  remove: Array<{ path: string; file: KnowledgeFile; reason: 'deleted' | 'duplicate' }>;
  untracked: KnowledgeFile[];
}

/**
 * Plans an add or a sync. `workspace` maps each path to consider to the SHA-256 of its bytes now,
 * or to undefined when the file no longer exists. An add passes the picked files; a sync passes
 * every path the store's own files name. Paths the store names but `workspace` does not are left
 * as they are, and so is every file this extension did not add (`untracked`).
 * A copy whose indexing failed or was cancelled is uploaded again when its file changed; unchanged,
 * it is only when `retryFailed` (the user asked), else it stays in `failed`.
 */
export function planKnowledge(listing: readonly KnowledgeFile[], workspace: ReadonlyMap<string, string | undefined>, retryFailed = false): KnowledgePlan {
  const plan: KnowledgePlan = { upload: [], keep: [], failed: [], remove: [], untracked: [] };
  const byPath = new Map<string, KnowledgeFile[]>();
  for (const entry of listing) {
    if (entry.path === undefined || !entry.ours) {
      plan.untracked.push(entry);
      continue;
    }
    byPath.set(entry.path, [...(byPath.get(entry.path) ?? []), entry]);
  }
  for (const [path, sha256] of workspace) {
    const copies = byPath.get(path) ?? [];
    if (sha256 === undefined) {
      for (const file of copies) plan.remove.push({ path, file, reason: 'deleted' });
      continue;
    }
    const current = copies.find((copy) => copy.sha256 === sha256 && usable(copy));
    const failed = current ? undefined : copies.find((copy) => copy.sha256 === sha256);
    if (failed && !retryFailed) {
      plan.failed.push({ path, file: failed });
      continue;
    }
    if (!current) {
      plan.upload.push({ path, replaces: copies });
      continue;
    }
    plan.keep.push({ path, file: current });
    for (const file of copies) if (file !== current) plan.remove.push({ path, file, reason: 'duplicate' });
  }
  return plan;
}

function usable(entry: KnowledgeFile): boolean {
  return entry.file.status === 'completed' || entry.file.status === 'in_progress';
}
