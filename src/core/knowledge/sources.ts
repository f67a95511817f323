import type { Confinement } from '../functions/confinement';
import type { GitignoreCache } from '../functions/walk';
import { isGitignored } from '../functions/walk';
import type { WorkspaceFs } from '../functions/workspaceFs';
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
