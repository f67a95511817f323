import { braceExpand } from 'minimatch';
import { RE2JS } from 're2js';

/** A glob longer than this, in characters, is refused: no real path pattern is that long. */
export const GLOB_MAX_CHARS = 1_000;
/** Patterns one glob's braces may expand to (`{a,b}/*.{ts,js}` is 4); more is refused, or cut for rule lists. */
export const GLOB_MAX_EXPANSIONS = 256;
/**
 * Patterns a settings list compiles at most, its globs' brace expansions counted: a repository's
 * `.vscode/settings.json` may set `files.exclude`, and 20,000 globs there held the extension host
 * 5 s (300 globs of 256 expansions each 6 s, then every workspace function failed). The globs past
 * it are left out and named in `GlobList.unusable`; the default deny list has 37.
 */
export const GLOB_LIST_MAX_PATTERNS = 500;
/**
 * Characters of RE2 expression one glob's brace expansions may translate to, in all: compiling
 * takes time in them (about 3 to 6 µs each), whatever the glob's own length and count of
 * expansions (`{a,b}` 8 times before 950 `?`, 990 characters in 256 expansions, made a million and
 * held the extension host 0.8 s). `**\/*.{ts,tsx,js}` makes about 80.
 */
export const GLOB_MAX_SOURCE_CHARS = 8_000;
/**
 * Characters of RE2 expression a settings list's globs may translate to, together (500 globs of
 * 990 `?` made 2,000,000 and held the extension host 4 s); the default deny list makes under 900.
 */
export const GLOB_LIST_MAX_SOURCE_CHARS = 16_000;

/** A glob that cannot be used, with a sentence saying why (for the model, or for a log). */
export class GlobError extends Error {}

export interface GlobOptions {
  /** A glob without `/` matches the last segment of a path at any depth (`*.ts` is `**\/*.ts`). */
  matchBase?: boolean;
  /** Also matches everything below a matching path (a matching folder hides its contents). */
  descendants?: boolean;
  /**
   * `refuse` (default): more than GLOB_MAX_EXPANSIONS brace expansions throw. `cut`: the first ones
   * are used (a settings list keeps working when one of its globs overreaches).
   */
  tooMany?: 'refuse' | 'cut';
}

/**
 * A glob compiled once into one RE2 expression (re2js): matching takes time linear in the path,
 * whatever the glob, where minimatch and `ignore` compile to backtracking JavaScript expressions
 * (`*a*a*a*b` against a 255-character name blocks for a second, `+(a|aa)+(a|aa)b` for minutes).
 * The syntax is minimatch's with `dot: true` and without extglobs: `**`, `*`, `?`, `[...]` (with `!`
 * or `^` and POSIX classes), `{a,b}` and `{1..3}` (expanded by minimatch, at most
 * GLOB_MAX_EXPANSIONS), and `\` escapes. Paths are `/`-separated and relative; case is ignored, and
 * a glob and a path are compared in Unicode's composed form (NFC).
 */
export class Glob {
  private constructor(
    readonly source: string,
    private readonly expression: RE2JS,
  ) {}

  /** Compiles `glob`; throws a GlobError with a sentence when it is too long, expands too far or to too large an expression, or is malformed. */
  static compile(glob: string, options: GlobOptions = {}): Glob {
    return Glob.fromSources(glob, globSources(glob.normalize('NFC'), options), options);
  }

  /** Compiles the sources `globSources` gave for `glob`; throws a GlobError when RE2 refuses them. */
  static fromSources(glob: string, sources: readonly string[], options: Pick<GlobOptions, 'descendants'> = {}): Glob {
    const tail = options.descendants ? '(?:/.*)?' : '';
    return new Glob(glob, compileExpression(`^(?:${sources.join('|')})${tail}$`, glob));
  }

  /** Whether the `/`-separated relative path matches (both read in Unicode's composed form, NFC). */
  matches(path: string): boolean {
    return this.expression.testExact(path.normalize('NFC'));
  }

  /** The RE2 expression the glob compiled to (anchored), to combine with others. */
  get expressionSource(): string {
    return this.expression.pattern();
  }
}

/** A glob of a settings list left out, with why, as a clause ("is past the list's limit of 500 patterns ..."). */
export interface UnusableGlob {
  /** The glob; for an entry that is no string, its JSON text (`42`, `{"glob":"x"}`). */
  pattern: string;
  reason: string;
  /** The entry was no string: `pattern` is its JSON text, to be shown as it is, not quoted. */
  notText?: true;
}

/**
 * Globs of a settings list (the deny list, `files.exclude`), each matching a path or anything below
 * it. A glob that cannot be compiled is left out and named in `unusable` (a list keeps working when
 * one entry is broken); globs past GLOB_LIST_MAX_PATTERNS (expansions counted) or
 * GLOB_LIST_MAX_SOURCE_CHARS are left out and named in `unusable` too. Brace expansions past
 * GLOB_MAX_EXPANSIONS or GLOB_MAX_SOURCE_CHARS are cut (`tooMany: 'cut'`, the default) or make the
 * glob unusable (`'refuse'`: a list that must not lose part of a glob, the deny list, whose user
 * then learns which). An entry that is no string (a settings file holding an object or a number
 * where a glob goes) is unusable too, and with `blank: 'refuse'` (the deny list) so is one that is
 * empty or has white space at its start or end (`"**\/.env* "` would match no file, in silence).
 */
export class GlobList {
  private readonly globs: Glob[] = [];
  private readonly any: RE2JS | undefined;
  readonly unusable: UnusableGlob[] = [];

  constructor(
    readonly patterns: readonly unknown[],
    options: { tooMany?: 'cut' | 'refuse'; blank?: 'refuse' } = {},
  ) {
    const tooMany = options.tooMany ?? 'cut';
    let room = GLOB_LIST_MAX_PATTERNS;
    let chars = GLOB_LIST_MAX_SOURCE_CHARS;
    const pastLimit = `is past the list's limit of ${GLOB_LIST_MAX_PATTERNS} patterns (brace expansions counted)`;
    const pastChars = `is past the list's limit of ${GLOB_LIST_MAX_SOURCE_CHARS.toLocaleString('en-US')} characters of expression (its globs translated, together)`;
    for (const entry of patterns) {
      if (typeof entry !== 'string') {
        this.unusable.push({ pattern: JSON.stringify(entry) ?? String(entry), reason: 'is not a glob in quotes', notText: true });
        continue;
      }
      const pattern = entry;
      if (options.blank === 'refuse' && (pattern.trim() === '' || pattern.trim() !== pattern)) {
        this.unusable.push({ pattern, reason: pattern.trim() === '' ? 'is empty' : 'has white space at its start or end' });
        continue;
      }
      if (room === 0 || chars === 0) {
        this.unusable.push({ pattern, reason: room === 0 ? pastLimit : pastChars });
        continue;
      }
      try {
        // Expanded and translated first (cheap, and bounded per glob), so both budgets are counted before anything compiles.
        const sources = globSources(pattern.normalize('NFC'), { tooMany });
        const size = sourceChars(sources);
        if (sources.length > room || size > chars) {
          this.unusable.push({ pattern, reason: sources.length > room ? pastLimit : pastChars });
          continue;
        }
        this.globs.push(Glob.fromSources(pattern, sources, { descendants: true }));
        room -= sources.length;
        chars -= size;
      } catch (error) {
        const why = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
        const invalid = `the glob ${JSON.stringify(pattern)} is not valid: `;
        this.unusable.push({ pattern, reason: why.startsWith(invalid) ? `is not a valid glob (${why.slice(invalid.length)})` : `cannot be used: ${why}` });
      }
    }
    // One pass answers the common case (no glob matches); the single globs then say which one did.
    const sources = this.globs.map((glob) => glob.expressionSource);
    try {
      this.any = sources.length ? compileExpression(sources.map((source) => `(?:${source})`).join('|'), patterns.join(', ')) : undefined;
    } catch {
      // Too large for one expression: the globs are tried one by one.
      this.any = undefined;
    }
  }

  /** The first glob matching the path or one of its folders, as written in the list; undefined when none does. */
  firstMatch(path: string): string | undefined {
    // A name may be written composed or decomposed (é or e and U+0301): macOS opens either as one file.
    const composed = path.normalize('NFC');
    if (!composed || composed === '.' || (this.any && !this.any.testExact(composed))) return undefined;
    return this.globs.find((glob) => glob.matches(composed))?.source;
  }
}

/**
 * The RE2 sources (unanchored) of a glob's brace expansions, with the GlobError of `Glob.compile`
 * for a glob too long, expanding too far, or translating to more than GLOB_MAX_SOURCE_CHARS (with
 * `tooMany: 'cut'`, the first expansions that fit are kept). `braces: false` takes braces as text
 * (as git does).
 */
export function globSources(glob: string, options: GlobOptions & { braces?: boolean } = {}): string[] {
  if (glob.length > GLOB_MAX_CHARS) throw new GlobError(`the glob has ${glob.length} characters; at most ${GLOB_MAX_CHARS} are accepted.`);
  const expanded = options.braces === false ? [glob.replace(/[{}]/g, '\\$&')] : braceExpand(glob, { braceExpandMax: GLOB_MAX_EXPANSIONS + 1 });
  if (expanded.length > GLOB_MAX_EXPANSIONS) {
    if (options.tooMany !== 'cut') throw new GlobError(`the glob's braces expand to more than ${GLOB_MAX_EXPANSIONS} patterns; narrow it.`);
    expanded.length = GLOB_MAX_EXPANSIONS;
  }
  const sources = [...new Set(expanded)].map((one) => translate(one, options.matchBase === true));
  const size = sourceChars(sources);
  if (size <= GLOB_MAX_SOURCE_CHARS) return sources;
  if (options.tooMany !== 'cut') {
    throw new GlobError(`the glob is too large: its ${sources.length} brace expansions make ${size.toLocaleString('en-US')} characters of expression, and at most ${GLOB_MAX_SOURCE_CHARS.toLocaleString('en-US')} are accepted; use fewer braces or a shorter glob.`);
  }
  // Cut as braces past GLOB_MAX_EXPANSIONS are: the first expansions that fit.
  let used = -1;
  const kept = sources.filter((source) => (used += source.length + 1) <= GLOB_MAX_SOURCE_CHARS);
  if (kept.length === 0) throw new GlobError(`the glob is too large: it makes ${sources[0].length.toLocaleString('en-US')} characters of expression, and at most ${GLOB_MAX_SOURCE_CHARS.toLocaleString('en-US')} are accepted; use a shorter glob.`);
  return kept;
}

/** Characters of the expression `sources` join into (`a|b`). */
function sourceChars(sources: readonly string[]): number {
  return sources.reduce((sum, source) => sum + source.length + 1, 0) - 1;
}

/** One RE2 expression, case ignored and `.` matching newlines too; a GlobError naming `glob` when RE2 refuses it. */
export function compileExpression(source: string, glob: string): RE2JS {
  try {
    return RE2JS.compile(source, RE2JS.CASE_INSENSITIVE | RE2JS.DOTALL);
  } catch (error) {
    throw new GlobError(`the glob ${JSON.stringify(glob)} is not valid: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** One brace-free glob as an RE2 expression (no anchors). */
function translate(glob: string, matchBase: boolean): string {
  const trimmed = glob.replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
  // Empty segments (`a//b`, a trailing `/`) say nothing; runs of `**` are one.
  const segments = trimmed.split('/').filter((segment, index, all) => segment !== '' && !(segment === '**' && all[index - 1] === '**'));
  let out = matchBase && !trimmed.includes('/') ? '(?:[^/]*/)*' : '';
  let started = false;
  let globstar = false;
  segments.forEach((segment, index) => {
    if (segment === '**') {
      // `a/**` is what is inside a, not a itself.
      if (index === segments.length - 1) out += started ? '/.+' : '.*';
      globstar = true;
      return;
    }
    if (globstar) out += started ? '/(?:[^/]*/)*' : '(?:[^/]*/)*';
    else if (started) out += '/';
    out += translateSegment(segment);
    started = true;
    globstar = false;
  });
  return out;
}

/** One path segment: `*` and `?` stay inside it, `[...]` is a class (never `/`), the rest is literal. */
function translateSegment(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '\\' && i + 1 < segment.length) {
      out += literal(segment[++i]);
    } else if (ch === '*') {
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = classEnd(segment, i);
      if (end < 0) {
        out += literal(ch);
        continue;
      }
      out += characterClass(segment.slice(i + 1, end));
      i = end;
    } else {
      out += literal(ch);
    }
  }
  return out;
}

/** Index of the `]` closing the class opened at `start`, or -1 (then the `[` is literal). */
function classEnd(segment: string, start: number): number {
  let i = start + 1;
  if (segment[i] === '!' || segment[i] === '^') i++;
  if (segment[i] === ']') i++;
  for (; i < segment.length; i++) {
    if (segment[i] === '\\') i++;
    else if (segment[i] === '[' && segment[i + 1] === ':') {
      const close = segment.indexOf(':]', i + 2);
      if (close > 0) i = close + 1;
    } else if (segment[i] === ']') return i;
  }
  return -1;
}

function characterClass(body: string): string {
  const negated = body.startsWith('!') || body.startsWith('^');
  let inner = '';
  for (let i = negated ? 1 : 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\' && i + 1 < body.length) inner += `\\${body[++i]}`;
    else if (ch === '[' && body[i + 1] === ':') {
      const close = body.indexOf(':]', i + 2);
      inner += body.slice(i, close + 2);
      i = close + 1;
    } else if (ch === '[' || ch === ']' || ch === '^') inner += `\\${ch}`;
    else inner += ch;
  }
  return negated ? `[^/${inner}]` : `[${inner}]`;
}

function literal(ch: string): string {
  return /[\\^$.|?*+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
}
