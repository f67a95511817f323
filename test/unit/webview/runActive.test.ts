import * as assert from 'node:assert/strict';
import type { ChatState, WebviewToHost } from '../../../src/common/protocol';
import type { Message, Run } from '../../../src/common/model';
import { chatPage } from './chatPage';

const question = (id: string, text: string, createdAt: number): Message => ({ id, role: 'user', content: [{ type: 'text', text, annotations: [] }], createdAt });
const failed: Run = { id: 'run_1', threadId: 't1', assistantId: 'a', status: 'failed', createdAt: 2, completedAt: 3, lastError: { code: 'server', message: 'The server failed.' }, usage: { promptTokens: 1200, completionTokens: 300, totalTokens: 1500 } };
const completed: Run = { ...failed, status: 'completed', lastError: undefined };

/** A thread whose last question was answered by `run`. */
function chatWith(run: Run): ChatState {
  return {
    provider: { backend: 'responses', label: 'Test', mock: true, hasKey: true },
    thread: { id: 't1', title: 'A thread' },
    messages: [question('m1', 'First question', 1), { id: 'm2', role: 'assistant', content: [{ type: 'text', text: 'Partial', annotations: [] }], createdAt: 2, runId: run.id, status: 'incomplete' }],
    runs: { [run.id]: { run, steps: [] } },
  };
}

/**
 * "A run is active" is one answer every control reads: while a run's creation is retrying (no run
 * id yet) the composer offers Stop, not Send; no Retry or Edit is offered; and a start that gives up
 * says so instead of how the run before it ended.
 */
/** Lets a reply's promise settle: each message is a task of its own in the page. */
const settled = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('the chat page while a run starts, retries its start, or gives up (DOM, happy-dom)', () => {
  const openPage = chatPage();

  function open(state: ChatState) {
    const { root, posted, receive } = openPage(state);
    const buttons = () => [...root.querySelectorAll<HTMLElement>('.composer-actions vscode-button')];
    const controls = () => ({
      send: buttons().find((b) => b.textContent?.includes('Send')),
      stop: buttons().find((b) => b.textContent?.includes('Stop')),
      retry: root.querySelectorAll('.run-retry').length,
      status: root.querySelector('.status-line')?.textContent ?? '',
      error: root.querySelector<HTMLElement>('.composer-error'),
    });
    return { root, posted, receive, controls };
  }

  /** Stop offered, Send not usable, no Retry: what every control shows while a run is under way. */
  function assertActive(page: ReturnType<typeof open>, when: string): void {
    const { send, stop, retry } = page.controls();
    assert.equal(stop?.hidden, false, `Stop is offered ${when}`);
    assert.equal((send as (HTMLElement & { disabled?: boolean }) | undefined)?.disabled, true, `Send waits ${when}`);
    assert.equal(retry, 0, `no Retry ${when}`);
  }

  it('offers Stop and no Retry from the moment a run is asked for, through its retried creation, and after a full state', () => {
    const page = open(chatWith(failed));
    assert.equal(page.controls().retry, 1, 'the failed run offers Retry while nothing runs');
    assert.equal(page.controls().stop?.hidden, true);
    page.receive({ type: 'message/added', threadId: 't1', message: question('m3', 'Second question', 4) });
    page.receive({ type: 'run/busy', busy: true });
    assertActive(page, 'once the run is asked for');
    assert.match(page.controls().status, /Starting the run/);
    page.receive({ type: 'run/waiting', threadId: 't1', waiting: { attempt: 1, reason: 'The server failed (500).', waitMs: 4_000 } });
    assertActive(page, 'while its creation waits to retry');
    assert.match(page.controls().status, /retrying in 4 s/);
    // The view shown again (or any full state) while the start still retries.
    page.receive({ type: 'state/full', state: { ...chatWith(failed), busy: true, waiting: { attempt: 2, reason: 'The server failed (500).', waitMs: 2_000 } } });
    assertActive(page, 'after a full state during the retried start');
    page.receive({ type: 'state/full', state: { ...chatWith(failed), busy: true } });
    assertActive(page, 'after a full state between two tries');
    assert.match(page.controls().status, /Starting the run/);
  });

  it('says a start that gave up did not start, not how the previous run ended nor what it cost, and gives Send back', () => {
    const page = open(chatWith(completed));
    assert.match(page.controls().status, /Completed/);
    page.receive({ type: 'message/added', threadId: 't1', message: question('m3', 'Second question', 4) });
    page.receive({ type: 'run/busy', busy: true });
    page.receive({ type: 'run/waiting', threadId: 't1', waiting: { attempt: 4, reason: 'The server failed (500).', waitMs: 1_000 } });
    page.receive({ type: 'run/busy', busy: false });
    const { status, send, stop } = page.controls();
    assert.match(status, /Not started/);
    assert.doesNotMatch(status, /Completed|This run|1,200/);
    assert.equal((send as (HTMLElement & { disabled?: boolean }) | undefined)?.disabled, false, 'Send is usable again');
    assert.equal(stop?.hidden, true);
    // The host's next full state names the question unanswered: the status line says the same.
    page.receive({ type: 'state/full', state: { ...chatWith(completed), messages: [...chatWith(completed).messages, question('m3', 'Second question', 4)], unanswered: 'm3' } });
    assert.match(page.controls().status, /Not started/);
    assert.equal(page.controls().retry, 1, 'the unanswered question offers Retry');
    // Asking it again goes back to starting, then to the new run's status.
    page.receive({ type: 'run/busy', busy: true });
    assert.match(page.controls().status, /Starting the run/);
    page.receive({ type: 'run/event', threadId: 't1', runId: 'run_2', event: { type: 'run.updated', run: { ...completed, id: 'run_2', status: 'in_progress', createdAt: 5, usage: undefined } } });
    assert.match(page.controls().status, /In progress/);
  });

  /** Types `text` into the composer and presses Send; returns the send request the page posted. */
  function send(page: ReturnType<typeof open>, text: string): Extract<WebviewToHost, { type: 'request'; kind: 'chat/send' }> {
    const input = page.root.querySelector('.composer-input') as HTMLElement & { value: string };
    input.value = text;
    input.dispatchEvent(new Event('input'));
    page.controls().send?.click();
    const request = page.posted.find((m): m is Extract<WebviewToHost, { type: 'request'; kind: 'chat/send' }> => m.type === 'request' && m.kind === 'chat/send');
    assert.ok(request, 'the question was sent');
    return request;
  }

  it('says the run is starting from the moment its question shows, before the host says a run is coming', async () => {
    const page = open(chatWith(completed));
    assert.match(page.controls().status, /Completed/);
    const request = send(page, 'Second question');
    // The question and the news of its run come as two messages: the page is drawn between them.
    page.receive({ type: 'message/added', threadId: 't1', message: question('m3', 'Second question', 4) });
    assert.match(page.root.querySelector('.transcript')?.textContent ?? '', /Second question/);
    assert.match(page.controls().status, /Starting the run/);
    assert.doesNotMatch(page.controls().status, /Completed|This run/, 'the previous run\'s outcome is not shown under the new question');
    page.receive({ type: 'run/busy', busy: true });
    page.receive({ type: 'reply', id: request.id, ok: true });
    await settled();
    assert.match(page.controls().status, /Starting the run/);
    page.receive({ type: 'run/event', threadId: 't1', runId: 'run_2', event: { type: 'run.updated', run: { ...completed, id: 'run_2', status: 'in_progress', createdAt: 5, completedAt: undefined, usage: undefined } } });
    assert.match(page.controls().status, /In progress/);
  });

  it('says a question shown and then refused did not start; a refusal before its question shows leaves the status as it was', async () => {
    const refusedEarly = open(chatWith(completed));
    const early = send(refusedEarly, 'Second question');
    refusedEarly.receive({ type: 'reply', id: early.id, ok: false, error: 'No API key is set.' });
    await settled();
    assert.match(refusedEarly.controls().status, /Completed/, 'nothing was asked: the last run\'s outcome still holds');

    const refusedLate = open(chatWith(completed));
    const late = send(refusedLate, 'Second question');
    refusedLate.receive({ type: 'message/added', threadId: 't1', message: question('m3', 'Second question', 4) });
    refusedLate.receive({ type: 'reply', id: late.id, ok: false, error: 'The run could not be started.' });
    await settled();
    assert.match(refusedLate.controls().status, /Not started/);
    assert.doesNotMatch(refusedLate.controls().status, /Completed|Starting the run/);
  });

  it('drops a refusal that said a run was going on once that run ends', async () => {
    const page = open(chatWith(failed));
    (page.root.querySelector('.run-retry') as HTMLElement).click();
    const retry = page.posted.find((m): m is Extract<WebviewToHost, { type: 'request'; kind: 'chat/retry' }> => m.type === 'request' && m.kind === 'chat/retry');
    assert.ok(retry, 'Retry was asked for');
    // Another window's send started a run first: the host refuses this one.
    page.receive({ type: 'run/busy', busy: true });
    page.receive({ type: 'reply', id: retry.id, ok: false, error: 'A run is still in progress. Stop it or wait for it to finish.' });
    await settled();
    assert.equal(page.controls().error?.hidden, false);
    assert.match(page.controls().error?.textContent ?? '', /still in progress/);
    page.receive({ type: 'run/busy', busy: false });
    assert.equal(page.controls().error?.hidden, true, 'the refusal no longer holds');
  });

  it('says why an Enter pressed while a run goes on sent nothing, keeps the text, and clears the sentence once Send is offered', () => {
    const page = open(chatWith(failed));
    page.receive({ type: 'run/busy', busy: true });
    const input = page.root.querySelector('.composer-input') as HTMLElement & { value: string };
    for (const text of ['Asked too early', 'Asked too early, again']) {
      input.value = text;
      input.dispatchEvent(new window.KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      assert.equal(page.posted.filter((m) => m.type === 'request' && m.kind === 'chat/send').length, 0, 'nothing is sent');
      assert.equal(page.controls().error?.hidden, false);
      assert.match(page.controls().error?.textContent ?? '', /An answer is still coming: wait for it, or Stop it/);
      assert.equal(input.value, text, 'the text stays');
    }
    // The view shown again (a full state) while the run still goes on: the sentence still holds.
    page.receive({ type: 'state/full', state: { ...chatWith(failed), busy: true } });
    assert.equal(page.controls().error?.hidden, false, 'kept while the run goes on');
    page.receive({ type: 'run/busy', busy: false });
    assert.equal(page.controls().error?.hidden, true, 'gone once Send is offered');
  });

  it('shows no reason of an earlier start under the question once another start is under way, nor when it ends before the host says why', () => {
    for (const [reason, fix] of [
      ['You stopped it before its run began.', undefined],
      ['The API key was rejected.', { label: 'Set API Key', command: 'assistants.setApiKey' as const }],
    ] as const) {
      const page = open({ ...chatWith(completed), messages: [...chatWith(completed).messages, question('m3', 'Never started', 4)], unanswered: 'm3', unansweredReason: reason, ...(fix ? { unansweredFix: fix } : {}) });
      const line = () => page.root.querySelector('.run-outcome[data-outcome="unanswered"]');
      assert.match(line()?.textContent ?? '', new RegExp(reason.replace(/\./g, '\\.')));
      page.receive({ type: 'run/busy', busy: true });
      assert.equal(line(), null, 'hidden while the new start is under way');
      page.receive({ type: 'run/busy', busy: false });
      assert.doesNotMatch(line()?.textContent ?? '', new RegExp(reason.replace(/\./g, '\\.')), 'the earlier reason does not come back');
    }
  });

  it('keeps a refusal that did not depend on a run going on', async () => {
    const page = open(chatWith(failed));
    (page.root.querySelector('.run-retry') as HTMLElement).click();
    const retry = page.posted.find((m): m is Extract<WebviewToHost, { type: 'request'; kind: 'chat/retry' }> => m.type === 'request' && m.kind === 'chat/retry');
    assert.ok(retry);
    page.receive({ type: 'reply', id: retry.id, ok: false, error: 'No API key is set.' });
    await settled();
    page.receive({ type: 'run/busy', busy: true });
    page.receive({ type: 'run/busy', busy: false });
    assert.match(page.controls().error?.textContent ?? '', /No API key/);
    assert.equal(page.controls().error?.hidden, false);
  });
});
