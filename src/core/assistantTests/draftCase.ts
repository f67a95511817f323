import { parseDocument } from 'yaml';
import { AssistantsError } from '../errors';
import type { TestCase } from './testFile';
import { parseTestFile, TEST_CASE_LIMITS } from './testFile';
import { includesText } from '../text/findText';

/** Words of the answer a drafted `contains` expectation takes, at most. */
const DRAFT_WORDS = 8;
/** Characters of the answer read for its first sentence, at most (a model's answer may be megabytes). */
const DRAFT_READ_CHARS = 20_000;

/**
 * Inline Markdown marks a drafted phrase never spans: emphasis and strike-through (`*`, `~~`, `_`
 * at a word's edge; `max_tokens` keeps its `_`), code spans' backticks, a link's brackets and its
 * `(address)`. The runner checks the answer's raw text, marks and all.
 */
const INLINE_MARK = /\]\([^)\s]*\)|\*+|`+|~~|[[\]]|(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}])/u;

/**
 * A test case drafted from a comparison: the question (with its attachments, workspace paths) and
 * an expectation drafted from the chosen answer, meant to be edited: the answer must contain the
 * first words of its first sentence, taken from the answer's raw text between its Markdown marks,
 * so that the expectation passes against the very answer it was drafted from. An answer with no
 * words drafts no expectation. The case keeps to the limits the parser applies
 * (`TEST_CASE_LIMITS`): a question or phrase longer is cut there, an attachment path longer is
 * left out, as are the paths past the number a case may attach; an empty question throws
 * `bad_request`.
 */
export function draftTestCase(question: string, attachments: readonly string[], answer: string): TestCase {
  if (!question) throw new AssistantsError('bad_request', 'There is no question to save as a test case; ask one first.');
  const test: TestCase = { question: cut(question, TEST_CASE_LIMITS.question) };
  const paths = attachments.filter((p) => p.length > 0 && p.length <= TEST_CASE_LIMITS.attachment).slice(0, TEST_CASE_LIMITS.attachments);
  if (paths.length) test.attachments = paths;
  const phrase = cut(leadingPhrase(answer), TEST_CASE_LIMITS.containsValue).trimEnd();
  // The runner checks the raw answer: a phrase it would not find there is no expectation to draft.
  if (phrase && includesText(answer, phrase)) test.expect = [{ type: 'contains', value: phrase }];
  return test;
}

/** `text`'s first `max` characters (UTF-16 units), one fewer rather than half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * The first words of `answer`'s first sentence, as they stand in its raw text: code fences and a
 * line's leading Markdown (heading, list, quote) left out, and of the sentence the run of text
 * between inline marks (see `INLINE_MARK`) that has the most words, so the phrase is a slice of
 * the answer.
 */
function leadingPhrase(answer: string): string {
  const line = answer
    .slice(0, DRAFT_READ_CHARS)
    // A fence ends the line: each line left is a slice of the answer.
    .replace(/```[\s\S]*?(```|$)/g, '\n')
    .split('\n')
    .map((text) => text.replace(/^\s*(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)/, ''))
    .find((text) => /[\p{L}\p{N}]/u.test(text.replace(/[*_`~[\]]/g, '')));
  if (!line) return '';
  const sentence = line.split(/(?<=[.!?:])\s/)[0];
  const runs = sentence.split(INLINE_MARK).map((run) => ({ run, words: run.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length }));
  const best = runs.reduce((a, b) => (b.words > a.words ? b : a));
  if (best.words === 0) return '';
  const words = new RegExp(`^\\s*(\\S+(?:\\s+\\S+){0,${DRAFT_WORDS - 1}})`).exec(best.run)?.[1] ?? '';
  return words.replace(/[.!?:,;]+$/, '');
}

/** A test file's text with a case added, and the line (0-based) the case's question is on. */
export interface AddedCase {
  text: string;
  line: number;
}

/**
 * Adds `test` as the last case of a test file: `existing` is its text (undefined: the file does
 * not exist yet and is made, with `$schema` when given and `assistant` when the tested file is not
 * the one of the same name). JSON keeps its own layout (the case goes in before the array's
 * closing bracket, indented as the cases before it); YAML keeps its comments. Throws `bad_request`
 * with a sentence when the existing file cannot be read as a test file: nothing is changed then.
 */
export function addTestCase(existing: string | undefined, fileName: string, test: TestCase, fresh: { schema?: string; assistant?: string } = {}): AddedCase {
  const yaml = /\.ya?ml$/i.test(fileName);
  if (existing === undefined) {
    const file = { ...(fresh.schema ? { $schema: fresh.schema } : {}), version: 1, ...(fresh.assistant ? { assistant: fresh.assistant } : {}), tests: [test] };
    const text = yaml ? parseDocument(JSON.stringify(file)).toString({ collectionStyle: 'block' }) : `${JSON.stringify(file, null, 2)}\n`;
    return { text, line: questionLine(text, test.question, yaml) };
  }
  // A leading byte order mark (Windows Notepad) is read past, as the Test Explorer reads it, and kept.
  const bom = existing.startsWith('\ufeff') ? '\ufeff' : '';
  if (bom) {
    const added = addTestCase(existing.slice(1), fileName, test, fresh);
    return { ...added, text: bom + added.text };
  }
  const parsed = parseTestFile(existing, fileName);
  if (!parsed.file || parsed.skipped.length > 0 || !isNative(existing, yaml)) {
    const why = parsed.file ? 'it is in promptfoo\'s format; add the case by hand' : parsed.errors.join('; ');
    throw new AssistantsError('bad_request', `The test case was not added to ${fileName.replace(/^.*[\\/]/, '')}: ${why}.`);
  }
  const text = yaml ? addToYaml(existing, test) : addToJson(existing, test);
  return { text, line: questionLine(text, test.question, yaml) };
}

/** Whether the file is in this format (a `version`), not promptfoo's, which a case of this format cannot join. */
function isNative(text: string, yaml: boolean): boolean {
  const value: unknown = yaml ? parseDocument(text).toJS({ maxAliasCount: 100 }) : JSON.parse(text);
  return typeof value === 'object' && value !== null && (value as { version?: unknown }).version === 1;
}

function addToYaml(text: string, test: TestCase): string {
  const doc = parseDocument(text);
  doc.addIn(['tests'], doc.createNode(test));
  return doc.toString();
}

/**
 * Puts `test` at the end of the top-level `tests` array of JSON `text`, leaving every other
 * character as it was. The array is found by reading the text's tokens (strings with their
 * escapes, brackets and braces), not by a pattern.
 */
function addToJson(text: string, test: TestCase): string {
  const array = testsArray(text);
  if (!array) throw new AssistantsError('bad_request', 'The test file has no "tests" list to add the case to.');
  const before = text.slice(0, array.close).replace(/\s+$/, '');
  const empty = before.length <= array.open + 1;
  const closeIndent = /\n([ \t]*)$/.exec(text.slice(0, array.close))?.[1] ?? '';
  // Indented as the first case is, else one step in from the closing bracket.
  const firstCase = text.slice(array.open + 1).search(/\S/) + array.open + 1;
  const caseIndent = empty ? `${closeIndent}  ` : (/(?:^|\n)([ \t]*)$/.exec(text.slice(0, firstCase))?.[1] ?? `${closeIndent}  `);
  const body = JSON.stringify(test, null, 2).split('\n').join(`\n${caseIndent}`);
  return `${before}${empty ? '' : ','}\n${caseIndent}${body}\n${closeIndent}${text.slice(array.close)}`;
}

/** Where the top-level object's `tests` array opens (`[`) and closes (`]`), or undefined. */
function testsArray(text: string): { open: number; close: number } | undefined {
  let depth = 0;
  let lastString: string | undefined;
  let open: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      lastString = text.slice(i + 1, j);
      i = j;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (c === '[' && depth === 2 && lastString === 'tests' && open === undefined) open = i;
    } else if (c === '}' || c === ']') {
      if (c === ']' && depth === 2 && open !== undefined) return { open, close: i };
      depth--;
    } else if (c === ',') {
      lastString = undefined;
    }
  }
  return undefined;
}

/** The line (0-based) of the last line holding the question's first line, as the file writes it. */
function questionLine(text: string, question: string, yaml: boolean): number {
  const first = question.split('\n')[0];
  const needle = yaml ? first : JSON.stringify(first).slice(1, -1);
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (/question/.test(lines[i]) && lines[i].includes(needle)) return i;
  return Math.max(0, lines.length - 1);
}
