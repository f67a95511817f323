import * as assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/common/events';
import type { Message, Run, RunStep } from '../../../src/common/model';
import type { FoldedThread, RunFold } from '../../../src/common/runFold';
import { applyRunEvent, CUT_NOTE, MAX_TEXT_PART_CHARS, runIdOfEvent } from '../../../src/common/runFold';

const NOW = 1_700_000_000_000;

function run(status: Run['status'], extra: Partial<Run> = {}): Run {
  return { id: 'run_1', threadId: 'thr_1', assistantId: 'asst_1', status, createdAt: 100, ...extra };
}

function step(id: string, status: RunStep['status'], extra: Partial<RunStep> = {}): RunStep {
  return { id, runId: 'run_1', status, details: { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', id: `call_${id}`, input: 'print(1)', outputs: [] }] }, createdAt: 101, ...extra };
}

function answer(text: string, extra: Partial<Message> = {}): Message {
  return { id: 'msg_a', role: 'assistant', content: [{ type: 'text', text, annotations: [] }], createdAt: 102, runId: 'run_1', status: 'in_progress', ...extra };
}

const QUESTION: Message = { id: 'msg_q', role: 'user', content: [{ type: 'text', text: 'Plot it', annotations: [] }], createdAt: 99 };

function empty(): FoldedThread {
  return { messages: [QUESTION], runs: {} };
}

/** Folds `events` one after another, as the chat does live (`maxTextChars` as where a thread is kept or drawn). */
function foldAll(thread: FoldedThread, events: RunEvent[], runId = 'run_1', maxTextChars?: number): FoldedThread {
  return events.reduce((folded, event) => applyRunEvent(folded, event, { runId, now: NOW, ...(maxTextChars === undefined ? {} : { maxTextChars }) }), thread);
}

/** Freezes `value` and everything in it, so any change the fold made in place would throw. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('applyRunEvent, the one fold of run events', () => {
  describe('run.updated', () => {
    it('adds a run the thread did not have, with no steps', () => {
      const after = applyRunEvent(empty(), { type: 'run.updated', run: run('queued') }, { now: NOW });
      assert.deepEqual(after.runs, { run_1: { run: run('queued'), steps: [] } });
      assert.deepEqual(after.messages, [QUESTION]);
    });

    it('replaces the run, keeping its steps, the holder\'s own fields, and usage the new copy does not carry', () => {
      const before: FoldedThread<RunFold & { assistant?: { id: string; name: string } }> = {
        messages: [],
        runs: { run_1: { run: run('in_progress', { usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 } }), steps: [step('s1', 'completed')], assistant: { id: 'asst_1', name: 'Helper' } } },
      };
      const after = applyRunEvent(before, { type: 'run.updated', run: run('completed', { completedAt: 130 }) }, { now: NOW });
      assert.deepEqual(after.runs.run_1, { run: run('completed', { completedAt: 130, usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 } }), steps: [step('s1', 'completed')], assistant: { id: 'asst_1', name: 'Helper' } });
      const newer = applyRunEvent(after, { type: 'run.updated', run: run('completed', { usage: { promptTokens: 9, completionTokens: 1, totalTokens: 10 } }) }, { now: NOW });
      assert.equal(newer.runs.run_1.run.usage?.totalTokens, 10, 'usage the run carries replaces the old');
    });
  });

  describe('steps', () => {
    it('adds a step under its run, then replaces it by id as it changes and completes', () => {
      const started = foldAll(empty(), [{ type: 'run.updated', run: run('in_progress') }, { type: 'step.created', step: step('s1', 'in_progress') }, { type: 'step.created', step: step('s2', 'in_progress') }]);
      assert.deepEqual(started.runs.run_1.steps.map((s) => s.id), ['s1', 's2']);
      const changed = step('s1', 'in_progress', { details: { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', id: 'call_s1', input: 'print(2)', outputs: [] }] } });
      const updated = foldAll(started, [{ type: 'step.updated', step: changed }]);
      assert.deepEqual(updated.runs.run_1.steps, [changed, step('s2', 'in_progress')], 'replaced in place, order kept');
      const completed = foldAll(updated, [{ type: 'step.completed', step: step('s2', 'completed', { completedAt: 120 }) }]);
      assert.deepEqual(completed.runs.run_1.steps.map((s) => s.status), ['in_progress', 'completed']);
    });

    it('keeps a step that outruns its run under a stand-in run, which the run\'s own update then replaces', () => {
      const early = foldAll(empty(), [{ type: 'step.completed', step: step('s1', 'completed') }]);
      assert.equal(early.runs.run_1.run.status, 'in_progress');
      assert.equal(early.runs.run_1.run.createdAt, 101, 'dated with the step');
      const known = foldAll(early, [{ type: 'run.updated', run: run('completed') }]);
      assert.deepEqual(known.runs.run_1, { run: run('completed'), steps: [step('s1', 'completed')] });
    });

    it('files a step that names no run under the run it came with', () => {
      const after = applyRunEvent(empty(), { type: 'step.created', step: step('s1', 'in_progress', { runId: '' }) }, { runId: 'run_9', now: NOW });
      assert.deepEqual(Object.keys(after.runs), ['run_9']);
    });
  });

  describe('messages', () => {
    it('adds a created message at the end, with the run it came with when it names none, and replaces it when completed', () => {
      const { runId: _none, ...unnamed } = answer('');
      const created = applyRunEvent(empty(), { type: 'message.created', message: unnamed }, { runId: 'run_1', now: NOW });
      assert.deepEqual(created.messages, [QUESTION, answer('')]);
      const completed = applyRunEvent(created, { type: 'message.completed', message: answer('Done.', { status: 'completed' }) }, { runId: 'run_1', now: NOW });
      assert.deepEqual(completed.messages, [QUESTION, answer('Done.', { status: 'completed' })]);
      assert.equal(completed.messages[0], QUESTION, 'an untouched message is the same object');
    });

    it('appends a delta to its text part, making the parts before it empty text when missing', () => {
      const streamed = foldAll(empty(), [
        { type: 'message.created', message: answer('') },
        { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'Hel' },
        { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'lo' },
        { type: 'message.delta', messageId: 'msg_a', index: 2, text: 'P.S.' },
      ]);
      assert.deepEqual(streamed.messages[1].content, [
        { type: 'text', text: 'Hello', annotations: [] },
        { type: 'text', text: '', annotations: [] },
        { type: 'text', text: 'P.S.', annotations: [] },
      ]);
    });

    it('never writes a delta over an image part: the thread is left as it was', () => {
      const withImage = foldAll(empty(), [{ type: 'message.created', message: answer('', { content: [{ type: 'image_file', fileId: 'file_1' }] }) }]);
      const after = applyRunEvent(withImage, { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'x' }, { runId: 'run_1', now: NOW });
      assert.equal(after, withImage);
    });

    it('keeps 1,000,000 characters of a text part where a thread is kept or drawn, and says where it cut: many deltas, one huge delta, a completed message', () => {
      // A server streaming without end made every save of the thread write all of it (50 MB: 0.2 s of the extension host, every 500 ms).
      const limit = MAX_TEXT_PART_CHARS;
      const context = { runId: 'run_1', now: NOW, maxTextChars: limit };
      const kept = `${'x'.repeat(limit)}${CUT_NOTE}`;
      const deltas = [{ type: 'message.created', message: answer('') } as RunEvent, ...Array.from({ length: 12 }, (): RunEvent => ({ type: 'message.delta', messageId: 'msg_a', index: 0, text: 'x'.repeat(100_000) }))];
      assert.equal((foldAll(empty(), deltas, 'run_1', limit).messages[1].content[0] as { text: string }).text, kept);
      assert.equal((foldAll(empty(), deltas).messages[1].content[0] as { text: string }).text.length, 1_200_000, "without a limit (a backend's copy of the server's run) nothing is cut");
      const huge = foldAll(
        empty(),
        [
          { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'x'.repeat(limit) },
          { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'y'.repeat(5 * limit) },
        ],
        'run_1',
        limit,
      );
      assert.equal((huge.messages[1].content[0] as { text: string }).text, kept, 'a part of exactly the limit takes no more, and says so');
      assert.equal(applyRunEvent(huge, { type: 'message.delta', messageId: 'msg_a', index: 0, text: 'more' }, context), huge, 'a part already cut changes nothing');
      const citation = (startIndex: number) => ({ type: 'url_citation' as const, url: 'https://example.com', startIndex, endIndex: startIndex + 5 });
      const completed = applyRunEvent(empty(), { type: 'message.completed', message: answer('', { status: 'completed', content: [{ type: 'text', text: 'x'.repeat(3 * limit), annotations: [citation(10), citation(2 * limit)] }, { type: 'text', text: 'short', annotations: [] }] }) }, context);
      assert.deepEqual(completed.messages[1].content, [
        { type: 'text', text: kept, annotations: [citation(10)] },
        { type: 'text', text: 'short', annotations: [] },
      ]);
      const again = applyRunEvent(completed, { type: 'message.completed', message: completed.messages[1] }, context);
      assert.deepEqual(again.messages[1], completed.messages[1], 'a part cut before is kept as it is');
    });

    it('starts an assistant\'s message in progress from a delta that outruns its creation', () => {
      const after = applyRunEvent(empty(), { type: 'message.delta', messageId: 'msg_b', index: 1, text: 'late' }, { runId: 'run_1', now: NOW });
      assert.deepEqual(after.messages[1], {
        id: 'msg_b',
        role: 'assistant',
        content: [{ type: 'text', text: '', annotations: [] }, { type: 'text', text: 'late', annotations: [] }],
        createdAt: NOW / 1000,
        status: 'in_progress',
        runId: 'run_1',
      });
    });
  });

  it('sets usage on the run it came with, and ignores usage of a run it does not know', () => {
    const usage = { promptTokens: 3, completionTokens: 4, totalTokens: 7 };
    const known = foldAll(empty(), [{ type: 'run.updated', run: run('in_progress') }, { type: 'usage', usage }]);
    assert.deepEqual(known.runs.run_1.run.usage, usage);
    const thread = empty();
    assert.equal(applyRunEvent(thread, { type: 'usage', usage }, { runId: 'run_x', now: NOW }), thread);
  });

  it('leaves the thread as it was for retries, fallbacks and errors, which are notices', () => {
    const thread = foldAll(empty(), [{ type: 'run.updated', run: run('in_progress') }]);
    for (const event of [
      { type: 'retry', attempt: 1, waitMs: 100, reason: 'rate limited' },
      { type: 'fallback', reason: 'polling' },
      { type: 'error', error: { code: 'server', message: 'boom' } },
    ] satisfies RunEvent[]) {
      assert.equal(applyRunEvent(thread, event, { runId: 'run_1', now: NOW }), thread, event.type);
    }
  });

  it('changes nothing it is given: every event folds into a frozen thread', () => {
    const frozen = deepFreeze(foldAll(empty(), [{ type: 'run.updated', run: run('in_progress') }, { type: 'step.created', step: step('s1', 'in_progress') }, { type: 'message.created', message: answer('Hi') }]));
    const copy = structuredClone(frozen);
    const after = foldAll(frozen, [
      { type: 'run.updated', run: run('requires_action') },
      { type: 'step.completed', step: step('s1', 'completed') },
      { type: 'message.delta', messageId: 'msg_a', index: 0, text: ' there' },
      { type: 'message.completed', message: answer('Hi there', { status: 'completed' }) },
      { type: 'usage', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } },
    ]);
    assert.deepEqual(frozen, copy);
    assert.equal(after.messages[1].content[0].type === 'text' && after.messages[1].content[0].text, 'Hi there');
  });

  it('names the run of an event: its own, else the one it came with', () => {
    assert.equal(runIdOfEvent({ type: 'run.updated', run: run('queued') }, 'run_x'), 'run_1');
    assert.equal(runIdOfEvent({ type: 'step.created', step: step('s1', 'in_progress') }, 'run_x'), 'run_1');
    assert.equal(runIdOfEvent({ type: 'step.created', step: step('s1', 'in_progress', { runId: '' }) }, 'run_x'), 'run_x');
    assert.equal(runIdOfEvent({ type: 'message.created', message: answer('') }, 'run_x'), 'run_1');
    assert.equal(runIdOfEvent({ type: 'message.delta', messageId: 'msg_a', index: 0, text: 'x' }, 'run_x'), 'run_x');
    assert.equal(runIdOfEvent({ type: 'usage', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } }, undefined), undefined);
  });
});
