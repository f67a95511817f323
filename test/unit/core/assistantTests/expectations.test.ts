import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CaseResult } from '../../../../src/core/assistantTests/runner';
import type { Expectation } from '../../../../src/core/assistantTests/testFile';
import { startBench } from './harness';
import type { TestBench } from './harness';

/** Runs `expect` on the default answer to `question` and returns the case. */
async function verdict(bench: TestBench, expect: Expectation, question = 'What is a monad?'): Promise<CaseResult> {
  return bench.runCase({ question, expect: [expect] });
}

function assertFails(result: CaseResult, reason: RegExp): void {
  assert.equal(result.pass, false, 'the case fails');
  assert.match(result.failure?.reason ?? '', reason);
}

describe('assistant tests: every expectation kind against the fake server', () => {
  let bench: TestBench;
  beforeEach(async () => {
    bench = await startBench();
  });
  afterEach(() => bench.close());

  it('contains, icontains, not-contains and not-icontains pass and fail on the answer text', async () => {
    // The fake answers "You asked: *What is a monad?*" with a heading, a list and a code block.
    assert.equal((await verdict(bench, { type: 'contains', value: 'You asked' })).pass, true);
    const missing = await verdict(bench, { type: 'contains', value: 'you asked' });
    assertFails(missing, /does not contain "you asked"/);
    assert.equal(missing.failure?.expected, 'you asked');
    assert.match(missing.failure?.actual ?? '', /You asked: \*What is a monad\?\*/);
    assert.equal((await verdict(bench, { type: 'icontains', value: 'YOU ASKED' })).pass, true);
    assertFails(await verdict(bench, { type: 'icontains', value: 'functor' }), /does not contain "functor" \(ignoring case\)/);
    assert.equal((await verdict(bench, { type: 'not-contains', value: 'functor' })).pass, true);
    assertFails(await verdict(bench, { type: 'not-contains', value: 'offline fake server' }), /contains "offline fake server"/);
    assert.equal((await verdict(bench, { type: 'not-icontains', value: 'FUNCTOR' })).pass, true);
    assertFails(await verdict(bench, { type: 'not-icontains', value: 'OFFLINE' }), /contains "OFFLINE"/);
  });

  it('regex and not-regex match in linear time, and a pattern RE2 cannot take fails with a sentence', async () => {
    assert.equal((await verdict(bench, { type: 'regex', value: '^## Answer' })).pass, true);
    assertFails(await verdict(bench, { type: 'regex', value: '^## Question' }), /does not match \/\^## Question\//);
    assert.equal((await verdict(bench, { type: 'regex', value: 'MONAD', ignoreCase: true })).pass, true);
    assertFails(await verdict(bench, { type: 'not-regex', value: 'mon.d' }), /matches \/mon\.d\//);
    assert.equal((await verdict(bench, { type: 'not-regex', value: 'functor' })).pass, true);
    // A backtracking engine takes hours on this; RE2 answers at once.
    const question = `${'a'.repeat(100)}!`;
    assert.equal((await verdict(bench, { type: 'not-regex', value: '(a+)+$' }, question)).pass, true);
    assertFails(await verdict(bench, { type: 'regex', value: '(a)\\1' }), /cannot be used/);
  });

  it('json-schema passes a JSON answer matching the schema and fails one that does not, or is no JSON', async () => {
    bench.fake.model.enqueue({ steps: [{ type: 'text', text: '```json\n{"city": "Paris", "days": 3}\n```' }] });
    const schema = { type: 'object', required: ['city', 'days'], properties: { city: { type: 'string', pattern: '^[A-Z]' }, days: { type: 'integer' } } };
    assert.equal((await verdict(bench, { type: 'json-schema', value: schema })).pass, true);
    bench.fake.model.enqueue({ steps: [{ type: 'text', text: '{"city": "Paris", "days": "three"}' }] });
    const wrong = await verdict(bench, { type: 'json-schema', value: schema });
    assertFails(wrong, /does not match the schema: data\/days must be integer/);
    assert.match(wrong.failure?.actual ?? '', /"three"/);
    assertFails(await verdict(bench, { type: 'json-schema' }), /is not JSON/);
    bench.fake.model.enqueue({ steps: [{ type: 'text', text: '[1, 2]' }] });
    assert.equal((await verdict(bench, { type: 'json-schema' })).pass, true, 'any JSON passes without a schema');
  });

  it('json-schema fails, and never passes, an asynchronous schema, whether or not the answer would match it', async () => {
    for (const schema of [{ $async: true, type: 'object' }, { $async: true, type: 'string' }, { definitions: { city: { $async: true, type: 'object' } }, $ref: '#/definitions/city' }]) {
      bench.fake.model.enqueue({ steps: [{ type: 'text', text: '{"city": "Paris"}' }] });
      assertFails(await verdict(bench, { type: 'json-schema', value: schema }), /^The schema is asynchronous \("\$async": true\), which cannot be checked here; remove "\$async"\.$/);
    }
  });

  it('json-schema fails a schema with a keyword or a format it cannot check, naming it, though the answer would pass without it', async () => {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: 'object', requried: ['days'] }, /^The schema uses "requried", which is not a draft-07 keyword/],
      [{ type: 'object', unevaluatedProperties: false }, /^The schema uses "unevaluatedProperties"/],
      [{ type: 'object', properties: { city: { type: 'string', format: 'email' } } }, /^The schema uses the format "email", which the runner cannot check/],
      [{ type: 'object', properties: { city: { type: 'string', format: 'date-time' } } }, /^The schema uses the format "date-time"/],
      [{ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }, /^The schema names "\$schema": "https:\/\/json-schema\.org\/draft\/2020-12\/schema", which the runner does not support/],
    ];
    for (const [schema, reason] of refused) {
      bench.fake.model.enqueue({ steps: [{ type: 'text', text: '{"city": "Paris"}' }] });
      assertFails(await verdict(bench, { type: 'json-schema', value: schema }), reason);
    }
  });

  it('json-schema checks schemas sharing an $id, and the same answer again, alike', async () => {
    const city = () => ({ $id: 'https://example.com/city.json', type: 'object', required: ['city'], properties: { city: { $id: 'https://example.com/name.json', type: 'string' } } });
    for (const schema of [city(), city(), { ...city(), properties: { city: { $id: 'https://example.com/name.json', type: 'number' } } }, city()]) {
      bench.fake.model.enqueue({ steps: [{ type: 'text', text: '{"city": "Paris"}' }] });
      const result = await verdict(bench, { type: 'json-schema', value: schema });
      assert.equal(result.pass, schema.properties.city.type === 'string', result.failure?.reason);
    }
  });

  it('function-call passes when the function was called with matching arguments, and fails otherwise', async () => {
    const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } } } };
    await bench.writeAssistant('helper', { tools: [weather] });
    const question = 'call get_weather with {"city":"Paris","unit":"C"}';
    assert.equal((await verdict(bench, { type: 'function-call', name: 'get_weather', arguments: { city: 'Paris' } }, question)).pass, true);
    assert.equal((await verdict(bench, { type: 'function-call', name: 'get_weather' }, question)).pass, true);
    const other = await verdict(bench, { type: 'function-call', name: 'get_weather', arguments: { city: 'London' } }, question);
    assertFails(other, /never with these arguments/);
    assert.equal(other.failure?.actual, 'get_weather({"city":"Paris","unit":"C"})');
    assertFails(await verdict(bench, { type: 'function-call', name: 'get_time' }, question), /get_time was not called/);
    assertFails(await verdict(bench, { type: 'function-call', name: 'get_weather' }), /get_weather was not called/);
  });

  it('file-cited and tool-used read the run steps and citations (a file attached and searched, a file the code wrote)', async () => {
    await bench.writeAssistant('helper', { tools: [{ type: 'file_search' }] });
    await fs.writeFile(path.join(bench.root, 'notes.md'), '# Notes\n\nThe deploy runs every Friday.\n');
    const searched = await bench.runCase({ question: 'search the notes for deploys', attachments: ['notes.md'], expect: [{ type: 'file-cited', value: 'notes.md' }, { type: 'tool-used', value: 'file_search' }] });
    assert.equal(searched.pass, true, searched.failure?.reason);
    const notCited = await bench.runCase({ question: 'search the notes for deploys', attachments: ['notes.md'], expect: [{ type: 'file-cited', value: 'plan.md' }] });
    assertFails(notCited, /No citation names "plan.md"/);
    assert.match(notCited.failure?.actual ?? '', /notes\.md/);
    assertFails(await verdict(bench, { type: 'tool-used', value: 'file_search' }), /file_search tool was not used/);
    bench.fake.model.enqueue({ steps: [{ type: 'code_interpreter', code: 'print(1)', logs: '1', files: [{ path: '/mnt/data/report.csv', data: Buffer.from('a,b\n') }] }, { type: 'text', text: 'Wrote [report.csv](sandbox:/mnt/data/report.csv).' }] });
    const wrote = await bench.runCase({ expect: [{ type: 'file-cited', value: 'report.csv' }, { type: 'tool-used', value: 'code_interpreter' }] });
    assert.equal(wrote.pass, true, wrote.failure?.reason);
  });

  it('an attachment outside the workspace or on the deny list fails the case with the reason, uploading nothing', async () => {
    await fs.writeFile(path.join(bench.root, '.env'), 'KEY=1\n');
    const outside = await bench.runCase({ attachments: ['../elsewhere.md'], expect: [] });
    assertFails(outside, /The run failed: .*outside the workspace/);
    const denied = await bench.runCase({ attachments: ['.env'], expect: [] });
    assertFails(denied, /The run failed: Attachment "\.env"/);
    assert.equal(bench.fake.requests.filter((r) => r.path === '/v1/files').length, 0);
  });

  it('max-tokens, max-cost and max-latency pass under their limit and fail over it', async () => {
    const within = await bench.runCase({ expect: [{ type: 'max-tokens', value: 100_000 }, { type: 'max-cost', value: 1 }, { type: 'max-latency', value: 60_000 }] });
    assert.equal(within.pass, true, within.failure?.reason);
    assert.ok(within.usage && within.usage.totalTokens > 0, 'usage is reported');
    assert.ok(within.cost !== undefined && within.cost > 0, 'gpt-4.1-mini has a price');
    const tokens = await verdict(bench, { type: 'max-tokens', value: 5 });
    assertFails(tokens, /the run took \d+ tokens, more than 5/i);
    assertFails(await verdict(bench, { type: 'max-cost', value: 0 }), /cost \$0\.\d+, more than \$0/);
    let clock = 0;
    const slow = await startBench({ now: () => (clock += 700) });
    try {
      assertFails(await verdict(slow, { type: 'max-latency', value: 500 }), /took \d+ ms, more than 500 ms/);
      await slow.writeAssistant('helper', { model: 'house-model' });
      assertFails(await verdict(slow, { type: 'max-cost', value: 1 }), /cost is unknown: the model has no price/);
    } finally {
      await slow.close();
    }
  });

  it('rubric asks the grader assistant with a JSON response format, and passes or fails on its verdict and reason', async () => {
    await bench.writeAssistant('grader', { instructions: 'You grade answers strictly.' });
    bench.fake.model.enqueue({ steps: [{ type: 'text', text: 'A monad is a burrito.' }] }, { steps: [{ type: 'text', text: '{"pass": false, "reason": "It explains nothing about bind."}' }] });
    const failed = await verdict(bench, { type: 'rubric', value: 'Explains bind and return.' });
    assertFails(failed, /The grader failed it: It explains nothing about bind\./);
    assert.equal(failed.answer, 'A monad is a burrito.');
    const graderRequest = bench.fake.requests.filter((r) => r.method === 'POST' && /\/responses$/.test(r.path)).at(-1);
    const body = graderRequest?.body as { instructions?: string; text?: { format?: { type?: string } } };
    assert.equal(body.instructions, 'You grade answers strictly.');
    assert.equal(body.text?.format?.type, 'json_schema');
    const asked = bench.fake.requests.filter((r) => r.method === 'POST' && /\/items$/.test(r.path)).at(-1);
    assert.match(JSON.stringify(asked?.body), /Explains bind and return\..*A monad is a burrito\./);
    bench.fake.model.enqueue({ steps: [{ type: 'text', text: 'Bind chains, return wraps.' }] }, { steps: [{ type: 'text', text: '{"pass": true, "reason": "Both named."}' }] });
    assert.equal((await verdict(bench, { type: 'rubric', value: 'Explains bind and return.' })).pass, true);
    bench.fake.model.enqueue({ steps: [{ type: 'text', text: 'Bind chains.' }] }, { steps: [{ type: 'text', text: 'Looks fine to me!' }] });
    assertFails(await verdict(bench, { type: 'rubric', value: 'Explains bind.' }), /The grader failed it: it did not answer \{"pass", "reason"\} JSON/);
    assertFails(await bench.runCase({ expect: [{ type: 'rubric', value: 'x', grader: 'missing.assistant.json' }] }), /does not exist/);
  });
});
