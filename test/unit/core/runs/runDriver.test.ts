import * as assert from 'node:assert/strict';
import type { StartRun } from '../../../../src/core/runAction';
import type { RunRef } from '../../../../src/common/runRef';
import type { ToolHandler } from '../../../../src/core/toolHandler';
import { AssistantsError } from '../../../../src/core/errors';
import type { RunEvent } from '../../../../src/common/events';
import type { FunctionCallRequest } from '../../../../src/common/model';
import { RunDriver } from '../../../../src/core/runs/runDriver';
import type { RunDriverOptions } from '../../../../src/core/runs/runDriver';
import { StubBackend, assistant, message, messageStep, recordingSleep, ref, run, snapshot, thread } from '../stubBackend';

const start: StartRun = { kind: 'start', thread, assistant, history: [] };
const noTools: ToolHandler = { handle: async () => [] };

function setup(options: Partial<RunDriverOptions> = {}) {
  const backend = new StubBackend();
  const { sleep, waits, now } = recordingSleep();
  const refs: (RunRef | undefined)[] = [];
  const driver = new RunDriver(backend, { toolHandler: noTools, sleep, now, onRunRef: (r) => refs.push(r), retry: { baseDelayMs: 10 }, ...options });
  const events: RunEvent[] = [];
  return { backend, driver, events, waits, refs, onEvent: (event: RunEvent) => events.push(event) };
}

function types(events: RunEvent[]): string[] {
  return events.map((event) => (event.type === 'run.updated' ? `run.updated:${event.run.status}` : event.type));
}

describe('RunDriver', () => {
  describe('streaming', () => {
    it('forwards streamed events and resolves with the terminal snapshot', async () => {
      const t = setup();
      t.backend.streams.push({
        events: [
          { type: 'run.updated', run: run('in_progress') },
          { type: 'step.created', step: messageStep('step_1', 'msg_1') },
          { type: 'message.created', message: message('msg_1', '') },
          { type: 'message.delta', messageId: 'msg_1', index: 0, text: 'Hel' },
          { type: 'message.delta', messageId: 'msg_1', index: 0, text: 'lo' },
          { type: 'message.completed', message: message('msg_1', 'Hello', 'completed') },
          { type: 'step.completed', step: messageStep('step_1', 'msg_1', 'completed') },
          { type: 'run.updated', run: run('completed', { usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } }) },
        ],
      });
      const result = await t.driver.run(start, t.onEvent);
      assert.equal(result.run.status, 'completed');
      assert.equal(result.messages[0].content[0].type === 'text' && result.messages[0].content[0].text, 'Hello');
      assert.deepEqual(result.run.usage, { promptTokens: 3, completionTokens: 2, totalTokens: 5 });
      assert.deepEqual(types(t.events), [
        'run.updated:in_progress',
        'step.created',
        'message.created',
        'message.delta',
        'message.delta',
        'message.completed',
        'step.completed',
        'usage',
        'run.updated:completed',
      ]);
      assert.equal(t.backend.count('create') + t.backend.count('retrieve'), 0);
      assert.deepEqual(t.refs, [ref(), undefined]);
    });

    it('falls back to create + polling when the server cannot stream, and remembers it', async () => {
      const t = setup();
      t.backend.streams.push(new AssistantsError('unsupported', 'no streaming'));
      t.backend.creates.push(snapshot('queued'), snapshot('queued'));
      t.backend.retrieves.push(snapshot('in_progress'), snapshot('completed', { messages: [message('msg_1', 'Hi', 'completed')] }));
      const first = await t.driver.run(start, t.onEvent);
      assert.equal(first.run.status, 'completed');
      assert.equal(t.events.filter((event) => event.type === 'fallback').length, 1);
      t.backend.retrieves.push(snapshot('completed'));
      await t.driver.run(start, () => undefined);
      assert.equal(t.backend.count('stream'), 1, 'the second run does not try to stream again');
      assert.equal(t.backend.count('create'), 2);
    });

    it('resumes a dropped stream by polling the same run, emitting only what is new', async () => {
      const t = setup();
      t.backend.streams.push({
        events: [
          { type: 'run.updated', run: run('in_progress') },
          { type: 'step.created', step: messageStep('step_1', 'msg_1') },
          { type: 'message.created', message: message('msg_1', '') },
          { type: 'message.delta', messageId: 'msg_1', index: 0, text: 'Hel' },
        ],
        fail: new AssistantsError('network', 'socket hang up'),
      });
      t.backend.retrieves.push(
        snapshot('in_progress', { steps: [messageStep('step_1', 'msg_1')], messages: [message('msg_1', 'Hello')] }),
        snapshot('completed', { steps: [messageStep('step_1', 'msg_1', 'completed')], messages: [message('msg_1', 'Hello world', 'completed')] }),
      );
      const result = await t.driver.run(start, t.onEvent);
      assert.equal(result.run.status, 'completed');
      assert.equal(t.backend.count('stream'), 1);
      assert.equal(t.backend.count('create'), 0, 'no second run');
      const deltas = t.events.flatMap((event) => (event.type === 'message.delta' ? [event.text] : []));
      assert.deepEqual(deltas, ['Hel', 'lo', ' world']);
      assert.deepEqual(types(t.events).slice(4), ['fallback', 'message.delta', 'step.completed', 'message.delta', 'message.completed', 'run.updated:completed']);
    });

    it('retries a stream that fails before the run exists', async () => {
      const t = setup();
      t.backend.streams.push(new AssistantsError('rate_limited', 'slow down', { retryAfterMs: 1200 }), {
        events: [{ type: 'run.updated', run: run('completed') }],
      });
      const result = await t.driver.run(start, t.onEvent);
      assert.equal(result.run.status, 'completed');
      assert.deepEqual(t.events[0], { type: 'retry', attempt: 1, waitMs: 1200, reason: 'slow down' });
      assert.equal(t.waits[0], 1200);
    });
  });

  describe('polling', () => {
    it('starts fast, backs off to the cap, and resets on change', async () => {
      const t = setup({ preferStreaming: false, poll: { initialMs: 50, maxMs: 200, factor: 2, maxPerSecond: 100 } });
      t.backend.creates.push(snapshot('queued'));
      t.backend.retrieves.push(
        snapshot('queued'),
        snapshot('queued'),
        snapshot('queued'),
        snapshot('queued'),
        snapshot('in_progress'),
        snapshot('in_progress'),
        snapshot('completed'),
      );
      await t.driver.run(start, t.onEvent);
      assert.deepEqual(t.waits, [50, 100, 200, 200, 200, 50, 100]);
      assert.ok(t.waits.every((ms) => ms < 5000));
    });

    it("honours the server's openai-poll-after-ms", async () => {
      const t = setup({ preferStreaming: false, poll: { initialMs: 50 } });
      t.backend.creates.push(snapshot('queued', { pollAfterMs: 300 }));
      t.backend.retrieves.push(snapshot('in_progress', { pollAfterMs: 250 }), snapshot('completed'));
      await t.driver.run(start, t.onEvent);
      assert.deepEqual(t.waits, [300, 250]);
    });

    it('reports the usage of earlier legs with the ref, and counts it once on resume', async () => {
      const t = setup({ preferStreaming: false });
      const calls = [{ callId: 'c1', name: 'f', arguments: '{}' }];
      t.backend.creates.push(
        snapshot('requires_action', { ref: ref({ cursor: 'resp_1' }), run: { ...run('requires_action'), requiredAction: { toolCalls: calls }, usage: { promptTokens: 4, completionTokens: 0, totalTokens: 4 } } }),
        snapshot('in_progress', { ref: ref({ cursor: 'resp_2' }) }),
      );
      t.backend.retrieves.push(snapshot('completed', { ref: ref({ cursor: 'resp_2' }), run: { ...run('completed'), usage: { promptTokens: 20, completionTokens: 5, totalTokens: 25 } } }));
      const first = await t.driver.run(start, t.onEvent);
      assert.equal(first.run.usage?.totalTokens, 29);
      const second = t.refs.find((r) => r?.cursor === 'resp_2');
      assert.deepEqual(second?.usageBefore, { promptTokens: 4, completionTokens: 0, totalTokens: 4 });

      // A window reload while the second leg ran: the new window resumes from that stored ref.
      const u = setup();
      u.backend.retrieves.push(snapshot('completed', { ref: ref({ cursor: 'resp_2' }), run: { ...run('completed'), usage: { promptTokens: 20, completionTokens: 5, totalTokens: 25 } } }));
      const resumed = await u.driver.resume(second!, { thread, assistant, history: [] }, u.onEvent);
      assert.equal(resumed.run.usage?.totalTokens, 29);
    });

    it('resumes from a stored ref by polling', async () => {
      const t = setup();
      t.backend.retrieves.push(snapshot('in_progress', { ref: ref({ cursor: 'resp_2' }) }), snapshot('completed', { ref: ref({ cursor: 'resp_2' }) }));
      const result = await t.driver.resume(ref({ cursor: 'resp_2' }), { thread, assistant, history: [] }, t.onEvent);
      assert.equal(result.run.status, 'completed');
      assert.equal(t.backend.calls[0].method, 'retrieve');
      assert.equal(t.backend.calls[0].ref?.cursor, 'resp_2');
      assert.equal(t.backend.count('stream') + t.backend.count('create'), 0);
    });
  });

  describe('requires_action', () => {
    const calls: FunctionCallRequest[] = [
      { callId: 'call_a', name: 'getTime', arguments: '{}' },
      { callId: 'call_b', name: 'getDate', arguments: '{}' },
    ];

    it('answers all calls of a step together, submits, continues, and sums usage over legs', async () => {
      const handled: FunctionCallRequest[][] = [];
      const t = setup({
        toolHandler: {
          handle: async (requests) => {
            handled.push(requests);
            return requests.map((request) => ({ callId: request.callId, output: `out:${request.name}` }));
          },
        },
      });
      t.backend.streams.push(
        { events: [{ type: 'run.updated', run: run('requires_action', { requiredAction: { toolCalls: calls }, usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } }), ref: ref({ cursor: 'resp_1' }) }] },
        { events: [{ type: 'run.updated', run: run('in_progress'), ref: ref({ cursor: 'resp_2' }) }, { type: 'usage', usage: { promptTokens: 20, completionTokens: 7, totalTokens: 27 } }, { type: 'run.updated', run: run('completed'), ref: ref({ cursor: 'resp_2' }) }] },
      );
      const result = await t.driver.run(start, t.onEvent);
      assert.equal(handled.length, 1);
      assert.deepEqual(handled[0], calls);
      const submit = t.backend.calls[1].action;
      assert.equal(submit?.kind, 'submit');
      assert.deepEqual(submit?.kind === 'submit' && submit.outputs, [
        { callId: 'call_a', output: 'out:getTime' },
        { callId: 'call_b', output: 'out:getDate' },
      ]);
      assert.equal(submit?.kind === 'submit' && submit.ref.cursor, 'resp_1');
      assert.deepEqual(result.run.usage, { promptTokens: 30, completionTokens: 12, totalTokens: 42 });
      assert.deepEqual(result.ref.cursor, 'resp_2');
      const usages = t.events.flatMap((event) => (event.type === 'usage' ? [event.usage.totalTokens] : []));
      assert.deepEqual(usages, [15, 42]);
    });

    it('turns a failing tool handler into outputs that say so', async () => {
      const t = setup({
        toolHandler: {
          handle: async () => {
            throw new Error('disk on fire');
          },
        },
      });
      t.backend.streams.push(
        { events: [{ type: 'run.updated', run: run('requires_action', { requiredAction: { toolCalls: calls } }) }] },
        { events: [{ type: 'run.updated', run: run('completed') }] },
      );
      const result = await t.driver.run(start, t.onEvent);
      assert.equal(result.run.status, 'completed');
      const submit = t.backend.calls[1].action;
      assert.ok(submit?.kind === 'submit');
      assert.equal(submit.outputs.length, 2);
      assert.match(submit.outputs[0].output, /disk on fire/);
      assert.equal(submit.outputs[1].callId, 'call_b');
    });

    it('answers calls the handler left out', async () => {
      const t = setup({ toolHandler: { handle: async () => [{ callId: 'call_b', output: 'b' }] } });
      t.backend.streams.push(
        { events: [{ type: 'run.updated', run: run('requires_action', { requiredAction: { toolCalls: calls } }) }] },
        { events: [{ type: 'run.updated', run: run('completed') }] },
      );
      await t.driver.run(start, t.onEvent);
      const submit = t.backend.calls[1].action;
      assert.ok(submit?.kind === 'submit');
      assert.deepEqual(submit.outputs.map((output) => output.callId), ['call_a', 'call_b']);
      assert.match(submit.outputs[0].output, /no output/);
    });

    for (const [label, requiredAction] of [
      ['an empty list of calls', { toolCalls: [] }],
      ['no list of calls at all', undefined],
    ] as const) {
      it(`ends a run that waits for outputs with ${label}: nothing submitted, the run cancelled, a sentence with Retry`, async () => {
        const handled: FunctionCallRequest[][] = [];
        const t = setup({ toolHandler: { handle: async (requests) => (handled.push(requests), []) } });
        t.backend.streams.push({ events: [{ type: 'run.updated', run: run('requires_action', requiredAction ? { requiredAction: { toolCalls: [...requiredAction.toolCalls] } } : {}) }] });
        await assert.rejects(t.driver.run(start, t.onEvent), (error: AssistantsError) => error.kind === 'bad_response' && /named no function call/.test(error.message));
        assert.deepEqual(handled, [], 'no tool round for no calls');
        assert.deepEqual(t.backend.calls.map((c) => c.method), ['stream', 'cancel'], 'nothing submitted; the server is asked to cancel');
        const last = t.events.filter((e) => e.type === 'run.updated').at(-1);
        assert.ok(last?.type === 'run.updated' && last.run.status === 'failed' && /named no function call/.test(last.run.lastError?.message ?? ''), 'ended failed in a sentence, which offers Retry');
      });
    }

    it('answers a call the server names twice once', async () => {
      const handled: FunctionCallRequest[][] = [];
      const t = setup({ toolHandler: { handle: async (requests) => (handled.push(requests), requests.map((r) => ({ callId: r.callId, output: r.name }))) } });
      const twice = [calls[0], { ...calls[0], name: 'again' }, calls[1], calls[1]];
      t.backend.streams.push(
        { events: [{ type: 'run.updated', run: run('requires_action', { requiredAction: { toolCalls: twice } }) }] },
        { events: [{ type: 'run.updated', run: run('completed') }] },
      );
      await t.driver.run(start, t.onEvent);
      assert.deepEqual(handled, [calls]);
      const submit = t.backend.calls[1].action;
      assert.deepEqual(submit?.kind === 'submit' && submit.outputs.map((o) => o.callId), ['call_a', 'call_b']);
    });
  });

  describe('Stop', () => {
    it('cancels on the server and waits for a terminal status', async () => {
      const t = setup();
      const stop = new AbortController();
      t.backend.streams.push({
        events: [{ type: 'run.updated', run: run('in_progress') }, { type: 'message.created', message: message('msg_1', '') }, { type: 'message.delta', messageId: 'msg_1', index: 0, text: 'after Stop' }],
        beforeEvent: (index) => {
          if (index === 2) {
            stop.abort();
          }
        },
        hang: true,
      });
      t.backend.retrieves.push(snapshot('cancelling'), snapshot('cancelled'));
      const result = await t.driver.run(start, t.onEvent, stop.signal);
      assert.equal(result.run.status, 'cancelled');
      assert.equal(t.backend.count('cancel'), 1);
      assert.equal(t.backend.calls.findIndex((call) => call.method === 'cancel') < t.backend.calls.findIndex((call) => call.method === 'retrieve'), true);
      assert.deepEqual(types(t.events).slice(-2), ['run.updated:cancelled', 'message.completed']);
      assert.equal(t.events.some((event) => event.type === 'message.delta'), false, 'nothing streamed after Stop lands');
      const closed = t.events.at(-1);
      assert.equal(closed?.type === 'message.completed' && closed.message.status, 'incomplete', 'the partial answer is marked cut off');
      assert.equal(t.events.some((event) => event.type === 'error'), false);
    });

    it('ends a stop the server never confirms at the moment of Stop, whenever the wait gives up', async () => {
      for (const stopAtMs of [3_000, 61_500]) {
        let clock = 0;
        const stop = new AbortController();
        const t = setup({
          cancelWaitMs: 30,
          now: () => clock,
          sleep: (ms, signal) => {
            clock += ms;
            return signal?.aborted ? Promise.reject(new AssistantsError('cancelled', 'stopped')) : new Promise((resolve) => setTimeout(resolve, 1));
          },
        });
        t.backend.streams.push({
          events: [{ type: 'run.updated', run: run('in_progress', { createdAt: 0, startedAt: 0 }) }, { type: 'message.created', message: message('msg_1', '') }],
          beforeEvent: (index) => {
            if (index === 1) {
              clock = stopAtMs;
              stop.abort();
            }
          },
          hang: true,
        });
        // The server keeps saying "cancelling" until the wait gives up.
        t.backend.retrieves.push(snapshot('cancelling', { run: run('cancelling', { createdAt: 0, startedAt: 0 }) }));
        const result = await t.driver.run(start, t.onEvent, stop.signal);
        assert.equal(result.run.status, 'cancelled');
        assert.equal(result.run.lastError?.code, 'unconfirmed');
        assert.ok(clock > stopAtMs, 'the wait went on after Stop');
        assert.equal(result.run.completedAt, Math.floor(stopAtMs / 1000), 'it ended at Stop, not when the wait gave up');
        const last = t.events.filter((e) => e.type === 'run.updated').at(-1);
        assert.equal(last?.type === 'run.updated' && last.run.completedAt, Math.floor(stopAtMs / 1000), 'the chat is told the same end');
      }
    });

    it('cancels as soon as the run id is known when Stop comes first', async () => {
      const t = setup({ preferStreaming: false });
      const stop = new AbortController();
      stop.abort();
      t.backend.creates.push(snapshot('queued'));
      t.backend.retrieves.push(snapshot('cancelled'));
      await assert.rejects(t.driver.run(start, t.onEvent, stop.signal), (error: AssistantsError) => error.kind === 'cancelled');
      assert.equal(t.backend.count('create'), 0, 'nothing started after an early Stop');

      const late = new AbortController();
      const backend = new StubBackend();
      const driver = new RunDriver(backend, { toolHandler: noTools, preferStreaming: false, sleep: recordingSleep().sleep });
      let release: () => void = () => undefined;
      const created = new Promise<void>((resolve) => (release = resolve));
      backend.create = async (action) => {
        backend.calls.push({ method: 'create', action });
        late.abort();
        await created;
        return snapshot('queued');
      };
      backend.retrieves.push(snapshot('cancelled'));
      const pending = driver.run(start, () => undefined, late.signal);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(backend.count('cancel'), 0, 'no cancel before the run id is known');
      release();
      const result = await pending;
      assert.equal(backend.count('cancel'), 1);
      assert.equal(result.run.status, 'cancelled');
    });

    it('stops while tools run: the handler sees the abort and the run ends cancelled', async () => {
      const stop = new AbortController();
      let sawAbort = false;
      const t = setup({
        toolHandler: {
          handle: async (_calls, { signal }) => {
            stop.abort();
            sawAbort = signal.aborted;
            return [];
          },
        },
      });
      t.backend.streams.push({ events: [{ type: 'run.updated', run: run('requires_action', { requiredAction: { toolCalls: [{ callId: 'c', name: 'f', arguments: '{}' }] } }) }] });
      t.backend.retrieves.push(snapshot('requires_action'));
      const result = await t.driver.run(start, t.onEvent, stop.signal);
      assert.equal(sawAbort, true);
      assert.equal(result.run.status, 'cancelled');
      assert.equal(t.backend.count('stream'), 1, 'no outputs submitted after Stop');
      assert.equal(t.backend.count('cancel'), 1);
    });
  });

  describe('failures', () => {
    it('reports retries of a rate-limited poll as retry events', async () => {
      const t = setup({ preferStreaming: false });
      t.backend.creates.push(snapshot('queued'));
      t.backend.retrieves.push(new AssistantsError('rate_limited', 'Rate limit', { retryAfterMs: 700 }), new AssistantsError('server', 'HTTP 500'), snapshot('completed'));
      const result = await t.driver.run(start, t.onEvent);
      assert.equal(result.run.status, 'completed');
      const retries = t.events.filter((event) => event.type === 'retry');
      assert.equal(retries.length, 2);
      assert.deepEqual(retries[0], { type: 'retry', attempt: 1, waitMs: 700, reason: 'Rate limit' });
    });

    it('ends with an error event and a rejection when retries run out', async () => {
      const t = setup({ preferStreaming: false, retry: { maxRetries: 2, baseDelayMs: 1 } });
      t.backend.creates.push(new AssistantsError('server', 'down'), new AssistantsError('server', 'down'), new AssistantsError('server', 'still down'));
      await assert.rejects(t.driver.run(start, t.onEvent), (error: AssistantsError) => error.kind === 'server' && error.message === 'Gave up after 3 attempts. still down');
      assert.equal(t.backend.count('create'), 3);
      assert.deepEqual(t.events.at(-1), { type: 'error', error: { code: 'server', message: 'Gave up after 3 attempts. still down' } });
    });

    it('does not retry what cannot succeed', async () => {
      const t = setup({ preferStreaming: false });
      t.backend.creates.push(new AssistantsError('auth', 'bad key'));
      await assert.rejects(t.driver.run(start, t.onEvent), (error: AssistantsError) => error.kind === 'auth');
      assert.equal(t.backend.count('create'), 1);
    });

    for (const [status, extra] of [
      ['failed', { lastError: { code: 'server_error', message: 'boom' } }],
      ['expired', {}],
      ['incomplete', { incompleteReason: 'max_output_tokens' }],
    ] as const) {
      it(`resolves (not rejects) a run that ends ${status}`, async () => {
        const t = setup();
        t.backend.streams.push({ events: [{ type: 'run.updated', run: run('in_progress') }, { type: 'run.updated', run: run(status, extra) }] });
        const result = await t.driver.run(start, t.onEvent);
        assert.equal(result.run.status, status);
        const expected: { lastError?: unknown; incompleteReason?: string } = extra;
        assert.deepEqual(result.run.lastError, expected.lastError);
        assert.equal(result.run.incompleteReason, expected.incompleteReason);
      });
    }
  });
});
