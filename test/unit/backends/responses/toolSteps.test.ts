import * as assert from 'node:assert/strict';
import type { Assistant, RunStep, ToolCall } from '../../../../src/common/model';
import { bodyOf, startHarness, textOf } from './harness';
import type { Harness } from './harness';

function toolCall(steps: RunStep[], type: ToolCall['type']): ToolCall | undefined {
  return steps.flatMap((step) => (step.details.type === 'tool_calls' ? step.details.toolCalls : [])).find((call) => call.type === type);
}

describe('ResponsesBackend output items as run steps', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  for (const preferStreaming of [true, false]) {
    it(`maps file search, code interpreter and reasoning (${preferStreaming ? 'streamed' : 'polled'})`, async () => {
      h = await startHarness({ driver: { preferStreaming } });
      const file = await h.backend.uploadFile('notes.md', new TextEncoder().encode('The launch date is March 3.'), 'assistants');
      const store = await h.backend.createVectorStore('Notes', [file.id]);
      assert.equal(store.status, 'completed');
      const assistant: Assistant = {
        ...h.assistant,
        tools: [{ type: 'file_search' }, { type: 'code_interpreter' }],
        toolResources: { fileSearch: { vectorStoreIds: [store.id] } },
      };
      h.fake.model.enqueue({
        steps: [
          { type: 'reasoning', summary: 'Look it up, then compute.' },
          { type: 'file_search', queries: ['launch date'] },
          { type: 'code_interpreter', code: 'print(1 + 2)', logs: '3', image: true },
          { type: 'text', text: 'The launch is March 3; 1 + 2 = 3.', citeFiles: true },
        ],
      });
      const action = await h.startWith('When is the launch?');
      const result = await h.driver.run({ ...action, assistant }, h.onEvent);
      assert.equal(result.run.status, 'completed');
      const body = bodyOf(h.requests('POST', '/responses')[0]);
      assert.deepEqual(body.include, ['file_search_call.results', 'code_interpreter_call.outputs']);
      assert.deepEqual(body.tools, [
        { type: 'file_search', vector_store_ids: [store.id] },
        { type: 'code_interpreter', container: { type: 'auto', file_ids: [] } },
      ]);
      const reasoning = result.steps.find((step) => step.details.type === 'reasoning');
      assert.equal(reasoning?.details.type === 'reasoning' && reasoning.details.summary, 'Look it up, then compute.');
      const search = toolCall(result.steps, 'file_search');
      assert.ok(search?.type === 'file_search');
      assert.deepEqual(search.queries, ['launch date']);
      assert.equal(search.results?.[0]?.fileId, file.id);
      const code = toolCall(result.steps, 'code_interpreter');
      assert.ok(code?.type === 'code_interpreter');
      assert.equal(code.input, 'print(1 + 2)');
      assert.deepEqual(code.outputs.filter((o) => o.type === 'logs'), [{ type: 'logs', logs: '3' }]);
      const answer = result.messages.at(-1);
      assert.equal(textOf(answer), 'The launch is March 3; 1 + 2 = 3.');
      const annotations = answer?.content[0]?.type === 'text' ? answer.content[0].annotations : [];
      assert.ok(annotations.some((a) => a.type === 'file_citation' && a.fileId === file.id));
      const chart = annotations.find((a) => a.type === 'file_path');
      assert.ok(chart?.type === 'file_path' && chart.containerId, 'container file citations become file_path annotations');
      const got = await h.backend.outputFile({ fileId: chart.fileId, containerId: chart.containerId }, 1024 * 1024);
      assert.ok('bytes' in got && got.name?.endsWith('.png'), 'the container file comes with its path');
      const png = got.bytes;
      assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47]);
      assert.ok(result.steps.every((step) => step.status === 'completed'));
    });
  }
});
