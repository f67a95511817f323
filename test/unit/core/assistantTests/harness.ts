import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import { runTestFile } from '../../../../src/core/assistantTests/runner';
import type { CaseResult, RunTestsOptions, TestRunnerDeps } from '../../../../src/core/assistantTests/runner';
import type { AssistantTestFile, Expectation, TestCase } from '../../../../src/core/assistantTests/testFile';
import { assistantLoader, workspaceAttacher } from '../../../../src/core/assistantTests/workspace';
import { nodeFileSystem, nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import { DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
import { BUILT_IN_PRICES } from '../../../../src/core/runs/usage';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';

/** A workspace folder with assistant files, a fake server and the runner's deps on them. */
export interface TestBench {
  fake: FakeOpenAIServer;
  root: string;
  deps: TestRunnerDeps;
  /** Writes `.assistants/<slug>.assistant.json`. */
  writeAssistant(slug: string, fields: Record<string, unknown>): Promise<void>;
  /** Runs one case with these expectations against `helper.assistant.json`. */
  runCase(test: Partial<TestCase> & { expect: Expectation[] }, options?: RunTestsOptions): Promise<CaseResult>;
  run(file: Omit<AssistantTestFile, 'version'>, options?: RunTestsOptions): Promise<CaseResult[]>;
  close(): Promise<void>;
}

export async function startBench(deps: Partial<TestRunnerDeps> = {}): Promise<TestBench> {
  const fake = await FakeOpenAIServer.start();
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'assistant-tests-')));
  const folder = path.join(root, '.assistants');
  await fs.mkdir(folder);
  const testFile = path.join(folder, 'helper.assistant-tests.json');
  const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }));
  const full: TestRunnerDeps = {
    backend,
    toolHandler: { handle: async (calls) => calls.map((call) => ({ callId: call.callId, output: `${call.name} ok` })) },
    loadAssistant: assistantLoader(nodeFileSystem, testFile, root),
    attach: workspaceAttacher({ root, fs: nodeWorkspaceFs, backend, deny: DEFAULT_DENY, provider: fake.baseUrl }),
    prices: BUILT_IN_PRICES,
    driver: { poll: { initialMs: 10, maxMs: 40 }, retry: { baseDelayMs: 5, maxDelayMs: 100 } },
    concurrency: 1,
    ...deps,
  };
  const bench: TestBench = {
    fake,
    root,
    deps: full,
    async writeAssistant(slug, fields) {
      await fs.writeFile(path.join(folder, `${slug}.assistant.json`), JSON.stringify({ version: 1, name: slug, model: 'gpt-4.1-mini', ...fields }));
    },
    async runCase(test, options) {
      const [result] = await bench.run({ grader: 'grader.assistant.json', tests: [{ question: 'What is a monad?', ...test }] }, options);
      return result;
    },
    run: (file, options) => runTestFile({ version: 1, ...file }, 'helper.assistant.json', full, options),
    async close() {
      await fake.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
  await bench.writeAssistant('helper', { instructions: 'Be brief.' });
  return bench;
}
