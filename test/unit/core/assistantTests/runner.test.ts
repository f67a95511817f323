import * as assert from 'node:assert/strict';
import type { Backend } from '../../../../src/core/backend';
import { AssistantsError } from '../../../../src/core/errors';
import type { TurnStep } from '../../../fakes/scriptedModel';
import { startBench } from './harness';
import type { TestBench } from './harness';

const slowText = (text: string): TurnStep => ({ type: 'text', text, chunkSize: 4, chunkDelayMs: 15 });

/** The backend, counting how many runs stream at once. */
function counting(backend: Backend): { backend: Backend; peak: () => number } {
  let inFlight = 0;
  let peak = 0;
  const wrapped = Object.create(backend) as Backend;
  wrapped.stream = async function* (action, signal) {
    inFlight++;
    peak = Math.max(peak, inFlight);
    try {
      yield* backend.stream(action, signal);
    } finally {
      inFlight--;
    }
  };
  return { backend: wrapped, peak: () => peak };
}

describe('assistant tests: the runner', () => {
  let bench: TestBench;
  afterEach(() => bench?.close());

  it('repeats a case N times on fresh threads and passes it when the pass rate is reached', async () => {
    bench = await startBench();
    const answers = ['yes', 'no', 'yes', 'yes'];
    bench.fake.model.enqueue(...answers.map((text) => ({ steps: [{ type: 'text' as const, text }] })));
    const [result] = await bench.run({ tests: [{ question: 'Well?', repeat: 4, passRate: 0.75, expect: [{ type: 'contains', value: 'yes' }] }] });
    assert.equal(result.repeats, 4);
    assert.equal(result.passed, 3);
    assert.equal(result.passRate, 0.75);
    assert.equal(result.pass, true);
    assert.equal(result.answer, 'no', 'the failing repeat\'s answer is kept');
    assert.equal(result.attempts.length, 4);
    assert.equal(bench.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/conversations')).length, 4, 'one new thread per repeat');
    bench.fake.model.enqueue(...answers.map((text) => ({ steps: [{ type: 'text' as const, text }] })));
    const [strict] = await bench.run({ tests: [{ question: 'Well?', repeat: 4, expect: [{ type: 'contains', value: 'yes' }] }] });
    assert.equal(strict.pass, false, 'the default pass rate is every repeat');
    assert.match(strict.failure?.reason ?? '', /does not contain "yes"/);
  });

  it('reports latency, tokens and cost per case, summed over repeats', async () => {
    bench = await startBench();
    const [result] = await bench.run({ tests: [{ question: 'Hello', repeat: 2, expect: [] }] });
    const [one, two] = result.attempts;
    assert.equal(result.usage?.totalTokens, (one.answer.usage?.totalTokens ?? 0) + (two.answer.usage?.totalTokens ?? 0));
    assert.ok(result.cost !== undefined && Math.abs(result.cost - ((one.answer.cost ?? 0) + (two.answer.cost ?? 0))) < 1e-12);
    assert.ok(result.latencyMs >= 0);
  });

  it('runs at most four at once, and all of them', async () => {
    bench = await startBench();
    const wrapped = counting(bench.deps.backend);
    bench.deps.backend = wrapped.backend;
    bench.deps.concurrency = 4;
    bench.fake.model.enqueue(...Array.from({ length: 10 }, () => ({ steps: [slowText('a fairly long answer to wait on')] })));
    const started: number[] = [];
    const results = await bench.run({ tests: Array.from({ length: 10 }, (_, i) => ({ question: `Question ${i}`, expect: [{ type: 'contains' as const, value: 'answer' }] })) }, { onCaseStarted: (i) => started.push(i) });
    assert.equal(results.length, 10);
    assert.ok(results.every((r) => r.pass));
    assert.deepEqual(results.map((r) => r.index), [...Array(10).keys()], 'results come in case order');
    assert.equal(started.length, 10);
    assert.equal(wrapped.peak(), 4);
  });

  it('stops on cancel: the runs in flight are cancelled, no more start, and the promise rejects cancelled', async () => {
    bench = await startBench({ concurrency: 2 });
    bench.fake.model.enqueue(...Array.from({ length: 8 }, () => ({ steps: [slowText('x'.repeat(400))] })));
    const abort = new AbortController();
    const finished: number[] = [];
    const running = bench.run({ tests: Array.from({ length: 8 }, (_, i) => ({ question: `Q${i}`, expect: [] })) }, { signal: abort.signal, onCaseStarted: () => setTimeout(() => abort.abort(), 100), onCaseFinished: (r) => finished.push(r.index) });
    await assert.rejects(running, (error: unknown) => error instanceof AssistantsError && error.kind === 'cancelled');
    const runs = bench.fake.requests.filter((r) => r.method === 'POST' && /\/responses$/.test(r.path)).length;
    assert.ok(runs <= 2, `only the first two runs started (${runs})`);
    assert.equal(finished.length, 0);
  });

  it('runs only the cases asked for', async () => {
    bench = await startBench();
    const results = await bench.run({ tests: [{ question: 'one', expect: [] }, { question: 'two', expect: [] }, { question: 'three', expect: [] }] }, { cases: [2, 7] });
    assert.deepEqual(results.map((r) => r.label), ['three']);
  });

  it('says in a sentence that an Assistants v2 backend cannot run them, before any request', async () => {
    bench = await startBench();
    const v2 = Object.create(bench.deps.backend) as Backend;
    Object.defineProperty(v2, 'kind', { value: 'assistantsV2' });
    bench.deps.backend = v2;
    await assert.rejects(bench.run({ tests: [{ question: 'one', expect: [] }] }), (error: unknown) => error instanceof AssistantsError && error.kind === 'unsupported' && /run on the Responses API/.test(error.message));
    assert.equal(bench.fake.requests.length, 0);
  });

  it('fails every case with one sentence when the assistant under test is not valid', async () => {
    bench = await startBench();
    await bench.writeAssistant('helper', { model: 42 });
    await assert.rejects(bench.run({ tests: [{ question: 'one', expect: [] }] }), /helper\.assistant\.json" is not valid: model/);
  });
});
