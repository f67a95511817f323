import * as assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/common/events';
import type { Message, Run, RunStep } from '../../../src/common/model';
import type { ChatState } from '../../../src/common/protocol';
import type { Applied, ViewState } from '../../../webview/state';
import { applyHostMessage, dismissNotice, emptyState, scrollKey, scrollToRestore, sendResult, sendStarted, sendTimedOut } from '../../../webview/state';
import { elapsedSeconds } from '../../../webview/status';

const NOW = 1_700_000_000_000;
const THREAD = 'thr_1';

function chat(overrides: Partial<ChatState> = {}): ChatState {
  return {
    provider: { backend: 'responses', label: 'OpenAI', mock: false, hasKey: true },
    assistant: { id: 'asst_1', name: 'Helper', model: 'gpt-4.1-mini' },
    thread: { id: THREAD, title: 'Parser questions' },
    messages: [userMessage('msg_u0', 'Hello')],
    runs: {},
    ...overrides,
  };
}

function userMessage(id: string, text: string): Message {
  return { id, role: 'user', content: [{ type: 'text', text, annotations: [] }], createdAt: 100 };
}

function run(id: string, status: Run['status'], extra: Partial<Run> = {}): Run {
  return { id, threadId: THREAD, assistantId: 'asst_1', status, createdAt: 101, ...extra };
}

function fullState(overrides: Partial<ChatState> = {}): ViewState {
  return applyHostMessage(emptyState(), { type: 'state/full', state: chat(overrides) }, NOW).state;
}

function event(state: ViewState, runId: string, e: RunEvent, threadId = THREAD, now = NOW): Applied {
  return applyHostMessage(state, { type: 'run/event', threadId, runId, event: e }, now);
}

/** Applies several events in order, returning the last result. */
function events(state: ViewState, runId: string, list: RunEvent[]): Applied {
  let applied: Applied = { state, changes: [] };
  for (const e of list) applied = event(applied.state, runId, e);
  return applied;
}

function textOf(state: ViewState, messageId: string): string {
  const message = state.messages.find((m) => m.id === messageId);
  assert.ok(message, `message ${messageId} exists`);
  return message.content.map((c) => (c.type === 'text' ? c.text : '')).join('|');
}

const functionStep = (status: RunStep['status'], output?: string): RunStep => ({
  id: 'step_1',
  runId: 'run_1',
  status,
  createdAt: 102,
  details: { type: 'tool_calls', toolCalls: [{ type: 'function', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', output }] },
});

describe('webview state', () => {
  it('fixes a stopped run\'s time where it ended, while shown and after the view is shown again', () => {
    const startSec = NOW / 1000;
    const live = event(fullState(), 'run_s', { type: 'run.updated', run: run('run_s', 'in_progress', { createdAt: startSec, startedAt: startSec }) }).state;
    // Stopped at 3 s; the host's cancelled run carries no end time (the server never confirmed it).
    const unconfirmed = { code: 'unconfirmed', message: 'Stopped; the server did not confirm the cancel, so the run may still be going on there.' };
    const stopped = event(live, 'run_s', { type: 'run.updated', run: run('run_s', 'cancelled', { createdAt: startSec, startedAt: startSec, lastError: unconfirmed }) }, THREAD, NOW + 3_000).state;
    const view = stopped.runs.run_s;
    for (const later of [NOW + 21_000, NOW + 105_000]) {
      assert.equal(elapsedSeconds(view.run, later, { endedAtMs: stopped.runNotices.run_s?.endedAt, steps: view.steps }), 3, `drawn ${(later - NOW) / 1000} s after the start`);
    }
    // Hidden and shown again: a full state of the same run, with the step it made before the stop.
    const step: RunStep = { id: 'st_1', runId: 'run_s', status: 'cancelled', createdAt: startSec + 1, completedAt: startSec + 3, details: { type: 'message_creation', messageId: 'm' } };
    const reshown = applyHostMessage(stopped, { type: 'state/full', state: chat({ runs: { run_s: { run: view.run, steps: [step] } } }) }, NOW + 21_000).state;
    for (const later of [NOW + 21_000, NOW + 105_000]) {
      const again = reshown.runs.run_s;
      assert.equal(elapsedSeconds(again.run, later, { endedAtMs: reshown.runNotices.run_s?.endedAt, steps: again.steps }), 3, `shown again, drawn ${(later - NOW) / 1000} s after the start`);
    }
  });

  it('rebuilds everything from a full state and reports the last run for the status line', () => {
    const older = { run: run('run_a', 'completed', { createdAt: 50 }), steps: [] };
    const newer = { run: run('run_b', 'failed', { createdAt: 90 }), steps: [] };
    const { state, changes } = applyHostMessage(emptyState(), { type: 'state/full', state: chat({ runs: { run_b: newer, run_a: older } }) }, NOW);
    assert.deepEqual(changes, [{ kind: 'all' }]);
    assert.equal(state.thread?.title, 'Parser questions');
    assert.equal(state.messages.length, 1);
    assert.equal(state.statusRunId, 'run_b');
    assert.equal(state.activeRunId, undefined);
  });

  it('prefers the active run for the status line', () => {
    const state = fullState({
      runs: { run_a: { run: run('run_a', 'in_progress', { createdAt: 10 }), steps: [] }, run_b: { run: run('run_b', 'completed', { createdAt: 90 }), steps: [] } },
      activeRunId: 'run_a',
    });
    assert.equal(state.statusRunId, 'run_a');
  });

  it('adds a message once and replaces it when it comes again', () => {
    const state = fullState();
    const added = applyHostMessage(state, { type: 'message/added', threadId: THREAD, message: userMessage('msg_u1', 'Hi') }, NOW);
    assert.deepEqual(added.changes, [{ kind: 'messages' }]);
    assert.equal(added.state.messages.length, 2);
    const again = applyHostMessage(added.state, { type: 'message/added', threadId: THREAD, message: userMessage('msg_u1', 'Hi again') }, NOW);
    assert.deepEqual(again.changes, [{ kind: 'message', messageId: 'msg_u1' }]);
    assert.equal(again.state.messages.length, 2);
    assert.equal(textOf(again.state, 'msg_u1'), 'Hi again');
  });

  it('ignores messages and events of another thread', () => {
    const state = fullState();
    const other = applyHostMessage(state, { type: 'message/added', threadId: 'thr_other', message: userMessage('x', 'x') }, NOW);
    assert.equal(other.state, state);
    assert.deepEqual(other.changes, []);
    const ev = event(state, 'run_9', { type: 'run.updated', run: run('run_9', 'queued') }, 'thr_other');
    assert.equal(ev.state, state);
  });

  it('tracks the active run through its statuses', () => {
    let state = fullState();
    let applied = event(state, 'run_1', { type: 'run.updated', run: run('run_1', 'queued') });
    assert.equal(applied.state.activeRunId, 'run_1');
    assert.ok(applied.changes.some((c) => c.kind === 'messages'), 'a new run takes a place in the transcript');
    assert.ok(applied.changes.some((c) => c.kind === 'status'));
    state = applied.state;
    applied = event(state, 'run_1', { type: 'run.updated', run: run('run_1', 'in_progress', { startedAt: 102 }) });
    assert.ok(applied.changes.some((c) => c.kind === 'steps' && c.runId === 'run_1'));
    assert.equal(applied.state.runs.run_1.run.status, 'in_progress');
    applied = event(applied.state, 'run_1', { type: 'run.updated', run: run('run_1', 'completed', { startedAt: 102, completedAt: 110 }) });
    assert.equal(applied.state.activeRunId, undefined);
    assert.equal(applied.state.statusRunId, 'run_1', 'the finished run stays on the status line');
  });

  it('streams deltas into only the message they belong to', () => {
    const base = events(fullState(), 'run_1', [
      { type: 'run.updated', run: run('run_1', 'in_progress') },
      { type: 'message.created', message: { id: 'msg_a', role: 'assistant', content: [], createdAt: 103, status: 'in_progress' } },
      { type: 'message.created', message: { id: 'msg_b', role: 'assistant', content: [{ type: 'text', text: 'other', annotations: [] }], createdAt: 104 } },
    ]).state;
    const before = base.messages.find((m) => m.id === 'msg_b');
    const streamed = base.messages.find((m) => m.id === 'msg_a');
    const list = base.messages;
    const first = event(base, 'run_1', { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'Hel' });
    const second = event(first.state, 'run_1', { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'lo' });
    assert.deepEqual(second.changes, [{ kind: 'message', messageId: 'msg_a' }]);
    assert.equal(textOf(second.state, 'msg_a'), 'Hello');
    assert.equal(second.state.messages.find((m) => m.id === 'msg_b'), before, 'the other message is the very same object');
    assert.deepEqual(streamed?.content, [], 'a message object is never changed: the renderer tells redraws by identity');
    assert.ok(second.state.messages.length === list.length && second.state.messages.every((m, i) => m.id === 'msg_a' || m === list[i]), 'a delta replaces only its own message in the list');
    assert.equal(list.find((m) => m.id === 'msg_a'), streamed, 'and leaves the list it was given as it was');
    assert.equal(second.state.messages.find((m) => m.id === 'msg_a')?.runId, 'run_1', 'created messages learn their run');
  });

  it('opens a new content part when a delta names the next index', () => {
    const base = events(fullState(), 'run_1', [
      { type: 'message.created', message: { id: 'msg_a', role: 'assistant', content: [], createdAt: 103 } },
      { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'one' },
      { type: 'message.delta', messageId: 'msg_a', index: 1, text: 'two' },
    ]).state;
    assert.equal(textOf(base, 'msg_a'), 'one|two');
  });

  it('starts a message from a delta that outran message.created', () => {
    const applied = event(fullState(), 'run_1', { type: 'message.delta', messageId: 'msg_x', index: 0, text: 'early' });
    assert.deepEqual(applied.changes, [{ kind: 'messages' }]);
    const message = applied.state.messages.at(-1);
    assert.equal(message?.id, 'msg_x');
    assert.equal(message?.role, 'assistant');
    assert.equal(message?.runId, 'run_1');
    assert.equal(textOf(applied.state, 'msg_x'), 'early');
  });

  it('replaces the streamed text with the completed message', () => {
    const applied = events(fullState(), 'run_1', [
      { type: 'message.created', message: { id: 'msg_a', role: 'assistant', content: [], createdAt: 103, status: 'in_progress' } },
      { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'draft' },
      {
        type: 'message.completed',
        message: { id: 'msg_a', role: 'assistant', content: [{ type: 'text', text: 'final', annotations: [] }], createdAt: 103, status: 'completed', runId: 'run_1' },
      },
    ]);
    assert.equal(textOf(applied.state, 'msg_a'), 'final');
    assert.equal(applied.state.messages.find((m) => m.id === 'msg_a')?.status, 'completed');
  });

  it('keeps steps under their run, updating them in place', () => {
    const started = events(fullState(), 'run_1', [
      { type: 'run.updated', run: run('run_1', 'in_progress') },
      { type: 'step.created', step: functionStep('in_progress') },
    ]);
    assert.deepEqual(started.changes, [{ kind: 'steps', runId: 'run_1' }]);
    const done = event(started.state, 'run_1', { type: 'step.completed', step: functionStep('completed', '{"temp":18}') });
    const steps = done.state.runs.run_1.steps;
    assert.equal(steps.length, 1);
    assert.equal(steps[0].status, 'completed');
    const details = steps[0].details;
    assert.ok(details.type === 'tool_calls' && details.toolCalls[0].type === 'function');
    assert.equal(details.toolCalls[0].output, '{"temp":18}');
  });

  it('keeps a step that arrives before its run with a stand-in run', () => {
    const applied = event(fullState(), 'run_1', { type: 'step.created', step: functionStep('in_progress') });
    assert.equal(applied.state.runs.run_1.steps.length, 1);
    assert.equal(applied.state.runs.run_1.run.status, 'in_progress');
    const updated = event(applied.state, 'run_1', { type: 'run.updated', run: run('run_1', 'requires_action') });
    assert.equal(updated.state.runs.run_1.steps.length, 1, 'the run update keeps the earlier steps');
    assert.equal(updated.state.runs.run_1.run.status, 'requires_action');
  });

  it('records usage on the run and keeps it through later run updates', () => {
    const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };
    const applied = events(fullState(), 'run_1', [
      { type: 'run.updated', run: run('run_1', 'in_progress') },
      { type: 'usage', usage },
      { type: 'run.updated', run: run('run_1', 'completed') },
    ]);
    assert.deepEqual(applied.state.runs.run_1.run.usage, usage);
  });

  it('shows a retry until the run moves again', () => {
    const base = event(fullState(), 'run_1', { type: 'run.updated', run: run('run_1', 'in_progress') }).state;
    const retry = event(base, 'run_1', { type: 'retry', attempt: 2, waitMs: 3000, reason: 'rate limited' });
    assert.deepEqual(retry.state.runNotices.run_1.retry, { attempt: 2, reason: 'rate limited', until: NOW + 3000 });
    assert.deepEqual(retry.changes, [{ kind: 'status' }]);
    const moved = event(retry.state, 'run_1', { type: 'step.created', step: functionStep('in_progress') });
    assert.equal(moved.state.runNotices.run_1.retry, undefined);
    assert.ok(moved.changes.some((c) => c.kind === 'status'), 'the status line learns the retry is over');
  });

  it('records the fallback to polling and run errors', () => {
    const applied = events(fullState(), 'run_1', [
      { type: 'run.updated', run: run('run_1', 'in_progress') },
      { type: 'fallback', reason: 'stream dropped' },
      { type: 'error', error: { code: 'server_error', message: 'The server failed' } },
    ]);
    assert.equal(applied.state.runNotices.run_1.fallback, 'stream dropped');
    assert.deepEqual(applied.state.runNotices.run_1.error, { code: 'server_error', message: 'The server failed' });
  });

  it('shows and clears notices', () => {
    const notice = { severity: 'warning' as const, message: 'No API key is set.', action: { label: 'Set API Key', command: 'assistants.setApiKey' as const } };
    const shown = applyHostMessage(fullState(), { type: 'notice/show', notice }, NOW);
    assert.deepEqual(shown.state.notice, notice);
    assert.deepEqual(shown.changes, [{ kind: 'notice' }]);
    const cleared = applyHostMessage(shown.state, { type: 'notice/clear' }, NOW);
    assert.equal(cleared.state.notice, undefined);
  });

  it('dismisses the notice locally', () => {
    const notice = { severity: 'info' as const, message: 'Hi' };
    const dismissed = dismissNotice(applyHostMessage(fullState(), { type: 'notice/show', notice }, NOW).state);
    assert.equal(dismissed.state.notice, undefined);
    assert.deepEqual(dismissed.changes, [{ kind: 'notice' }]);
    assert.deepEqual(dismissNotice(dismissed.state).changes, [], 'nothing to redraw without a notice');
  });

  it('keeps the question the host names unanswered until news of a run or a message comes', () => {
    const state = fullState({ unanswered: 'msg_u0' });
    assert.equal(state.unanswered, 'msg_u0');
    const started = event(state, 'run_1', { type: 'run.updated', run: run('run_1', 'queued') });
    assert.equal(started.state.unanswered, undefined, 'a new run answers it');
    const added = applyHostMessage(state, { type: 'message/added', threadId: THREAD, message: userMessage('msg_u1', 'Again') }, NOW);
    assert.equal(added.state.unanswered, undefined, 'a new question replaces it');
    const known = events(fullState({ runs: { run_0: { run: run('run_0', 'completed', { createdAt: 50 }), steps: [] } }, unanswered: 'msg_u0' }), 'run_0', [{ type: 'run.updated', run: run('run_0', 'completed', { createdAt: 50, completedAt: 60 }) }]);
    assert.equal(known.state.unanswered, 'msg_u0', 'news of an earlier run changes nothing');
    assert.equal(fullState().unanswered, undefined);
  });

  describe('run/waiting (the request that creates the run was refused: no run id yet)', () => {
    const waiting = { attempt: 1, reason: 'Rate limit reached.', waitMs: 15_000 };

    it('counts down from the host\'s wait, on this page\'s clock', () => {
      const applied = applyHostMessage(fullState(), { type: 'run/waiting', threadId: THREAD, waiting }, NOW);
      assert.deepEqual(applied.state.waiting, { attempt: 1, reason: 'Rate limit reached.', until: NOW + 15_000 });
      assert.deepEqual(applied.changes, [{ kind: 'status' }]);
      const shown = fullState({ waiting: { ...waiting, waitMs: 4_000 } });
      assert.equal(shown.waiting?.until, NOW + 4_000, 'a view shown again during the wait keeps counting');
    });

    it('ends with the first news of the run, with the end of the send, or when the host says so', () => {
      const state = applyHostMessage(fullState(), { type: 'run/waiting', threadId: THREAD, waiting }, NOW).state;
      const started = event(state, 'run_1', { type: 'run.updated', run: run('run_1', 'queued') });
      assert.equal(started.state.waiting, undefined);
      assert.ok(started.changes.some((c) => c.kind === 'status'));
      const idle = applyHostMessage(state, { type: 'run/busy', busy: false }, NOW);
      assert.equal(idle.state.waiting, undefined);
      assert.ok(idle.changes.some((c) => c.kind === 'status'), 'the status line drops the countdown');
      assert.equal(applyHostMessage(state, { type: 'run/waiting', threadId: THREAD }, NOW).state.waiting, undefined);
    });

    it('ignores a wait on another thread', () => {
      const other = applyHostMessage(fullState(), { type: 'run/waiting', threadId: 'thr_other', waiting }, NOW);
      assert.equal(other.state.waiting, undefined);
    });
  });

  describe('run/busy', () => {
    const busy = (state: ViewState, value: boolean, now = NOW): Applied => applyHostMessage(state, { type: 'run/busy', busy: value }, now);

    it('ends the run the webview still thinks is live when the host stops following it', () => {
      const live = event(fullState(), 'run_1', { type: 'run.updated', run: run('run_1', 'in_progress', { startedAt: 101 }) }).state;
      assert.equal(live.activeRunId, 'run_1');
      const idle = busy(live, false, NOW + 5000);
      assert.equal(idle.state.activeRunId, undefined, 'Send is usable again');
      assert.equal(idle.state.runs.run_1.run.status, 'in_progress', 'the last known status stays as the label');
      assert.equal(idle.state.runNotices.run_1.endedAt, NOW + 5000, 'the clock stops here');
      assert.deepEqual(idle.changes, [{ kind: 'status' }, { kind: 'steps', runId: 'run_1' }]);
      assert.equal(idle.state.statusRunId, 'run_1', 'the status line still reports on it');
    });

    it('changes nothing when no run is live, or when the host turns busy', () => {
      const done = events(fullState(), 'run_1', [
        { type: 'run.updated', run: run('run_1', 'in_progress') },
        { type: 'run.updated', run: run('run_1', 'completed', { completedAt: 105 }) },
      ]).state;
      const idle = busy(done, false);
      assert.equal(idle.state, done);
      assert.deepEqual(idle.changes, []);
      assert.equal(idle.state.runNotices.run_1?.endedAt, undefined, 'a finished run is not marked');
      const live = event(fullState(), 'run_1', { type: 'run.updated', run: run('run_1', 'queued') }).state;
      const busyAgain = busy(live, true);
      assert.equal(busyAgain.state, live);
    });

    it('clears the active run even when its run is unknown', () => {
      const state = { ...fullState(), activeRunId: 'run_gone' };
      const idle = busy(state, false);
      assert.equal(idle.state.activeRunId, undefined);
      assert.deepEqual(idle.changes, [{ kind: 'status' }]);
    });

    it('takes a run up again when fresh news of it arrives', () => {
      const live = event(fullState(), 'run_1', { type: 'run.updated', run: run('run_1', 'in_progress') }).state;
      const idle = busy(live, false).state;
      const back = event(idle, 'run_1', { type: 'run.updated', run: run('run_1', 'requires_action') });
      assert.equal(back.state.activeRunId, 'run_1');
      assert.equal(back.state.runNotices.run_1.endedAt, undefined);
    });

    it('shows a live-looking run of a full state without an active run as ended', () => {
      const runs = {
        run_a: { run: run('run_a', 'in_progress', { createdAt: 50 }), steps: [] },
        run_b: { run: run('run_b', 'queued', { createdAt: 90 }), steps: [] },
        run_c: { run: run('run_c', 'completed', { createdAt: 20 }), steps: [] },
      };
      const state = applyHostMessage(emptyState(), { type: 'state/full', state: chat({ runs, activeRunId: 'run_b' }) }, NOW).state;
      assert.equal(state.runNotices.run_a?.endedAt, NOW);
      assert.equal(state.runNotices.run_b?.endedAt, undefined, 'the active run keeps going');
      assert.equal(state.runNotices.run_c?.endedAt, undefined);
    });
  });

  describe('sending', () => {
    it('settles the pending send on its own result only', () => {
      const pending = sendStarted(fullState(), 'req_1');
      const stray = sendResult(pending, 'req_0', true);
      assert.equal(stray.state.pendingSendId, 'req_1');
      assert.deepEqual(stray.changes, []);
      const ok = sendResult(pending, 'req_1', true);
      assert.equal(ok.state.pendingSendId, undefined);
      assert.deepEqual(ok.changes, [{ kind: 'send', requestId: 'req_1', ok: true }]);
    });

    it('keeps the refusal reason for the composer', () => {
      const refused = sendResult(sendStarted(fullState(), 'req_1'), 'req_1', false, 'Set an API key first.');
      assert.equal(refused.state.sendError, 'Set an API key first.');
      assert.deepEqual(refused.changes, [{ kind: 'send', requestId: 'req_1', ok: false }]);
      const noReason = sendResult(sendStarted(fullState(), 'req_2'), 'req_2', false);
      assert.match(noReason.state.sendError ?? '', /could not be sent/);
    });

    it('times out only a send that is still pending', () => {
      const pending = sendStarted(fullState(), 'req_1');
      const timedOut = sendTimedOut(pending, 'req_1');
      assert.equal(timedOut.state.pendingSendId, undefined);
      assert.match(timedOut.state.sendError ?? '', /did not answer/);
      const late = sendTimedOut(sendResult(pending, 'req_1', true).state, 'req_1');
      assert.deepEqual(late.changes, []);
    });

    it('clears the composer when a send that timed out is accepted late', () => {
      const timedOut = sendTimedOut(sendStarted(fullState(), 'req_1'), 'req_1').state;
      assert.deepEqual(timedOut.timedOutSend, { requestId: 'req_1' });
      // A full state in between must not make the webview forget the send it gave up on.
      const refreshed = applyHostMessage(timedOut, { type: 'state/full', state: chat() }, NOW).state;
      const late = sendResult(refreshed, 'req_1', true);
      assert.deepEqual(late.changes, [{ kind: 'sendLate', requestId: 'req_1' }]);
      assert.equal(late.state.sendError, undefined, 'the timeout sentence goes');
      assert.equal(late.state.timedOutSend, undefined);
      const again = sendResult(late.state, 'req_1', true);
      assert.deepEqual(again.changes, [], 'a repeated answer does nothing');
    });

    it('forgets a send that timed out when it is refused late, keeping the composer', () => {
      const timedOut = sendTimedOut(sendStarted(fullState(), 'req_1'), 'req_1').state;
      const refused = sendResult(timedOut, 'req_1', false, 'No key.');
      assert.deepEqual(refused.changes, []);
      assert.equal(refused.state.timedOutSend, undefined);
    });

    it('keeps the error of a newer send when an older one is accepted late', () => {
      const timedOut = sendTimedOut(sendStarted(fullState(), 'req_1'), 'req_1').state;
      const newer = { ...sendStarted(timedOut, 'req_2'), sendError: 'newer error' };
      const late = sendResult(newer, 'req_1', true);
      assert.equal(late.state.pendingSendId, 'req_2');
      assert.equal(late.state.sendError, 'newer error');
    });

    it('keeps the pending send across a full state', () => {
      const pending = sendStarted(fullState(), 'req_1');
      const refreshed = applyHostMessage(pending, { type: 'state/full', state: chat() }, NOW);
      assert.equal(refreshed.state.pendingSendId, 'req_1');
    });
  });

  describe('where the transcript opens after the page is made again', () => {
    it('restores a position saved against the thread as it is now', () => {
      const state = fullState();
      assert.equal(scrollToRestore({ fromBottom: 420, key: scrollKey(state) }, state), 420);
    });

    it('opens at the end when the saved position predates the last messages (a stale saved state after a window reload)', () => {
      const before = fullState();
      const saved = { fromBottom: 2_000, key: scrollKey(before) };
      const after = fullState({ messages: [userMessage('msg_u0', 'Hello'), userMessage('msg_u1', 'Keep going while I reload')] });
      assert.equal(scrollToRestore(saved, after), 0);
    });

    it('opens at the end of another thread, and when nothing says what the position was measured against', () => {
      const state = fullState();
      const other = fullState({ thread: { id: 'thr_2', title: 'Other' } });
      assert.equal(scrollToRestore({ fromBottom: 300, key: scrollKey(state) }, other), 0);
      assert.equal(scrollToRestore({ fromBottom: 300, key: '' }, state), 0, 'a state saved before positions had a key');
      assert.equal(scrollToRestore({ fromBottom: 300, key: scrollKey(emptyState()) }, emptyState()), 0, 'no thread');
    });
  });
});
