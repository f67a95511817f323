import type { Confined, Confinement } from '../workspace/confinement';
import type { Deadline, GitignoreCache } from '../workspace/walk';
import { isGitignored, walkFiles } from '../workspace/walk';
import type { WorkspaceFs } from '../workspace/workspaceFs';
import type { Located } from './sync';

/**
 * Where a workspace path knowledge names is now, through the filters every knowledge file passes,
 * for Add (each picked file, a folder's files too) and Sync (each path its store's own files name)
 * alike: the one confinement gate (outside the workspace, links leading out, the deny list,
 * files.exclude) and the `.gitignore` files above it. A refused path is never read. Pass one
 * `gitignores` cache to the calls of one command: its files share their folders' `.gitignore` files.
 */
export async function locateKnowledgeSource(confinement: Confinement, fs: WorkspaceFs, path: string, gitignores?: GitignoreCache): Promise<Located> {
  const confined = await confinement.resolve(path);
  if (!confined.ok) return { refused: confined.reason.replace(/^Refused: /, '') };
  const stat = await fs.stat(confined.absolute);
  if (!stat || stat.type !== 'file') return { gone: true };
  if (await isGitignored(fs, confined, gitignores)) return { refused: `${JSON.stringify(confined.display)} is ignored by .gitignore.` };
  return { absolute: confined.absolute };
}

/** The files *Add to Knowledge* offers when run without a selection; `more`: the list stopped at its limit or deadline. */
export interface KnowledgeCandidates {
  files: Confined[];
  more: boolean;
}

/**
 * The workspace files Add to Knowledge would take, for its file picker: each folder of `roots`
 * walked through the same filters as Add (the confinement gate's deny list and files.exclude, the
 * `.gitignore` files, links leading out), so a file the add would refuse is never offered. At most
 * `limit` files; the walk stops at `deadline` (a large workspace lists what it found by then).
 */
export async function knowledgeCandidates(
  confinement: Confinement,
  fs: WorkspaceFs,
  roots: readonly string[],
  options: { limit: number; deadline?: Deadline; signal?: AbortSignal },
): Promise<KnowledgeCandidates> {
  const files: Confined[] = [];
  for (const root of roots) {
    const start = await confinement.resolve(root);
    if (!start.ok) continue;
    for await (const file of walkFiles(fs, confinement, start, { signal: options.signal, deadline: options.deadline })) {
      if (files.length === options.limit) return { files, more: true };
      files.push(file);
    }
  }
  return { files, more: options.deadline?.reached === true };
}
