/**
 * `test-assistants` (`npm run test-assistants`, or `npx test-assistants` once installed): runs a
 * workspace's assistant tests headless against the server in OPENAI_API_KEY / OPENAI_BASE_URL, so CI
 * can run them. Prints each case and a last line `N passed, N failed`; exits 1 when a case failed or
 * a test file could not be run, 2 when it cannot start at all (a usage error: an unknown option, no
 * API key, a workspace or a named file or folder that does not exist or holds no test file).
 */
import * as path from 'path';
import { connect } from './backends/connect';
import { runTestFile } from './core/assistantTests/runner';
import type { CaseResult } from './core/assistantTests/runner';
import { assistantFileName, MAX_TEST_FILE_CHARS, parseTestFile, TEST_FILE_PATTERN, testFileText } from './core/assistantTests/testFile';
import { assistantLoader, findTestFiles, headlessFunctions, workspaceAttacher } from './core/assistantTests/workspace';
import { asAssistantsError, SHOW_LOG_POINTER } from './core/errors';
import { FileTooLargeError, nodeFileSystem, nodeWorkspaceFs } from './core/workspace/fileSystem';
import { DEFAULT_DENY } from './core/workspace/confinement';
import { DEFAULT_BASE_URL } from './core/provider';
import { BUILT_IN_PRICES } from './core/runs/usage';

const USAGE = `Usage: test-assistants [file or folder ...] [--workspace DIR] [--concurrency N]
Runs *.assistant-tests.json / .yaml files (default: every one in the workspace, the current folder)
against the Responses API at OPENAI_BASE_URL (default ${DEFAULT_BASE_URL}) with OPENAI_API_KEY.`;

/** Where the CLI writes; the process's streams by default. */
export interface CliOutput {
  log(line: string): void;
}

/** Runs the CLI with `argv` (without node and the script) and `env`; resolves the exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, terminal: CliOutput, signal?: AbortSignal): Promise<number> {
  const out: CliOutput = { log: (line) => terminal.log(forTerminal(line)) };
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    out.log(`${args}\n${USAGE}`);
    return 2;
  }
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) {
    out.log('OPENAI_API_KEY is not set: set it to the server\'s API key (and OPENAI_BASE_URL for a server other than OpenAI).');
    return 2;
  }
  const root = path.resolve(args.workspace);
  if ((await nodeWorkspaceFs.stat(root).catch(() => undefined))?.type !== 'directory') {
    out.log(`The workspace ${JSON.stringify(args.workspace)} is not a folder; give --workspace an existing folder.\n${USAGE}`);
    return 2;
  }
  const resolved = args.targets.length > 0 ? await resolveTargets(args.targets) : { files: await findTestFiles(nodeWorkspaceFs, root), problems: [] };
  // A mistyped target would otherwise run less than was asked, and pass.
  if (resolved.problems.length > 0) {
    out.log(`${resolved.problems.join('\n')}\n${USAGE}`);
    return 2;
  }
  const files = resolved.files;
  if (files.length === 0) {
    out.log(`No *.assistant-tests.json or .yaml files in ${args.targets.length > 0 ? args.targets.join(', ') : 'the workspace'}.`);
    out.log('0 passed, 0 failed');
    return 1;
  }
  const { backend } = connect({ protocol: 'responses', apiKey, baseUrl: env.OPENAI_BASE_URL?.trim() || DEFAULT_BASE_URL });
  let passed = 0;
  let failed = 0;
  let broken = 0;
  const started = Date.now();
  for (const file of files) {
    out.log(path.relative(root, file) || file);
    // Read no further than a test file may be: a link to /proc/self/pagemap says it is empty and holds terabytes.
    const read = await nodeFileSystem.readFile(file, { maxBytes: MAX_TEST_FILE_CHARS * 4 }).catch((error: unknown) => (error instanceof FileTooLargeError ? error : undefined));
    const unread = read instanceof FileTooLargeError ? `the file is larger than ${Math.round((MAX_TEST_FILE_CHARS * 4) / 1_000_000)} MB.` : 'the file cannot be read.';
    const parsed = read && !(read instanceof FileTooLargeError) ? parseTestFile(testFileText(read), file) : { errors: [unread], skipped: [] };
    for (const note of parsed.skipped) out.log(`  note: ${note}`);
    if (!parsed.file) {
      broken++;
      out.log(`  ✗ not run: ${parsed.errors.join('; ')}`);
      continue;
    }
    const deps = {
      backend,
      ...headlessFunctions({ root, fs: nodeWorkspaceFs, deny: DEFAULT_DENY }),
      loadAssistant: assistantLoader(nodeFileSystem, file, root),
      attach: workspaceAttacher({ root, fs: nodeWorkspaceFs, backend, deny: DEFAULT_DENY, provider: env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL }),
      prices: BUILT_IN_PRICES,
      concurrency: args.concurrency,
    };
    try {
      const results = await runTestFile(parsed.file, assistantFileName(parsed.file, file), deps, { signal });
      for (const result of results) {
        if (result.pass) passed++;
        else failed++;
        for (const line of describeCase(result)) out.log(line);
      }
    } catch (error) {
      const failure = asAssistantsError(error);
      if (failure.kind === 'cancelled') {
        out.log('Stopped.');
        out.log(`${passed} passed, ${failed} failed`);
        return 1;
      }
      broken++;
      out.log(`  ✗ not run: ${failure.message}`);
    }
  }
  out.log(`${files.length} file${files.length === 1 ? '' : 's'}${broken ? ` (${broken} not run)` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  out.log(`${passed} passed, ${failed} failed`);
  return failed > 0 || broken > 0 ? 1 : 0;
}

/** A case as lines: its mark, label, repeats, latency, tokens and cost; a failure's reason, expected and actual. */
export function describeCase(result: CaseResult): string[] {
  const figures = [`${(result.latencyMs / 1000).toFixed(1)} s`];
  if (result.usage) figures.push(`${result.usage.totalTokens} tokens`);
  if (result.cost !== undefined) figures.push(`$${result.cost.toFixed(4)}`);
  const repeats = result.repeats > 1 ? ` ${result.passed}/${result.repeats} passed` : '';
  const lines = [`  ${result.pass ? '✓' : '✗'} ${result.label}${repeats} (${figures.join(', ')})`];
  if (!result.pass && result.failure) {
    lines.push(`      ${result.failure.reason ?? 'failed'}`);
    if (result.failure.expected !== undefined) lines.push(`      expected: ${indent(result.failure.expected)}`);
    if (result.failure.actual !== undefined) lines.push(`      actual:   ${indent(result.failure.actual)}`);
  }
  return lines;
}

/** `text` without what points to VS Code's commands (its log), which a terminal has not. */
export function forTerminal(text: string): string {
  return text.split(SHOW_LOG_POINTER).join('');
}

function indent(text: string): string {
  return text.split('\n').slice(0, 40).join('\n                ');
}

interface CliArgs {
  targets: string[];
  workspace: string;
  concurrency: number;
}

function parseArgs(argv: string[]): CliArgs | string {
  const args: CliArgs = { targets: [], workspace: process.cwd(), concurrency: 4 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--workspace') args.workspace = value() ?? '';
    else if (flag === '--concurrency') args.concurrency = Number(value());
    else if (flag === '--help' || flag === '-h') return 'Runs assistant tests.';
    else if (flag.startsWith('-')) return `Unknown option ${flag}.`;
    else args.targets.push(arg);
  }
  if (!args.workspace) return '--workspace needs a folder.';
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > 16) return '--concurrency takes a whole number from 1 to 16.';
  return args;
}

/**
 * The test files the targets name: a test file itself, or every test file under a folder. Each
 * target that does not exist, is not a test file, or is a folder holding none is a problem, said
 * in a sentence.
 */
async function resolveTargets(targets: string[]): Promise<{ files: string[]; problems: string[] }> {
  const files: string[] = [];
  const problems: string[] = [];
  for (const target of targets) {
    const absolute = path.resolve(target);
    const stat = await nodeWorkspaceFs.stat(absolute).catch(() => undefined);
    if (!stat) problems.push(`${JSON.stringify(target)} does not exist; name a test file or a folder that holds some.`);
    else if (stat.type === 'directory') {
      const found = await findTestFiles(nodeWorkspaceFs, absolute);
      if (found.length === 0) problems.push(`The folder ${JSON.stringify(target)} holds no *.assistant-tests.json or .yaml files; name one that does.`);
      files.push(...found);
    } else if (TEST_FILE_PATTERN.test(absolute)) files.push(absolute);
    else problems.push(`${JSON.stringify(target)} is not a test file; its name must end in .assistant-tests.json, .yaml or .yml.`);
  }
  return { files: [...new Set(files)], problems };
}

if (require.main === module) {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  runCli(process.argv.slice(2), process.env, { log: (line) => console.log(line) }, abort.signal).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(forTerminal(asAssistantsError(error).message));
      process.exit(2);
    },
  );
}
