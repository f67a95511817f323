import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import OpenAI from 'openai';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import type { FakeServerOptions } from '../../fakes/fakeServer';
import { pngChart } from '../../fakes/png';
import { ScriptedModel } from '../../fakes/scriptedModel';
import type { TurnContext } from '../../fakes/scriptedModel';

const context = (overrides: Partial<TurnContext>): TurnContext => ({ lastUserText: '', toolOutputs: [], functionNames: [], hasFileSearch: false, hasCodeInterpreter: false, instructions: '', ...overrides });

describe('fake OpenAI server', () => {
  let server: FakeOpenAIServer | undefined;
  const start = async (options?: FakeServerOptions): Promise<{ server: FakeOpenAIServer; client: OpenAI }> => {
    server = await FakeOpenAIServer.start(options);
    return { server, client: new OpenAI({ baseURL: server.baseUrl, apiKey: 'test', maxRetries: 0 }) };
  };
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers 429 with Retry-After headers, then serves normally', async () => {
    const { server, client } = await start();
    server.inject({ path: '/models', kind: 'rate_limit', retryAfterSeconds: 2, retryAfterMs: 50 });
    const limited = await fetch(`${server.baseUrl}/models`, { headers: { authorization: 'Bearer k' } });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    assert.equal(limited.headers.get('retry-after-ms'), '50');
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
    assert.ok((await client.models.list()).data.length > 0);
  });

  it('injects server errors a given number of times, matching route templates', async () => {
    const { server, client } = await start();
    const file = await client.files.create({ file: new File(['x'], 'a.txt'), purpose: 'assistants' });
    server.inject({ method: 'GET', path: '/files/:file_id', kind: 'server_error', times: 2 });
    await assert.rejects(client.files.retrieve(file.id), (err: unknown) => err instanceof OpenAI.InternalServerError);
    await assert.rejects(client.files.retrieve(file.id), (err: unknown) => err instanceof OpenAI.InternalServerError);
    assert.equal((await client.files.retrieve(file.id)).id, file.id);
  });

  it('resets a stream after N events; a background response keeps running and can be resumed', async () => {
    const { server, client } = await start();
    server.inject({ path: '/responses', kind: 'reset', afterEvents: 3 });
    server.model.enqueue({ steps: [{ type: 'text', text: 'abcdefghijklmnopqrstuvwxyz', chunkSize: 2 }] });
    const seen: string[] = [];
    let responseId = '';
    await assert.rejects(async () => {
      const stream = await client.responses.create({ model: 'gpt-4.1', input: 'go', background: true, stream: true });
      for await (const event of stream) {
        seen.push(event.type);
        if (event.type === 'response.created') responseId = event.response.id;
      }
    });
    assert.deepEqual(seen, ['response.created', 'response.queued', 'response.in_progress']);
    let polled = await client.responses.retrieve(responseId);
    while (polled.status !== 'completed') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      polled = await client.responses.retrieve(responseId);
    }
    assert.equal(polled.output_text, 'abcdefghijklmnopqrstuvwxyz');
    const resumed = await client.responses.retrieve(responseId, { stream: true, starting_after: 2 });
    const replay: { type: string; sequence_number: number }[] = [];
    for await (const event of resumed) replay.push(event);
    assert.deepEqual(replay.map((e) => e.sequence_number), replay.map((_, i) => i + 3));
    assert.equal(replay[replay.length - 1].type, 'response.completed');
  });

  it('cancels a foreground streamed response when the client goes away', async () => {
    const { server, client } = await start();
    server.model.enqueue({ steps: [{ type: 'text', text: 'x'.repeat(200), chunkSize: 1, chunkDelayMs: 5 }] });
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'go', stream: true });
    let id = '';
    for await (const event of stream) {
      if (event.type === 'response.created') id = event.response.id;
      if (event.type === 'response.output_text.delta') break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await client.responses.retrieve(id)).status, 'cancelled');
  });

  it('sends openai-poll-after-ms only while a response is unfinished', async () => {
    // No timing is assumed: one response runs far longer than the test (unfinished until it is
    // cancelled), the other is polled until it completes, and every poll's header matches its status.
    const { server } = await start({ pollAfterMs: 25 });
    server.model.enqueue({ steps: [{ type: 'text', text: 'long' }], durationMs: 600_000 }, { steps: [{ type: 'text', text: 'ok' }], queuedMs: 20, durationMs: 60 });
    const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
    const create = async () => ((await (await fetch(`${server.baseUrl}/responses`, { method: 'POST', headers, body: JSON.stringify({ model: 'gpt-4.1', input: 'x', background: true }) })).json()) as { id: string }).id;
    const poll = async (id: string) => {
      const answer = await fetch(`${server.baseUrl}/responses/${id}`, { headers });
      return { status: ((await answer.json()) as { status: string }).status, pollAfter: answer.headers.get('openai-poll-after-ms') };
    };

    const long = await create();
    const unfinished = await poll(long);
    assert.ok(unfinished.status === 'queued' || unfinished.status === 'in_progress', unfinished.status);
    assert.equal(unfinished.pollAfter, '25');
    assert.equal((await fetch(`${server.baseUrl}/responses/${long}/cancel`, { method: 'POST', headers })).status, 200);
    assert.deepEqual(await poll(long), { status: 'cancelled', pollAfter: null });

    const short = await create();
    const polls: Array<{ status: string; pollAfter: string | null }> = [];
    const deadline = Date.now() + 10_000;
    while (polls.at(-1)?.status !== 'completed' && Date.now() < deadline) {
      if (polls.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      polls.push(await poll(short));
    }
    assert.deepEqual(polls.at(-1), { status: 'completed', pollAfter: null });
    for (const { status, pollAfter } of polls.slice(0, -1)) assert.deepEqual({ status, pollAfter }, { status, pollAfter: status === 'queued' || status === 'in_progress' ? '25' : null });
  });

  it('plays a server without Conversations or streaming when asked', async () => {
    const { client } = await start({ conversations: false, streaming: false });
    await assert.rejects(client.conversations.create({}), (err: unknown) => err instanceof OpenAI.NotFoundError);
    await assert.rejects(client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true }), (err: unknown) => err instanceof OpenAI.BadRequestError);
    assert.equal((await client.responses.create({ model: 'gpt-4.1', input: 'x' })).status, 'completed');
  });

  it('rejects function outputs for unknown calls and requests without a key', async () => {
    const { server, client } = await start();
    await assert.rejects(client.responses.create({ model: 'gpt-4.1', input: [{ type: 'function_call_output', call_id: 'call_nope', output: '1' }] }), (err: unknown) => err instanceof OpenAI.BadRequestError);
    const azure = await fetch(`${server.baseUrl}/models`, { headers: { 'api-key': 'k' } });
    assert.equal(azure.status, 200);
    assert.equal((await fetch(`${server.baseUrl}/models`)).status, 401);
    assert.ok(server.requests.every((r) => r.headers.authorization === undefined || r.headers.authorization === 'Bearer <redacted>'));
  });

  it('reports failed and incomplete outcomes', async () => {
    const { server, client } = await start();
    server.model.enqueue(
      { steps: [{ type: 'text', text: 'partial' }], outcome: { status: 'failed', code: 'server_error', message: 'boom' } },
      { steps: [{ type: 'text', text: 'cut' }], outcome: { status: 'incomplete', reason: 'max_output_tokens' } },
    );
    const failed = await client.responses.create({ model: 'gpt-4.1', input: 'x' });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.message, 'boom');
    const incomplete = await client.responses.create({ model: 'gpt-4.1', input: 'x' });
    assert.equal(incomplete.incomplete_details?.reason, 'max_output_tokens');
  });
});

describe('scripted model defaults', () => {
  const model = new ScriptedModel();

  it('prefers scripted turns, then falls back to rules', () => {
    model.enqueue({ steps: [{ type: 'reasoning', summary: 'thinking' }] });
    assert.equal(model.next(context({ lastUserText: 'hi' })).steps[0].type, 'reasoning');
    assert.equal(model.next(context({ lastUserText: 'hi' })).steps[0].type, 'text');
  });

  it('calls read_file with the path-like word, uses tool outputs, searches and runs code', () => {
    assert.deepEqual(model.next(context({ lastUserText: 'Please read `src/app.ts`.', functionNames: ['read_file'] })).steps, [
      { type: 'function_call', name: 'read_file', arguments: { path: 'src/app.ts' } },
    ]);
    const used = model.next(context({ toolOutputs: [{ callId: 'c', output: '42' }] })).steps[0];
    assert.deepEqual(used, { type: 'text', text: 'The function returned:\n\n```\n42\n```' });
    assert.deepEqual(model.next(context({ lastUserText: 'find the budget', hasFileSearch: true })).steps.map((s) => s.type), ['file_search', 'text']);
    assert.deepEqual(model.next(context({ lastUserText: 'plot it', hasCodeInterpreter: true })).steps.map((s) => s.type), ['code_interpreter', 'text']);
    assert.deepEqual(model.next(context({ lastUserText: 'plot it' })).steps.map((s) => s.type), ['text']);
  });

  it('follows an instruction to start every answer with a phrase, on both protocols', async () => {
    const step = model.next(context({ lastUserText: 'hi', instructions: 'Be kind. Start every answer with "Ahoy!"' })).steps[0];
    assert.ok(step.type === 'text' && step.text.startsWith('Ahoy!\n\n## Answer'));
    const plain = model.next(context({ lastUserText: 'hi' })).steps[0];
    assert.ok(plain.type === 'text' && plain.text.startsWith('## Answer'));
    const server = await FakeOpenAIServer.start();
    after(() => server.close());
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'test', maxRetries: 0 });
    const response = await client.responses.create({ model: 'm', instructions: 'Start every answer with "Ahoy!"', input: 'hello' });
    assert.match(response.output_text, /^Ahoy!\s/);
    const assistant = await client.beta.assistants.create({ model: 'm', instructions: 'Start every answer with "Arr!"' });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'hello' }] });
    const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 10 });
    const [message] = (await client.beta.threads.messages.list(run.thread_id, { run_id: run.id })).data;
    assert.ok(message.content[0].type === 'text' && message.content[0].text.value.startsWith('Arr!\n\n'));
  });

  it('streams a slow answer over about eight seconds', () => {
    const step = model.next(context({ lastUserText: 'be slow please' })).steps[0];
    assert.ok(step.type === 'text' && step.chunkDelayMs !== undefined && step.chunkSize !== undefined);
    const total = Math.ceil(step.text.length / step.chunkSize) * step.chunkDelayMs;
    assert.ok(total > 7000 && total < 9000, `${total} ms`);
  });
});

describe('chart PNG', () => {
  it('is a valid PNG whose pixels decode', () => {
    const png = pngChart();
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    const idatLength = png.readUInt32BE(33);
    assert.equal(png.toString('ascii', 37, 41), 'IDAT');
    const pixels = zlib.inflateSync(png.subarray(41, 41 + idatLength));
    assert.equal(pixels.length, height * (1 + width * 3));
    assert.ok(new Set(pixels).size > 4, 'has more than one colour');
  });
});
