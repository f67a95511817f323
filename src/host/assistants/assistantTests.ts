import * as path from 'path';
import * as vscode from 'vscode';
import type { Backend } from '../../core/backend';
import { runTestFile } from '../../core/assistantTests/runner';
import type { CaseResult } from '../../core/assistantTests/runner';
import { assistantFileName, caseLabel, MAX_TEST_FILE_CHARS, parseTestFile, testFileText, testFileWhere } from '../../core/assistantTests/testFile';
import type { AssistantTestFile } from '../../core/assistantTests/testFile';
import { assistantLoader, headlessFunctions, workspaceAttacher } from '../../core/assistantTests/workspace';
import { AssistantsError, asAssistantsError } from '../../core/errors';
import { nodeFileSystem, nodeWorkspaceFs } from '../../core/workspace/fileSystem';
import { readAtMost } from '../platform/boundedRead';
import { readFunctionSettings, readPrices, readSettings } from '../platform/settings';

/** Test files found at most, over the whole workspace. */
const MAX_TEST_FILES = 1_000;
const GLOB = '**/*.assistant-tests.{json,yaml,yml}';

/** What the Test Explorer's runs need from the rest of the host. */
export interface AssistantTestsDeps {
  /** The configured server's backend; throws AssistantsError (`no_api_key` …) with a sentence. */
  backend(): Promise<Backend>;
  log: vscode.LogOutputChannel;
}

/** How a case or file ended in the last run, as reported to the Test Explorer. */
export interface RecordedOutcome {
  state: 'passed' | 'failed' | 'errored';
  /** Milliseconds. */
  duration?: number;
  message?: string;
}

/** The Test Explorer's assistant tests: the controller (its tree) and a run of some of its items. */
export interface AssistantTests extends vscode.Disposable {
  controller: vscode.TestController;
  /** Loads every test file of the workspace into the tree. */
  discover(): Promise<void>;
  /** Runs `include` (every file when absent) through the Run profile; resolves what each item ended as, by item id. */
  run(include?: vscode.TestItem[], token?: vscode.CancellationToken): Promise<Map<string, RecordedOutcome>>;
}

/**
 * Assistant tests in VS Code's Test Explorer: each `*.assistant-tests.json`/YAML of the workspace is
 * an item, its cases its children (at the line of their question). Run runs them through the core
 * runner against the configured server, with progress, Cancel, pass/fail with duration, a failure's
 * message with the answer and an expected/actual diff, and tokens and cost in the run's output. The
 * runs may call the workspace's read-only functions (never in an untrusted workspace); anything
 * that would ask in the chat is denied.
 */
export function registerAssistantTests(deps: AssistantTestsDeps): AssistantTests {
  const controller = vscode.tests.createTestController('assistants.tests', 'Assistant Tests');
  const watcher = vscode.workspace.createFileSystemWatcher(GLOB);
  const refresh = (uri: vscode.Uri): void => {
    if (!isSkipped(uri)) void loadFile(controller, uri, deps.log);
  };
  watcher.onDidCreate(refresh);
  watcher.onDidChange(refresh);
  watcher.onDidDelete((uri) => controller.items.delete(uri.toString()));
  controller.resolveHandler = async (item) => {
    if (!item) await discover(controller, deps.log);
    else if (item.uri) await loadFile(controller, item.uri, deps.log);
  };
  controller.refreshHandler = () => discover(controller, deps.log);
  const outcomes = new Map<string, RecordedOutcome>();
  const profile = controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => runTests(controller, request, token, deps, new Recorder(controller.createTestRun(request), outcomes)), true);
  return {
    controller,
    discover: () => discover(controller, deps.log),
    async run(include, token = new vscode.CancellationTokenSource().token) {
      const recorded = new Map<string, RecordedOutcome>();
      const request = new vscode.TestRunRequest(include, undefined, profile);
      await runTests(controller, request, token, deps, new Recorder(controller.createTestRun(request), recorded));
      return recorded;
    },
    dispose: () => vscode.Disposable.from(controller, watcher).dispose(),
  };
}

/** A TestRun that also keeps what each item ended as. */
class Recorder {
  constructor(
    readonly run: vscode.TestRun,
    private readonly outcomes: Map<string, RecordedOutcome>,
  ) {}

  passed(item: vscode.TestItem, duration?: number): void {
    this.outcomes.set(item.id, { state: 'passed', duration });
    this.run.passed(item, duration);
  }

  failed(item: vscode.TestItem, message: vscode.TestMessage, duration?: number): void {
    this.outcomes.set(item.id, { state: 'failed', duration, message: messageText(message) });
    this.run.failed(item, message, duration);
  }

  errored(item: vscode.TestItem, message: vscode.TestMessage): void {
    this.outcomes.set(item.id, { state: 'errored', message: messageText(message) });
    this.run.errored(item, message);
  }
}

function messageText(message: vscode.TestMessage): string {
  const text = typeof message.message === 'string' ? message.message : message.message.value;
  return message.expectedOutput !== undefined ? `${text}\nexpected: ${message.expectedOutput}\nactual: ${message.actualOutput ?? ''}` : text;
}

function isSkipped(uri: vscode.Uri): boolean {
  return /[\\/](node_modules|\.git)[\\/]/.test(uri.fsPath);
}

async function discover(controller: vscode.TestController, log: vscode.LogOutputChannel): Promise<void> {
  const uris = await vscode.workspace.findFiles(GLOB, '**/{node_modules,.git}/**', MAX_TEST_FILES);
  const seen = new Set(uris.map((uri) => uri.toString()));
  controller.items.forEach((item) => {
    if (!seen.has(item.id)) controller.items.delete(item.id);
  });
  await Promise.all(uris.map((uri) => loadFile(controller, uri, log)));
}

/** Reads a test file and (re)makes its item and its cases' items; a file that is not valid shows its problems as the item's error. */
async function loadFile(controller: vscode.TestController, uri: vscode.Uri, log: vscode.LogOutputChannel): Promise<{ item: vscode.TestItem; file?: AssistantTestFile }> {
  const item = controller.items.get(uri.toString()) ?? controller.createTestItem(uri.toString(), path.basename(uri.fsPath), uri);
  controller.items.add(item);
  const root = vscode.workspace.getWorkspaceFolder(uri);
  item.description = root ? testFileWhere(path.dirname(path.relative(root.uri.fsPath, uri.fsPath)), root.name, vscode.workspace.workspaceFolders?.length ?? 0) : undefined;
  let text: string;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    // A pipe, socket or device: reading a FIFO would wait for a writer forever.
    if (!(stat.type & vscode.FileType.File)) throw new Error('it is not a regular file (a pipe, socket or device)');
    const tooLarge = () => new Error(`it is larger than ${Math.round((MAX_TEST_FILE_CHARS * 4) / 1_000_000)} MB`);
    if (stat.size > MAX_TEST_FILE_CHARS * 4) throw tooLarge();
    text = testFileText(await readAtMost(uri, MAX_TEST_FILE_CHARS * 4, tooLarge));
  } catch (error) {
    item.error = `The file cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    item.children.replace([]);
    return { item };
  }
  const parsed = parseTestFile(text, uri.fsPath);
  for (const note of parsed.skipped) log.info(`${vscode.workspace.asRelativePath(uri)}: ${note}`);
  if (!parsed.file) {
    item.error = `Not valid: ${parsed.errors.join('; ')}`;
    item.children.replace([]);
    return { item };
  }
  item.error = undefined;
  const lines = lineStarts(text);
  item.children.replace(
    parsed.file.tests.map((test, index) => {
      const child = controller.createTestItem(`${uri.toString()}#${index}`, caseLabel(test, index), uri);
      const at = text.indexOf(JSON.stringify(test.question).slice(1, 61));
      const found = at >= 0 ? at : text.indexOf(test.question.slice(0, 60));
      if (found >= 0) {
        const line = lineOf(lines, found);
        child.range = new vscode.Range(line, 0, line, 0);
      }
      return child;
    }),
  );
  return { item, file: parsed.file };
}

async function runTests(controller: vscode.TestController, request: vscode.TestRunRequest, token: vscode.CancellationToken, deps: AssistantTestsDeps, recorder: Recorder): Promise<void> {
  const run = recorder.run;
  const abort = new AbortController();
  const cancel = token.onCancellationRequested(() => abort.abort());
  try {
    // Which files, and which of their cases: a file item means all of them.
    const wanted = new Map<string, { uri: vscode.Uri; cases?: Set<number> }>();
    const include = request.include ?? gather(controller);
    for (const item of include) {
      const fileId = item.id.replace(/#\d+$/, '');
      const fileItem = controller.items.get(fileId);
      if (!fileItem?.uri) continue;
      const entry = wanted.get(fileId) ?? { uri: fileItem.uri };
      const caseIndex = /#(\d+)$/.exec(item.id)?.[1];
      if (caseIndex === undefined) entry.cases = undefined;
      else if (!wanted.has(fileId) || entry.cases) (entry.cases ??= new Set()).add(Number(caseIndex));
      wanted.set(fileId, entry);
    }
    const excluded = new Set((request.exclude ?? []).map((item) => item.id));
    let backend: Backend;
    try {
      backend = await deps.backend();
    } catch (error) {
      const message = new vscode.TestMessage(asAssistantsError(error).message);
      for (const { uri } of wanted.values()) {
        const item = controller.items.get(uri.toString());
        if (item) recorder.errored(item, message);
      }
      return;
    }
    for (const [fileId, entry] of wanted) {
      if (abort.signal.aborted) break;
      const { item, file } = await loadFile(controller, entry.uri, deps.log);
      if (!file) {
        recorder.errored(item, new vscode.TestMessage(item.error?.toString() ?? 'The file is not valid.'));
        continue;
      }
      const cases = [...(entry.cases ?? file.tests.keys())].filter((index) => !excluded.has(`${fileId}#${index}`));
      const child = (index: number) => item.children.get(`${fileId}#${index}`);
      for (const index of cases) {
        const c = child(index);
        if (c) run.enqueued(c);
      }
      const root = vscode.workspace.getWorkspaceFolder(entry.uri)?.uri.fsPath ?? path.dirname(entry.uri.fsPath);
      const { deny } = readFunctionSettings();
      const headless = headlessFunctions({ root, fs: nodeWorkspaceFs, deny });
      const trusted = vscode.workspace.isTrusted;
      const settings = readSettings();
      try {
        await runTestFile(
          file,
          assistantFileName(file, entry.uri.fsPath),
          {
            backend,
            toolHandler: headless.toolHandler,
            functions: trusted && settings.tools.workspaceFunctions ? headless.functions : [],
            loadAssistant: assistantLoader(nodeFileSystem, entry.uri.fsPath, root),
            attach: trusted ? workspaceAttacher({ root, fs: nodeWorkspaceFs, backend, deny, provider: settings.baseUrl }) : async () => Promise.reject(new AssistantsError('permission', 'Attachments are not read in an untrusted workspace; trust it with "Manage Workspace Trust" to run this test.')),
            prices: readPrices(),
          },
          {
            signal: abort.signal,
            cases,
            onCaseStarted: (index) => {
              const c = child(index);
              if (c) run.started(c);
            },
            onCaseFinished: (result) => {
              const c = child(result.index);
              if (c) report(recorder, c, result);
            },
          },
        );
      } catch (error) {
        const failure = asAssistantsError(error);
        if (failure.kind === 'cancelled') break;
        for (const index of cases) {
          const c = child(index);
          if (c) recorder.errored(c, new vscode.TestMessage(failure.message));
        }
      }
    }
  } finally {
    cancel.dispose();
    run.end();
  }
}

/** Reports a finished case: passed or failed with its mean duration; tokens and cost in the output; a failure's reason, diff and answer. */
function report(recorder: Recorder, item: vscode.TestItem, result: CaseResult): void {
  const run = recorder.run;
  const figures = [`${(result.latencyMs / 1000).toFixed(1)} s`];
  if (result.usage) figures.push(`${result.usage.promptTokens} input · ${result.usage.completionTokens} output tokens`);
  if (result.cost !== undefined) figures.push(`≈ $${result.cost.toFixed(4)}`);
  const repeats = result.repeats > 1 ? `, ${result.passed}/${result.repeats} passed` : '';
  run.appendOutput(`${result.pass ? '✓' : '✗'} ${result.label} (${figures.join(', ')}${repeats})\r\n`, undefined, item);
  if (result.pass) {
    recorder.passed(item, result.latencyMs);
    return;
  }
  const failure = result.failure;
  const reason = `${failure?.reason ?? 'Failed.'}${result.repeats > 1 ? ` (${result.passed} of ${result.repeats} repeats passed)` : ''}`;
  const message =
    failure?.expected !== undefined && failure.actual !== undefined
      ? vscode.TestMessage.diff(reason, failure.expected, failure.actual)
      : new vscode.TestMessage(new vscode.MarkdownString().appendText(`${reason}\n\nThe answer:\n\n`).appendCodeblock(result.answer, 'markdown'));
  if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range);
  run.appendOutput(`  ${reason.replace(/\n/g, '\r\n  ')}\r\n`, undefined, item);
  recorder.failed(item, message, result.latencyMs);
}

function gather(controller: vscode.TestController): vscode.TestItem[] {
  const items: vscode.TestItem[] = [];
  controller.items.forEach((item) => items.push(item));
  return items;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}
