import * as assert from 'node:assert/strict';
import type { Run } from '../../../src/core/model';
import { elapsedSeconds, errorSentence, formatDuration, formatUsage, isRunning, retryText, statusLabel } from '../../../webview/status';

const run = (extra: Partial<Run>): Run => ({ id: 'run_1', threadId: 't', assistantId: 'a', status: 'in_progress', createdAt: 1000, ...extra });

describe('webview status wording', () => {
  it('labels every status in words', () => {
    assert.equal(statusLabel('requires_action'), 'Requires action');
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
    assert.equal(formatUsage({ promptTokens: 1534, completionTokens: 212, totalTokens: 1746 }), '1,534 prompt · 212 completion · 1,746 total tokens');
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
});
