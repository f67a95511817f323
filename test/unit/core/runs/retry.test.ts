import * as assert from 'node:assert/strict';
import { AssistantsError } from '../../../../src/core/errors';
import { withRetry } from '../../../../src/core/runs/retry';
import type { RetryInfo } from '../../../../src/core/runs/retry';
import { PollSchedule } from '../../../../src/core/runs/pollSchedule';

function failing(errors: AssistantsError[], value: string): { fn: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    fn: async () => {
      const error = errors[calls++];
      if (error) {
        throw error;
      }
      return value;
    },
  };
}

describe('withRetry', () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
  };
  beforeEach(() => (sleeps.length = 0));

  it('retries transient kinds with jittered exponential backoff, bounded by the cap', async () => {
    const seen: RetryInfo[] = [];
    const { fn, calls } = failing([new AssistantsError('server', 'a'), new AssistantsError('network', 'b'), new AssistantsError('timeout', 'c'), new AssistantsError('server', 'd')], 'ok');
    const result = await withRetry(fn, { sleep, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999, onRetry: (info) => seen.push(info) });
    assert.equal(result, 'ok');
    assert.equal(calls(), 5);
    assert.deepEqual(seen.map((info) => info.attempt), [1, 2, 3, 4]);
    assert.deepEqual(sleeps, [100, 200, 300, 300]);
    const low: number[] = [];
    await withRetry(failing([new AssistantsError('server', 'a'), new AssistantsError('server', 'a')], 'ok').fn, { sleep: async (ms) => void low.push(ms), baseDelayMs: 100, random: () => 0 });
    assert.deepEqual(low, [50, 100], 'never less than half the step');
  });

  it('waits exactly the server-given Retry-After on 429', async () => {
    const { fn } = failing([new AssistantsError('rate_limited', 'slow down', { retryAfterMs: 1234 })], 'ok');
    await withRetry(fn, { sleep });
    assert.deepEqual(sleeps, [1234]);
  });

  it('waits out a server-told wait beyond the backoff cap in full, once, and does not wait for one beyond a day', async () => {
    const seen: RetryInfo[] = [];
    const hour = failing([new AssistantsError('rate_limited', 'slow down', { retryAfterMs: 3_600_000 })], 'ok');
    assert.equal(await withRetry(hour.fn, { sleep, maxDelayMs: 20_000, onRetry: (info) => seen.push(info) }), 'ok');
    assert.deepEqual(sleeps, [3_600_000], 'one wait of the hour asked for, not five sends capped at 20 s');
    assert.deepEqual(seen.map((info) => info.waitMs), [3_600_000]);
    assert.equal(hour.calls(), 2);
    sleeps.length = 0;
    const decades = failing([new AssistantsError('rate_limited', 'come back in 2099', { retryAfterMs: 2_300_000_000_000 })], 'ok');
    await assert.rejects(withRetry(decades.fn, { sleep }), (error: AssistantsError) => error.message === 'come back in 2099');
    assert.equal(decades.calls(), 1);
    assert.deepEqual(sleeps, []);
  });

  it('gives up after maxRetries with the last error, saying the retries are over', async () => {
    const { fn, calls } = failing([new AssistantsError('server', '1'), new AssistantsError('server', '2'), new AssistantsError('server', '3')], 'ok');
    await assert.rejects(withRetry(fn, { sleep, maxRetries: 2 }), (error: AssistantsError) => error.kind === 'server' && error.message === 'Gave up after 3 attempts. 3');
    assert.equal(calls(), 3);
  });

  it('does not retry errors a retry cannot fix', async () => {
    for (const kind of ['auth', 'bad_request', 'not_found', 'unsupported', 'cancelled', 'quota', 'bad_response'] as const) {
      const { fn, calls } = failing([new AssistantsError(kind, kind)], 'ok');
      await assert.rejects(withRetry(fn, { sleep }));
      assert.equal(calls(), 1, kind);
    }
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const { fn, calls } = failing([new AssistantsError('server', 'a'), new AssistantsError('server', 'b')], 'ok');
    const pending = withRetry(fn, { signal: controller.signal, baseDelayMs: 10_000 });
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(pending, (error: AssistantsError) => error.kind === 'cancelled');
    assert.equal(calls(), 1);
  });
});

describe('PollSchedule', () => {
  it('backs off by the factor to the cap and resets on change; a server hint wins', () => {
    const schedule = new PollSchedule({ initialMs: 50, maxMs: 300, factor: 2, maxPerSecond: 100 }, () => 0);
    assert.deepEqual([schedule.next(true), schedule.next(false), schedule.next(false), schedule.next(false), schedule.next(false)], [50, 100, 200, 300, 300]);
    assert.equal(schedule.next(true), 50);
    assert.equal(schedule.next(false, 1500), 1500);
  });

  it('keeps the average under maxPerSecond requests, even when the run changes at every poll', () => {
    let now = 0;
    const schedule = new PollSchedule({ initialMs: 100, maxMs: 250, factor: 1.5, maxPerSecond: 4 }, () => now);
    const due: number[] = [];
    for (let i = 0; i < 40; i++) {
      now += schedule.next(true);
      due.push(now);
    }
    // By due[i] the run has made i + 2 requests (its start and i + 1 polls): within 4 a second, after
    // a fast start of two polls.
    due.forEach((at, i) => assert.ok(i + 2 <= 3 + (4 * at) / 1000, `${i + 2} requests by ${at} ms`));
    assert.equal(due[0], 100, 'the first poll is fast');
    assert.ok(due[39] >= 9_500, 'forty-one requests, less the fast start, take at least 9.5 seconds');
  });
});
