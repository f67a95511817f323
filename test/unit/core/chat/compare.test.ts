import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import type { Backend } from '../../../../src/core/backend';
import type { CompareUpdate, CompareVariant } from '../../../../src/core/chat/compare';
import { applyVariant, CompareSession, measureEvent, variantLabel, variantsProblem } from '../../../../src/core/chat/compare';
import { AssistantsError } from '../../../../src/core/errors';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import type { Assistant, Run } from '../../../../src/common/model';
import { textOf } from '../../../../src/common/model';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { BUILT_IN_PRICES, costOf } from '../../../../src/core/runs/usage';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';

const helper: Assistant = { id: 'workspace:helper', name: 'Helper', model: 'gpt-4.1-mini', tools: [], createdAt: 0 };
const reviewer: Assistant = { id: 'workspace:reviewer', name: 'Reviewer', model: 'gpt-4o-mini', tools: [], instructions: 'Review.', createdAt: 0 };

describe('compare: variants', () => {
  it('takes 2 to 4 distinct, valid columns and says what is wrong with others', () => {
    const a = { assistantId: helper.id };
    assert.equal(variantsProblem([a, { assistantId: reviewer.id }]), undefined);
    assert.equal(variantsProblem([a, { assistantId: helper.id, model: 'gpt-4.1' }, { assistantId: helper.id, temperature: 0.2 }, { assistantId: helper.id, reasoningEffort: 'high' }]), undefined);
    assert.match(variantsProblem([a]) ?? '', /2 to 4 columns; 1 were given/);
    assert.match(variantsProblem([a, a, a, a, a]) ?? '', /2 to 4 columns; 5/);
    assert.match(variantsProblem([a, { assistantId: helper.id }]) ?? '', /Column 2 is the same as column 1/);
    assert.match(variantsProblem([a, { assistantId: helper.id, temperature: 3 }]) ?? '', /Column 2: The temperature must be a number from 0 to 2/);
    assert.match(variantsProblem([a, { assistantId: helper.id, temperature: Number.NaN }]) ?? '', /temperature/);
    assert.match(variantsProblem([a, { assistantId: helper.id, reasoningEffort: 'max' as never }]) ?? '', /reasoning effort must be one of/);
    assert.match(variantsProblem([a, { assistantId: helper.id, model: 'gpt 4' }]) ?? '', /^Column 2: /);
    assert.match(variantsProblem([a, { assistantId: '' }]) ?? '', /Pick an assistant/);
  });

  it('runs the assistant with the variant in place of its own fields, and names what changed', () => {
    const variant: CompareVariant = { assistantId: helper.id, model: ' gpt-4.1 ', temperature: 0.2, reasoningEffort: 'high' };
    const applied = applyVariant({ ...helper, temperature: 1 }, variant);
    assert.deepEqual([applied.model, applied.temperature, applied.reasoningEffort, applied.name], ['gpt-4.1', 0.2, 'high', 'Helper']);
    assert.deepEqual(applyVariant(helper, { assistantId: helper.id }), helper);
    assert.equal(variantLabel('Helper', variant), 'Helper · gpt-4.1 · temperature 0.2 · effort high');
    assert.equal(variantLabel('Helper', { assistantId: helper.id }), 'Helper');
  });
});

describe('compare: what a column measures', () => {
  const run = (status: Run['status'], extra: Partial<Run> = {}): Run => ({ id: 'run_1', threadId: 't', assistantId: 'a', status, createdAt: 0, ...extra });

  it('takes time to first token from the first text, time to completion from the end, tokens and cost at the answering model', () => {
    let m = measureEvent({}, { type: 'run.updated', run: run('in_progress') }, 5, 'gpt-4.1', BUILT_IN_PRICES);
    assert.equal(m.firstTokenMs, undefined);
    m = measureEvent(m, { type: 'message.delta', messageId: 'm', index: 0, text: '' }, 10, 'gpt-4.1', BUILT_IN_PRICES);
    assert.equal(m.firstTokenMs, undefined, 'an empty delta is no token');
    m = measureEvent(m, { type: 'message.delta', messageId: 'm', index: 0, text: 'Hi' }, 40, 'gpt-4.1', BUILT_IN_PRICES);
    m = measureEvent(m, { type: 'message.delta', messageId: 'm', index: 0, text: ' there' }, 60, 'gpt-4.1', BUILT_IN_PRICES);
    assert.equal(m.firstTokenMs, 40);
    const usage = { promptTokens: 1000, cachedTokens: 400, completionTokens: 200, totalTokens: 1200 };
    m = measureEvent(m, { type: 'usage', usage }, 70, 'gpt-4.1', BUILT_IN_PRICES);
    assert.deepEqual(m.usage, usage);
    assert.equal(m.cost, costOf(usage, BUILT_IN_PRICES['gpt-4.1']));
    m = measureEvent(m, { type: 'run.updated', run: run('completed', { model: 'gpt-4o-2024-08-06', usage }) }, 90, 'gpt-4.1', BUILT_IN_PRICES);
    assert.equal(m.model, 'gpt-4o-2024-08-06');
    assert.equal(m.cost, costOf(usage, BUILT_IN_PRICES['gpt-4o']), 'priced at the dated snapshot that answered');
    assert.equal(m.completedMs, 90);
    assert.equal(m.status, 'completed');
    assert.equal(measureEvent(m, { type: 'run.updated', run: run('completed') }, 120, 'gpt-4.1', BUILT_IN_PRICES).completedMs, 90, 'the first end counts');
  });

  it('counts a polled answer that comes whole as its first token, and leaves cost out for a model without a price', () => {
    const message = { id: 'm', role: 'assistant' as const, content: [{ type: 'text' as const, text: 'All at once', annotations: [] }], createdAt: 0, status: 'completed' as const };
    const m = measureEvent({}, { type: 'message.completed', message }, 300, 'my-model', BUILT_IN_PRICES);
    assert.equal(m.firstTokenMs, 300);
    const priced = measureEvent(m, { type: 'usage', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } }, 310, 'my-model', BUILT_IN_PRICES);
    assert.equal(priced.cost, undefined);
    assert.equal(priced.usage?.totalTokens, 2);
    const failed = measureEvent({}, { type: 'run.updated', run: run('failed') }, 50, 'x', BUILT_IN_PRICES);
    assert.deepEqual([failed.completedMs, failed.status, failed.firstTokenMs], [50, 'failed', undefined]);
  });
});

describe('compare: columns against the fake server', () => {
  let fake: FakeOpenAIServer;
  let dir: string;
  let scratch: ThreadStore;
  let kept: ThreadStore;
  let backend: Backend;
  let updates: CompareUpdate[];
  const assistants = new Map([helper, reviewer].map((a) => [a.id, a]));
  const open: CompareSession[] = [];

  const compare = (variants: CompareVariant[]) => {
    const session = new CompareSession(
      {
        store: scratch,
        connect: async () => backend,
        assistant: async (variant) => {
          const found = assistants.get(variant.assistantId);
          if (!found) throw new AssistantsError('not_found', `There is no assistant "${variant.assistantId}" any more.`);
          return found;
        },
        toolHandler: { handle: async () => [] },
        prices: () => BUILT_IN_PRICES,
        onUpdate: (update) => updates.push(update),
      },
      variants,
    );
    open.push(session);
    return session;
  };
  const runRequests = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').map((r) => r.body as { model: string; temperature?: number; reasoning?: { effort: string } });

  beforeEach(async () => {
    fake = await FakeOpenAIServer.start({ timeScale: 0.05 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-'));
    scratch = new ThreadStore(nodeFileSystem, path.join(dir, 'compare'));
    kept = new ThreadStore(nodeFileSystem, path.join(dir, 'threads'));
    backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl }));
    updates = [];
  });
  afterEach(async () => {
    for (const session of open.splice(0)) await session.dispose();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks every column at once, each on its own thread with its variant, and measures each run', async () => {
    fake.model.enqueue(
      { steps: [{ type: 'text', text: 'First column answers slowly.', chunkSize: 4, chunkDelayMs: 400 }] },
      { steps: [{ type: 'text', text: 'Second column answers slowly too.', chunkSize: 4, chunkDelayMs: 400 }] },
    );
    const session = compare([{ assistantId: helper.id }, { assistantId: helper.id, model: 'gpt-4.1', temperature: 0.3, reasoningEffort: 'low' }]);
    await session.ask('What is a monad?');
    assert.equal(session.running, true);
    await session.whenIdle();
    const [one, two] = session.columns;
    assert.notEqual(one.session.thread?.thread.id, two.session.thread?.thread.id, 'each column has its own thread');
    const answers = [session.answerOf(0), session.answerOf(1)].sort();
    assert.deepEqual(answers, ['First column answers slowly.', 'Second column answers slowly too.']);
    // Both streamed at once: each column's first token came before the other's answer ended.
    const at = (column: typeof one, ms: number | undefined) => column.startedAt! + ms!;
    assert.ok(at(one, one.metrics.firstTokenMs) < at(two, two.metrics.completedMs) && at(two, two.metrics.firstTokenMs) < at(one, one.metrics.completedMs), `the columns ran one after the other: ${JSON.stringify([one.metrics, two.metrics])}`);
    const requests = runRequests();
    assert.deepEqual(requests.map((r) => r.model).sort(), ['gpt-4.1', 'gpt-4.1-mini']);
    const variant = requests.find((r) => r.model === 'gpt-4.1');
    assert.deepEqual([variant?.temperature, variant?.reasoning?.effort], [0.3, 'low']);
    for (const column of session.columns) {
      const { metrics } = column;
      const run = Object.values(column.session.thread!.runs)[0].run;
      assert.equal(metrics.status, 'completed');
      assert.ok(metrics.firstTokenMs !== undefined && metrics.completedMs !== undefined && metrics.firstTokenMs > 0 && metrics.firstTokenMs < metrics.completedMs, JSON.stringify(metrics));
      assert.ok(run.usage && run.usage.promptTokens > 0 && run.usage.completionTokens > 0);
      assert.deepEqual(metrics.usage, run.usage);
      assert.equal(metrics.cost, costOf(run.usage, BUILT_IN_PRICES[column.variant.model ?? helper.model]));
    }
    assert.deepEqual(updates.filter((u) => u.type === 'busy').map((u) => u.type === 'busy' && u.busy), [true, false], 'one busy for the whole comparison');
  });

  it('says why one column failed, lets the others answer, and retries that column alone', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: 'Helper answers.' }] });
    const session = compare([{ assistantId: helper.id }, { assistantId: 'workspace:gone' }]);
    await session.ask('Hello?');
    await session.whenIdle();
    assert.equal(session.answerOf(0), 'Helper answers.');
    assert.equal(session.columns[1].error, 'There is no assistant "workspace:gone" any more.');
    assert.ok(updates.some((u) => u.type === 'error' && u.column === 1 && u.message === session.columns[1].error));
    assistants.set('workspace:gone', { ...helper, id: 'workspace:gone', name: 'Back' });
    try {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Back again.' }] });
      await session.retry(1);
      await session.whenIdle();
    } finally {
      assistants.delete('workspace:gone');
    }
    assert.equal(session.columns[1].error, undefined);
    assert.equal(session.answerOf(1), 'Back again.');
    assert.equal(session.answerOf(0), 'Helper answers.', 'the other column was not asked again');
    assert.equal(runRequests().length, 2);
  });

  it('a run that fails on the server is retried in its column only', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: 'Fine.' }] }, { steps: [], outcome: { status: 'failed', code: 'server_error', message: 'The model fell over.' } });
    const session = compare([{ assistantId: helper.id }, { assistantId: reviewer.id }]);
    await session.ask('Go');
    await session.whenIdle();
    const failed = session.columns.findIndex((c) => c.metrics.status === 'failed');
    assert.ok(failed >= 0, 'one column failed');
    assert.equal(session.columns[1 - failed].metrics.status, 'completed');
    fake.model.enqueue({ steps: [{ type: 'text', text: 'Second try.' }] });
    await session.retry(failed);
    await session.whenIdle();
    assert.equal(session.answerOf(failed), 'Second try.');
    assert.equal(session.columns[failed].metrics.status, 'completed');
    const questions = session.columns[failed].session.thread!.messages.filter((m) => m.role === 'user');
    assert.equal(questions.length, 1, 'the question was not asked twice');
  });

  it('Stop stops every column', async () => {
    const slow = { steps: [{ type: 'text' as const, text: 'x'.repeat(400), chunkSize: 2, chunkDelayMs: 50 }] };
    fake.model.enqueue(slow, slow, slow);
    const session = compare([{ assistantId: helper.id }, { assistantId: reviewer.id }, { assistantId: helper.id, model: 'gpt-4o' }]);
    await session.ask('Long answer please');
    const started = performance.now();
    session.stop();
    await session.whenIdle();
    assert.ok(performance.now() - started < 3000);
    for (const column of session.columns) assert.equal(column.metrics.status ?? Object.values(column.session.thread!.runs)[0]?.run.status, 'cancelled');
  });

  it('keeps a column\'s thread in the Threads view with its model; the others are deleted with the comparison', async () => {
    fake.model.enqueue({ steps: [{ type: 'text', text: 'One.' }] }, { steps: [{ type: 'text', text: 'Two.' }] });
    const session = compare([{ assistantId: helper.id }, { assistantId: helper.id, model: 'gpt-4o' }]);
    await session.ask('Which?');
    await session.whenIdle();
    const winner = session.columns.findIndex((c) => c.variant.model === 'gpt-4o');
    const copy = await session.keep(winner, kept);
    const loserThread = session.columns[1 - winner].session.thread!.thread;
    assert.equal(copy.thread.model, 'gpt-4o');
    assert.deepEqual((await kept.list()).map((t) => t.id), [copy.thread.id]);
    const reloaded = await kept.load(copy.thread.id);
    assert.deepEqual(reloaded?.messages.map((m) => textOf(m.content)), ['Which?', session.answerOf(winner)]);
    await session.dispose();
    open.length = 0;
    assert.deepEqual(await scratch.list(), [], 'nothing is left in the comparison\'s store');
    assert.ok((await kept.load(copy.thread.id)) !== undefined, 'the kept thread stays');
    const deleted = fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    assert.ok(loserThread.remoteId === undefined || deleted.includes(`/conversations/${loserThread.remoteId}`), `the discarded conversation was deleted: ${deleted.join(', ')}`);
    const keptRemote = copy.thread.remoteId;
    assert.ok(keptRemote === undefined || !deleted.includes(`/conversations/${keptRemote}`), 'the kept conversation stays on the server');
  });

  it('refuses to keep a column that is still answering or has no thread', async () => {
    const session = compare([{ assistantId: helper.id }, { assistantId: reviewer.id }]);
    await assert.rejects(session.keep(0, kept), /no thread yet/);
    const slow = { steps: [{ type: 'text' as const, text: 'y'.repeat(200), chunkSize: 2, chunkDelayMs: 30 }] };
    fake.model.enqueue(slow, slow);
    await session.ask('Slow?');
    await assert.rejects(session.keep(0, kept), /still answering/);
    session.stop();
    await session.whenIdle();
  });
});
