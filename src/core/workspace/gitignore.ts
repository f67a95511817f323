import type { RE2JS } from 're2js';
import { compileExpression, GlobError, globSources } from './glob';

/** Rules of one `.gitignore` used at most; past them the file's lines are left out. */
export const GITIGNORE_MAX_RULES = 10_000;
/**
 * Runs of rules (a negation `!` starts a new one) of one `.gitignore` used at most; past them the
 * file's lines are left out. A path is tried against each run from the last until one matches:
 * 10,000 lines alternating `x` and `!y` made every path 10,000 tries (a listing of 50 files in 60
 * folders did not finish in 20 s). Real files have a few runs.
 */
export const GITIGNORE_MAX_RUNS = 100;
/**
 * Wildcards (`*`, `?`, `[`) one rule may hold, and all rules of one `.gitignore` together; rules past
 * either are left out. Matching costs the path's length times the wildcards that can be in play:
 * 199 lines of `*a` written 495 times held the extension host 1.3 s to compile and 2.5 s to match
 * one path. Real rules hold a few (`*.log`: 1, `build/**`: 2), real files a few hundred.
 */
export const GITIGNORE_MAX_RULE_WILDCARDS = 32;
export const GITIGNORE_MAX_WILDCARDS = 2_000;
/** Rules compiled into one expression at most; parsing may let the event loop run between such groups. */
const GROUP_RULES = 100;
/** Parsing lets the event loop run once it has compiled for this many milliseconds. */
const PARSE_TURN_MS = 15;

/**
 * The rules of one `.gitignore`, matched in linear time: each pattern becomes an RE2 expression
 * through the same translation as every other glob (`globSources`), so a repository's
 * `*a*a*a*a*a*a*b` cannot block the extension host (the `ignore` package compiles it to a
 * backtracking JavaScript expression: a 200-character name took minutes). Git's syntax: `#`
 * comments, `!` negation (the last matching rule wins), a trailing `/` for folders only, a pattern
 * with a `/` before its end anchored to the file's folder (else matched at any depth), `*`, `?`,
 * `[...]`, `**`, `\` escapes; braces are text. Case is ignored, as the `ignore` package did, and a
 * path inside an ignored folder is ignored. Lines that are longer than GLOB_MAX_CHARS or that RE2
 * refuses are left out, and so are those past GITIGNORE_MAX_RULES rules or GITIGNORE_MAX_RUNS runs,
 * and rules of more wildcards than GITIGNORE_MAX_RULE_WILDCARDS or past GITIGNORE_MAX_WILDCARDS in all.
 */
export class Gitignore {
  private constructor(private readonly groups: ReadonlyArray<{ negate: boolean; expression: RE2JS }>) {}

  /** Parses the text of a `.gitignore`, letting the event loop run between groups of GROUP_RULES rules every PARSE_TURN_MS (a big file compiles for a second). */
  static async parse(text: string): Promise<Gitignore> {
    const rules: Array<{ negate: boolean; source: string }> = [];
    let wildcards = GITIGNORE_MAX_WILDCARDS;
    for (const raw of text.split(/\r?\n/)) {
      if (rules.length === GITIGNORE_MAX_RULES) break;
      const rule = parseLine(raw);
      if (!rule || rule.wildcards > GITIGNORE_MAX_RULE_WILDCARDS || rule.wildcards > wildcards) continue;
      wildcards -= rule.wildcards;
      rules.push(rule);
    }
    // Runs of rules of one kind become one expression: which of them matched does not matter.
    const groups: Array<{ negate: boolean; expression: RE2JS }> = [];
    let turn = performance.now();
    for (let start = 0; start < rules.length && groups.length < GITIGNORE_MAX_RUNS; ) {
      if (performance.now() - turn > PARSE_TURN_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
      let end = start;
      while (end < rules.length && end - start < GROUP_RULES && rules[end].negate === rules[start].negate) end++;
      const sources = [...new Set(rules.slice(start, end).map((rule) => rule.source))];
      const negate = rules[start].negate;
      try {
        groups.push({ negate, expression: compileExpression(`^(?:${sources.join('|')})$`, '.gitignore') });
      } catch {
        // One line RE2 refuses: the others of the run are kept, one by one (a run each, so counted as runs).
        for (const source of sources.slice(0, GITIGNORE_MAX_RUNS - groups.length)) {
          try {
            groups.push({ negate, expression: compileExpression(`^(?:${source})$`, '.gitignore') });
          } catch {
            // Left out, as a line git would not understand either.
          }
        }
      }
      start = end;
    }
    return new Gitignore(groups);
  }

  /**
   * Whether a path relative to the `.gitignore`'s folder, `/`-separated, is ignored; a folder's path
   * ends with `/` (as the `ignore` package takes it). True too when a folder above it is ignored.
   */
  ignores(relative: string): boolean {
    const parts = relative.replace(/\/$/, '').split('/');
    for (let end = 1; end < parts.length; end++) if (this.matches(`${parts.slice(0, end).join('/')}/`)) return true;
    return this.matches(relative);
  }

  /**
   * Whether the rules themselves match the path (a folder's with its trailing `/`), its folders not
   * looked at: for a walk, which never enters a folder they ignore.
   */
  matches(relative: string): boolean {
    for (let index = this.groups.length - 1; index >= 0; index--) {
      if (this.groups[index].expression.testExact(relative)) return !this.groups[index].negate;
    }
    return false;
  }
}

/** One line as a rule: the RE2 source matching a path (a folder's with its trailing `/`) and the line's wildcards, or undefined. */
function parseLine(raw: string): { negate: boolean; source: string; wildcards: number } | undefined {
  let line = raw;
  // Trailing spaces are dropped unless escaped with a backslash.
  while (line.endsWith(' ') && !line.endsWith('\\ ')) line = line.slice(0, -1);
  if (!line || line.startsWith('#')) return undefined;
  const negate = line.startsWith('!');
  if (negate) line = line.slice(1);
  else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
  const folderOnly = line.endsWith('/');
  line = line.replace(/\/+$/, '');
  if (!line) return undefined;
  const anchored = line.includes('/');
  const glob = anchored ? line.replace(/^\/+/, '') : `**/${line}`;
  try {
    const [source] = globSources(glob, { braces: false });
    const wildcards = line.replace(/\\./g, '').replace(/[^*?[]/g, '').length;
    return { negate, source: folderOnly ? `${source}/` : `${source}/?`, wildcards };
  } catch (error) {
    if (error instanceof GlobError) return undefined;
    throw error;
  }
}
