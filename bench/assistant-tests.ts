/**
 * What bounded concurrency buys a test file (`npm run bench:assistant-tests`): a 20-case file (each
 * answer streamed over about 0.5 s by the fake server) run by the assistant-tests runner at
 * concurrency 4 and one at a time, in turns. Prints the wall time of each (median of the rounds,
 * with their range) and the ratio. Options: `--cases N` (default 20), `--rounds N` (default 3).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createOpenAIClient } from '../src/backends/openaiClient';
import { ResponsesBackend } from '../src/backends/responses/responsesBackend';
import { runTestFile } from '../src/core/assistantTests/runner';
import type { AssistantTestFile } from '../src/core/assistantTests/testFile';
import { assistantLoader } from '../src/core/assistantTests/workspace';
import { nodeFileSystem } from '../src/core/workspace/fileSystem';
import { BUILT_IN_PRICES } from '../src/core/runs/usage';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

async function main(): Promise<void> {
  const cases = option('cases', 20);
  const rounds = option('rounds', 3);
  const fake = await FakeOpenAIServer.start();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-assistant-tests-'));
  fs.mkdirSync(path.join(root, '.assistants'));
  fs.writeFileSync(path.join(root, '.assistants', 'helper.assistant.json'), JSON.stringify({ version: 1, name: 'Helper', model: 'gpt-4.1-mini' }));
  const testFile = path.join(root, '.assistants', 'helper.assistant-tests.json');
  const file: AssistantTestFile = { version: 1, tests: Array.from({ length: cases }, (_, i) => ({ question: `Question ${i}`, expect: [{ type: 'contains', value: 'answer' }] })) };
  const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-bench', baseUrl: fake.baseUrl }));
  const answer = 'This answer is streamed slowly, in small pieces, as a model writes it.';
  const time = async (concurrency: number): Promise<number> => {
    fake.model.enqueue(...Array.from({ length: cases }, () => ({ steps: [{ type: 'text' as const, text: answer, chunkSize: 4, chunkDelayMs: 28 }] })));
    const started = performance.now();
    const results = await runTestFile(file, 'helper.assistant.json', { backend, toolHandler: { handle: async () => [] }, loadAssistant: assistantLoader(nodeFileSystem, testFile, root), prices: BUILT_IN_PRICES, concurrency });
    const failed = results.filter((r) => !r.pass).length;
    if (failed > 0) throw new Error(`${failed} cases failed: ${results.find((r) => !r.pass)?.failure?.reason}`);
    return performance.now() - started;
  };
  const wall: Record<'4' | '1', number[]> = { '4': [], '1': [] };
  try {
    for (let round = 0; round < rounds; round++) {
      wall['4'].push(await time(4));
      wall['1'].push(await time(1));
    }
  } finally {
    await fake.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const show = (values: number[]) => `${(median(values) / 1000).toFixed(2)} s (${(Math.min(...values) / 1000).toFixed(2)}-${(Math.max(...values) / 1000).toFixed(2)})`;
  console.log(`${cases} cases, ${rounds} rounds, each answer streamed over about ${((answer.length / 4) * 28 / 1000).toFixed(1)} s`);
  console.log(`concurrency 4: ${show(wall['4'])}`);
  console.log(`one at a time: ${show(wall['1'])}`);
  console.log(`${(median(wall['1']) / median(wall['4'])).toFixed(1)}x faster with 4 at once`);
}

void main();
