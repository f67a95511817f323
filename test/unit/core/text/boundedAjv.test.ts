import * as assert from 'node:assert/strict';
import { parseAssistantFile, validateJsonSchema } from '../../../../src/core/assistants/assistantFile';
import { check } from '../../../../src/core/assistantTests/expectations';
import { parseTestFile } from '../../../../src/core/assistantTests/testFile';
import { boundedAjv, SCHEMA_MAX_ENUM_VALUES } from '../../../../src/core/text/boundedAjv';
import { parseCustomArguments } from '../../../../src/core/functions/customFunctions';
import { assertPrompt, startClock } from '../../support/prompt';

/** Lists as a repository or a model may write them: each quadratic to check pairwise (Ajv's own `uniqueItems` took minutes on them). */
const lists: Array<[string, unknown[]]> = [
  ['200,000 numbers', Array.from({ length: 200_000 }, (_, i) => i)],
  ['100,000 objects', Array.from({ length: 100_000 }, (_, i) => ({ id: i, tags: ['a'] }))],
  ['100,000 strings', Array.from({ length: 100_000 }, (_, i) => `s${i}`)],
  ['50,000 arrays', Array.from({ length: 50_000 }, (_, i) => [i, 'x'])],
];

const fileWith = (enumValues: unknown[]) =>
  JSON.stringify({ version: 1, name: 'X', model: 'gpt-4.1', tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { e: { enum: enumValues } } } } }] });

const answer = (text: string) => ({ text, toolCalls: [], citations: [], latencyMs: 0 });
const grade = async () => ({ pass: true, reason: '' });

describe('uniqueItems is checked in linear time, wherever a schema or a value comes from', () => {
  for (const [label, list] of lists) {
    const most = list.slice(0, SCHEMA_MAX_ENUM_VALUES);
    it(`an assistant file whose parameters have an enum of ${most.length.toLocaleString('en-US')} of ${label} is read, and one of all of them is listed with the reason, at once`, () => {
      assert.deepEqual(parseAssistantFile(fileWith(most)).errors, []);
      const clock = startClock();
      const { errors } = parseAssistantFile(fileWith(list));
      assertPrompt('reading it', clock);
      assert.match(errors.map((error) => error.message).join(' '), /enums list more than 10,000 values/);
    });

    it(`the form's schema field takes an enum of ${most.length.toLocaleString('en-US')} of ${label}, and refuses one of all of them`, () => {
      assert.deepEqual(validateJsonSchema({ type: 'string', enum: most }, false), []);
      assert.match(validateJsonSchema({ type: 'string', enum: list }, false).map((error) => error.message).join(' '), /enums list more than 10,000 values/);
    });

    it(`a call's argument of ${label} under uniqueItems is checked`, () => {
      const fn = { definition: { name: 'f', parameters: { type: 'object', properties: { list: { type: 'array', uniqueItems: true } } } } };
      assert.equal(parseCustomArguments(fn, JSON.stringify({ list })).ok, true);
      const doubled = parseCustomArguments(fn, JSON.stringify({ list: [...list, list[list.length - 1]] }));
      assert.equal(doubled.ok, false);
    });
  }

  it('a test file with a json-schema expectation whose enum has 10,000 objects is read; one whose enums add up to 60,000 is refused', () => {
    const file = (length: number, copies: number) => ({ version: 1, tests: [{ question: 'q', expect: [{ type: 'json-schema', value: { anyOf: Array.from({ length: copies }, () => ({ enum: Array.from({ length }, (_, i) => ({ id: i, tags: ['a'] })) })) } }] }] });
    assert.deepEqual(parseTestFile(JSON.stringify(file(10_000, 1)), 'x.assistant-tests.json').errors, []);
    assert.match(JSON.stringify(parseTestFile(JSON.stringify(file(10_000, 6)), 'x.assistant-tests.json').errors), /enums list more than 10,000 values/);
    assert.match(JSON.stringify(parseTestFile(JSON.stringify(file(60_000, 1)), 'x.assistant-tests.json').errors), /enums list more than 10,000 values/);
  });

  it('an answer of 70,000 objects is checked against a uniqueItems schema', async () => {
    const items = Array.from({ length: 70_000 }, (_, i) => ({ n: i }));
    assert.equal((await check({ type: 'json-schema', value: { type: 'array', uniqueItems: true } }, answer(JSON.stringify(items)), grade)).pass, true);
    const verdict = await check({ type: 'json-schema', value: { type: 'array', uniqueItems: true } }, answer(JSON.stringify([...items, { n: 7 }])), grade);
    assert.equal(verdict.pass, false);
    assert.match(verdict.reason ?? '', /must NOT have duplicate items \(items ## 70000 and 7 are identical\)/);
  });

  it('still finds duplicates as Ajv does: objects equal whatever the order of their keys, and only when asked', () => {
    const validate = boundedAjv().compile({ type: 'array', uniqueItems: true });
    assert.equal(validate([{ a: 1, b: [2, { c: 3, d: 4 }] }, { b: [2, { d: 4, c: 3 }], a: 1 }]), false);
    assert.equal(validate([{ a: 1 }, { a: '1' }, [1], 1, '1', null, true]), true);
    assert.equal(validate([{ __proto__: 1 }, { __proto__: 1 }].map((item) => JSON.parse(JSON.stringify(item)) as unknown)), false);
    assert.equal(boundedAjv().compile({ type: 'array', uniqueItems: false })([1, 1]), true);
    assert.deepEqual(validateJsonSchema({ type: 'string', enum: ['a', 'a'] }, false).length > 0, true);
  });
});

describe('every check ends in bounded time, whoever wrote the schema', () => {
  /** `levels` definitions, each trying both of its two branches on the same value. */
  const doubling = (applicator: 'anyOf' | 'oneOf' | 'allOf', levels: number, leaf: object) => ({
    $ref: '#/definitions/l0',
    definitions: Object.fromEntries([...Array.from({ length: levels }, (_, i) => [`l${i}`, { [applicator]: [{ $ref: `#/definitions/l${i + 1}` }, { $ref: `#/definitions/l${i + 1}` }] }]), [`l${levels}`, leaf]]),
  });

  it('a test expectation whose schema doubles its work at each level fails saying so, quickly', async () => {
    for (const [label, schema, value] of [
      ['anyOf, 40 levels', doubling('anyOf', 40, { type: 'string', minLength: 5 }), '"a"'],
      ['oneOf, 35 levels', doubling('oneOf', 35, { type: 'number' }), '"a"'],
      ['allOf, 40 levels, every branch passing', doubling('allOf', 40, { type: 'string' }), '"a"'],
      ['a $ref loop', { $ref: '#/definitions/a', definitions: { a: { $ref: '#/definitions/b' }, b: { allOf: [{ $ref: '#/definitions/a' }] } } }, '1'],
    ] as const) {
      const clock = startClock();
      const verdict = await check({ type: 'json-schema', value: schema }, answer(value), grade);
      assertPrompt(label, clock);
      assert.equal(verdict.pass, false, label);
      assert.match(verdict.reason ?? '', /cannot be checked/, label);
    }
  });

  it('one check against an enum of 10,000 items is made; 30,000 of them are not', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
    const once = boundedAjv().compile({ type: 'object', properties: { e: { enum: values } } });
    assert.equal(once({ e: 'v9999' }), true);
    assert.equal(once({ e: 'nope' }), false);
    const many = boundedAjv().compile({ type: 'array', items: { enum: values } });
    assert.equal(many(Array.from({ length: 30_000 }, () => 'v1')), false);
    assert.match(many.errors?.[0]?.message ?? '', /cannot be checked in bounded time/);
  });

  it('a schema whose enums add up past 10,000 values is refused before it is compiled, in one enum or spread over many', () => {
    for (const schema of [
      { enum: Array.from({ length: 10_001 }, (_, i) => i) },
      { type: 'object', properties: Object.fromEntries(Array.from({ length: 11 }, (_, p) => [`p${p}`, { enum: Array.from({ length: 1_000 }, (_, i) => ({ i })) }])) },
      { anyOf: [{ enum: Array.from({ length: 6_000 }, (_, i) => `a${i}`) }, { items: { enum: Array.from({ length: 6_000 }, (_, i) => [i]) } }] },
    ]) {
      assert.throws(() => boundedAjv().compile(schema), /the schema's enums list more than 10,000 values/);
    }
  });

  it('patterns tried on every key of a large value count as steps: 100 patterns on 100,000 keys stop', () => {
    const patternProperties = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`^k${i}[a-z]{5,40}z$`, { type: 'number' }]));
    const validate = boundedAjv().compile({ type: 'object', patternProperties });
    for (const count of [100_000, 30_000]) {
      const value = Object.fromEntries(Array.from({ length: count }, (_, i) => [`key${i}abcdefghijklmnopqrstuvwxyz`, 1]));
      const clock = startClock();
      assert.equal(validate(value), false);
      assertPrompt(`${count} keys`, clock);
      assert.match(validate.errors?.[0]?.message ?? '', /cannot be checked in bounded time/);
    }
    assert.equal(validate({ k1abcdez: 1, other: 'x' }), true);
    assert.equal(validate({ k1abcdez: 'not a number' }), false);
    assert.match(validate.errors?.[0]?.message ?? '', /must be number/);
  });

  it('alternatives that fail are counted as they are tried: chains of 17 levels whose every branch fails stop', () => {
    // Counted after a schema's other keywords, a branch that failed, and an anyOf none of whose branches
    // passed, counted nothing: 2^18 subschemas ran whole (17 levels), and 40 levels held the host 4 times longer.
    const chain = (applicator: 'anyOf' | 'oneOf', levels: number, leaf: object) => ({
      $ref: '#/definitions/l0',
      definitions: Object.fromEntries([...Array.from({ length: levels }, (_, i) => [`l${i}`, { [applicator]: [{ $ref: `#/definitions/l${i + 1}` }, { $ref: `#/definitions/l${i + 1}` }] }]), [`l${levels}`, leaf]]),
    });
    const wrapped = (levels: number) => ({
      $ref: '#/definitions/l0',
      definitions: Object.fromEntries([...Array.from({ length: levels }, (_, i) => [`l${i}`, { anyOf: [{ allOf: [{ $ref: `#/definitions/l${i + 1}` }] }, { type: 'object', $ref: `#/definitions/l${i + 1}` }] }]), [`l${levels}`, { type: 'string', pattern: '^b' }]]),
    });
    for (const [label, schema, value] of [
      ['anyOf of $refs, a number expected', chain('anyOf', 17, { type: 'number' }), 'a'],
      ['oneOf of $refs, five characters expected', chain('oneOf', 17, { type: 'string', minLength: 5 }), 'a'],
      ['anyOf of a wrapped $ref and a typed one, a pattern expected', wrapped(17), 'a'],
    ] as const) {
      const validate = boundedAjv().compile(schema);
      assert.equal(validate(value), false, label);
      assert.match(validate.errors?.[0]?.message ?? '', /cannot be checked in bounded time/, label);
    }
    assert.equal(boundedAjv().compile(chain('anyOf', 17, { type: 'number' }))(1), true, 'a value the first branches take is checked as ever');
  });

  it('a pattern tried on long texts counts its characters: 30 strings or keys of 2,000 characters on a pattern of 900 instructions stop', () => {
    // One test of 2,000 characters on `a.{900}c` may take 20 to 40 ms; at one step per 1,000 characters times
    // instructions, 30 strings of 11,000 characters in a call's arguments held the host for a second.
    const text = (i: number) => `${'a'.repeat(499)}c`.repeat(4).slice(i);
    const strings = { type: 'object', properties: { xs: { type: 'array', items: { type: 'string', pattern: 'a.{900}c' } } } };
    const keys = { type: 'object', patternProperties: { 'a.{900}c': { type: 'string' } } };
    for (const [label, schema, value] of [
      ['strings', strings, { xs: Array.from({ length: 30 }, (_, i) => text(i)) }],
      ['keys', keys, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [text(i), 'v']))],
    ] as const) {
      const validate = boundedAjv().compile(schema);
      assert.equal(validate(value), false, label);
      assert.match(validate.errors?.[0]?.message ?? '', /cannot be checked in bounded time/, label);
      assert.equal(validate(label === 'strings' ? { xs: [text(0), text(1)] } : { [text(0)]: 'v', [text(1)]: 'v' }), true, `two such ${label} are checked`);
    }
    const tooLong = boundedAjv().compile(strings);
    assert.equal(tooLong({ xs: [text(0).repeat(2)] }), false);
    assert.match(tooLong.errors?.[0]?.message ?? '', /cannot be checked: a text of 4000 characters is too long to match against the regular expression "a\.\{900\}c" in bounded time \(at most 2212 characters for it\)/);
  });

  it('the step keywords stay out of sight: names, values and errors are the schema\'s own', () => {
    const validate = boundedAjv({ allErrors: true }).compile({ type: 'object', properties: { enum: { enum: [{ a: 1 }] }, properties: { type: 'string' } }, required: ['enum'], additionalProperties: false });
    assert.equal(validate({ enum: { a: 1 }, properties: 'x' }), true);
    assert.equal(validate({ enum: { a: 1, b: 2 } }), false);
    assert.deepEqual(validate.errors?.map((error) => error.keyword), ['enum']);
    assert.equal(validate({ enum: { a: 1 }, 'x-assistants-bounded-step': 1 }), false, 'additionalProperties still refuses any other key');
  });
});
