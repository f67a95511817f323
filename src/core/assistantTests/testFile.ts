import { parse as parseYaml } from 'yaml';
import schema from '../../../schemas/assistant-tests.schema.json';
import { deeperThan, jsonObjectWiderThan, MAX_OBJECT_KEYS, MAX_SCHEMA_DEPTH, yamlFlowNestsDeeper } from '../text/jsonDepth';
import { boundedAjv } from '../text/boundedAjv';
import { duplicateKey } from '../text/duplicateKeys';
import { answerValidator } from './answerSchema';
import type { JsonSchema } from '../../common/model';

/** Test files are `<name>.assistant-tests.json`, `.yaml` or `.yml`, beside `<name>.assistant.json`. */
export const TEST_FILE_PATTERN = /\.assistant-tests\.(json|ya?ml)$/i;

/** A test file larger than this, in characters, is refused before it is parsed. */
export const MAX_TEST_FILE_CHARS = 2_000_000;

const testProperties = schema.definitions.test.properties;
const containsValue = schema.definitions.expectation.oneOf.find((kind) => 'enum' in kind.properties.type && kind.properties.type.enum?.includes('contains'))?.properties.value;

/**
 * The lengths a test case's fields may have, read from the test file's JSON Schema, the one place
 * the parser takes them from: what writes a case (Save as Test Case) keeps to them, so the file it
 * writes is one the parser reads.
 */
export const TEST_CASE_LIMITS = {
  /** Characters of a `question`. */
  question: testProperties.question.maxLength,
  /** Paths in `attachments`. */
  attachments: testProperties.attachments.maxItems,
  /** Characters of one attachment path. */
  attachment: testProperties.attachments.items.maxLength,
  /** Characters of a `contains` (and `icontains`, `not-contains`, `not-icontains`) value. */
  containsValue: containsValue && 'maxLength' in containsValue && typeof containsValue.maxLength === 'number' ? containsValue.maxLength : 0,
} as const;

/**
 * A test file's bytes as the text `parseTestFile` reads: UTF-8, a leading byte order mark (as
 * Windows Notepad saves JSON) dropped. The Test Explorer and the CLI both read test files through it.
 */
export function testFileText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** What a tool-used expectation may name: the kinds of a run step's tool call. */
export type ToolKind = 'file_search' | 'code_interpreter' | 'function' | 'mcp';

/** One check of an answer; see `schemas/assistant-tests.schema.json` for each kind's meaning. */
export type Expectation =
  | { type: 'contains' | 'icontains' | 'not-contains' | 'not-icontains'; value: string }
  | { type: 'regex' | 'not-regex'; value: string; ignoreCase?: boolean }
  | { type: 'json-schema'; value?: JsonSchema }
  | { type: 'function-call'; name: string; arguments?: Record<string, unknown> }
  | { type: 'file-cited'; value: string }
  | { type: 'tool-used'; value: ToolKind }
  | { type: 'max-tokens'; value: number }
  /** US dollars. */
  | { type: 'max-cost'; value: number }
  /** Milliseconds. */
  | { type: 'max-latency'; value: number }
  /** `grader`: an assistant file relative to the test file, over the file's own `grader`. */
  | { type: 'rubric'; value: string; grader?: string };

/** One test question. */
export interface TestCase {
  name?: string;
  question: string;
  /** Workspace paths, relative to the workspace folder. */
  attachments?: string[];
  /** Times asked; default 1. */
  repeat?: number;
  /** Share of repeats that must pass (0..1); default 1. */
  passRate?: number;
  expect?: Expectation[];
}

/** A `*.assistant-tests.json` file (or YAML), as written. */
export interface AssistantTestFile {
  $schema?: string;
  version: 1;
  /** The assistant file under test, relative to the test file. */
  assistant?: string;
  /** The default grader assistant file for rubrics, relative to the test file. */
  grader?: string;
  tests: TestCase[];
}

/** A test file read: `file` when usable, `errors` (sentences) otherwise; `skipped` lists promptfoo asserts left out. */
export interface ParsedTestFile {
  file?: AssistantTestFile;
  errors: string[];
  skipped: string[];
}

/** Said of a file nested deeper than a test file may be, by brackets or (YAML) by indentation. */
const TOO_DEEP = `the file nests deeper than ${MAX_SCHEMA_DEPTH} levels; a test file may nest at most ${MAX_SCHEMA_DEPTH}.`;

const ajv = boundedAjv({ allErrors: true });
const validateFile = ajv.compile<AssistantTestFile>(schema);

/**
 * Parses a test file's text: JSON, or YAML when `fileName` ends in `.yaml`/`.yml`. A file with a
 * top-level `tests` array of `{ vars, assert }` (promptfoo's format) is imported first
 * (`importPromptfoo`). Sizes, nesting and alias expansion are bounded; every problem comes back as
 * a sentence naming where it is.
 */
export function parseTestFile(text: string, fileName: string): ParsedTestFile {
  if (text.length > MAX_TEST_FILE_CHARS) return { errors: [`the file has ${text.length} characters; at most ${MAX_TEST_FILE_CHARS} are read.`], skipped: [] };
  // The YAML parser recurses into [ ] and { }: a file nested thousands deep is refused before it is parsed.
  if (/\.ya?ml$/i.test(fileName) && yamlFlowNestsDeeper(text, MAX_SCHEMA_DEPTH)) return { errors: [TOO_DEEP], skipped: [] };
  if (!/\.ya?ml$/i.test(fileName) && jsonObjectWiderThan(text, MAX_OBJECT_KEYS)) return { errors: [`an object of the file holds more than ${MAX_OBJECT_KEYS.toLocaleString('en-US')} keys; a test file's objects hold tens.`], skipped: [] };
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(fileName) ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (error) {
    // Block YAML nests by indentation, which the guard above does not count: the parser runs out of stack on it.
    if (error instanceof RangeError || (error as { code?: unknown } | null)?.code === 'RESOURCE_EXHAUSTION') return { errors: [TOO_DEEP], skipped: [] };
    return { errors: [`not valid ${/\.ya?ml$/i.test(fileName) ? 'YAML' : 'JSON'}: ${error instanceof Error ? error.message : String(error)}`], skipped: [] };
  }
  if (deeperThan(value, MAX_SCHEMA_DEPTH)) return { errors: [TOO_DEEP], skipped: [] };
  // YAML refuses a repeated key itself; JSON.parse keeps the last silently.
  const twice = /\.ya?ml$/i.test(fileName) ? undefined : duplicateKey(text);
  if (twice) return { errors: [`${twice.slice(1).replace(/\//g, '.')} is written twice in one object; JSON keeps only the last, which a reader of the file may not see, so keep one.`], skipped: [] };
  let skipped: string[] = [];
  if (isPromptfoo(value)) {
    const imported = importPromptfoo(value);
    value = imported.file;
    skipped = imported.skipped;
  }
  if (!validateFile(value)) {
    const errors = (validateFile.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if').map((e) => `${e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'the file'} ${e.message ?? 'is not valid'}`);
    return { errors: [...new Set(errors)].slice(0, 10), skipped };
  }
  const file = value;
  const schemaErrors = file.tests.flatMap((test, i) =>
    (test.expect ?? []).flatMap((e, j) => {
      const validate = e.type === 'json-schema' && e.value ? answerValidator(e.value) : undefined;
      return typeof validate === 'string' ? [`tests.${i}.expect.${j}.value ${validate}.`] : [];
    }),
  );
  return schemaErrors.length > 0 ? { errors: schemaErrors, skipped } : { file, errors: [], skipped };
}

/** The name a case is shown under: its `name`, else its question's first line (at most 80 characters). */
export function caseLabel(test: TestCase, index: number): string {
  const label = test.name ?? test.question.split('\n')[0].trim();
  return (label.length > 80 ? `${label.slice(0, 79)}…` : label) || `Case ${index + 1}`;
}

/**
 * Where a test file lives, as the Test Explorer says it beside its name: its folder inside its
 * workspace folder ('' at the top), with the workspace folder's name first when the window has
 * more than one (`roots`), so two `tests/helper.assistant-tests.json` of two folders read apart:
 * "api · tests", "web · tests". Paths use "/" whatever the platform.
 */
export function testFileWhere(relativeDir: string, root: string | undefined, roots: number): string {
  const dir = relativeDir.replace(/\\/g, '/').replace(/^\.$/, '');
  return [roots > 1 ? root : undefined, dir || undefined].filter(Boolean).join(' · ');
}

/** The assistant file a test file tests: its `assistant`, else the file of the same name (`x.assistant-tests.json` → `x.assistant.json`). */
export function assistantFileName(file: AssistantTestFile, testFileName: string): string {
  return file.assistant ?? testFileName.replace(/^.*[\\/]/, '').replace(TEST_FILE_PATTERN, '.assistant.json');
}

type PromptfooAssert = { type?: unknown; value?: unknown; threshold?: unknown };
type PromptfooTest = { description?: unknown; vars?: unknown; assert?: unknown; options?: unknown };

function isPromptfoo(value: unknown): value is { tests: PromptfooTest[]; assistant?: unknown; grader?: unknown } {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { tests?: unknown }).tests)) return false;
  if ((value as { version?: unknown }).version !== undefined) return false;
  return (value as { tests: unknown[] }).tests.some((t) => typeof t === 'object' && t !== null && ('vars' in t || 'assert' in t));
}

/** The var taken as the question: `question`, `prompt`, `input`, `query` or `message`, else the only var. */
const QUESTION_VARS = ['question', 'prompt', 'input', 'query', 'message'];

/**
 * promptfoo's basic test format (`tests: [{ description, vars, assert: [{ type, value }] }]`) as
 * this format. Mapped: contains, icontains, not-contains, not-icontains, regex, not-regex, is-json
 * (with or without a schema in `value`), llm-rubric (rubric), cost (max-cost, its `threshold`),
 * latency (max-latency). Left out, each named in `skipped`: asserts that run code (javascript,
 * python, webhook) and any other type.
 */
export function importPromptfoo(value: { tests: PromptfooTest[]; assistant?: unknown; grader?: unknown }): { file: unknown; skipped: string[] } {
  const skipped: string[] = [];
  const tests = value.tests.map((test, i) => {
    const vars = typeof test.vars === 'object' && test.vars !== null ? (test.vars as Record<string, unknown>) : {};
    const key = QUESTION_VARS.find((k) => typeof vars[k] === 'string') ?? (Object.keys(vars).length === 1 ? Object.keys(vars)[0] : undefined);
    const expect: unknown[] = [];
    for (const assertion of Array.isArray(test.assert) ? (test.assert as PromptfooAssert[]) : []) {
      const mapped = mapAssert(assertion);
      if (mapped) expect.push(mapped);
      else skipped.push(`tests.${i}: assert type ${JSON.stringify(assertion?.type)} is not imported${['javascript', 'python', 'webhook'].includes(String(assertion?.type)) ? ' (it runs code)' : ''}.`);
    }
    return { ...(typeof test.description === 'string' ? { name: test.description } : {}), question: key !== undefined ? vars[key] : undefined, expect };
  });
  return { file: { version: 1, ...(value.assistant !== undefined ? { assistant: value.assistant } : {}), ...(value.grader !== undefined ? { grader: value.grader } : {}), tests }, skipped };
}

function mapAssert(assertion: PromptfooAssert): unknown {
  const type = assertion?.type;
  switch (type) {
    case 'contains':
    case 'icontains':
    case 'not-contains':
    case 'not-icontains':
    case 'regex':
    case 'not-regex':
      return { type, value: assertion.value };
    case 'is-json':
      return typeof assertion.value === 'object' && assertion.value !== null ? { type: 'json-schema', value: assertion.value } : { type: 'json-schema' };
    case 'llm-rubric':
      return { type: 'rubric', value: assertion.value };
    case 'cost':
      return { type: 'max-cost', value: assertion.threshold };
    case 'latency':
      return { type: 'max-latency', value: assertion.threshold };
    default:
      return undefined;
  }
}
