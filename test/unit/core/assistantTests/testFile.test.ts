import * as assert from 'node:assert/strict';
import { assistantFileName, caseLabel, parseTestFile, TEST_FILE_PATTERN, testFileText, testFileWhere } from '../../../../src/core/assistantTests/testFile';

describe('assistant tests: the file format', () => {
  it('reads a JSON file with every expectation kind', () => {
    const text = JSON.stringify({
      version: 1,
      grader: 'grader.assistant.json',
      tests: [
        {
          name: 'Weather',
          question: 'Weather in Paris?',
          attachments: ['docs/cities.md'],
          repeat: 3,
          passRate: 0.66,
          expect: [
            { type: 'contains', value: 'Paris' },
            { type: 'not-icontains', value: 'sorry' },
            { type: 'regex', value: '\\d+ ?°C', ignoreCase: true },
            { type: 'json-schema', value: { type: 'object' } },
            { type: 'function-call', name: 'get_weather', arguments: { city: 'Paris' } },
            { type: 'file-cited', value: 'cities.md' },
            { type: 'tool-used', value: 'file_search' },
            { type: 'max-tokens', value: 2000 },
            { type: 'max-cost', value: 0.01 },
            { type: 'max-latency', value: 30000 },
            { type: 'rubric', value: 'Gives a temperature.' },
          ],
        },
      ],
    });
    const parsed = parseTestFile(text, 'weather.assistant-tests.json');
    assert.deepEqual(parsed.errors, []);
    assert.equal(parsed.file?.tests[0].expect?.length, 11);
  });

  it('reads YAML, with anchors bounded', () => {
    const parsed = parseTestFile('version: 1\ntests:\n  - question: Hi?\n    expect:\n      - type: icontains\n        value: hello\n', 'x.assistant-tests.yaml');
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.file?.tests[0].expect, [{ type: 'icontains', value: 'hello' }]);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    assert.match(parseTestFile(bomb, 'x.assistant-tests.yml').errors[0], /not valid YAML/);
  });

  it('names what is wrong: bad syntax, a missing question, an unknown kind, a schema that is no schema, a file too big', () => {
    assert.match(parseTestFile('{', 'x.assistant-tests.json').errors[0], /not valid JSON/);
    assert.match(parseTestFile(JSON.stringify({ version: 1, tests: [{ expect: [] }] }), 'x.assistant-tests.json').errors.join(), /tests\.0 must have required property 'question'/);
    assert.ok(parseTestFile(JSON.stringify({ version: 1, tests: [{ question: 'q', expect: [{ type: 'sounds-nice' }] }] }), 'x.assistant-tests.json').errors.length > 0);
    assert.match(parseTestFile(JSON.stringify({ version: 1, tests: [{ question: 'q', expect: [{ type: 'json-schema', value: { type: 'objekt' } }] }] }), 'x.assistant-tests.json').errors[0], /tests\.0\.expect\.0\.value is not a usable JSON Schema/);
    assert.match(parseTestFile(' '.repeat(2_000_001), 'x.assistant-tests.json').errors[0], /at most 2000000/);
    assert.deepEqual(parseTestFile(`${'['.repeat(200)}${']'.repeat(200)}`, 'x.assistant-tests.json').errors, ['the file nests deeper than 64 levels; a test file may nest at most 64.']);
  });

  /** The problems of a file whose one case expects each schema in `schemas`. */
  const schemaErrors = (...schemas: object[]) =>
    parseTestFile(JSON.stringify({ version: 1, tests: [{ question: 'q', expect: schemas.map((value) => ({ type: 'json-schema', value })) }] }), 'x.assistant-tests.json').errors;

  it('refuses an asynchronous schema, at its root or in a subschema, in one sentence', () => {
    assert.deepEqual(schemaErrors({ $async: true, type: 'object' }, { properties: { city: { $async: true, type: 'string' } } }), [
      'tests.0.expect.0.value is asynchronous ("$async": true), which cannot be checked here; remove "$async".',
      'tests.0.expect.1.value is asynchronous ("$async": true), which cannot be checked here; remove "$async".',
    ]);
  });

  it('makes a schema Ajv cannot read a problem of its expectation instead of throwing: another $schema, a $schema not a text, a reference to a schema it does not hold', () => {
    assert.deepEqual(schemaErrors({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }, { $schema: 'http://json-schema.org/draft-04/schema#' }), [
      'tests.0.expect.0.value names "$schema": "https://json-schema.org/draft/2020-12/schema", which the runner does not support; use "http://json-schema.org/draft-07/schema#" or leave "$schema" out.',
      'tests.0.expect.1.value names "$schema": "http://json-schema.org/draft-04/schema#", which the runner does not support; use "http://json-schema.org/draft-07/schema#" or leave "$schema" out.',
    ]);
    assert.match(schemaErrors({ $schema: 7 }).join(), /value has a "\$schema" that is not a text/);
    assert.match(schemaErrors({ $ref: 'city.schema.json' }).join(), /value refers to "city\.schema\.json", which it does not hold/);
    assert.deepEqual(schemaErrors({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }, { $schema: 'http://json-schema.org/draft-07/schema' }), []);
  });

  it('refuses a schema with a keyword or a format the runner would skip, naming it, and takes the keywords it checks', () => {
    assert.deepEqual(schemaErrors({ type: 'object', requried: ['city'] }, { prefixItems: [{ type: 'string' }] }, { dependentRequired: { a: ['b'] } }, { unevaluatedProperties: false }), [
      'tests.0.expect.0.value uses "requried", which is not a draft-07 keyword the runner checks; correct its spelling or remove it.',
      'tests.0.expect.1.value uses "prefixItems", which is not a draft-07 keyword the runner checks; correct its spelling or remove it.',
      'tests.0.expect.2.value uses "dependentRequired", which is not a draft-07 keyword the runner checks; correct its spelling or remove it.',
      'tests.0.expect.3.value uses "unevaluatedProperties", which is not a draft-07 keyword the runner checks; correct its spelling or remove it.',
    ]);
    assert.deepEqual(schemaErrors({ type: 'string', format: 'email' }, { properties: { at: { type: 'string', format: 'date-time' } } }), [
      'tests.0.expect.0.value uses the format "email", which the runner cannot check (it checks no formats); remove it, or use a pattern.',
      'tests.0.expect.1.value uses the format "date-time", which the runner cannot check (it checks no formats); remove it, or use a pattern.',
    ]);
    assert.match(schemaErrors({ if: { type: 'string' } }).join(), /value holds a part the runner would ignore \("if" without "then" and "else" is ignored\); complete or remove it\./);
    const checked = { title: 'T', description: 'd', $comment: 'c', default: {}, examples: [{}], type: 'object', required: ['a'], properties: { a: { type: 'string', minLength: 1 } }, patternProperties: { '^a': { type: 'string' } }, dependencies: { a: ['b'] }, if: { required: ['a'] }, then: { required: ['b'] } };
    assert.deepEqual(schemaErrors(checked, { items: [{ type: 'string' }], additionalItems: false, contains: { const: 1 } }), []);
  });

  it('reads schemas sharing an $id, in one file and in files read again', () => {
    const city = { $id: 'https://example.com/city.json', type: 'object', properties: { name: { $id: 'https://example.com/name.json', type: 'string' } } };
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(schemaErrors(city, { ...city, required: ['name'] }), []);
      assert.deepEqual(schemaErrors(structuredClone(city)), []);
    }
  });

  it('refuses a YAML file nested far past what its parser recurses through, in a sentence before parsing; brackets in quotes and comments do not count', () => {
    const deep = 'the file nests deeper than 64 levels; a test file may nest at most 64.';
    for (const text of ['['.repeat(500_000), `tests:\n  - question: ${'{a: '.repeat(100_000)}`, `tests:\n  - question: it's ${'['.repeat(300_000)}`]) {
      assert.deepEqual(parseTestFile(text, 'x.assistant-tests.yaml').errors, [deep]);
    }
    const quoted = `version: 1\nassistant: a.assistant.json\n# ${'['.repeat(100)}\ntests:\n  - question: "${'['.repeat(100)}"\n    expect: [{type: contains, value: '${'{'.repeat(100)}'}]\n`;
    assert.deepEqual(parseTestFile(quoted, 'x.assistant-tests.yaml').errors, []);
  });

  it('refuses block YAML nested by indentation past what its parser recurses through in the same sentence, not the parser\'s stack overflow', () => {
    const deep = 'the file nests deeper than 64 levels; a test file may nest at most 64.';
    const maps = (n: number) => `version: 1\ntests:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 2)}a:`).join('\n')} x\n`;
    const seqs = (n: number) => `${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}-`).join('\n')} x\n`;
    for (const text of [maps(1000), maps(1900), seqs(1000), `${'- '.repeat(3000)}x\n`, maps(100)]) {
      assert.deepEqual(parseTestFile(text, 'x.assistant-tests.yaml').errors, [deep], text.slice(0, 40));
    }
  });

  it('reads a file\'s bytes without a leading byte order mark, and keeps one further in', () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    assert.equal(testFileText(encode('\ufeff{"version":1,"tests":[]}')), '{"version":1,"tests":[]}');
    assert.equal(testFileText(encode('\ufeffversion: 1\ntests: []\n')), 'version: 1\ntests: []\n');
    assert.equal(testFileText(encode('version: 1\n# \ufeff\n')), 'version: 1\n# \ufeff\n');
    assert.deepEqual(parseTestFile(testFileText(encode('\ufeff{"version":1,"tests":[]}')), 'x.assistant-tests.json').errors, []);
  });

  it("imports promptfoo's vars and assert where they map, and names the asserts left out", () => {
    const promptfoo = {
      tests: [
        {
          description: 'Capital',
          vars: { question: 'Capital of France?' },
          assert: [
            { type: 'icontains', value: 'paris' },
            { type: 'not-contains', value: 'London' },
            { type: 'regex', value: '^[A-Z]' },
            { type: 'is-json' },
            { type: 'llm-rubric', value: 'Names one city.' },
            { type: 'cost', threshold: 0.002 },
            { type: 'latency', threshold: 5000 },
            { type: 'javascript', value: 'output.length < 100' },
            { type: 'similar', value: 'Paris' },
          ],
        },
        { vars: { topic: 'bananas' }, assert: [{ type: 'contains', value: 'banana' }] },
      ],
    };
    const parsed = parseTestFile(JSON.stringify(promptfoo), 'x.assistant-tests.json');
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.file?.tests[0], {
      name: 'Capital',
      question: 'Capital of France?',
      expect: [
        { type: 'icontains', value: 'paris' },
        { type: 'not-contains', value: 'London' },
        { type: 'regex', value: '^[A-Z]' },
        { type: 'json-schema' },
        { type: 'rubric', value: 'Names one city.' },
        { type: 'max-cost', value: 0.002 },
        { type: 'max-latency', value: 5000 },
      ],
    });
    assert.equal(parsed.file?.tests[1].question, 'bananas', 'a single var is the question');
    assert.deepEqual(parsed.skipped, ['tests.0: assert type "javascript" is not imported (it runs code).', 'tests.0: assert type "similar" is not imported.']);
  });

  it('finds the assistant of a test file by its name, and labels cases', () => {
    assert.ok(TEST_FILE_PATTERN.test('a/b/helper.assistant-tests.yaml'));
    assert.ok(!TEST_FILE_PATTERN.test('helper.assistant.json'));
    assert.equal(assistantFileName({ version: 1, tests: [] }, '/w/.assistants/helper.assistant-tests.yml'), 'helper.assistant.json');
    assert.equal(assistantFileName({ version: 1, assistant: '../other.assistant.json', tests: [] }, 'x.assistant-tests.json'), '../other.assistant.json');
    assert.equal(caseLabel({ question: 'First line\nsecond' }, 0), 'First line');
    assert.equal(caseLabel({ name: 'Named', question: 'q' }, 0), 'Named');
  });
});

describe('where a test file lives, as the Test Explorer says it', () => {
  it('names the workspace folder first when the window has more than one, so two of one path in two folders read apart', () => {
    const where = [testFileWhere('tests', 'api', 2), testFileWhere('tests', 'web', 2)];
    assert.deepEqual(where, ['api · tests', 'web · tests']);
    assert.notEqual(where[0], where[1]);
    assert.equal(testFileWhere('.', 'api', 3), 'api', 'at the top of a folder: the folder alone');
    assert.equal(testFileWhere('tests\\unit', 'web', 2), 'web · tests/unit', 'one separator whatever the platform');
  });

  it('names only the folder inside the workspace folder when there is one workspace folder', () => {
    assert.equal(testFileWhere('tests', 'api', 1), 'tests');
    assert.equal(testFileWhere('.', 'api', 1), '');
    assert.equal(testFileWhere('a/b', undefined, 1), 'a/b');
  });
});
