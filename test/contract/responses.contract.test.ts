import * as assert from 'node:assert/strict';
import type { Assistant } from '../../src/common/model';
import type { Harness } from '../unit/backends/responses/harness';
import { startHarness } from '../unit/backends/responses/harness';
import { assertExercised, contractErrors } from './recorded';

/**
 * What the Responses adapter sends, through the run driver, and what the fake answers: all of it
 * against the OpenAPI description.
 */
describe('Responses adapter and fake routes against the OpenAPI description', function () {
  // The first validation compiles schemas out of a 3 MB document.
  this.timeout(60_000);
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function richAssistant(harness: Harness): Promise<Assistant> {
    const file = await harness.backend.uploadFile('guide.md', new TextEncoder().encode('The launch is on March 3. Run the release script, then tag.'), 'assistants');
    const store = await harness.backend.createVectorStore('Docs', [file.id]);
    await harness.backend.addVectorStoreFiles(store.id, [file.id]);
    await harness.backend.listVectorStores();
    await harness.backend.listFiles();
    await harness.backend.listModels();
    return {
      id: 'asst_contract',
      createdAt: 0,
      name: 'Contract',
      instructions: 'Answer from the docs.',
      model: 'gpt-4.1',
      tools: [
        { type: 'file_search', maxNumResults: 4 },
        { type: 'code_interpreter' },
        { type: 'function', function: { name: 'lookup', description: 'Looks up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false }, strict: true } },
      ],
      toolResources: { fileSearch: { vectorStoreIds: [store.id] }, codeInterpreter: { fileIds: [file.id] } },
      temperature: 0.4,
      topP: 0.9,
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false }, strict: true },
    };
  }

  for (const preferStreaming of [true, false]) {
    it(`a ${preferStreaming ? 'streamed' : 'polled'} run with file search, code, reasoning, a tool round and a cancel`, async () => {
      h = await startHarness({ fake: { pollAfterMs: 10 }, driver: { preferStreaming } });
      const assistant = await richAssistant(h);
      h.fake.model.enqueue(
        {
          steps: [
            { type: 'reasoning', summary: 'Search, compute, then ask.' },
            { type: 'file_search', queries: ['launch'] },
            { type: 'code_interpreter', code: 'print(6 * 7)', logs: '42', image: true },
            { type: 'function_call', name: 'lookup', arguments: { q: 'launch' } },
          ],
        },
        { steps: [{ type: 'text', text: 'The launch is on March 3.', citeFiles: true }] },
        { steps: [{ type: 'text', text: 'slow '.repeat(200), chunkSize: 5, chunkDelayMs: 20 }] },
      );
      const start = await h.startWith('When is the launch?');
      const done = await h.driver.run({ ...start, assistant }, h.onEvent);
      assert.equal(done.run.status, 'completed');
      const stop = new AbortController();
      const second = await h.startWith('Tell me slowly');
      const pending = h.driver.run({ ...second, assistant }, h.onEvent, stop.signal);
      setTimeout(() => stop.abort(), 150);
      assert.equal((await pending).run.status, 'cancelled');

      assertExercised(h.fake.requests, [
        'POST /files',
        'GET /files',
        'POST /vector_stores',
        'GET /vector_stores',
        'POST /vector_stores/:vector_store_id/file_batches',
        'GET /models',
        'POST /conversations',
        'POST /conversations/:conversation_id/items',
        'POST /responses',
        'POST /responses/:response_id/cancel',
        ...(preferStreaming ? [] : ['GET /responses/:response_id']),
      ]);
      assert.deepEqual(contractErrors(h.fake.requests), []);
    });
  }

  it('a local server without conversations or background mode: history as input', async () => {
    h = await startHarness({ fake: { conversations: false, background: false } });
    h.fake.model.enqueue({ steps: [{ type: 'function_call', name: 'lookup', arguments: { q: 'x' } }] }, { steps: [{ type: 'text', text: 'Done.' }] });
    const assistant = { ...h.assistant, tools: [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }] };
    const start = await h.startWith('Look it up');
    const done = await h.driver.run({ ...start, assistant }, h.onEvent);
    assert.equal(done.run.status, 'completed');
    assertExercised(h.fake.requests, ['POST /responses']);
    const successful = h.fake.requests.filter((r) => r.status === 200);
    assert.deepEqual(contractErrors(successful), []);
  });

  it('reports a request the spec does not allow (the check can fail)', async () => {
    h = await startHarness();
    const errors = contractErrors([
      { method: 'POST', path: '/v1/responses', query: '', headers: {}, body: { model: 'gpt-4.1', truncation: 'sometimes', temperature: 'hot' }, status: 0, response: undefined },
    ]);
    assert.ok(errors.length > 0);
  });
});
