import { escapedUnshowable, quoted } from '../../common/showable';
import * as path from 'node:path';
import { GLOB_LIST_MAX_PATTERNS, GlobList } from './glob';
import type { UnusableGlob } from './glob';
import type { WorkspaceFs } from './workspaceFs';

/**
 * The one deny list: what read, list, search, attach, knowledge and edit keep from the assistant
 * (and from the server) unless the user changes `assistants.functions.deny`, whose default in
 * package.json is this list. Environment files at any depth (`.env`, `.env.local`,
 * `.env-production`, `.env_local`, `prod.env`), private keys and certificates, keystores, the
 * `.git`, `.ssh` and `.gnupg` folders, and the credential and token files of git, package managers,
 * cloud, cluster and database tools and Terraform state. Globs relative to a workspace folder,
 * matched without regard to case against a path and each of its folders (see `GlobList`).
 */
export const DEFAULT_DENY: readonly string[] = [
  '**/.env*',
  '**/*.env',
  '**/.git',
  '**/.ssh',
  '**/.gnupg',
  '**/*.pem',
  '**/*.key',
  '**/*.ppk',
  '**/*.p8',
  '**/*.p12',
  '**/*.pfx',
  '**/id_*',
  '**/*.keystore',
  '**/*.jks',
  '**/*.token',
  '**/.*token',
  '**/token.json',
  '**/credentials.json',
  '**/client_secret*.json',
  '**/.git-credentials',
  '**/.npmrc',
  '**/.yarnrc',
  '**/.yarnrc.yml',
  '**/.pypirc',
  '**/.netrc',
  '**/_netrc',
  '**/.pgpass',
  '**/.htpasswd',
  '**/.aws/credentials',
  '**/.docker/config.json',
  '**/.cargo/credentials',
  '**/.cargo/credentials.toml',
  '**/.gem/credentials',
  '**/.kube/config',
  '**/.config/gh/hosts.yml',
  '**/*.tfstate',
  '**/*.tfstate.backup',
];

/** Which folders the assistant may reach and which paths in them it may not. */
export interface ConfinementRules {
  /** Workspace folders, absolute; relative paths start at the first. */
  roots: string[];
  /**
   * Globs (relative to a workspace folder) never read or written: `assistants.functions.deny`, as
   * the settings hold it; an entry that is no string makes the list unusable (every path refused).
   */
  deny: readonly unknown[];
  /** Globs hidden by `files.exclude` (the entries set to true). */
  exclude: readonly string[];
}

/** A path the assistant may use. */
export interface Confined {
  ok: true;
  /** Canonical absolute path (links resolved): what to open. Never shown to the model. */
  absolute: string;
  /** Canonical workspace folder the path is in. */
  root: string;
  /** The path as the model may see it: relative to its folder, `/`-separated (prefixed with the folder's name in a multi-root workspace). */
  display: string;
}

/** A path refused, with a sentence for the model that names no local absolute path. */
export interface Refused {
  ok: false;
  reason: string;
  /** What is wrong with the path, said of it without naming it ("may hold secrets (assistants.functions.deny)"), for a summary that names it itself. */
  about?: string;
}

const ENCODED = /%(2e|2f|5c|00)/i;
/** Links followed one after another before a path is refused as a loop (Linux's own limit). */
export const MAX_LINK_HOPS = 40;
/** A path longer than this, in characters or in segments, is refused before it is looked at. */
export const MAX_PATH_CHARS = 4_096;
export const MAX_PATH_SEGMENTS = 256;
const URI = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * How a path names a Windows file by another of its names, if it does: a part ending in a dot or a
 * space (Windows drops them), one holding a colon (a data stream; a drive letter aside), or a short
 * 8.3 name (`~` and a digit).
 */
function aliasIn(slashed: string): string | undefined {
  const parts = slashed.split('/');
  for (const [index, part] of parts.entries()) {
    if (part === '' || part === '.' || part === '..' || (index === 0 && /^[a-z]:$/i.test(part))) continue;
    if (/[. ]$/.test(part)) return 'a name ending in a dot or a space';
    if (part.includes(':')) return 'a data stream (name:stream)';
    if (/~\d/.test(part)) return 'a short 8.3 name (~1)';
  }
  return undefined;
}

/**
 * The one gate every workspace path goes through, whichever function asks. Both the path and the
 * workspace folders are compared in canonical form (links resolved), so a workspace opened through
 * a link (macOS's `/tmp`) works and a link inside the workspace pointing out of it does not. `..`
 * that leaves a folder, absolute paths elsewhere, `~`, URIs and percent-encoded separators are
 * refused, and so is anything matching the deny list or `files.exclude` (case-insensitively, so
 * `.ENV` is no way around `.env`).
 */
export class Confinement {
  private readonly lists = new Map<string, GlobList>();

  constructor(
    private readonly fs: Pick<WorkspaceFs, 'realPath' | 'readLink'>,
    private readonly rules: () => ConfinementRules,
    /** Whether the file system ignores case (macOS and Windows by default). */
    private readonly caseInsensitive = process.platform === 'darwin' || process.platform === 'win32',
    /**
     * Whether the file system reads one file by other names too (Windows by default): with a
     * trailing dot or space (`site.pem.`), as its data stream (`site.pem::$DATA`), or by its short
     * 8.3 name (`ENV-PR~1` for `.env-production`). None of them matches the deny list's patterns.
     */
    private readonly aliasNames = process.platform === 'win32',
    /**
     * Told once per `files.exclude` list compiled with globs left out (past the list's limit, or
     * not compilable): the list still hides what its other globs match. (The deny list refuses
     * every path instead; see `denyBroken`.)
     */
    private readonly onExcludeLeftOut?: (unusable: readonly UnusableGlob[]) => void,
  ) {}

  /** Resolves a path the model gave. */
  async resolve(requested: string): Promise<Confined | Refused> {
    const rules = this.rules();
    if (rules.roots.length === 0) return refuse('No folder is open in VS Code, so there are no workspace files.');
    const cleaned = unquoted(requested.trim());
    // An absolute path is not echoed: outputs never carry local absolute paths, whoever wrote them.
    const shown = path.isAbsolute(cleaned) || /^[a-z]:[\\/]/i.test(cleaned) ? `the absolute path ending in ${quoted(path.basename(cleaned))}` : quoted(cleaned);
    if (!cleaned) return refuse('No path was given.');
    if (cleaned.length > MAX_PATH_CHARS) return refuse(`Refused: the path has ${cleaned.length} characters; at most ${MAX_PATH_CHARS} are accepted.`);
    if (cleaned.split(/[\\/]/).length > MAX_PATH_SEGMENTS) return refuse(`Refused: the path has more than ${MAX_PATH_SEGMENTS} segments.`);
    if (cleaned.includes('\u0000')) return refuse(`Refused: ${shown} contains a NUL character.`, 'contains a NUL character');
    if (ENCODED.test(cleaned)) return refuse(`Refused: ${shown} contains a percent-encoded character (such as %2F or %2E); give the path as plain text, relative to the workspace folder.`, 'contains a percent-encoded character');
    if (URI.test(cleaned)) return refuse(`Refused: ${shown} is a URI; give a path relative to the workspace folder.`, 'is a URI');
    if (cleaned.startsWith('~')) return refuse(`Refused: ${shown} is outside the workspace.`, 'is outside the workspace');
    // A backslash is a separator to whoever wrote the path, whatever this machine thinks of it.
    const slashed = cleaned.replace(/\\/g, '/');
    const alias = this.aliasNames ? aliasIn(slashed) : undefined;
    if (alias) return refuse(`Refused: ${shown} names a file by ${alias}, which Windows reads as another name of the file; give the file's own name.`, `names a file by ${alias}`);
    const lexical = path.isAbsolute(slashed) ? path.normalize(slashed) : path.resolve(this.startFolder(rules.roots, slashed), slashed);
    const canonicalRoots = await this.canonicalRoots(rules.roots);
    const stated = rules.roots.some((root) => this.within(root, lexical)) || canonicalRoots.some((root) => this.within(root, lexical));
    if (!stated) return refuse(`Refused: ${shown} is outside the workspace.`, 'is outside the workspace');
    const canonical = await this.canonical(lexical);
    if (canonical === undefined) return refuse(`Refused: ${shown} goes through more than ${MAX_LINK_HOPS} links (a loop).`, 'goes through a loop of links');
    return this.admitCanonical(canonical, canonicalRoots, rules, shown, this.lexicalRelative(lexical, rules.roots, canonicalRoots));
  }

  /**
   * Checks a path met while walking a folder that was itself confined: where it really is (a link may
   * point anywhere) and whether the rules keep it hidden.
   */
  async admit(absolute: string): Promise<Confined | Refused> {
    const rules = this.rules();
    const canonicalRoots = await this.canonicalRoots(rules.roots);
    const canonical = await this.canonical(absolute);
    const shown = quoted(path.basename(absolute));
    if (canonical === undefined) return refuse(`Refused: ${shown} goes through more than ${MAX_LINK_HOPS} links (a loop).`, 'goes through a loop of links');
    return this.admitCanonical(canonical, canonicalRoots, rules, shown, this.lexicalRelative(absolute, rules.roots, canonicalRoots));
  }

  /** Whether a workspace-relative path is hidden (deny list or files.exclude), for walkers skipping whole folders. */
  hidden(relative: string): boolean {
    const rules = this.rules();
    const deny = this.compiled(rules.deny, 'deny');
    return deny.unusable.length > 0 || deny.firstMatch(relative) !== undefined || this.compiled(rules.exclude, 'exclude').firstMatch(relative) !== undefined;
  }

  /**
   * Why no path is admitted, when the deny list has globs that cannot be used (past its limit, not
   * compilable, or expanding too far): a glob left out would let a file the user listed as secret
   * be read, so the list fails closed until it is fixed. Undefined when the whole list is in use.
   */
  denyBroken(): Refused | undefined {
    const { unusable } = this.compiled(this.rules().deny, 'deny');
    if (unusable.length === 0) return undefined;
    const first = unusable[0];
    const cut = first.pattern.length > 80 ? `${first.pattern.slice(0, 80)}…` : first.pattern;
    // On one line and in its own order, whatever the setting holds (a line separator, a direction mark).
    const shown = first.notText ? escapedUnshowable(cut) : quoted(cut);
    const more = unusable.length > 1 ? ` (and ${unusable.length - 1} more pattern${unusable.length === 2 ? '' : 's'})` : '';
    const fix = first.reason.startsWith(`is past the list's limit of ${GLOB_LIST_MAX_PATTERNS} `) ? `shorten the list to at most ${GLOB_LIST_MAX_PATTERNS} patterns` : first.reason.startsWith('is past') ? 'shorten the list or its longest patterns' : 'correct or remove that pattern';
    const what = `fix assistants.functions.deny: ${shown}${more} ${first.reason}; ${fix}`;
    return refuse(`Refused: no workspace file is read while part of assistants.functions.deny cannot be used (a file it lists could be read); ${what}.`, `is not read while part of assistants.functions.deny cannot be used; ${what}`);
  }

  /** The display form of a canonical path inside the workspace, or undefined when it is outside. */
  async displayOf(absolute: string): Promise<string | undefined> {
    const rules = this.rules();
    const canonicalRoots = await this.canonicalRoots(rules.roots);
    const canonical = await this.canonical(absolute);
    if (canonical === undefined) return undefined;
    const index = canonicalRoots.findIndex((root) => this.within(root, canonical));
    if (index >= 0) return this.display(canonicalRoots, index, canonical);
    const lexicalIndex = rules.roots.findIndex((root) => this.within(root, absolute));
    return lexicalIndex >= 0 ? this.display(rules.roots, lexicalIndex, absolute) : undefined;
  }

  private admitCanonical(canonical: string, canonicalRoots: string[], rules: ConfinementRules, shown: string, lexicalRelative: string | undefined): Confined | Refused {
    const index = canonicalRoots.findIndex((root) => this.within(root, canonical));
    if (index < 0) return refuse(`Refused: ${shown} links to a place outside the workspace.`, 'links to a place outside the workspace');
    const broken = this.denyBroken();
    if (broken) return broken;
    const root = canonicalRoots[index];
    const relative = toPosix(path.relative(root, canonical));
    const deny = this.compiled(rules.deny, 'deny');
    const exclude = this.compiled(rules.exclude, 'exclude');
    for (const candidate of new Set([relative, lexicalRelative ?? relative])) {
      const denied = deny.firstMatch(candidate);
      if (denied) return refuse(`Refused: ${shown} may hold secrets, so it is kept from the assistant (the setting assistants.functions.deny lists ${denied}).`, 'may hold secrets (assistants.functions.deny)');
      const excluded = exclude.firstMatch(candidate);
      if (excluded) return refuse(`Refused: ${shown} is hidden by the files.exclude setting (${excluded}).`, 'is hidden by files.exclude');
    }
    return { ok: true, absolute: canonical, root, display: this.display(canonicalRoots, index, canonical) };
  }

  /** Relative paths start at the first folder, or at the folder whose name they begin with (multi-root). */
  private startFolder(roots: string[], relative: string): string {
    if (roots.length > 1) {
      const first = relative.split('/')[0];
      const named = roots.find((root) => path.basename(root) === first);
      if (named) return path.dirname(named);
    }
    return roots[0];
  }

  private display(roots: string[], index: number, absolute: string): string {
    const relative = toPosix(path.relative(roots[index], absolute)) || '.';
    return roots.length > 1 ? `${path.basename(roots[index])}/${relative}` : relative;
  }

  private lexicalRelative(lexical: string, roots: string[], canonicalRoots: string[]): string | undefined {
    const root = roots.find((r) => this.within(r, lexical)) ?? canonicalRoots.find((r) => this.within(r, lexical));
    return root === undefined ? undefined : toPosix(path.relative(root, lexical));
  }

  private async canonicalRoots(roots: string[]): Promise<string[]> {
    return Promise.all(roots.map(async (root) => (await this.fs.realPath(root)) ?? path.normalize(root)));
  }

  /**
   * Where a path really leads: the real path of the longest part that exists, with the rest (not yet
   * there) appended. A part that is a dangling link (git checks them out as they were committed) is
   * followed to its target, as a write would follow it, so `notes -> /etc/x` leads to `/etc/x`, not
   * to a new file in the workspace. Undefined when links lead on more than MAX_LINK_HOPS times.
   */
  private async canonical(absolute: string): Promise<string | undefined> {
    let pending = path.normalize(absolute);
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      const rest: string[] = [];
      let current = pending;
      let real: string | undefined;
      for (;;) {
        real = await this.fs.realPath(current);
        if (real !== undefined) break;
        const parent = path.dirname(current);
        if (parent === current) return path.normalize(absolute);
        rest.unshift(path.basename(current));
        current = parent;
      }
      if (rest.length === 0) return real;
      // The first missing part: nothing there (the rest is new), or a link whose target is missing.
      const link = await this.fs.readLink(path.join(real, rest[0]));
      if (link === undefined) return path.join(real, ...rest);
      pending = path.resolve(real, link, ...rest.slice(1));
    }
    return undefined;
  }

  private within(root: string, absolute: string): boolean {
    const fold = (p: string) => (this.caseInsensitive ? p.toLowerCase() : p);
    const relative = path.relative(fold(root), fold(absolute));
    return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
  }

  /**
   * A list compiled once: the settings are read on every call, but change rarely. The deny list's
   * globs are never cut (a glob expanding too far is unusable, and the list then refuses every path).
   */
  private compiled(patterns: readonly unknown[], which: 'deny' | 'exclude'): GlobList {
    const key = `${which}\u0000${patterns.map((pattern) => (typeof pattern === 'string' ? pattern : `\u0001${JSON.stringify(pattern)}`)).join('\u0000')}`;
    let list = this.lists.get(key);
    if (!list) {
      if (this.lists.size >= 8) this.lists.clear();
      list = new GlobList(patterns, which === 'deny' ? { tooMany: 'refuse', blank: 'refuse' } : { tooMany: 'cut' });
      this.lists.set(key, list);
      if (which === 'exclude' && list.unusable.length > 0) this.onExcludeLeftOut?.(list.unusable);
    }
    return list;
  }
}

/**
 * A path as the model may give it back: a JSON string as listings show an odd name (`listedName`)
 * is read as JSON; otherwise one quote or backtick at each end is dropped.
 */
function unquoted(requested: string): string {
  if (requested.length > 1 && requested.startsWith('"') && requested.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(requested);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // Not JSON: quotes as written.
    }
  }
  return requested.replace(/^["'`]|["'`]$/g, '');
}

function refuse(reason: string, about?: string): Refused {
  return { ok: false, reason, ...(about ? { about } : {}) };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
