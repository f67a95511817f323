import * as assert from 'node:assert/strict';
import type { LateReply, PayloadGuards, ReplyMessage, RequestHandlers, RequestMessage, RequestTimers } from '../../src/common/requests';
import { RequestError, Requester, TIMEOUT_SENTENCE, answerRequest, isRequestOf } from '../../src/common/requests';

/** A table of two kinds, as the protocols declare theirs. */
interface Sums {
  'sum/add': { payload: { a: number; b: number }; reply: number };
  'sum/echo': { payload: { text: string }; reply: { text: string } };
}

const guards: PayloadGuards<Sums> = {
  'sum/add': (p): p is Sums['sum/add']['payload'] => typeof p === 'object' && p !== null && typeof (p as { a?: unknown }).a === 'number' && typeof (p as { b?: unknown }).b === 'number',
  'sum/echo': (p): p is Sums['sum/echo']['payload'] => typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string',
};

/** Timers fired by hand: `fire(i)` runs the i-th timer set, unless it was cleared. */
function manualTimers() {
  const timers: { callback: () => void; ms: number; cleared: boolean }[] = [];
  const api: RequestTimers = {
    set: (callback, ms) => timers.push({ callback, ms, cleared: false }) - 1,
    clear: (handle) => {
      if (typeof handle === 'number' && timers[handle]) timers[handle].cleared = true;
    },
  };
  const fire = (i: number) => {
    if (!timers[i].cleared) timers[i].callback();
  };
  return { api, timers, fire };
}

function requester(options: { timeoutSentence?: string } = {}) {
  const sent: RequestMessage<Sums>[] = [];
  const timers = manualTimers();
  const requests = new Requester<Sums>({ send: (m) => sent.push(m), timeoutsMs: { 'sum/add': 1_000, 'sum/echo': 5_000 }, timers: timers.api, ...options });
  return { requests, sent, timers };
}

/** How a promise ended, once it has. */
async function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

describe('requests between a webview and the host (src/common/requests.ts)', () => {
  it('matches each reply to its request by id, whatever the order the replies come in', async () => {
    const { requests, sent, timers } = requester();
    const add = requests.request('sum/add', { a: 2, b: 3 });
    const echo = requests.request('sum/echo', { text: 'hi' });
    assert.equal(sent.length, 2);
    assert.deepEqual(sent.map((m) => [m.type, m.kind, m.payload]), [['request', 'sum/add', { a: 2, b: 3 }], ['request', 'sum/echo', { text: 'hi' }]]);
    assert.notEqual(sent[0].id, sent[1].id, 'each request has its own id');
    assert.deepEqual(timers.timers.map((t) => t.ms), [1_000, 5_000], 'each kind waits its own time');
    assert.equal(requests.receive({ type: 'reply', id: sent[1].id, ok: true, value: { text: 'hi' } }), true);
    assert.equal(requests.receive({ type: 'reply', id: sent[0].id, ok: true, value: 5 }), true);
    assert.equal(await add, 5);
    assert.deepEqual(await echo, { text: 'hi' });
    assert.ok(timers.timers.every((t) => t.cleared), 'an answered request stops its timer');
    assert.equal(requests.receive({ type: 'reply', id: sent[0].id, ok: true, value: 6 }), false, 'a second reply answers nothing');
    assert.equal(requests.receive({ type: 'reply', id: 'r-never-sent', ok: true, value: 1 }), false);
  });

  it('answers through the host\'s table, end to end, and carries a handler\'s error as its sentence', async () => {
    const handlers: RequestHandlers<Sums> = {
      'sum/add': ({ a, b }) => {
        if (a < 0) throw new Error('Only positive numbers can be added. Change the first number.');
        return a + b;
      },
      'sum/echo': async ({ text }) => ({ text }),
    };
    const replies: ReplyMessage[] = [];
    const requests = new Requester<Sums>({
      send: (message) => void answerRequest(handlers, message).then((reply) => {
        replies.push(reply);
        requests.receive(reply);
      }),
      timeoutsMs: { 'sum/add': 1_000, 'sum/echo': 1_000 },
      timers: manualTimers().api,
    });
    assert.equal(await requests.request('sum/add', { a: 1, b: 2 }), 3);
    assert.deepEqual(await requests.request('sum/echo', { text: 'back' }), { text: 'back' });
    const refused = await outcome(requests.request('sum/add', { a: -1, b: 2 }));
    assert.ok('error' in refused && refused.error instanceof RequestError);
    assert.equal(refused.error.reason, 'refused');
    assert.equal(refused.error.message, 'Only positive numbers can be added. Change the first number.');
    assert.deepEqual(replies.at(-1), { type: 'reply', id: replies.at(-1)?.id, ok: false, error: 'Only positive numbers can be added. Change the first number.' });
    // A rejection that is not an Error is said as text, not lost.
    const odd = await answerRequest<Sums>({ ...handlers, 'sum/echo': () => Promise.reject('the disk is full') }, { type: 'request', id: 'x', kind: 'sum/echo', payload: { text: '' } });
    assert.deepEqual(odd, { type: 'reply', id: 'x', ok: false, error: 'the disk is full' });
  });

  it('times out with a sentence, and hands a late reply to `late` only', async () => {
    const { requests, sent, timers } = requester();
    const lates: LateReply<number>[] = [];
    const withLate = requests.request('sum/add', { a: 1, b: 1 }, { late: (reply) => lates.push(reply) });
    const without = requests.request('sum/add', { a: 2, b: 2 });
    timers.fire(0);
    timers.fire(1);
    for (const promise of [withLate, without]) {
      const ended = await outcome(promise);
      assert.ok('error' in ended && ended.error instanceof RequestError);
      assert.equal(ended.error.reason, 'timeout');
      assert.equal(ended.error.message, TIMEOUT_SENTENCE);
    }
    assert.equal(requests.receive({ type: 'reply', id: sent[0].id, ok: true, value: 2 }), true, 'the slow host still answered');
    assert.deepEqual(lates, [{ ok: true, value: 2 }]);
    assert.equal(requests.receive({ type: 'reply', id: sent[0].id, ok: true, value: 2 }), false, 'once');
    assert.equal(requests.receive({ type: 'reply', id: sent[1].id, ok: true, value: 4 }), false, 'no one waits for the other');
    assert.deepEqual(lates, [{ ok: true, value: 2 }]);

    const own = requester({ timeoutSentence: 'The image did not arrive in time.' });
    const slow = own.requests.request('sum/echo', { text: '' });
    own.timers.fire(0);
    const ended = await outcome(slow);
    assert.ok('error' in ended && ended.error instanceof Error);
    assert.equal(ended.error.message, 'The image did not arrive in time.');
  });

  it('keeps late handlers of the last 64 timed-out requests only', async () => {
    const { requests, sent, timers } = requester();
    const lates: number[] = [];
    const promises = Array.from({ length: 65 }, (_, i) => requests.request('sum/add', { a: i, b: 0 }, { late: () => lates.push(i) }));
    timers.timers.forEach((_, i) => timers.fire(i));
    await Promise.allSettled(promises);
    assert.equal(requests.receive({ type: 'reply', id: sent[0].id, ok: true, value: 0 }), false, 'the oldest is forgotten');
    assert.equal(requests.receive({ type: 'reply', id: sent[64].id, ok: false, error: 'No.' }), true);
    assert.deepEqual(lates, [64]);
  });

  it('ignores every reply after dispose, late ones too, and rejects what was pending', async () => {
    const { requests, sent, timers } = requester();
    const lates: unknown[] = [];
    const timedOut = requests.request('sum/add', { a: 1, b: 1 }, { late: (reply) => lates.push(reply) });
    timers.fire(0);
    await outcome(timedOut);
    const pending = requests.request('sum/echo', { text: 'x' });
    requests.dispose();
    const ended = await outcome(pending);
    assert.ok('error' in ended && ended.error instanceof RequestError);
    assert.equal(ended.error.reason, 'disposed');
    assert.ok(timers.timers[1].cleared, 'its timer stopped');
    assert.equal(requests.receive({ type: 'reply', id: sent[0].id, ok: true, value: 2 }), false, 'the late reply is ignored');
    assert.equal(requests.receive({ type: 'reply', id: sent[1].id, ok: true, value: { text: 'x' } }), false);
    assert.deepEqual(lates, []);
    const after = await outcome(requests.request('sum/add', { a: 0, b: 0 }));
    assert.ok('error' in after && after.error instanceof RequestError && after.error.reason === 'disposed');
    assert.equal(sent.length, 2, 'nothing is sent after dispose');
  });

  it('takes from a page only requests of known kinds with payloads their guards accept', () => {
    assert.equal(isRequestOf({ type: 'request', id: 'r1', kind: 'sum/add', payload: { a: 1, b: 2 } }, guards), true);
    assert.equal(isRequestOf({ type: 'request', id: 'r1', kind: 'sum/add', payload: { a: 1, b: '2' } }, guards), false, 'a payload its guard refuses');
    assert.equal(isRequestOf({ type: 'request', id: 'r1', kind: 'sum/sub', payload: {} }, guards), false, 'an unknown kind');
    assert.equal(isRequestOf({ type: 'request', id: 'r1', kind: 'constructor', payload: {} }, guards), false, 'an inherited name');
    assert.equal(isRequestOf({ type: 'request', id: '', kind: 'sum/echo', payload: { text: '' } }, guards), false, 'an empty id');
    assert.equal(isRequestOf({ type: 'request', id: 7, kind: 'sum/echo', payload: { text: '' } }, guards), false, 'an id that is no string');
    assert.equal(isRequestOf({ type: 'reply', id: 'r1', kind: 'sum/echo', payload: { text: '' } }, guards), false, 'not a request');
    assert.equal(isRequestOf(null, guards), false);
  });
});
