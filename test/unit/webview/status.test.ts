import * as assert from 'node:assert/strict';
import type { Run } from '../../../src/common/model';
import { costOf, elapsedSeconds, errorSentence, formatCost, formatDuration, formatUsage, isRunning, outcomeLabel, priceFor, retryText, runOutcome, statusLabel } from '../../../webview/status';

const run = (extra: Partial<Run>): Run => ({ id: 'run_1', threadId: 't', assistantId: 'a', status: 'in_progress', createdAt: 1000, ...extra });

describe('webview status wording', () => {
  it('labels every status in words', () => {
    assert.equal(statusLabel('requires_action'), 'Running functions');
    assert.equal(statusLabel('in_progress'), 'In progress');
    assert.equal(statusLabel('expired'), 'Expired');
  });

  it('counts elapsed time from the start while live, and to completion after', () => {
    assert.equal(elapsedSeconds(run({ startedAt: 1005 }), 1_012_500), 7);
    assert.equal(elapsedSeconds(run({ status: 'queued' }), 1_003_000), 3);
    assert.equal(elapsedSeconds(run({ status: 'completed', startedAt: 1005, completedAt: 1009 }), 5_000_000), 4);
    assert.equal(elapsedSeconds(run({ startedAt: 2000 }), 1_000_000), 0, 'clock skew never shows a negative time');
  });

  it('fixes an ended run\'s time at its end, whenever it is drawn: never the clock of the moment', () => {
    const step = (createdAt: number, completedAt?: number) => ({ id: `s${createdAt}`, runId: 'run_1', status: 'completed', createdAt, completedAt, details: { type: 'message_creation', messageId: 'm' } }) as const;
    for (const status of ['cancelled', 'failed', 'expired', 'incomplete'] as const) {
      const ended = run({ status, startedAt: 1000 });
      for (const nowMs of [1_021_000, 1_105_000, 9_000_000]) {
        assert.equal(elapsedSeconds(ended, nowMs, { endedAtMs: 1_003_400 }), 3, `${status}: when the chat saw it end`);
        assert.equal(elapsedSeconds(ended, nowMs, { steps: [step(1001, 1002), step(1002)] }), 2, `${status}: at its last step, shown again later`);
        assert.equal(elapsedSeconds(ended, nowMs), undefined, `${status}: nothing records its end, so no time is shown`);
      }
    }
    const unconfirmed = run({ status: 'cancelled', startedAt: 1000, lastError: { code: 'unconfirmed', message: 'Stopped; the server did not confirm the cancel.' } });
    assert.equal(elapsedSeconds(unconfirmed, 1_105_000, { steps: [step(1003)] }), 3);
    assert.equal(elapsedSeconds({ ...unconfirmed, completedAt: 1003 }, 1_105_000, { endedAtMs: 1_090_000 }), 3, 'its own end wins');
    assert.equal(elapsedSeconds(run({ startedAt: 1000 }), 1_105_000, { endedAtMs: 1_010_000 }), 10, 'a live run the host stopped following stops there');
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
    // A server-told wait beyond a minute says until when, in local time; its last minute counts down.
    const now = new Date(2026, 11, 6, 13, 5, 0).getTime();
    const reason = "The server's rate limit was reached, and it asks to wait 1 h.";
    assert.equal(retryText({ attempt: 1, reason, until: now + 3_600_000 }, now), 'Rate limited until 14:05, then retrying');
    assert.equal(retryText({ attempt: 2, reason, until: new Date(2026, 11, 7, 9, 30).getTime() }, now), 'Rate limited until tomorrow 09:30, then retrying (attempt 2)');
    assert.equal(retryText({ attempt: 1, reason, until: now + 3_600_000 }, now + 3_560_000), "The server's rate limit was reached, and it asks to wait 1 h, retrying in 40 s");
    const maintenance = 'The server had an error (HTTP 503), and it asks to wait 2 h.';
    assert.equal(retryText({ attempt: 1, reason: maintenance, until: now + 7_200_000 }, now), 'The server had an error (HTTP 503), and it asks to wait 2 h; retrying at 15:05');
  });

  it('turns error messages into one sentence without traces', () => {
    assert.equal(errorSentence('Rate limit exceeded'), 'Rate limit exceeded.');
    assert.equal(errorSentence('Boom!\n    at foo (bar.js:1:1)'), 'Boom!');
    assert.equal(errorSentence('  '), 'The run failed.');
  });

  it('draws a run whose failure has no words (a thread saved from a server that sent null) with its own sentence', () => {
    for (const lastError of [{ code: null, message: null }, { code: 'x', message: undefined }, { code: 'x', message: 5 }, { code: 'x', message: '  ' }] as unknown as Run['lastError'][]) {
      assert.equal(runOutcome(run({ status: 'failed', lastError }), undefined).sentence, 'The run failed before the answer was finished.', JSON.stringify(lastError));
      assert.equal(runOutcome(run({ status: 'cancelled', lastError }), undefined).sentence, 'The run was stopped before it finished; what had arrived is kept.');
      assert.equal(runOutcome(run({ status: 'in_progress', lastError }), { endedAt: 1 }).sentence, 'The chat stopped following this run before it ended, so the answer may be incomplete.');
    }
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

    it('gives every outcome exactly one true sentence and the right actions', () => {
      const failure = { code: 'server_error', message: 'The server had an error while processing your request.\n    at handler (server.js:1:1)' };
      const cases: { name: string; run: Run; notices?: Parameters<typeof runOutcome>[1]; awaiting?: Parameters<typeof runOutcome>[2]; label: string; sentence?: RegExp; retry: boolean; not?: RegExp }[] = [
        { name: 'queued', run: run('queued'), label: 'Queued', retry: false },
        { name: 'in progress', run: run('in_progress'), label: 'In progress', retry: false },
        { name: 'running its functions', run: run('requires_action'), label: 'Running functions', retry: false },
        { name: 'waiting for the user\'s approval', run: run('requires_action'), awaiting: 'approval', label: 'Waiting for your approval', retry: false },
        { name: 'waiting for the user\'s output', run: run('requires_action'), awaiting: 'output', label: 'Waiting for your output', retry: false },
        { name: 'cancelling', run: run('cancelling'), label: 'Cancelling', retry: false },
        { name: 'completed', run: run('completed'), label: 'Completed', retry: false },
        { name: 'failed, in the server\'s words', run: run('failed', { lastError: failure }), label: 'Failed', sentence: /^The server had an error while processing your request\.$/, retry: true },
        { name: 'failed, nothing said', run: run('failed'), label: 'Failed', sentence: /^The run failed before the answer was finished\.$/, retry: true },
        { name: 'cancelled by the user', run: run('cancelled'), label: 'Cancelled', sentence: /^The run was stopped before it finished/, retry: false, not: /cut off|failed|error/i },
        { name: 'expired', run: run('expired'), label: 'Expired', sentence: /^The run expired on the server/, retry: true },
        { name: 'incomplete: token limit', run: run('incomplete', { incompleteReason: 'max_output_tokens' }), label: 'Incomplete: the output token limit was reached', sentence: /^The answer was cut off: the output token limit was reached\.$/, retry: true },
        { name: 'incomplete: content filter', run: run('incomplete', { incompleteReason: 'content_filter' }), label: 'Incomplete: the content filter stopped it', sentence: /cut off: the content filter stopped it\.$/, retry: true },
        { name: 'incomplete: connection lost', run: run('incomplete', { incompleteReason: 'connection_lost' }), label: 'Incomplete: the connection was lost and this server cannot resume it', sentence: /cut off: the connection was lost/, retry: true },
        { name: 'incomplete: a reason not known yet', run: run('incomplete', { incompleteReason: 'some_new_reason' }), label: 'Incomplete: some new reason', sentence: /cut off: some new reason\.$/, retry: true },
        { name: 'incomplete: no reason given', run: run('incomplete', { incompleteReason: 'unknown' }), label: 'Incomplete', sentence: /^The answer was cut off before it finished\.$/, retry: true },
        { name: 'interrupted', run: run('in_progress'), notices: { endedAt: 5 }, label: 'Interrupted', sentence: /stopped following this run/, retry: true },
        { name: 'interrupted, with the driver\'s reason', run: run('queued'), notices: { endedAt: 5, error: { code: 'network', message: 'Gave up after 5 attempts. The server did not answer' } }, label: 'Interrupted', sentence: /^Gave up after 5 attempts\. The server did not answer\.$/, retry: true },
        { name: 'stopped, the server never confirmed', run: run('cancelled', { lastError: { code: 'unconfirmed', message: 'Stopped; the server did not confirm the cancel, so the run may still be going on there.' } }), label: 'Cancelled', sentence: /^Stopped; the server did not confirm the cancel/, retry: false },
        { name: 'cancelled, with a stale error notice', run: run('cancelled'), notices: { error: failure }, label: 'Cancelled', sentence: /^The run was stopped/, retry: false, not: /server had an error/ },
      ];
      for (const c of cases) {
        const outcome = runOutcome(c.run, c.notices, c.awaiting);
        assert.equal(outcome.label, c.label, c.name);
        if (!c.awaiting) assert.equal(outcomeLabel(c.run, c.notices), c.label, c.name);
        assert.equal(outcome.retry, c.retry, `${c.name}: Retry`);
        if (c.sentence) assert.match(outcome.sentence ?? '', c.sentence, c.name);
        else assert.equal(outcome.sentence, undefined, `${c.name}: nothing to say under the answer`);
        if (c.sentence) assert.equal(outcome.sentence?.split(/(?<=[.!?])\s+(?=[A-Z])/).length, c.name.includes('driver') ? 2 : 1, `${c.name}: one sentence`);
        if (c.not) assert.doesNotMatch(outcome.sentence ?? '', c.not, c.name);
        assert.ok(outcome.icon, c.name);
      }
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
