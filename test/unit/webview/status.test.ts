import * as assert from 'node:assert/strict';
import type { Run } from '../../../src/core/model';
import { canRetry, costOf, elapsedSeconds, errorSentence, formatCost, formatDuration, formatUsage, isRunning, outcomeLabel, priceFor, retryText, statusLabel } from '../../../webview/status';

const run = (extra: Partial<Run>): Run => ({ id: 'run_1', threadId: 't', assistantId: 'a', status: 'in_progress', createdAt: 1000, ...extra });

describe('webview status wording', () => {
  it('labels every status in words', () => {
    assert.equal(statusLabel('requires_action'), 'Waiting for approval');
    assert.equal(statusLabel('in_progress'), 'In progress');
    assert.equal(statusLabel('expired'), 'Expired');
  });

  it('counts elapsed time from the start while live, and to completion after', () => {
    assert.equal(elapsedSeconds(run({ startedAt: 1005 }), 1_012_500), 7);
    assert.equal(elapsedSeconds(run({ status: 'queued' }), 1_003_000), 3);
    assert.equal(elapsedSeconds(run({ status: 'completed', startedAt: 1005, completedAt: 1009 }), 5_000_000), 4);
    assert.equal(elapsedSeconds(run({ startedAt: 2000 }), 1_000_000), 0, 'clock skew never shows a negative time');
  });

  it('counts a run the host gave up on as stopped, whatever its last status', () => {
    assert.equal(isRunning(run({}), undefined), true);
    assert.equal(isRunning(run({}), { endedAt: 1_010_000 }), false);
    assert.equal(isRunning(run({ status: 'completed' }), undefined), false);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(9), '9 s');
    assert.equal(formatDuration(65), '1 min 5 s');
    assert.equal(formatDuration(120), '2 min');
    assert.equal(formatDuration(3720), '1 h 2 min');
  });

  it('formats token usage', () => {
    assert.equal(formatUsage({ promptTokens: 1534, completionTokens: 212, totalTokens: 1746 }), '1,534 input · 212 output tokens');
  });

  it('announces retries with a countdown', () => {
    assert.equal(retryText({ attempt: 1, reason: 'rate limited', until: 10_000 }, 7_000), 'Rate limited, retrying in 3 s');
    assert.equal(retryText({ attempt: 3, reason: 'server error.', until: 10_000 }, 9_950), 'Server error, retrying in 1 s (attempt 3)');
    assert.equal(retryText({ attempt: 1, reason: 'rate limited', until: 10_000 }, 20_000), 'Rate limited, retrying in 1 s');
  });

  it('turns error messages into one sentence without traces', () => {
    assert.equal(errorSentence('Rate limit exceeded'), 'Rate limit exceeded.');
    assert.equal(errorSentence('Boom!\n    at foo (bar.js:1:1)'), 'Boom!');
    assert.equal(errorSentence('  '), 'The run failed.');
  });

  describe('outcomes, tokens and cost', () => {
    const run = (status: Run['status'], extra: Partial<Run> = {}): Run => ({ id: 'r', threadId: 't', assistantId: 'a', status, createdAt: 1, ...extra });

    it('names every outcome, an interrupted run and an incomplete one with its reason', () => {
      assert.equal(outcomeLabel(run('in_progress'), { endedAt: 5 }), 'Interrupted');
      assert.equal(outcomeLabel(run('incomplete', { incompleteReason: 'max_output_tokens' }), undefined), 'Incomplete: the output token limit was reached');
      assert.equal(outcomeLabel(run('incomplete', { incompleteReason: 'some_new_reason' }), undefined), 'Incomplete: some new reason');
      for (const [status, label] of [['queued', 'Queued'], ['completed', 'Completed'], ['failed', 'Failed'], ['cancelled', 'Cancelled'], ['expired', 'Expired']] as const) {
        assert.equal(outcomeLabel(run(status), undefined), label);
      }
    });

    it('offers Retry for every ending but a completed one, and for an interrupted run', () => {
      assert.equal(canRetry(run('completed'), undefined), false);
      assert.equal(canRetry(run('in_progress'), undefined), false);
      for (const status of ['failed', 'cancelled', 'expired', 'incomplete'] as const) assert.equal(canRetry(run(status), undefined), true, status);
      assert.equal(canRetry(run('in_progress'), { endedAt: 1 }), true);
    });

    it('counts cached input at its own price and finds the price of a dated snapshot', () => {
      const price = { input: 2, cachedInput: 0.5, output: 8 };
      assert.equal(costOf({ promptTokens: 1_000_000, cachedTokens: 500_000, completionTokens: 100_000, totalTokens: 1_100_000 }, price), 1 + 0.25 + 0.8);
      assert.equal(priceFor('gpt-4.1-2025-04-14', { 'gpt-4.1': price, 'gpt-4.1-mini': { input: 1, output: 1 } }), price);
      assert.equal(priceFor('gpt-4.1-mini-2025-04-14', { 'gpt-4.1': price, 'gpt-4.1-mini': { input: 1, output: 1 } })?.input, 1);
      assert.equal(priceFor('unknown-model', { 'gpt-4.1': price }), undefined);
      assert.equal(formatCost(0.000123), '≈ $0.00012');
      assert.equal(formatCost(2.5), '≈ $2.50');
      assert.equal(formatUsage({ promptTokens: 1200, cachedTokens: 800, completionTokens: 350, totalTokens: 1550 }, price), '1,200 input (800 cached) · 350 output tokens · ≈ $0.0040');
    });
  });
});
