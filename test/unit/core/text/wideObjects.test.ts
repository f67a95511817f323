import * as assert from 'node:assert/strict';
import { parseAssistantFile } from '../../../../src/core/assistants/assistantFile';
import { parseTestFile } from '../../../../src/core/assistantTests/testFile';
import { parseArguments } from '../../../../src/core/functions/registry';
import { boundedAjv } from '../../../../src/core/text/boundedAjv';
import { jsonObjectWiderThan, MAX_OBJECT_KEYS } from '../../../../src/core/text/jsonDepth';

/** An object of `count` keys, as JSON. */
const wide = (count: number) => JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i])));

describe('JSON from outside with an object of very many keys is refused before it is parsed', () => {
  it('counts the keys of each object, not colons in strings, keys of other objects, or items of arrays', () => {
    assert.equal(jsonObjectWiderThan('{"a":"x:y:z","b\\":":1,"c":{"d":1,"e":2}}', 3), false);
    assert.equal(jsonObjectWiderThan('{"a":1,"b":2,"c":3,"d":4}', 3), true);
    assert.equal(jsonObjectWiderThan(`[${Array.from({ length: 50 }, () => '{"a":1,"b":2}').join(',')}]`, 3), false);
    assert.equal(jsonObjectWiderThan(JSON.stringify({ list: Array.from({ length: 100 }, (_, i) => i), inner: { a: 1, b: 2, c: 3, d: 4 } }), 3), true);
    assert.equal(jsonObjectWiderThan('{"a":1,"b":', 1), true, 'text that is no JSON is read as far as it goes');
  });

  it(`a call's arguments with an object of more than ${MAX_OBJECT_KEYS.toLocaleString('en-US')} keys, at the top or nested (1,000,000 keys held the host 1.6 s), are refused in a sentence`, () => {
    const validate = boundedAjv().compile({ type: 'object', properties: { path: { type: 'string' } } });
    for (const json of [wide(1_000_000), `{"path":"a","extra":[1,${wide(MAX_OBJECT_KEYS + 1)}]}`]) {
      assert.deepEqual(parseArguments(json, validate), { ok: false, error: 'the arguments hold an object of more than 10,000 keys.' });
    }
    const fits = parseArguments(`{"path":"a","extra":${wide(MAX_OBJECT_KEYS - 1)}}`, validate);
    assert.equal(fits.ok, true, 'an object of 9,999 keys and one more beside it are read');
  });

  it('an assistant file with such an object (metadata of 200,000 keys, properties of 10,001) is listed with the reason', () => {
    const base = { version: 1, name: 'Wide', model: 'gpt-4.1' };
    const properties = Object.fromEntries(Array.from({ length: MAX_OBJECT_KEYS + 1 }, (_, i) => [`p${i}`, { type: 'string' }]));
    for (const file of [`{"version":1,"name":"Wide","model":"gpt-4.1","metadata":${wide(200_000)}}`, JSON.stringify({ ...base, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties } } }] })]) {
      assert.deepEqual(parseAssistantFile(file).errors, [{ path: '', message: "an object of the file holds more than 10,000 keys; an assistant file's objects hold tens" }]);
    }
    assert.deepEqual(parseAssistantFile(JSON.stringify({ ...base, metadata: { team: 'docs' } })).errors, []);
  });

  it('a JSON test file with such an object (an expected answer of 20,000 keys, a wide json-schema) is refused in a sentence', () => {
    const question = (expect: unknown) => JSON.stringify({ assistant: 'helper.assistant.json', tests: [{ question: 'Q?', expect: [expect] }] });
    for (const file of [question({ type: 'function-call', name: 'f', arguments: JSON.parse(wide(20_000)) as unknown }), question({ type: 'json-schema', value: { type: 'object', properties: JSON.parse(wide(MAX_OBJECT_KEYS + 1)) as unknown } })]) {
      assert.deepEqual(parseTestFile(file, 'x.assistant-tests.json').errors, ["an object of the file holds more than 10,000 keys; a test file's objects hold tens."]);
    }
  });
});
