import * as path from 'node:path';
import type { Confined, Confinement } from './confinement';
import { Gitignore } from './gitignore';
import { Glob } from './glob';
import { readTextRange } from './readText';
import type { WorkspaceFs } from './workspaceFs';

/** Why a walk left a path out; counted so callers can say how many files they skipped. */
export type SkipReason = 'hidden' | 'gitignored' | 'link' | 'outside';

export interface WalkOptions {
  /** Only files whose display path matches this glob (default: every file); a glob `Glob.compile` refuses throws its GlobError. */
  glob?: string;
  signal?: AbortSignal;
  /** Called for every path left out, with the reason. */
  onSkip?(display: string, reason: SkipReason): void;
  /** When to stop walking (epoch milliseconds); the walk then ends early and sets `reached`. */
  deadline?: Deadline;
}

/** A time a long walk or search stops at, keeping what it found; `reached` says that it did stop there. */
export interface Deadline {
  at: number;
  reached: boolean;
}

/** A deadline `ms` milliseconds from now. */
export function deadlineIn(ms: number): Deadline {
  return { at: Date.now() + ms, reached: false };
}

/** Whether the deadline has come; marks it reached when it has. */
export function passed(deadline: Deadline | undefined): boolean {
  if (!deadline || Date.now() < deadline.at) return false;
  deadline.reached = true;
  return true;
}

/** `.gitignore` files are small; a huge one is read only this far. */
const GITIGNORE_CHARS = 200_000;
/** A walk lets the event loop run after this many milliseconds of going through a folder's entries. */
const ENTRIES_TURN_MS = 15;

/**
 * The files under a confined folder, depth first in name order. Folders hidden by the deny list or
 * `files.exclude`, what `.gitignore` files ignore (nested ones too) and `.git` are skipped; links
 * to folders are not followed (no cycles, no detours out of the workspace); links to files go
 * through the confinement again.
 */
export async function* walkFiles(fs: WorkspaceFs, confinement: Confinement, start: Confined, options: WalkOptions = {}): AsyncGenerator<Confined> {
  const glob = options.glob ? Glob.compile(options.glob, { matchBase: !options.glob.includes('/') }) : undefined;
  const matches = (display: string) => !glob || glob.matches(display);
  // The .gitignore files of the folders above the start apply too (the start's own is read by the walk).
  const ignores: Array<{ base: string; rules: Gitignore }> = [];
  for (let dir = start.absolute; dir !== start.root && dir.startsWith(start.root); ) {
    dir = path.dirname(dir);
    await loadGitignore(fs, dir, start.root, ignores);
  }
  const stat = await fs.stat(start.absolute);
  if (stat?.type === 'file') {
    if (matches(start.display)) yield start;
    return;
  }
  yield* walkFolder(fs, confinement, start.absolute, start.root, ignores, matches, options);
}

async function* walkFolder(
  fs: WorkspaceFs,
  confinement: Confinement,
  folder: string,
  root: string,
  ignores: Array<{ base: string; rules: Gitignore }>,
  matches: (display: string) => boolean,
  options: WalkOptions,
): AsyncGenerator<Confined> {
  options.signal?.throwIfAborted();
  const local = [...ignores];
  await loadGitignore(fs, folder, root, local);
  const entries = (await fs.readDir(folder)).sort((a, b) => a.name.localeCompare(b.name));
  let turn = performance.now();
  for (const entry of entries) {
    if (passed(options.deadline)) return;
    // Entries hidden or ignored are skipped without waiting on the disk: let the event loop run.
    if (performance.now() - turn > ENTRIES_TURN_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      turn = performance.now();
    }
    const absolute = path.join(folder, entry.name);
    const relative = path.relative(root, absolute).split(path.sep).join('/');
    if (entry.name === '.git' || confinement.hidden(relative)) {
      options.onSkip?.(relative, 'hidden');
      continue;
    }
    const isDir = entry.type === 'directory';
    if (local.some(({ base, rules }) => isIgnored(rules, path.relative(base, absolute), isDir, true))) {
      options.onSkip?.(relative, 'gitignored');
      continue;
    }
    if (isDir) {
      yield* walkFolder(fs, confinement, absolute, root, local, matches, options);
    } else if (entry.type === 'file' || entry.type === 'link') {
      const admitted = await confinement.admit(absolute);
      if (!admitted.ok) {
        options.onSkip?.(relative, 'outside');
        continue;
      }
      if (entry.type === 'link' && (await fs.stat(admitted.absolute))?.type !== 'file') {
        options.onSkip?.(relative, 'link');
        continue;
      }
      if (matches(admitted.display)) yield admitted;
    }
  }
}

/** The `.gitignore` read in each folder (undefined: none), kept for the files of one command: many share their folders. */
export type GitignoreCache = Map<string, Promise<Gitignore | undefined>>;

/**
 * Whether the `.gitignore` files from the workspace folder down to a confined file's folder ignore
 * it (or a folder it is in): what a walk of its folder would have left out. For a file named on its
 * own, as Sync names the files it re-checks. `cache` keeps each folder's rules for the next file.
 */
export async function isGitignored(fs: WorkspaceFs, file: Confined, cache: GitignoreCache = new Map()): Promise<boolean> {
  const folders: string[] = [];
  for (let dir = path.dirname(file.absolute); dir.startsWith(file.root); dir = path.dirname(dir)) {
    folders.unshift(dir);
    if (dir === file.root || dir === path.dirname(dir)) break;
  }
  for (const folder of folders) {
    let rules = cache.get(folder);
    if (!rules) {
      rules = readGitignore(fs, folder, file.root);
      cache.set(folder, rules);
    }
    const read = await rules;
    if (read && isIgnored(read, path.relative(folder, file.absolute), false)) return true;
  }
  return false;
}

/** Whether `rules` ignore a path relative to their folder; `entry`: only the path itself, its folders having been walked into. */
function isIgnored(rules: Gitignore, relative: string, isDir: boolean, entry = false): boolean {
  const posix = relative.split(path.sep).join('/');
  if (!posix || posix.startsWith('..')) return false;
  const asked = isDir ? `${posix}/` : posix;
  return entry ? rules.matches(asked) : rules.ignores(asked);
}

async function loadGitignore(fs: WorkspaceFs, folder: string, root: string, into: Array<{ base: string; rules: Gitignore }>): Promise<void> {
  const rules = await readGitignore(fs, folder, root);
  if (rules) into.push({ base: folder, rules });
}

/**
 * A folder's `.gitignore`, parsed; undefined when it has none (or it is not text). One that is a
 * link is read where it leads, when that is inside `root` (the workspace folder); a link out is
 * taken as none (the file is not the repository's, and is not read).
 */
async function readGitignore(fs: WorkspaceFs, folder: string, root: string): Promise<Gitignore | undefined> {
  const real = await fs.realPath(path.join(folder, '.gitignore'));
  const inside = real !== undefined && !path.relative(root, real).startsWith('..') && !path.isAbsolute(path.relative(root, real));
  if (!inside || (await fs.stat(real))?.type !== 'file') return undefined;
  const read = await readTextRange(fs, real, { maxChars: GITIGNORE_CHARS });
  return read.kind === 'text' ? Gitignore.parse(read.text) : undefined;
}
