import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addTestCase, draftTestCase } from '../../../../src/core/assistantTests/draftCase';
import { parseTestFile, TEST_CASE_LIMITS } from '../../../../src/core/assistantTests/testFile';
import { check } from '../../../../src/core/assistantTests/expectations';

const sample = fs.readFileSync(path.join(__dirname, '../../../../sample-workspace/.assistants/workspace-helper.assistant-tests.json'), 'utf8');

describe('a test case drafted from a compared answer', () => {
  it('takes the question, its attachments, and the first words of the answer\'s first sentence as what it must contain', () => {
    assert.deepEqual(draftTestCase('What is a monad?', ['src/a.ts'], '## Monads\n\nA **monad** is a `type` with bind and return. It composes.'), {
      question: 'What is a monad?',
      attachments: ['src/a.ts'],
      expect: [{ type: 'contains', value: 'Monads' }],
    });
    assert.deepEqual(draftTestCase('Q', [], '```js\nx()\n```\n- Use the first one: it is the fastest of all the ones that were measured here.').expect, [{ type: 'contains', value: 'Use the first one' }]);
    assert.deepEqual(draftTestCase('Q', [], 'Short answer'), { question: 'Q', expect: [{ type: 'contains', value: 'Short answer' }] });
    assert.deepEqual(draftTestCase('Q', [], '  \n```\n```'), { question: 'Q' }, 'no words, no expectation');
    assert.deepEqual(draftTestCase('Q', [], `${'\n'.repeat(30_000)}Words after the first 20,000 characters.`), { question: 'Q' }, 'only the start of a long answer is read');
    assert.deepEqual(draftTestCase('Q', [], `${'```\ncode\n```\n'.repeat(2_000)}Prose.`), { question: 'Q' }, 'nor past the first 20,000 characters of code');
  });

  it('drafts a phrase the runner finds in the raw answer it was drafted from, Markdown marks and all', async () => {
    const drafted: Array<[string, string]> = [
      ['**Paris** is the capital of France.', 'is the capital of France'],
      ['Run `npm install` first, then build.', 'first, then build'],
      ['Set max_tokens to 100.', 'Set max_tokens to 100'],
      ['See [the docs](https://example.com) for details.', 'the docs'],
      ['A **monad** is a type', 'is a type'],
      ['~~Old~~ New  and\tspaced  words here.', 'New  and\tspaced  words here'],
      ['Привет, **мир**.', 'Привет'],
    ];
    for (const [answer, phrase] of drafted) {
      const expect = draftTestCase('Q', [], answer).expect;
      assert.deepEqual(expect, [{ type: 'contains', value: phrase }], answer);
      const verdict = await check(expect![0], { text: answer, toolCalls: [], citations: [], latencyMs: 1 }, async () => ({ pass: true, reason: '' }));
      assert.equal(verdict.pass, true, `${answer}: ${verdict.reason}`);
    }
  });

  it('drafts a case the parser reads, whatever the lengths of the question, the answer\'s words and the attachments', () => {
    const existing = JSON.stringify({ version: 1, tests: [{ question: 'a' }] }, null, 2);
    const minified = JSON.stringify({ items: Array.from({ length: 600 }, (_, i) => ({ id: i, name: `item-${i}` })) }).replace(/[[\]]/g, '');
    const drafts: Array<[string, string, string[], string]> = [
      ['a word longer than a value may be', 'q', [], `${'x'.repeat(15_000)} more.`],
      ['a minified JSON answer', 'List the items as JSON', [], minified],
      ['a question longer than a question may be', 'q'.repeat(TEST_CASE_LIMITS.question + 1), [], 'ok'],
      ['a question cut inside an emoji', `${'q'.repeat(TEST_CASE_LIMITS.question - 1)}😀`, [], `${'y'.repeat(TEST_CASE_LIMITS.containsValue - 1)}😀`],
      ['an attachment path longer than a path may be', 'q', ['a'.repeat(TEST_CASE_LIMITS.attachment + 1), 'src/a.ts', ''], 'ok'],
      ['more attachments than a case may have', 'q', Array.from({ length: TEST_CASE_LIMITS.attachments + 5 }, (_, i) => `f${i}.txt`), 'ok'],
    ];
    for (const [label, question, attachments, answer] of drafts) {
      const test = draftTestCase(question, attachments, answer);
      for (const name of ['x.assistant-tests.json', 'x.assistant-tests.yaml']) {
        const text = addTestCase(name.endsWith('.json') ? existing : 'version: 1\ntests:\n  - question: a\n', name, test).text;
        const parsed = parseTestFile(text, name);
        assert.deepEqual(parsed.errors, [], `${label} (${name})`);
        assert.deepEqual(parsed.file!.tests.at(-1), test, label);
      }
      assert.ok(question.startsWith(test.question), label);
      assert.ok(!/[\ud800-\udbff]$/.test(test.question), `${label}: no half of a surrogate pair`);
      const value = (test.expect?.[0] as { value?: string } | undefined)?.value;
      if (value !== undefined) assert.ok(answer.includes(value) && value.length <= TEST_CASE_LIMITS.containsValue, label);
    }
    assert.deepEqual(draftTestCase('q', ['a'.repeat(TEST_CASE_LIMITS.attachment + 1), 'src/a.ts', ''], 'ok').attachments, ['src/a.ts'], 'a path too long is left out, not cut');
    assert.equal(draftTestCase('q', Array.from({ length: 30 }, (_, i) => `f${i}`), 'ok').attachments?.length, TEST_CASE_LIMITS.attachments);
    assert.throws(() => draftTestCase('', [], 'ok'), /no question to save/);
  });

  it('adds the case at the end of a JSON file, keeping every other character, and says the line of its question', () => {
    const test = draftTestCase('Which "file" do I\nedit?', [], 'The first one.');
    const { text, line } = addTestCase(sample, 'workspace-helper.assistant-tests.json', test);
    assert.ok(text.startsWith(sample.slice(0, sample.lastIndexOf('}\n  ]'))), 'what came before is untouched');
    const parsed = parseTestFile(text, 'x.assistant-tests.json');
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.file!.tests.at(-1), test);
    assert.equal(parsed.file!.tests.length, parseTestFile(sample, 'x.assistant-tests.json').file!.tests.length + 1);
    assert.match(text.split('\n')[line], /"question": "Which \\"file\\" do I\\nedit\?"/);
    assert.match(text.split('\n')[line], /^ {6}"question"/, 'indented as the other cases');
  });

  it('adds to an empty or one-line tests list, and to YAML keeping its comments', () => {
    const test = { question: 'Hi?' };
    for (const existing of ['{"version":1,"tests":[]}', '{"version": 1, "tests": [{"question": "a \\"]\\" b"}]}']) {
      const { text } = addTestCase(existing, 'a.assistant-tests.json', test);
      assert.deepEqual(parseTestFile(text, 'a.assistant-tests.json').file?.tests.at(-1), test, text);
    }
    const yaml = '# the helper\'s tests\nversion: 1\ntests:\n  - question: First?\n';
    const added = addTestCase(yaml, 'a.assistant-tests.yaml', test);
    assert.ok(added.text.startsWith('# the helper\'s tests'));
    assert.deepEqual(parseTestFile(added.text, 'a.assistant-tests.yaml').file?.tests.map((t) => t.question), ['First?', 'Hi?']);
    assert.match(added.text.split('\n')[added.line], /Hi\?/);
  });

  it('adds to a file that starts with a byte order mark, keeping it (JSON and YAML)', () => {
    for (const [existing, name] of [['\ufeff{"version":1,"tests":[]}', 'a.assistant-tests.json'], ['\ufeffversion: 1\ntests:\n  - question: a\n', 'a.assistant-tests.yaml']]) {
      const { text } = addTestCase(existing, name, { question: 'Hi?' });
      assert.ok(text.startsWith('\ufeff') && !text.startsWith('\ufeff\ufeff'), name);
      assert.equal(parseTestFile(text.slice(1), name).file?.tests.at(-1)?.question, 'Hi?');
    }
  });

  it('makes a new file naming its schema and, when the names differ, the assistant', () => {
    const { text, line } = addTestCase(undefined, 'helper.assistant-tests.json', { question: 'New?' }, { schema: 'https://example.com/s.json', assistant: 'helper.json' });
    const parsed = parseTestFile(text, 'helper.assistant-tests.json');
    assert.deepEqual(parsed.file, { $schema: 'https://example.com/s.json', version: 1, assistant: 'helper.json', tests: [{ question: 'New?' }] });
    assert.match(text.split('\n')[line], /New\?/);
    const yaml = addTestCase(undefined, 'helper.assistant-tests.yml', { question: 'New?' });
    assert.deepEqual(parseTestFile(yaml.text, 'helper.assistant-tests.yml').file?.tests, [{ question: 'New?' }]);
  });

  it('changes nothing in a file it cannot read as a test file, and says why', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"version": 1, "tests": [', /not valid JSON/],
      ['{"version": 2, "tests": []}', /version/],
      ['{"tests": [{"vars": {"question": "x"}, "assert": []}]}', /promptfoo/],
      ['version: 1\ntests: nope\n', /tests/],
    ];
    for (const [text, why] of cases) {
      const name = text.startsWith('{') ? 'a.assistant-tests.json' : 'a.assistant-tests.yaml';
      assert.throws(() => addTestCase(text, name, { question: 'Q' }), (error: Error) => why.test(error.message) && /was not added to a\.assistant-tests/.test(error.message), text);
    }
  });
});
