import * as assert from 'node:assert/strict';
import { APIError } from 'openai';
import { keyPieces, redact, toAssistantsError } from '../../../src/backends/errorMapping';
import { createOpenAIClient } from '../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../src/backends/responses/responsesBackend';
import { StreamRedactor, secretTailStart } from '../../../src/backends/streamRedaction';
import type { RunEvent } from '../../../src/common/events';
import { madeUpKey } from '../../support/madeUpKeys';

const KEY = 'proxykey-0123456789abcdef-TOPSECRET';
const delta = (text: string, messageId = 'msg_1', index = 0): RunEvent => ({ type: 'message.delta', messageId, index, text });

/** Streams `text` in pieces of `size` through a redactor; returns what each handed-up delta carried. */
function stream(text: string, size: number, apiKey = KEY): string[] {
  const redactor = new StreamRedactor({ apiKey });
  const out: RunEvent[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...redactor.pass(delta(text.slice(i, i + size))));
  out.push(...redactor.flush());
  return out.map((event) => (event.type === 'message.delta' ? event.text : ''));
}

describe('StreamRedactor', () => {
  const answer = `Your key is ${KEY}, as configured. An OpenAI one: ${madeUpKey('sk-proj', 'FAKE4notArealKEY4fo')} done.`;

  for (const size of [1, 2, 3, 5, 8, 13, 40, answer.length]) {
    it(`masks a key split across deltas of ${size} characters, and keeps the rest of the text`, () => {
      const pieces = stream(answer, size);
      assert.equal(pieces.join(''), 'Your key is ***, as configured. An OpenAI one: sk-*** done.');
      for (const piece of pieces) {
        for (let i = 0; i + 6 <= KEY.length; i++) assert.ok(!piece.includes(KEY.slice(i, i + 6)), `a delta holds "${KEY.slice(i, i + 6)}"`);
        assert.ok(!/AbCdEf|0123456789xyz/.test(piece), `a delta holds part of the sk- key: ${piece}`);
      }
    });
  }

  it('releases held text when its message completes, before the completed event', () => {
    const redactor = new StreamRedactor({ apiKey: KEY });
    const first = redactor.pass(delta('Ask the prox'));
    assert.deepEqual(first, [delta('Ask the ')], 'a possible start of the key is held');
    const completed: RunEvent = { type: 'message.completed', message: { id: 'msg_1', role: 'assistant', content: [{ type: 'text', text: 'Ask the prox', annotations: [] }], createdAt: 0 } };
    const out = redactor.pass(completed);
    assert.deepEqual(out.map((e) => e.type), ['message.delta', 'message.completed']);
    assert.equal((out[0] as { text: string }).text, 'prox');
    assert.deepEqual(redactor.flush(), []);
  });

  it('holds per message part: text of another part or message is not delayed by it', () => {
    const redactor = new StreamRedactor({ apiKey: KEY });
    assert.deepEqual(redactor.pass(delta('key: proxykey-01')), [delta('key: ')]);
    // Text that ends in no character of the key is not held at all.
    assert.deepEqual(redactor.pass(delta('hi!', 'msg_2')), [delta('hi!', 'msg_2')]);
    assert.deepEqual(redactor.pass(delta('world.', 'msg_1', 1)), [delta('world.', 'msg_1', 1)]);
    assert.deepEqual(redactor.pass(delta('23456789abcdef-TOPSECRET!')), [delta('***!')]);
  });

  it('never releases the first part of a key a stream ended inside', () => {
    const redactor = new StreamRedactor({ apiKey: KEY });
    redactor.pass(delta('cut here: proxykey-012345'));
    const released = redactor.flush().map((e) => (e.type === 'message.delta' ? e.text : ''));
    assert.deepEqual(released, ['***']);
  });

  it('masks every other event whole, and releases held text when the run changes', () => {
    const redactor = new StreamRedactor({ apiKey: KEY });
    redactor.pass(delta('sk'));
    const error: RunEvent = { type: 'error', error: { code: 'server_error', message: `Bearer ${KEY} refused` } };
    const out = redactor.pass(error);
    assert.equal(out.length, 2);
    assert.deepEqual(out[0], delta('sk'));
    assert.deepEqual(out[1], { type: 'error', error: { code: 'server_error', message: 'Bearer *** refused' } });
  });
});

/** Keys of several shapes, each with the ways it may be quoted without its prefix. */
const SHAPED_KEYS = [
  { key: madeUpKey('sk-proj', 'FAKE1notArealKEY1forTESTSonly1FA'), quoted: ['proj-FAKE1notArealKEY1forTESTSonly1FA', 'FAKE1notArealKEY1forTESTSonly1FA', 'Y1forTESTSon'] },
  { key: madeUpKey('sk', 'FAKE2notArealKEY2forTESTSonly2'), quoted: ['FAKE2notArealKEY2forTESTSonly2', 'realKEY2forT'] },
  { key: madeUpKey('sk-svcacct', 'FAKE3notArealKEY3forTE'), quoted: ['svcacct-FAKE3notArealKEY3forTE', 'FAKE3notArealKEY3forTE'] },
  // Azure keys have no prefix at all: 32 hexadecimal characters.
  { key: '0123456789abcdef0fake0key0123456', quoted: ['0123456789abcdef0fake0key0123456', '89abcdef0fake0ke', 'cdef0fake0'] },
];

describe('a key quoted without its prefix, or in part', () => {
  for (const { key, quoted } of SHAPED_KEYS) {
    for (const quote of quoted) {
      it(`masks "${quote.slice(0, 6)}…" (${quote.length} characters of ${key.slice(0, 6)}…) in an error, a polled answer and a stream split anywhere`, () => {
        const text = `The server said: invalid key "${quote}" for this project.`;
        const masked = 'The server said: invalid key "***" for this project.';
        assert.equal(redact(text, { apiKey: key }), masked);
        const error = toAssistantsError(APIError.generate(401, { error: { message: text } }, undefined, new Headers()), { apiKey: key });
        assert.ok(!error.message.includes(quote.slice(0, 8)) && !error.message.includes(quote.slice(-8)), error.message);
        const at = text.indexOf(quote);
        for (let cut = at; cut <= at + quote.length; cut++) {
          const pieces = streamPieces([text.slice(0, cut), text.slice(cut)], key);
          assert.equal(pieces.join(''), masked, `split at ${cut - at}`);
          for (const piece of pieces) assert.equal(keyPieces(piece, key).length, 0, `split at ${cut - at}, a delta holds part of the key: ${piece}`);
        }
      });
    }
  }

  it('leaves short runs of the key\'s characters and ordinary text alone', () => {
    const { key } = SHAPED_KEYS[0];
    assert.equal(redact('KEY1for is seven, proj- is five; a plain sentence.', { apiKey: key }), 'KEY1for is seven, proj- is five; a plain sentence.');
    assert.equal(redact('one 89abcdef token', { apiKey: SHAPED_KEYS[3].key }), 'one *** token', 'eight characters of the key are masked');
    // A key made of words (a test or proxy key) leaves those words in ordinary text, and is masked whole.
    assert.equal(redact('the command integration.echoArgs, key integration-test-key', { apiKey: 'integration-test-key' }), 'the command integration.echoArgs, key ***');
  });

  it('masks a key streamed one character at a time, however it is quoted', () => {
    for (const { key, quoted } of SHAPED_KEYS) {
      for (const quote of [key, ...quoted]) {
        const text = `key=${quote}; again: ${quote}.`;
        const redactor = new StreamRedactor({ apiKey: key });
        const out: string[] = [];
        for (const char of text) for (const event of redactor.pass(delta(char))) if (event.type === 'message.delta') out.push(event.text);
        for (const event of redactor.flush()) if (event.type === 'message.delta') out.push(event.text);
        assert.equal(out.join(''), 'key=***; again: ***.');
        assert.ok(out.every((piece) => keyPieces(piece, key).length === 0));
      }
    }
  });
});

describe('the key written another way', () => {
  /** A made-up key of the kind some servers issue, with the characters URL-encoding and JSON change. */
  const SYMBOLS_KEY = 'FAKE+not/A=real+KEY/only=for+TESTS';
  const b64 = (text: string, encoding: 'base64' | 'base64url' = 'base64') => Buffer.from(text, 'utf8').toString(encoding);
  /** How the key is written, and the part of that writing that comes of the key alone (base64 mixes the bytes at either end with its neighbours'). */
  const writings: Array<[string, (key: string) => string, (written: string) => string]> = [
    ['in base64 in a Basic header', (key) => `Basic ${b64(`:${key}`)}`, (written) => written.slice('Basic '.length + 3, -3)],
    ['in base64 after "Bearer "', (key) => b64(`Bearer ${key}`), (written) => written.slice(11, -3)],
    ['in base64 alone', (key) => b64(key), (written) => written.slice(0, -3)],
    ['in base64url after one byte', (key) => b64(`x${key}`, 'base64url'), (written) => written.slice(3, -3)],
    ['URL-encoded', (key) => encodeURIComponent(key), (written) => written],
    ['URL-encoded with lower-case hex', (key) => encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()), (written) => written],
    ['in capitals', (key) => key.toUpperCase(), (written) => written],
    ['in lower case', (key) => key.toLowerCase(), (written) => written],
    ['JSON-escaped', (key) => JSON.stringify(key).replace(/\//g, '\\/'), (written) => written.slice(1, -1)],
  ];
  /** Every 8-character run of the key's part of a writing still in `shown`. */
  const runsLeft = (shown: string, ofKey: string) => Array.from({ length: ofKey.length - 7 }, (_, i) => ofKey.slice(i, i + 8)).filter((run) => shown.includes(run));

  for (const key of [...SHAPED_KEYS.map((shaped) => shaped.key), SYMBOLS_KEY]) {
    it(`masks ${key.slice(0, 6)}… however it is written, in an error and in a stream split anywhere`, () => {
      for (const [how, write, keyPart] of writings) {
        const written = write(key);
        const ofKey = keyPart(written);
        const text = `upstream echoed ${written} in a query: /v1/models?key=${written}&x=1`;
        assert.deepEqual(runsLeft(redact(text, { apiKey: key }), ofKey), [], `${how}: ${redact(text, { apiKey: key })}`);
        const error = toAssistantsError(APIError.generate(401, { error: { message: text } }, undefined, new Headers()), { apiKey: key });
        assert.deepEqual(runsLeft(error.message, ofKey), [], `${how}, in a 401's body`);
        for (let cut = 16; cut <= 16 + written.length; cut++) {
          const pieces = streamPieces([text.slice(0, cut), text.slice(cut)], key);
          for (const piece of pieces) assert.deepEqual(runsLeft(piece, ofKey), [], `${how}, split at ${cut - 16}: ${piece}`);
          assert.deepEqual(runsLeft(pieces.join(''), ofKey), [], `${how}, split at ${cut - 16}, joined`);
        }
      }
    });
  }

  it('leaves base64 and URL-encoded text that holds no part of the key alone', () => {
    const key = SHAPED_KEYS[0].key;
    for (const text of [`Basic ${b64('alice:hunter2-long-password')}`, `?q=${encodeURIComponent('a/b+c=d e')}`, 'ETag "page-7-of-the-list-made-up-etag"']) {
      assert.equal(redact(text, { apiKey: key }), text);
    }
  });
});

/** Streams the given deltas through a redactor; returns what each handed-up delta carried. */
function streamPieces(deltas: string[], apiKey: string): string[] {
  const redactor = new StreamRedactor({ apiKey });
  const out = deltas.flatMap((text) => redactor.pass(delta(text)));
  out.push(...redactor.flush());
  return out.map((event) => (event.type === 'message.delta' ? event.text : ''));
}

describe('secretTailStart', () => {
  it('finds the start of a trailing key prefix or key-shaped word, and nothing in plain text', () => {
    assert.equal(secretTailStart('see proxykey-01', KEY), 4);
    assert.equal(secretTailStart('then sk-ab', undefined), 5);
    assert.equal(secretTailStart('ask', undefined), 3, 'the "s" of a longer word is not a key');
    assert.equal(secretTailStart('a plain sentence.', KEY), 'a plain sentence.'.length);
  });
});

describe('redact', () => {
  it('masks a text that ends inside the key, as a polled answer caught mid-key does', () => {
    assert.equal(redact(`Your key is ${KEY.slice(0, 14)}`, { apiKey: KEY }), 'Your key is ***');
    assert.equal(redact('Your key is prox', { apiKey: KEY }), 'Your key is prox', 'a few letters are not the key');
    assert.equal(redact(`Your key ends ${KEY.slice(-20)}.`, { apiKey: KEY }), 'Your key ends ***.', 'nor is its end');
  });
});

describe('server text about files', () => {
  it("masks the key in a vector store file's failure reason, however it is quoted", async () => {
    for (const quote of [KEY, KEY.slice(9), KEY.slice(0, 20)]) {
      const body = { object: 'list', has_more: false, data: [{ id: 'file-1', object: 'vector_store.file', vector_store_id: 'vs_1', status: 'failed', usage_bytes: 0, created_at: 0, attributes: {}, last_error: { code: 'server_error', message: `upstream said: bad key ${quote}` } }] };
      const fetchJson = (async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })) as typeof fetch;
      const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: KEY, baseUrl: 'http://127.0.0.1:9/v1' }, { fetch: fetchJson }), { apiKey: KEY });
      const [file] = await backend.listVectorStoreFiles('vs_1');
      assert.equal(file.lastError, 'upstream said: bad key ***');
    }
  });
});

describe('keyPieces', () => {
  /** The plain reading: at each position, the longest run the key holds, taken when long enough. */
  function reference(text: string, key: string): Array<{ start: number; end: number }> {
    const runs: Array<{ start: number; end: number }> = [];
    for (let i = 0; i + 8 <= text.length; ) {
      if (!key.includes(text.slice(i, i + 8))) {
        i++;
        continue;
      }
      let end = i + 8;
      while (end < text.length && key.includes(text.slice(i, end + 1))) end++;
      if (end - i === key.length || !/^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)(?:[-_.](?:[a-z]+|[A-Z]+|[A-Z][a-z]+))*$/.test(text.slice(i, end))) runs.push({ start: i, end });
      i = end;
    }
    return runs;
  }

  it('finds what the plain reading finds, on texts made of pieces of the key, at every offset', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const { key } of SHAPED_KEYS) {
      for (let round = 0; round < 300; round++) {
        let text = '';
        while (text.length < 120) {
          const from = Math.floor(random() * key.length);
          text += random() < 0.5 ? key.slice(from, from + 1 + Math.floor(random() * 20)) : 'lorem ipsum '.slice(0, 1 + Math.floor(random() * 12));
        }
        assert.deepEqual(keyPieces(text, key), reference(text, key), text);
      }
    }
  });
});
