import * as assert from 'node:assert/strict';
import type { AssistantFile } from '../../../src/core/assistantFile';
import { parseAssistantFile, serializeAssistantFile } from '../../../src/core/assistantFile';
import { fileFromForm, formFromFile } from '../../../src/host/assistantForm';

const file: AssistantFile = {
  version: 1,
  name: 'Weather',
  description: 'Tells the weather',
  model: 'gpt-4.1',
  instructions: 'Use get_weather.',
  tools: [
    { type: 'file_search', file_search: { max_num_results: 5 } },
    { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true } },
  ],
  tool_resources: { file_search: { vector_store_ids: ['vs_1'] } },
  temperature: 0.4,
  top_p: 0.8,
  response_format: { type: 'json_schema', json_schema: { name: 'report', schema: { type: 'object' } } },
  reasoning_effort: 'medium',
  metadata: { owner: 'team-a' },
};

describe('assistant form', () => {
  it('keeps a function\'s command binding, which the form does not show, and drops it with the function', () => {
    const bound: AssistantFile = { ...file, tools: [{ type: 'function', function: { name: 'fmt' }, 'x-vscode': { command: 'editor.action.formatDocument' } }] };
    const form = formFromFile(bound);
    assert.deepEqual(fileFromForm(form, bound).file?.tools, bound.tools);
    assert.deepEqual(fileFromForm({ ...form, functions: [{ ...form.functions[0], name: 'renamed' }] }, bound).file?.tools, [{ type: 'function', function: { name: 'renamed' } }]);
  });

  it('shows a file as a form and writes the same file back', () => {
    const form = formFromFile(file);
    assert.equal(form.temperature, 0.4);
    assert.equal(form.functions[0].strict, true);
    assert.equal(form.maxNumResults, '5');
    const back = fileFromForm(form, file);
    assert.deepEqual(back.errors, []);
    assert.deepEqual(back.file, file);
  });

  it('puts each problem at its field: unparsable parameters, a non-schema, strict rules, sliders, name', () => {
    const form = formFromFile(file);
    form.functions[0].parameters = '{ "type": "object", ';
    form.functions.push({ name: 'bad name', description: '', parameters: '{"type": "objekt"}', strict: false });
    form.temperature = 2.5;
    const { file: written, errors } = fileFromForm(form, file);
    assert.equal(written, undefined, 'an invalid form writes nothing');
    const paths = errors.map((e) => e.path);
    assert.ok(paths.includes('/tools/1/function/parameters'), paths.join());
    assert.match(errors.find((e) => e.path === '/tools/1/function/parameters')!.message, /not valid JSON/);
    assert.ok(paths.some((p) => p.startsWith('/tools/2/function/parameters')), 'the unknown type is reported at the schema');
    assert.ok(paths.includes('/tools/2/function/name'));
    assert.ok(paths.includes('/temperature'));

    const strict = formFromFile(file);
    strict.functions[0].parameters = '{"type": "object", "properties": {"city": {"type": "string"}}}';
    assert.deepEqual([...new Set(fileFromForm(strict, file).errors.map((e) => e.path))], ['/tools/1/function/parameters']);
  });

  it('keeps edits made in the text editor when the form writes next, and the form shows text edits', () => {
    // The text editor adds a field the form does not show, and changes one it does.
    const edited = JSON.parse(serializeAssistantFile(file)) as AssistantFile;
    edited.metadata = { owner: 'team-b', reviewed: 'yes' };
    edited.instructions = 'Edited by hand.';
    const text = serializeAssistantFile(edited);
    const shown = formFromFile(parseAssistantFile(text).file!);
    assert.equal(shown.instructions, 'Edited by hand.');
    // The form changes the temperature; the document's other edits survive.
    shown.temperature = 1.2;
    const { file: written } = fileFromForm(shown, parseAssistantFile(text).file);
    assert.deepEqual(written?.metadata, { owner: 'team-b', reviewed: 'yes' });
    assert.equal(written?.instructions, 'Edited by hand.');
    assert.equal(written?.temperature, 1.2);
  });

  it('leaves unset what the form leaves empty', () => {
    const form = formFromFile({ version: 1, name: 'Bare', model: 'm' });
    assert.equal(form.temperature, undefined);
    const { file: written } = fileFromForm(form);
    assert.deepEqual(written, { version: 1, name: 'Bare', model: 'm', tools: [] });
  });
});
