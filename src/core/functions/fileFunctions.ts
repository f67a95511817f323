import { linearRegExp } from '../text/linearRegExp';
import { listedName, quoted } from '../../common/showable';
import type { Confinement } from '../workspace/confinement';
import { GLOB_MAX_CHARS } from '../workspace/glob';
import { MAX_LINE_CHARS, forEachLine, readTextRange } from '../workspace/readText';
import type { WorkspaceFunction } from './registry';
import { deadlineIn, passed, walkFiles } from '../workspace/walk';
import type { WorkspaceFs } from '../workspace/workspaceFs';

/** What the file functions read through. */
export interface FileFunctionDeps {
  fs: WorkspaceFs;
  confinement: Confinement;
  /**
   * How long `list_files` and `search_text` walk, in milliseconds (default WALK_TIME_LIMIT_MS), before
   * they answer with what they found so far and a note: below the call's own limit, so a big
   * workspace gives a partial answer rather than a timeout.
   */
  walkTimeLimitMs?: number;
}

/** Milliseconds a listing or a search walks at most (a call is stopped at 30 s). */
export const WALK_TIME_LIMIT_MS = 20_000;

/** Characters of a file `read_file` returns at most: the model's context is the limit, not the disk. */
export const READ_FILE_LIMIT = 100_000;
/** Paths `list_files` returns at most. */
export const LIST_LIMIT = 500;
/** Matches `search_text` returns at most, and characters shown of a matching line. */
export const SEARCH_LIMIT = 100;
export const SEARCH_LINE_CHARS = 240;
/** Places of lines cut before matching that `search_text` names at most. */
const CUT_LINES_NAMED = 5;

const BINARY = (display: string) => `${display} is a binary file; its bytes are not sent. Ask the user about it instead.`;

export function readFileFunction({ fs, confinement }: FileFunctionDeps): WorkspaceFunction {
  return {
    definition: {
      name: 'read_file',
      description:
        "Read a UTF-8 text file from the user's VS Code workspace, whole or a range of lines. The path is relative to the workspace folder (for example src/index.ts). Files outside the workspace, and files that may hold secrets, cannot be read.",
      parameters: {
        type: 'object',
        properties: {
          path: { type: 'string', description: 'Path of the file, relative to the workspace folder.' },
          startLine: { type: 'integer', minimum: 1, description: 'First line to read (1-based). Default: 1.' },
          endLine: { type: 'integer', minimum: 1, description: 'Last line to read, inclusive. Default: the end of the file.' },
        },
        required: ['path'],
        additionalProperties: false,
      },
    },
    writes: false,
    async handle(args, { signal }) {
      const requested = args.path as string;
      const target = await confinement.resolve(requested);
      if (!target.ok) throw new Error(target.reason);
      const stat = await fs.stat(target.absolute);
      if (!stat) throw new Error(`${target.display} does not exist in the workspace.`);
      if (stat.type === 'directory') throw new Error(`${target.display} is a folder; list its files with list_files.`);
      if (stat.type !== 'file') throw new Error(`${target.display} is not a regular file.`);
      const startLine = args.startLine as number | undefined;
      const endLine = args.endLine as number | undefined;
      if (startLine !== undefined && endLine !== undefined && endLine < startLine) throw new Error('endLine comes before startLine.');
      const read = await readTextRange(fs, target.absolute, { startLine, endLine, maxChars: READ_FILE_LIMIT, signal });
      if (read.kind === 'binary') return BINARY(target.display);
      if (read.pastEnd) return `${target.display} has only ${read.lastLine} lines; nothing from line ${read.firstLine} on.`;
      if (read.cut) {
        return `${read.text}\n[Cut at ${READ_FILE_LIMIT} characters (line ${read.lastLine}); the file has ${stat.size} bytes. Ask for a line range from line ${read.lastLine} on to read further.]`;
      }
      return read.text;
    },
  };
}

export function listFilesFunction({ fs, confinement, walkTimeLimitMs = WALK_TIME_LIMIT_MS }: FileFunctionDeps): WorkspaceFunction {
  return {
    definition: {
      name: 'list_files',
      description:
        'List files of the workspace, as paths relative to the workspace folder. Honours files.exclude and .gitignore; files that may hold secrets are not listed.',
      parameters: {
        type: 'object',
        properties: {
          glob: { type: 'string', maxLength: GLOB_MAX_CHARS, description: 'Only paths matching this glob, e.g. **/*.ts or src/**. Default: every file.' },
          folder: { type: 'string', description: 'Folder to list, relative to the workspace folder. Default: the whole workspace.' },
        },
        additionalProperties: false,
      },
    },
    writes: false,
    async handle(args, { signal }) {
      const start = await confinement.resolve((args.folder as string | undefined) || '.');
      if (!start.ok) throw new Error(start.reason);
      if (!(await fs.stat(start.absolute))) throw new Error(`${start.display} does not exist in the workspace.`);
      const paths: string[] = [];
      let more = false;
      const deadline = deadlineIn(walkTimeLimitMs);
      for await (const file of walkFiles(fs, confinement, start, { glob: args.glob as string | undefined, signal, deadline })) {
        if (paths.length === LIST_LIMIT) {
          more = true;
          break;
        }
        paths.push(listedName(file.display));
      }
      const stopped = deadline.reached ? [`[Stopped after ${seconds(walkTimeLimitMs)} with the paths found so far; narrow the glob or the folder to see the rest.]`] : [];
      if (paths.length === 0) return ['No files match.', ...stopped].join('\n');
      return [...paths, ...(more ? [`[Only the first ${LIST_LIMIT} paths; narrow the glob or the folder to see the rest.]`] : []), ...stopped].join('\n');
    },
  };
}

export function searchTextFunction({ fs, confinement, walkTimeLimitMs = WALK_TIME_LIMIT_MS }: FileFunctionDeps): WorkspaceFunction {
  return {
    definition: {
      name: 'search_text',
      description:
        'Search the text files of the workspace for a string or a regular expression. Answers path:line: text, one match a line. Honours files.exclude and .gitignore.',
      parameters: {
        type: 'object',
        properties: {
          query: { type: 'string', minLength: 1, maxLength: 1_000, description: 'Text to find (a regular expression when isRegex is true).' },
          isRegex: { type: 'boolean', description: 'Treat query as a regular expression (RE2 syntax, as JavaScript without backreferences or lookaround). Default: false.' },
          caseSensitive: { type: 'boolean', description: 'Default: false.' },
          glob: { type: 'string', maxLength: GLOB_MAX_CHARS, description: 'Only files matching this glob, e.g. **/*.py.' },
        },
        required: ['query'],
        additionalProperties: false,
      },
    },
    writes: false,
    async handle(args, { signal }) {
      const query = args.query as string;
      // Linear-time matching (RE2): a pattern such as (a+)+$ cannot block the extension host. Plain
      // text is looked for as text: RE2 follows every place a long text might start at once.
      const caseInsensitive = args.caseSensitive !== true;
      const pattern = args.isRegex === true ? linearRegExp(query, { caseInsensitive }) : literalText(query, caseInsensitive);
      // A large pattern is matched on fewer characters of a line (one test stays within MATCH_BUDGET).
      const lineChars = Math.min(MAX_LINE_CHARS, pattern.maxChars);
      const start = await confinement.resolve('.');
      if (!start.ok) throw new Error(start.reason);
      const hits: string[] = [];
      const cutLines = { count: 0, named: [] as string[] };
      const skipped = { count: 0, named: [] as string[] };
      let more = false;
      let searched = 0;
      const deadline = deadlineIn(walkTimeLimitMs);
      for await (const file of walkFiles(fs, confinement, start, { glob: args.glob as string | undefined, signal, deadline })) {
        searched += 1;
        const read = await forEachLine(
          fs,
          file.absolute,
          (whole, line, cutBefore) => {
            if (passed(deadline)) return false;
            const cut = cutBefore || whole.length > lineChars;
            const text = whole.length > lineChars ? whole.slice(0, lineChars) : whole;
            if (!pattern.test(text)) {
              if (cut && cutLines.count++ < CUT_LINES_NAMED) cutLines.named.push(`${listedName(file.display)}:${line}`);
              return true;
            }
            if (hits.length === SEARCH_LIMIT) {
              more = true;
              return false;
            }
            const shown = text.length > SEARCH_LINE_CHARS ? `${text.slice(0, SEARCH_LINE_CHARS)}…` : text;
            hits.push(`${listedName(file.display)}:${line}: ${shown.trim()}`);
            return true;
          },
          signal,
        );
        // A NUL byte: binary, or text in UTF-16; not searched, and said so (its lines were not "no match").
        if (read === 'binary' && skipped.count++ < CUT_LINES_NAMED) skipped.named.push(listedName(file.display));
        if (more || deadline.reached) break;
      }
      const notes = [
        ...(more ? [`[Only the first ${SEARCH_LIMIT} matches; narrow the query or the glob to see the rest.]`] : []),
        ...(deadline.reached ? [`[Stopped after ${seconds(walkTimeLimitMs)} with the matches found so far (${searched} file${searched === 1 ? '' : 's'} searched); narrow the glob to search the rest.]`] : []),
        ...cutNote(cutLines, lineChars),
        ...skippedNote(skipped),
      ];
      return [hits.length === 0 ? `No matches for ${quoted(query)}.` : hits.join('\n'), ...notes].join('\n');
    },
  };
}

/**
 * Says which lines were searched only in part, so that no match is not read as none in the file:
 * lines longer than `lineChars` (MAX_LINE_CHARS, or fewer for a large pattern; minified code, data
 * on one line) are cut before matching.
 */
function cutNote({ count, named }: { count: number; named: string[] }, lineChars: number): string[] {
  if (count === 0) return [];
  const limit = lineChars.toLocaleString('en-US');
  const rest = count > named.length ? ` and ${count - named.length} more` : '';
  const which = count === 1 ? '1 line without a match is longer than' : `${count} lines without a match are longer than`;
  const searched = count === 1 ? 'was searched only in its' : 'were searched only in their';
  return [`[${which} ${limit} characters and ${searched} first ${limit}: ${named.join(', ')}${rest}. Read such a line with read_file to look further.]`];
}

/** Says which files were not searched for holding a NUL byte (binary files, or text in UTF-16), so that no match is not read as none in them. */
function skippedNote({ count, named }: { count: number; named: string[] }): string[] {
  if (count === 0) return [];
  const rest = count > named.length ? ` and ${count - named.length} more` : '';
  const which = count === 1 ? '1 file was' : `${count} files were`;
  return [`[${which} left out of the search for holding a NUL byte (binary, or text in UTF-16): ${named.join(', ')}${rest}.]`];
}

/** A plain-text query as a matcher: each line searched with `includes` (in lower case, unless case matters), whole. */
function literalText(query: string, caseInsensitive: boolean): { test(text: string): boolean; maxChars: number } {
  const needle = caseInsensitive ? query.toLowerCase() : query;
  return { test: (text) => (caseInsensitive ? text.toLowerCase() : text).includes(needle), maxChars: Number.POSITIVE_INFINITY };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
