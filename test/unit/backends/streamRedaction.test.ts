import * as assert from 'node:assert/strict';
import { redact } from '../../../src/backends/errorMapping';
import { StreamRedactor, secretTailStart } from '../../../src/backends/streamRedaction';
import type { RunEvent } from '../../../src/core/events';

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
  const answer = `Your key is ${KEY}, as configured. An OpenAI one: sk-proj-AbCdEf0123456789xyz done.`;

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
    assert.deepEqual(redactor.pass(delta('hello', 'msg_2')), [delta('hello', 'msg_2')]);
    assert.deepEqual(redactor.pass(delta('world', 'msg_1', 1)), [delta('world', 'msg_1', 1)]);
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
  });
});
