import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { ChatState } from '../../../src/common/protocol';
import type * as StatusLineModule from '../../../webview/render/statusLine';
import { applyHostMessage, emptyState } from '../../../webview/state';

const NOW = 1_700_000_000_000;

const chat: ChatState = {
  provider: { backend: 'responses', label: 'Test', mock: true, hasKey: true },
  thread: { id: 't1', title: 'A thread' },
  messages: [{ id: 'm1', role: 'user', content: [{ type: 'text', text: 'Hello?', annotations: [] }], createdAt: 1 }],
  runs: {},
};

describe('status line (DOM, happy-dom)', () => {
  let StatusLine: typeof StatusLineModule.StatusLine;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals ??= () => ({ form: null, setFormValue: () => undefined });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists
    ({ StatusLine } = require('../../../webview/render/statusLine') as typeof StatusLineModule);
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  it('shows a 429 on the request that creates the run with its countdown, and Retry now ends the wait', () => {
    let retried = 0;
    const line = new StatusLine(() => retried++);
    let state = applyHostMessage(emptyState(), { type: 'state/full', state: chat }, NOW).state;
    line.update(state, NOW);
    assert.equal(line.element.hidden, true, 'nothing to show before the run');
    state = applyHostMessage(state, { type: 'run/waiting', threadId: 't1', waiting: { attempt: 1, reason: 'Rate limit reached.', waitMs: 15_000 } }, NOW).state;
    assert.equal(line.update(state, NOW), true, 'the countdown ticks');
    assert.equal(line.element.hidden, false);
    assert.match(line.element.textContent ?? '', /Starting the run/);
    assert.match(line.element.textContent ?? '', /Rate limit reached, retrying in 15 s/);
    line.update(state, NOW + 5_000);
    assert.match(line.element.textContent ?? '', /retrying in 10 s/, 'it counts down');
    const retryNow = line.element.querySelector<HTMLElement>('.status-retry-now');
    assert.ok(retryNow, 'Retry now is offered though the run has no id');
    retryNow.click();
    assert.equal(retried, 1);
    state = applyHostMessage(state, { type: 'run/event', threadId: 't1', runId: 'run_1', event: { type: 'run.updated', run: { id: 'run_1', threadId: 't1', assistantId: 'a', status: 'in_progress', createdAt: 2 } } }, NOW).state;
    line.update(state, NOW + 6_000);
    assert.doesNotMatch(line.element.textContent ?? '', /retrying|Starting the run/, 'the run is under way');
    assert.match(line.element.textContent ?? '', /In progress/);
  });

  it('says on whom a run waiting for its calls waits: the user\'s approval, the user\'s output, or neither', () => {
    const line = new StatusLine();
    const waiting = { id: 'run_1', threadId: 't1', assistantId: 'a', status: 'requires_action' as const, createdAt: 1 };
    let state = applyHostMessage(emptyState(), { type: 'state/full', state: { ...chat, runs: { run_1: { run: waiting, steps: [] } }, activeRunId: 'run_1' } }, NOW).state;
    line.update(state, NOW);
    assert.match(line.element.textContent ?? '', /Running functions/);
    state = applyHostMessage(state, { type: 'approval/show', approvals: [{ callId: 'c1', runId: 'run_1', name: 'propose_edit', arguments: '{}', writes: true }] }, NOW).state;
    line.update(state, NOW);
    assert.match(line.element.textContent ?? '', /Waiting for your approval/);
    assert.doesNotMatch(line.element.textContent ?? '', /function output/);
    state = applyHostMessage(state, { type: 'approval/show', approvals: [] }, NOW).state;
    state = applyHostMessage(state, { type: 'output/show', requests: [{ callId: 'c2', runId: 'run_1', name: 'lookup_price', arguments: '{}', draft: '' }] }, NOW).state;
    line.update(state, NOW);
    assert.match(line.element.textContent ?? '', /Waiting for your output/);
    // A full state carries the waiting calls too (the view shown again).
    state = applyHostMessage(state, { type: 'state/full', state: { ...chat, runs: { run_1: { run: waiting, steps: [] } }, activeRunId: 'run_1', approvals: [{ callId: 'c1', runId: 'run_1', name: 'read_file', arguments: '{}', writes: false }] } }, NOW).state;
    line.update(state, NOW);
    assert.match(line.element.textContent ?? '', /Waiting for your approval/);
  });

  it('says the run is starting once a question is sent, not how the previous run ended', () => {
    const line = new StatusLine();
    const finished = { id: 'run_1', threadId: 't1', assistantId: 'a', status: 'completed' as const, createdAt: 1, completedAt: 2 };
    let state = applyHostMessage(emptyState(), { type: 'state/full', state: { ...chat, runs: { run_1: { run: finished, steps: [] } } } }, NOW).state;
    line.update(state, NOW);
    assert.match(line.element.textContent ?? '', /Completed/);
    state = applyHostMessage(state, { type: 'run/busy', busy: true }, NOW).state;
    line.update(state, NOW);
    assert.match(line.element.textContent ?? '', /Starting the run/);
    assert.doesNotMatch(line.element.textContent ?? '', /Completed/, 'the previous outcome is gone');
    const next = applyHostMessage(state, { type: 'run/event', threadId: 't1', runId: 'run_2', event: { type: 'run.updated', run: { id: 'run_2', threadId: 't1', assistantId: 'a', status: 'in_progress', createdAt: 3 } } }, NOW).state;
    line.update(next, NOW);
    assert.match(line.element.textContent ?? '', /In progress/, 'the new run reports');
    // A send whose run never began (refused, say) says so: the last outcome is not its news.
    const gaveUp = applyHostMessage(state, { type: 'run/busy', busy: false }, NOW).state;
    line.update(gaveUp, NOW);
    assert.match(line.element.textContent ?? '', /Not started/);
    assert.doesNotMatch(line.element.textContent ?? '', /Completed/);
  });
});
