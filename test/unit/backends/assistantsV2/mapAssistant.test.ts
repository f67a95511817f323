import * as assert from 'node:assert/strict';
import type { Assistant as WireAssistant } from 'openai/resources/beta/assistants';
import { fromWireAssistant, toWireTool } from '../../../../src/backends/assistantsV2/mapAssistant';
import { draftFromFile, fileFromDraft } from '../../../../src/core/assistants/assistantFile';
import type { ToolDefinition } from '../../../../src/common/model';

const PARAMETERS = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'], additionalProperties: false };

describe('Assistants v2 tools: the wire spells them as the file does, less the VS Code binding', () => {
  const tools: Exclude<ToolDefinition, { type: 'mcp' }>[] = [
    { type: 'file_search', maxNumResults: 5 },
    { type: 'code_interpreter' },
    { type: 'function', function: { name: 'review_file', description: 'Reviews a file', parameters: PARAMETERS, strict: true }, command: 'myExtension.review' },
  ];

  it('sends every tool as the file writes it, without the command a function is bound to', () => {
    const wire = tools.map(toWireTool);
    const file = fileFromDraft({ name: 'a', model: 'm', tools }).tools!;
    assert.deepEqual(wire.slice(0, 2), file.slice(0, 2));
    assert.deepEqual(wire[2], { type: 'function', function: { name: 'review_file', description: 'Reviews a file', parameters: PARAMETERS, strict: true } });
    assert.ok(!JSON.stringify(wire).includes('myExtension.review'), 'the VS Code binding is not sent to the server');
  });

  it('reads the server\'s tools back as the file would (a null strict is no strict)', () => {
    const wire = {
      id: 'asst_1',
      object: 'assistant',
      created_at: 1,
      name: 'a',
      description: null,
      instructions: null,
      model: 'm',
      metadata: {},
      tools: [
        { type: 'file_search', file_search: { max_num_results: 5, ranking_options: { score_threshold: 0.5 } } },
        { type: 'code_interpreter' },
        { type: 'function', function: { name: 'review_file', description: 'Reviews a file', parameters: PARAMETERS, strict: null } },
      ],
    } as WireAssistant;
    const read = fromWireAssistant(wire).tools;
    assert.deepEqual(read, [
      { type: 'file_search', maxNumResults: 5 },
      { type: 'code_interpreter' },
      { type: 'function', function: { name: 'review_file', description: 'Reviews a file', parameters: PARAMETERS } },
    ]);
    assert.deepEqual(read, draftFromFile({ version: 1, name: 'a', model: 'm', tools: fileFromDraft({ name: 'a', model: 'm', tools: read }).tools }).tools);
  });
});
