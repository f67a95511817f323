import * as assert from 'node:assert/strict';
import type { AssistantFile, FileTool } from '../../../../src/core/assistants/assistantFile';
import { parseAssistantFile, serializeAssistantFile } from '../../../../src/core/assistants/assistantFile';
import type { AssistantForm } from '../../../../src/common/assistantEditorProtocol';
import { fileFromForm, fileFromFormChange, formFromFile, mergeIntoDocument } from '../../../../src/host/assistants/assistantForm';

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

  it('keeps the file\'s MCP servers, which the form does not show, whatever is edited', () => {
    const servers: FileTool[] = [
      { type: 'mcp', server_label: 'github', server_url: 'https://api.github.test/mcp/', headers: { Authorization: 'Bearer ${secret:gh}' } },
      { type: 'mcp', server_label: 'notes', 'x-vscode': { transport: 'stdio', command: 'node', args: ['notes.mjs'] } },
    ];
    const withServers: AssistantFile = { ...file, tools: [{ type: 'code_interpreter' }, ...servers] };
    const form = formFromFile(withServers);
    assert.deepEqual(fileFromForm(form, withServers).file?.tools, withServers.tools);
    assert.deepEqual(fileFromForm({ ...form, codeInterpreter: false, name: 'Renamed' }, withServers).file?.tools, servers);
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

  it('says a cleared Name or Model is required, in a sentence, not in the validator\'s words', () => {
    const form = formFromFile(file);
    form.name = '';
    form.model = '';
    assert.deepEqual(fileFromForm(form, file).errors, [{ path: '/name', message: 'Name is required' }, { path: '/model', message: 'Model is required' }]);
    // The same fields missing from the file altogether (a hand edit) read the same, at the field.
    const { name: _name, model: _model, ...rest } = file;
    assert.deepEqual(parseAssistantFile(JSON.stringify(rest)).errors, [{ path: '/name', message: 'Name is required' }, { path: '/model', message: 'Model is required' }]);
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

describe('assistant form: a change made on a form the document has moved on from', () => {
  /** The file with `change` applied, as text (a hand edit, or another window's save reloaded). */
  const edited = (change: (f: AssistantFile) => void): string => {
    const copy = structuredClone(file);
    change(copy);
    return serializeAssistantFile(copy);
  };
  const shown = formFromFile(file);
  const typed = (change: (f: AssistantForm) => void): AssistantForm => {
    const form = structuredClone(shown);
    change(form);
    return form;
  };

  const clean: [string, AssistantForm, string, (f: AssistantFile) => void][] = [
    ['instructions typed, the model changed in the text', typed((f) => (f.instructions = 'Typed in the form.')), edited((f) => (f.model = 'o3')), (f) => assert.deepEqual([f.instructions, f.model], ['Typed in the form.', 'o3'])],
    [
      'a function added in the form, a vector store added by Add to Knowledge',
      typed((f) => f.functions.push({ name: 'lookup', description: '', parameters: '', strict: false })),
      edited((f) => (f.tool_resources = { file_search: { vector_store_ids: ['vs_1', 'vs_2'] } })),
      (f) => {
        assert.deepEqual(f.tool_resources?.file_search?.vector_store_ids, ['vs_1', 'vs_2']);
        assert.deepEqual(f.tools?.map((t) => (t.type === 'function' ? t.function.name : t.type)), ['file_search', 'get_weather', 'lookup']);
      },
    ],
    [
      'the temperature slid, the description and metadata edited by hand',
      typed((f) => (f.temperature = 1.5)),
      edited((f) => {
        f.description = 'By hand';
        f.metadata = { owner: 'team-b' };
      }),
      (f) => assert.deepEqual([f.temperature, f.description, f.metadata], [1.5, 'By hand', { owner: 'team-b' }]),
    ],
  ];
  for (const [title, form, text, check] of clean) {
    it(`keeps both: ${title}`, () => {
      const change = fileFromFormChange(form, shown, text);
      assert.deepEqual(change.conflicts, []);
      check(change.file ?? assert.fail('valid'));
      // Without the base (the old behaviour) the form's whole state would have undone the other edit.
      const blind = fileFromFormChange(form, undefined, text).file;
      assert.notDeepEqual(blind, change.file);
    });
  }

  it('keeps the form\'s value where both changed the same field, and names the field', () => {
    for (const [form, text, fields] of [
      [typed((f) => (f.instructions = 'Form.')), edited((f) => (f.instructions = 'Text.')), ['instructions']],
      [typed((f) => (f.vectorStoreIds = ['vs_form'])), edited((f) => (f.tool_resources = { file_search: { vector_store_ids: ['vs_text'] } })), ['tool_resources.file_search']],
    ] as [AssistantForm, string, string[]][]) {
      const change = fileFromFormChange(form, shown, text);
      assert.deepEqual(change.conflicts, fields);
      assert.deepEqual(change.file, change.mine);
    }
  });

  it('writes nothing over a text edit under way that left the document invalid', () => {
    for (const broken of ['{ "version": 1, "name": "Weather", ', JSON.stringify({ version: 1, name: 'Weather' })]) {
      const change = fileFromFormChange(typed((f) => (f.instructions = 'Form.')), shown, broken);
      assert.equal(change.file, undefined);
      assert.match(change.errors[0]?.message ?? '', /changed in the text editor/);
    }
  });

  it('a dirty document takes the fields only the disk changed; where both did, it keeps its own', () => {
    const saved = serializeAssistantFile(file);
    const documentText = edited((f) => (f.instructions = 'Unsaved edit.'));
    const merged = mergeIntoDocument(saved, documentText, edited((f) => (f.description = 'Saved by another window')));
    assert.deepEqual(merged?.conflicts, []);
    assert.deepEqual([parseAssistantFile(merged?.text ?? '').file?.instructions, parseAssistantFile(merged?.text ?? '').file?.description], ['Unsaved edit.', 'Saved by another window']);
    const both = mergeIntoDocument(saved, documentText, edited((f) => (f.instructions = 'Other window.')));
    assert.deepEqual(both?.conflicts, ['instructions']);
    assert.equal(parseAssistantFile(both?.text ?? '').file?.instructions, 'Unsaved edit.');
    assert.equal(mergeIntoDocument(saved, documentText, '{ "version": 1, '), undefined, 'a broken file on disk is left to the save');
  });
});
