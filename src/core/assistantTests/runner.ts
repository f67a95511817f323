import { randomUUID } from 'crypto';
import type { Backend } from '../backend';
import { AssistantsError, asAssistantsError } from '../errors';
import { cancelledError } from '../runs/sleep';
import type { Annotation, Assistant, Attachment, RunStep, Thread, ToolCall, ToolDefinition, Usage } from '../../common/model';
import { textOf } from '../../common/model';
import { RunDriver } from '../runs/runDriver';
import type { RunDriverOptions } from '../runs/runDriver';
import type { ToolHandler } from '../toolHandler';
import type { ModelPrice } from '../runs/usage';
import { addUsage, costOf, priceFor } from '../runs/usage';
import { check } from './expectations';
import type { Answer, Grade, Verdict } from './expectations';
import type { AssistantTestFile, TestCase } from './testFile';
import { caseLabel } from './testFile';

/** Runs in flight at once, over all cases and repeats of a file. */
export const DEFAULT_TEST_CONCURRENCY = 4;

/** What running tests needs from its host (the Test Explorer or the CLI). */
export interface TestRunnerDeps {
  backend: Backend;
  /** Answers the runs' function calls. */
  toolHandler: ToolHandler;
  /** Function tools offered to the assistant under test besides its own (the workspace functions); a function it defines itself wins. */
  functions?: ToolDefinition[];
  /** The assistant in a file named relative to the test file (the one under test, or a grader). Throws with a sentence when it cannot. */
  loadAssistant(relativePath: string, signal: AbortSignal): Promise<Assistant>;
  /** Uploads workspace files for a question; throws with a sentence naming a file it cannot attach. */
  attach?(paths: string[], signal: AbortSignal): Promise<Attachment[]>;
  /** Prices per million tokens by model, for cost. */
  prices: Readonly<Record<string, ModelPrice>>;
  /** Run driver options (polling, retries, timeouts). */
  driver?: Omit<RunDriverOptions, 'toolHandler' | 'onRunRef'>;
  /** Runs at once; default 4. */
  concurrency?: number;
  now?: () => number;
}

/** One asking of a case's question. */
export interface AttemptResult {
  pass: boolean;
  answer: Answer;
  /** The expectations that failed, each with its reason; or the run's failure. */
  failures: (Verdict & { expectation: string })[];
}

/** A case's result over its repeats. */
export interface CaseResult {
  index: number;
  label: string;
  /** Whether the share of passing repeats reached the case's `passRate`. */
  pass: boolean;
  passed: number;
  repeats: number;
  /** passed / repeats. */
  passRate: number;
  /** Mean over the repeats, in milliseconds. */
  latencyMs: number;
  /** Summed over the repeats (the grader's runs not included). */
  usage?: Usage;
  /** US dollars summed over the repeats, when the model's price is known. */
  cost?: number;
  /** The answer of the first failing repeat, else of the last. */
  answer: string;
  /** For a failed case: the first failure's sentence, with expected and actual when it has them. */
  failure?: Verdict & { expectation: string };
  attempts: AttemptResult[];
}

/** Hooks while a file runs; `cases` limits the run to those indexes. */
export interface RunTestsOptions {
  signal?: AbortSignal;
  cases?: number[];
  onCaseStarted?(index: number): void;
  onCaseFinished?(result: CaseResult): void;
}

const GRADER_FORMAT = {
  type: 'json_schema' as const,
  name: 'verdict',
  strict: true,
  schema: { type: 'object', properties: { pass: { type: 'boolean' }, reason: { type: 'string' } }, required: ['pass', 'reason'], additionalProperties: false },
};

/**
 * Runs a test file's cases: every repeat of every case on a new thread of its own, at most
 * `concurrency` at once, through the same run driver as the chat, on a Responses backend (an
 * Assistants v2 one throws `unsupported` with a sentence: its runs name server assistants). Aborting `signal` stops the runs
 * in flight (cancelled on the server) and starts no more; the promise then rejects `cancelled`.
 * Results come in case order; a case whose run failed fails with the run's sentence.
 */
export async function runTestFile(file: AssistantTestFile, assistantPath: string, deps: TestRunnerDeps, options: RunTestsOptions = {}): Promise<CaseResult[]> {
  const signal = options.signal ?? new AbortController().signal;
  const now = deps.now ?? Date.now;
  if (deps.backend.kind !== 'responses') {
    // An Assistants v2 run names a server assistant; a file's assistant is one only once pushed, and which one is the window's to know.
    throw new AssistantsError('unsupported', 'Assistant tests run on the Responses API: set assistants.protocol to responses (the server must offer /responses) to run them.');
  }
  const assistant = withFunctions(await deps.loadAssistant(assistantPath, signal), deps.functions ?? []);
  const graders = new Map<string, Promise<Assistant>>();
  const grade: Grade = async (rubric, graderPath, answer) => {
    const path = graderPath ?? file.grader;
    if (!path) return { pass: false, reason: 'no grader assistant is named (set "grader" in the test file or on the rubric).' };
    let grader = graders.get(path);
    if (!grader) graders.set(path, (grader = deps.loadAssistant(path, signal)));
    return gradeAnswer(await grader, rubric, answer, deps, signal);
  };
  const indexes = (options.cases ?? file.tests.map((_, i) => i)).filter((i) => i >= 0 && i < file.tests.length);
  const jobs = indexes.flatMap((index) => Array.from({ length: file.tests[index].repeat ?? 1 }, (_, repeat) => ({ index, repeat })));
  const attempts = new Map<number, AttemptResult[]>(indexes.map((i) => [i, []]));
  const results = new Map<number, CaseResult>();
  const started = new Set<number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && !signal.aborted) {
      const { index } = jobs[next++];
      if (!started.has(index)) {
        started.add(index);
        options.onCaseStarted?.(index);
      }
      const test = file.tests[index];
      const done = attempts.get(index)!;
      done.push(await attempt(test, assistant, deps, grade, signal, now));
      if (done.length === (test.repeat ?? 1)) {
        const result = summarize(index, test, done);
        results.set(index, result);
        options.onCaseFinished?.(result);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? DEFAULT_TEST_CONCURRENCY, jobs.length)) }, worker));
  if (signal.aborted) throw cancelledError();
  return indexes.map((i) => results.get(i)!);
}

async function attempt(test: TestCase, assistant: Assistant, deps: TestRunnerDeps, grade: Grade, signal: AbortSignal, now: () => number): Promise<AttemptResult> {
  const startedAt = now();
  let answer: Answer = { text: '', toolCalls: [], citations: [], latencyMs: 0 };
  try {
    const attachments = test.attachments?.length && deps.attach ? await deps.attach(test.attachments, signal) : [];
    const ran = await ask(assistant, test.question, attachments, deps, signal);
    answer = { ...ran, latencyMs: now() - startedAt };
  } catch (error) {
    const failure = asAssistantsError(error);
    if (signal.aborted) throw cancelledError();
    answer.latencyMs = now() - startedAt;
    return { pass: false, answer, failures: [{ expectation: 'run', pass: false, reason: `The run failed: ${failure.message}` }] };
  }
  const failures: AttemptResult['failures'] = [];
  for (const expectation of test.expect ?? []) {
    const verdict = await check(expectation, answer, grade).catch((error: unknown) => ({ pass: false, reason: `Checking it failed: ${asAssistantsError(error).message}` }));
    if (!verdict.pass) failures.push({ expectation: expectation.type, ...verdict });
  }
  return { pass: failures.length === 0, answer, failures };
}

/** Asks `question` on a new thread and collects what the run produced; the server-side thread is deleted after. */
async function ask(assistant: Assistant, question: string, attachments: Attachment[], deps: TestRunnerDeps, signal: AbortSignal): Promise<Omit<Answer, 'latencyMs'>> {
  const { backend } = deps;
  const { remoteId } = await backend.createThread(signal);
  const at = Math.floor((deps.now ?? Date.now)() / 1000);
  const thread: Thread = { id: `test-${randomUUID()}`, title: 'Assistant test', createdAt: at, updatedAt: at, backend: backend.kind, assistantId: assistant.id, ...(remoteId ? { remoteId } : {}) };
  try {
    const message = await backend.addMessage(thread, { content: [{ type: 'text', text: question, annotations: [] }], ...(attachments.length ? { attachments } : {}) }, signal);
    const steps = new Map<string, RunStep>();
    const driver = new RunDriver(backend, { ...deps.driver, toolHandler: deps.toolHandler });
    const snapshot = await driver.run({ kind: 'start', thread, assistant, history: [message] }, (event) => {
      if (event.type === 'step.completed' || event.type === 'step.updated' || event.type === 'step.created') steps.set(event.step.id, event.step);
    }, signal);
    if (signal.aborted) throw cancelledError();
    for (const step of snapshot.steps) steps.set(step.id, step);
    if (snapshot.run.status !== 'completed') {
      const why = snapshot.run.lastError?.message ?? snapshot.run.incompleteReason ?? snapshot.run.status;
      throw new AssistantsError('run_failed', `The run ended ${snapshot.run.status}: ${why}`);
    }
    const answers = snapshot.messages.filter((m) => m.role === 'assistant');
    const toolCalls: ToolCall[] = [...steps.values()].flatMap((s) => (s.details.type === 'tool_calls' ? s.details.toolCalls : []));
    const citations: Annotation[] = answers.flatMap((m) => m.content.flatMap((part) => (part.type === 'text' ? part.annotations : [])));
    const usage = snapshot.run.usage;
    const price = priceFor(snapshot.run.model ?? assistant.model, deps.prices);
    return { text: answers.map((m) => textOf(m.content)).join('\n'), toolCalls, citations, ...(usage ? { usage } : {}), ...(usage && price ? { cost: costOf(usage, price) } : {}) };
  } finally {
    if (remoteId) await backend.deleteThread(thread).catch(() => undefined);
  }
}

/** Asks the grader assistant, with a JSON response format, whether `answer` meets `rubric`. */
async function gradeAnswer(grader: Assistant, rubric: string, answer: Answer, deps: TestRunnerDeps, signal: AbortSignal): Promise<{ pass: boolean; reason: string }> {
  const question = [
    'Grade the answer below against the rubric. Reply with JSON only: {"pass": true or false, "reason": "one sentence"}.',
    '',
    '<rubric>',
    rubric,
    '</rubric>',
    '',
    '<answer>',
    answer.text,
    '</answer>',
  ].join('\n');
  const graded = await ask({ ...grader, responseFormat: GRADER_FORMAT }, question, [], deps, signal);
  let verdict: unknown;
  try {
    verdict = JSON.parse(graded.text.trim());
  } catch {
    verdict = undefined;
  }
  const { pass, reason } = (typeof verdict === 'object' && verdict !== null ? verdict : {}) as { pass?: unknown; reason?: unknown };
  if (typeof pass !== 'boolean') return { pass: false, reason: `it did not answer {"pass", "reason"} JSON; it said: ${graded.text.slice(0, 300)}` };
  return { pass, reason: typeof reason === 'string' && reason ? reason.slice(0, 1000) : pass ? 'passed' : 'no reason given' };
}

function withFunctions(assistant: Assistant, functions: ToolDefinition[]): Assistant {
  const own = new Set(assistant.tools.flatMap((tool) => (tool.type === 'function' ? [tool.function.name] : [])));
  return { ...assistant, tools: [...assistant.tools, ...functions.filter((tool) => tool.type !== 'function' || !own.has(tool.function.name))] };
}

function summarize(index: number, test: TestCase, attempts: AttemptResult[]): CaseResult {
  const passed = attempts.filter((a) => a.pass).length;
  const passRate = passed / attempts.length;
  const usage = attempts.reduce<Usage | undefined>((sum, a) => addUsage(sum, a.answer.usage), undefined);
  const costs = attempts.map((a) => a.answer.cost);
  const firstFailing = attempts.find((a) => !a.pass);
  const pass = passRate >= (test.passRate ?? 1);
  return {
    index,
    label: caseLabel(test, index),
    pass,
    passed,
    repeats: attempts.length,
    passRate,
    latencyMs: attempts.reduce((sum, a) => sum + a.answer.latencyMs, 0) / attempts.length,
    ...(usage ? { usage } : {}),
    ...(costs.every((c) => c !== undefined) ? { cost: costs.reduce((sum, c) => sum + c, 0) } : {}),
    answer: (firstFailing ?? attempts[attempts.length - 1]).answer.text,
    ...(!pass && firstFailing ? { failure: firstFailing.failures[0] } : {}),
    attempts,
  };
}
