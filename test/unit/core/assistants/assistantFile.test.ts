import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  draftFromFile,
  fileFromDraft,
  importAssistantFiles,
  parseAssistantFile,
  slugify,
  validateAssistantFile,
  validateJsonSchema,
} from '../../../../src/core/assistants/assistantFile';
import type { AssistantDraft } from '../../../../src/common/model';

const full: AssistantDraft = {
  name: 'Reviewer',
  description: 'Reviews code',
  model: 'gpt-4.1',
  instructions: 'Point out bugs.',
  tools: [
    { type: 'file_search', maxNumResults: 8 },
    { type: 'code_interpreter' },
    { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true } },
  ],
  toolResources: { fileSearch: { vectorStoreIds: ['vs_1'] }, codeInterpreter: { fileIds: ['file_1'] } },
  temperature: 0.3,
  topP: 0.9,
  responseFormat: { type: 'json_schema', name: 'review', schema: { type: 'object' }, strict: false },
  reasoningEffort: 'low',
  metadata: { team: 'core' },
};

describe('assistant files', () => {
  it('round-trips every field between the domain and the file, and the file is valid', () => {
    const file = fileFromDraft(full);
    assert.deepEqual(validateAssistantFile(file), []);
    assert.deepEqual(draftFromFile(file), full);
    assert.deepEqual(file.tools?.[0], { type: 'file_search', file_search: { max_num_results: 8 } });
    assert.equal(file.top_p, 0.9);
    assert.equal(file.reasoning_effort, 'low');
  });

  it('names the field of each problem', () => {
    const errors = validateAssistantFile({ version: 1, name: 'X', model: 'gpt-4.1', temperature: 3, top_p: -1, tools: [{ type: 'function', function: { name: 'bad name!' } }], colour: 'red' });
    const paths = errors.map((e) => e.path).sort();
    assert.deepEqual(paths, ['', '/temperature', '/tools/0/function/name', '/top_p'].sort());
    assert.match(errors.find((e) => e.path === '')!.message, /unknown field "colour"/);
    assert.match(errors.find((e) => e.path === '/temperature')!.message, /<= 2/);
  });

  it('refuses a missing model, a wrong version, a bad response format and bad reasoning effort', () => {
    const paths = (value: object) => validateAssistantFile({ version: 1, name: 'X', model: 'm', ...value }).map((e) => e.path);
    assert.deepEqual(validateAssistantFile({ version: 1, name: 'X' }), [{ path: '/model', message: 'Model is required' }]);
    assert.deepEqual(validateAssistantFile({ version: 1, name: '', model: 'm' }), [{ path: '/name', message: 'Name is required' }]);
    assert.deepEqual(paths({ response_format: { type: 'json_schema', json_schema: { name: '', schema: {} } } }), ['/response_format/json_schema/name']);
    assert.deepEqual(validateAssistantFile({ version: 1, name: 'X', model: 'm', response_format: { type: 'json_schema', json_schema: { name: 'r' } } }).filter((e) => e.path.startsWith('/response_format/json_schema')), [{ path: '/response_format/json_schema/schema', message: 'The schema is required' }]);
    assert.deepEqual(paths({ version: 2 }), ['/version']);
    assert.ok(paths({ response_format: { type: 'json_schema' } }).includes('/response_format'));
    assert.deepEqual(paths({ response_format: 'auto' }), []);
    assert.deepEqual(paths({ reasoning_effort: 'extreme' }), ['/reasoning_effort']);
  });

  it('says a newer format version is newer, not only that it must be 1', () => {
    const [error] = validateAssistantFile({ version: 2, name: 'X', model: 'm' });
    assert.equal(error.path, '/version');
    assert.match(error.message, /format version 2, newer than this extension reads \(version 1\); update the extension/);
  });

  it('refuses two functions of one name, and a command bound to a workspace function\'s name, at the field', () => {
    const fn = (name: string, binding?: string) => ({ type: 'function', function: { name }, ...(binding ? { 'x-vscode': { command: binding } } : {}) });
    const errors = validateAssistantFile({ version: 1, name: 'X', model: 'm', tools: [fn('lookup'), fn('other'), fn('lookup', 'a.b')] });
    assert.deepEqual(errors.map((e) => e.path), ['/tools/2/function/name']);
    assert.match(errors[0].message, /lookup.*tools\/0/);
    // read_file is answered by the workspace function: the binding would never run, and say nothing.
    const shadowed = validateAssistantFile({ version: 1, name: 'X', model: 'm', tools: [fn('read_file', 'evil.command')] });
    assert.deepEqual(shadowed.map((e) => e.path), ['/tools/0/x-vscode']);
    assert.match(shadowed[0].message, /read_file is a workspace function/);
    assert.deepEqual(validateAssistantFile({ version: 1, name: 'X', model: 'm', tools: [fn('read_file'), fn('Read_File', 'a.b')] }), [], 'declaring read_file, or binding another name, is fine');
  });

  it('validates function parameters as JSON Schema, and strict functions by the structured-output rules', () => {
    assert.deepEqual(validateJsonSchema({ type: 'object', properties: { a: { type: 'string' } } }, false), []);
    assert.deepEqual(
      validateJsonSchema({ type: 'objekt' }, false),
      [{ path: '/type', message: 'must be one of "array", "boolean", "integer", "null", "number", "object", "string"' }],
      'an unknown type is refused once, with what it may be (not once per alternative of the meta-schema)',
    );
    assert.ok(validateJsonSchema({ properties: 'nope' }, false).length > 0, 'properties must be an object');
    assert.ok(validateJsonSchema('text', false).length > 0);
    const open = validateJsonSchema({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'object', properties: {} } } }, true);
    assert.deepEqual(open.map((e) => e.path).sort(), ['', '', '/properties/b'].sort());
    const file = fileFromDraft({ ...full, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } }, strict: true } }] });
    assert.deepEqual([...new Set(validateAssistantFile(file).map((e) => e.path))], ['/tools/0/function/parameters']);
  });

  it('parses text: bad JSON and invalid files give reasons and no file', () => {
    assert.match(parseAssistantFile('{ "name": ').errors[0].message, /not valid JSON/);
    assert.equal(parseAssistantFile('{"version":1,"name":"A"}').file, undefined);
    assert.equal(parseAssistantFile('{"version":1,"name":"A","model":"m"}').file?.name, 'A');
  });

  it('imports the seeds\' assistants.create body, a v2 assistant object, a list page and an export', () => {
    const create = { name: 'Math Tutor', instructions: 'You are a personal math tutor.', tools: [{ type: 'code_interpreter' }], model: 'gpt-4o' };
    const [fromCreate] = importAssistantFiles(create);
    assert.equal(fromCreate.version, 1);
    assert.deepEqual(draftFromFile(fromCreate).tools, [{ type: 'code_interpreter' }]);

    const wire = { id: 'asst_1', object: 'assistant', created_at: 1, name: 'Wire', description: null, model: 'gpt-4.1', instructions: null, tools: [], tool_resources: {}, metadata: {}, temperature: 1, top_p: 1, response_format: 'auto' };
    const [fromWire] = importAssistantFiles(wire);
    assert.deepEqual(fromWire, { version: 1, name: 'Wire', model: 'gpt-4.1', tools: [], tool_resources: {}, temperature: 1, top_p: 1 });

    assert.equal(importAssistantFiles({ object: 'list', data: [wire, { ...wire, name: 'Two' }] }).length, 2);
    assert.equal(importAssistantFiles([fileFromDraft(full)])[0].name, 'Reviewer');
  });

  it('refuses an import that is not an assistant, naming the entry and the field', () => {
    assert.throws(() => importAssistantFiles([{ name: 'ok', model: 'm' }, { name: 'bad', model: 'm', temperature: 9 }]), /Assistant 2 is not valid: temperature/);
    assert.throws(() => importAssistantFiles([]), /no assistants/);
    assert.throws(() => importAssistantFiles('text'), /Assistant 1 is not valid/);
  });

  it('makes file names from names', () => {
    assert.equal(slugify('Code Reviewer (copy)'), 'code-reviewer-copy');
    assert.equal(slugify('Ünïcödé  naïve'), 'unicode-naive');
    assert.equal(slugify('!!!'), 'assistant');
  });

  it('ships a schema that editors can use: the contributed file validates the sample assistants', () => {
    const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { contributes: { jsonValidation: { fileMatch: string; url: string }[] } };
    const contributed = manifest.contributes.jsonValidation.find((v) => v.fileMatch.endsWith('.assistant.json'));
    assert.ok(contributed, 'package.json contributes the schema');
    assert.ok(fs.existsSync(path.resolve(contributed.url)), 'the contributed schema file exists');
    const dir = 'sample-workspace/.assistants';
    const samples = fs.readdirSync(dir).filter((name) => name.endsWith('.assistant.json'));
    assert.ok(samples.length > 0);
    for (const name of samples) assert.deepEqual(parseAssistantFile(fs.readFileSync(path.join(dir, name), 'utf8')).errors, [], name);
  });
});
