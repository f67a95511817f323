import * as assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { FakeOpenAIServer } from '../fakes/fakeServer';
import type { RecordedRequest } from '../fakes/fakeServer';
import { validateRequest, validateResponse, validateSchema, validateSseEvents } from './openapi';

/** Every request the fake saw and every answer it gave, checked against the OpenAPI description. */
function contractErrors(requests: RecordedRequest[]): string[] {
  const errors: string[] = [];
  for (const r of requests) {
    const url = `/v1${r.path}`;
    if (r.method !== 'GET' && r.body !== undefined) errors.push(...validateRequest(r.method, url, r.body));
    if (r.status !== 0) errors.push(...validateResponse(r.method, url, r.status, r.response));
  }
  return errors;
}

function eventsOf(request: RecordedRequest | undefined): { event: string; data: unknown }[] {
  assert.ok(request, 'request was recorded');
  assert.ok(Array.isArray(request.response), `${request.method} ${request.path} answered with a stream`);
  return request.response as { event: string; data: unknown }[];
}

describe('fake OpenAI server against the OpenAPI contract', function () {
  this.timeout(30000);
  let server: FakeOpenAIServer;
  let client: OpenAI;

  before(async () => {
    server = await FakeOpenAIServer.start({ pollAfterMs: 10 });
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'test', maxRetries: 0 });
  });

  after(async () => {
    await server.close();
  });

  it('serves models, files, vector stores and containers that validate', async () => {
    const models = await client.models.list();
    assert.ok(models.data.length > 0);

    const file = await client.files.create({ file: await toFile(Buffer.from('The launch code is PELICAN. Bananas are yellow.'), 'notes.txt'), purpose: 'assistants' });
    assert.equal(file.filename, 'notes.txt');
    const other = await client.files.create({ file: await toFile(Buffer.from('unrelated'), 'other.md'), purpose: 'user_data' });
    assert.deepEqual((await client.files.list()).data.map((f) => f.id).sort(), [file.id, other.id].sort());
    assert.equal((await client.files.retrieve(file.id)).bytes, 47);
    assert.equal(await (await client.files.content(file.id)).text(), 'The launch code is PELICAN. Bananas are yellow.');
    assert.equal((await client.files.delete(other.id)).deleted, true);
    await assert.rejects(client.files.retrieve(other.id), (err: unknown) => err instanceof OpenAI.NotFoundError);

    const vs = await client.vectorStores.create({ name: 'knowledge', file_ids: [file.id] });
    assert.equal(vs.status, 'in_progress');
    const batchFile = await client.files.create({ file: await toFile(Buffer.from('Pelicans fly in lines.'), 'birds.txt'), purpose: 'assistants' });
    const batch = await client.vectorStores.fileBatches.create(vs.id, { file_ids: [batchFile.id] });
    assert.equal(batch.file_counts.total, 1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal((await client.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: vs.id })).status, 'completed');
    const ready = await client.vectorStores.retrieve(vs.id);
    assert.equal(ready.status, 'completed');
    assert.equal(ready.file_counts.completed, 2);
    assert.equal((await client.vectorStores.files.list(vs.id)).data.length, 2);
    assert.equal((await client.vectorStores.list()).data[0].id, vs.id);

    const container = await client.containers.create({ name: 'scratch' });
    assert.equal((await client.containers.retrieve(container.id)).name, 'scratch');
  });

  it('adds a file batch with per-file attributes, and refuses what the spec forbids as the service does', async () => {
    // A server of its own: the refused bodies below are not meant to validate.
    const server = await FakeOpenAIServer.start();
    try {
      const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'test', maxRetries: 0 });
      const vs = await client.vectorStores.create({ name: 'batches' });
      const a = await client.files.create({ file: await toFile(Buffer.from('alpha'), 'a.md'), purpose: 'assistants' });
      const b = await client.files.create({ file: await toFile(Buffer.from('bravo'), 'b.md'), purpose: 'assistants' });
      const recorded = server.requests.length;
      const batch = await client.vectorStores.fileBatches.create(vs.id, { files: [{ file_id: a.id, attributes: { workspace_path: 'a.md' } }, { file_id: b.id, attributes: { workspace_path: 'b.md' } }] });
      assert.equal(batch.file_counts.total, 2);
      const listed = (await client.vectorStores.files.list(vs.id)).data;
      assert.deepEqual(listed.map((f) => [f.id, f.attributes?.workspace_path]).sort(), [[a.id, 'a.md'], [b.id, 'b.md']].sort());
      const shared = await client.vectorStores.create({ name: 'shared attributes' });
      await client.vectorStores.fileBatches.create(shared.id, { file_ids: [a.id, b.id], attributes: { team: 'docs' } });
      assert.deepEqual((await client.vectorStores.files.list(shared.id)).data.map((f) => f.attributes?.team), ['docs', 'docs']);
      const post = async (body: Record<string, unknown>) => {
        const response = await fetch(`${server.baseUrl}/vector_stores/${vs.id}/file_batches`, { method: 'POST', headers: { authorization: 'Bearer test', 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { body, status: response.status, message: ((await response.json()) as { error?: { message: string } }).error?.message ?? '' };
      };
      const refusals = [
        await post({ file_ids: [a.id], files: [{ file_id: b.id }] }),
        await post({}),
        await post({ file_ids: Array.from({ length: 2001 }, () => a.id) }),
      ];
      assert.deepEqual(refusals.map((r) => r.status), [400, 400, 400]);
      assert.match(refusals[0].message, /mutually exclusive/);
      assert.match(refusals[1].message, /Missing required parameter/);
      assert.match(refusals[2].message, /at most 2000/);
      // The spec's schema refuses the last two too (the first is refused by its description's words: "Mutually exclusive").
      for (const r of refusals.slice(1)) assert.notDeepEqual(validateRequest('POST', `/v1/vector_stores/${vs.id}/file_batches`, r.body), [], JSON.stringify(r.body).slice(0, 80));
      assert.deepEqual(contractErrors(server.requests.slice(recorded, -3)), []);
    } finally {
      await server.close();
    }
  });

  it('runs conversations and responses (plain, streamed, tools, background) that validate', async () => {
    const conversation = await client.conversations.create({ metadata: { topic: 'contract' }, items: [{ type: 'message', role: 'user', content: 'Earlier question' }] });
    assert.equal((await client.conversations.retrieve(conversation.id)).id, conversation.id);
    assert.deepEqual((await client.conversations.update(conversation.id, { metadata: { topic: 'renamed' } })).metadata, { topic: 'renamed' });

    const plain = await client.responses.create({ model: 'gpt-4.1', conversation: conversation.id, input: 'What is a pelican?', instructions: 'Be brief.', temperature: 0.2, top_p: 0.9, truncation: 'auto', text: { format: { type: 'text' } } });
    assert.equal(plain.status, 'completed');
    assert.match(plain.output_text, /What is a pelican\?/);
    assert.ok(plain.usage && plain.usage.total_tokens > 0);

    // A function-call round trip, streamed.
    const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'read_file', description: 'Reads a workspace file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }, strict: true }];
    const stream = await client.responses.create({ model: 'gpt-4.1', conversation: conversation.id, input: 'Please read src/main.ts', tools, stream: true });
    let call: OpenAI.Responses.ResponseFunctionToolCall | undefined;
    for await (const event of stream) if (event.type === 'response.output_item.done' && event.item.type === 'function_call') call = event.item;
    assert.ok(call);
    assert.deepEqual(JSON.parse(call.arguments), { path: 'src/main.ts' });
    const answer = await client.responses.create({ model: 'gpt-4.1', conversation: conversation.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'export {}' }], tools });
    assert.equal(answer.output_text, 'The function returned:\n\n```\nexport {}\n```');
    const items = await client.conversations.items.list(conversation.id, { order: 'asc' });
    assert.deepEqual(
      items.data.map((i) => i.type),
      ['message', 'message', 'message', 'message', 'function_call', 'function_call_output', 'message'],
    );
    const callItemId = items.data[4].id;
    assert.ok(callItemId);
    assert.equal((await client.conversations.items.retrieve(callItemId, { conversation_id: conversation.id })).type, 'function_call');
    await client.conversations.items.create(conversation.id, { items: [{ type: 'message', role: 'user', content: 'Added by hand' }] });

    // File search with results, streamed: cites the uploaded file.
    const notes = await client.files.create({ file: await toFile(Buffer.from('Pelican facts: they have a throat pouch.'), 'pelican.txt'), purpose: 'assistants' });
    const vs = await client.vectorStores.create({ name: 'facts', file_ids: [notes.id] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const searched = await client.responses.stream({ model: 'gpt-4.1', input: 'search for pelican pouch', tools: [{ type: 'file_search', vector_store_ids: [vs.id] }], include: ['file_search_call.results'] }).finalResponse();
    const searchCall = searched.output.find((o) => o.type === 'file_search_call');
    assert.ok(searchCall && searchCall.type === 'file_search_call');
    assert.equal(searchCall.results?.[0]?.file_id, notes.id);
    const message = searched.output.find((o) => o.type === 'message');
    assert.ok(message && message.type === 'message' && message.content[0].type === 'output_text');
    assert.equal(message.content[0].annotations[0].type, 'file_citation');

    // Code interpreter: logs, an image output and a PNG in the container.
    const coded = await client.responses.stream({ model: 'gpt-4.1', input: 'plot a chart in python', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }], include: ['code_interpreter_call.outputs'] }).finalResponse();
    const ci = coded.output.find((o) => o.type === 'code_interpreter_call');
    assert.ok(ci && ci.type === 'code_interpreter_call');
    assert.deepEqual(ci.outputs?.map((o) => o.type), ['logs', 'image']);
    const cited = coded.output.find((o) => o.type === 'message');
    assert.ok(cited && cited.type === 'message' && cited.content[0].type === 'output_text');
    const citation = cited.content[0].annotations.find((a) => a.type === 'container_file_citation');
    assert.ok(citation && citation.type === 'container_file_citation');
    const png = Buffer.from(await (await client.containers.files.content.retrieve(citation.file_id, { container_id: citation.container_id })).arrayBuffer());
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.equal((await client.containers.files.list(ci.container_id)).data.length, 1);

    // Background: queued -> in_progress -> completed, polled with the poll-after header.
    server.model.enqueue({ steps: [{ type: 'text', text: 'Background done.' }], queuedMs: 30, durationMs: 120 });
    const queued = await client.responses.create({ model: 'gpt-4.1', input: 'work in the background', background: true });
    assert.equal(queued.status, 'queued');
    const seen = new Set<string | undefined>([queued.status]);
    let polled = queued;
    while (polled.status === 'queued' || polled.status === 'in_progress') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      polled = await client.responses.retrieve(queued.id);
      seen.add(polled.status);
    }
    assert.deepEqual([...seen], ['queued', 'in_progress', 'completed']);
    assert.equal(polled.output_text, 'Background done.');
    const pollGet = server.requests.find((r) => r.method === 'GET' && r.path === `/responses/${queued.id}`);
    assert.equal(pollGet?.status, 200);

    // Cancel: background ones only.
    server.model.enqueue({ steps: [{ type: 'text', text: 'Never finished.' }], durationMs: 2000 });
    const long = await client.responses.create({ model: 'gpt-4.1', input: 'long job', background: true });
    assert.equal((await client.responses.cancel(long.id)).status, 'cancelled');
    assert.equal((await client.responses.retrieve(long.id)).status, 'cancelled');
    await assert.rejects(client.responses.cancel(plain.id), (err: unknown) => err instanceof OpenAI.BadRequestError);

    const deleted = await client.conversations.delete(conversation.id);
    assert.equal(deleted.deleted, true);
  });

  it('streams Responses events in the service order with increasing sequence numbers', () => {
    const streamed = server.requests.filter((r) => r.method === 'POST' && r.path === '/responses' && Array.isArray(r.response));
    assert.ok(streamed.length >= 3);
    for (const request of streamed) {
      const events = eventsOf(request);
      const names = events.map((e) => e.event);
      assert.deepEqual(names.slice(0, 2), ['response.created', 'response.in_progress']);
      assert.equal(names[names.length - 1], 'response.completed');
      const sequence = events.map((e) => (e.data as { sequence_number: number }).sequence_number);
      assert.deepEqual(sequence, sequence.map((_, i) => i));
    }
    const code = streamed.map((r) => eventsOf(r).map((e) => e.event)).find((names) => names.includes('response.code_interpreter_call.in_progress'));
    assert.ok(code);
    const order = ['response.code_interpreter_call.in_progress', 'response.code_interpreter_call_code.delta', 'response.code_interpreter_call_code.done', 'response.code_interpreter_call.interpreting', 'response.code_interpreter_call.completed', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done'];
    const positions = order.map((name) => code.indexOf(name));
    assert.ok(positions.every((p, i) => p !== -1 && (i === 0 || p > positions[i - 1])), `order ${positions.join(',')}`);
  });

  it('answers errors in the OpenAI shape: 401 without a key, 404 for unknown routes', async () => {
    const anonymous = await fetch(`${server.baseUrl}/models`);
    assert.equal(anonymous.status, 401);
    assert.ok(anonymous.headers.get('x-request-id'));
    const unknown = await fetch(`${server.baseUrl}/nothing/here`, { headers: { authorization: 'Bearer test' } });
    assert.equal(unknown.status, 404);
    assert.deepEqual(validateSchema('ErrorResponse', await unknown.json()), []);
  });

  it('every recorded request and response validates against the spec', () => {
    assert.ok(server.requests.length > 30);
    assert.deepEqual(contractErrors(server.requests), []);
  });

  it('reports deliberately wrong bodies as invalid', () => {
    assert.notDeepEqual(validateRequest('POST', '/v1/responses', { model: 'gpt-4.1', input: 'hi', temperature: 'hot' }), []);
    assert.notDeepEqual(validateResponse('GET', '/v1/files/file-1', 200, { id: 'file-1', object: 'file', bytes: 'many' }), []);
    assert.notDeepEqual(validateSchema('Response', { id: 'resp_1', object: 'response' }), []);
    assert.notDeepEqual(
      validateSseEvents('POST', '/v1/responses', [{ event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 1, sequence_number: 0 } }]),
      [],
    );
    const good = server.requests.find((r) => r.method === 'POST' && r.path === '/responses' && !Array.isArray(r.response) && r.status === 200);
    assert.ok(good);
    const broken = { ...(good.response as Record<string, unknown>), status: 'finished' };
    assert.notDeepEqual(validateResponse('POST', '/v1/responses', 200, broken), []);
  });
});
