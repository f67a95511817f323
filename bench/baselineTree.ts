import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../test/support/codeServer';

/**
 * Puts commit `commit`'s `tsconfig.json`, `webview`, `src` and `media` into folder `dir` (once:
 * kept for the next run), so a bench can bundle the baseline's renderer beside today's. Throws with
 * git's or tar's words when the commit is missing (a shallow clone) or cannot be unpacked.
 */
export function extractBaseline(commit: string, dir: string): void {
  if (fs.existsSync(path.join(dir, 'webview', 'main.ts'))) return;
  fs.mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', commit, 'tsconfig.json', 'webview', 'src', 'media'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  if (archive.status !== 0) throw new Error(`git archive ${commit} failed (a shallow clone lacks it): ${archive.stderr.toString()}`);
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
}
