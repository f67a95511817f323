import type { RunEvent } from '../../common/events';
import type { Assistant } from '../../common/model';
import type { RunRef } from '../../common/runRef';
import type { Backend } from '../backend';
import { asAssistantsError } from '../errors';
import { RunDriver } from '../runs/runDriver';
import type { Sleep } from '../runs/sleep';
import { abortableSleep } from '../runs/sleep';
import type { StoredThread } from '../threads/threadStore';
import type { ChatContext } from './chatContext';
import type { RunEventReducer } from './runEventReducer';

/** Failures after which the run may well be going on on the server: its ref is kept for a later resume. */
const RESUMABLE_FAILURES = new Set<string>(['network', 'timeout', 'server', 'rate_limited']);

/**
 * The run a chat follows, at most one: started or resumed here, its events given to the reducer,
 * its ref stored as it changes (so a window reload picks the run up again), Stop, Retry now, and
 * letting it go on unfollowed when another thread is opened.
 */
export class RunTracking {
  /** Waits in progress that `retryNow` may end. */
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly chat: ChatContext,
    private readonly reducer: RunEventReducer,
  ) {}

  /**
   * Retry now: ends the current wait at once (before a retry after a 429 or a transient failure,
   * or between polls), so the next request goes out now. Nothing happens when nothing waits.
   */
  retryNow(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * A sleep that `retryNow` can cut short. The inner sleep is ended too (its timer does not run on),
   * and Stop still wins: an aborted `signal` rejects as before.
   */
  private wakeable(inner: Sleep): Sleep {
    return async (ms, signal) => {
      const woken = new AbortController();
      const wake = (): void => woken.abort();
      this.wakers.add(wake);
      try {
        await inner(ms, signal ? AbortSignal.any([signal, woken.signal]) : woken.signal);
      } catch (error) {
        if (signal?.aborted || !woken.signal.aborted) throw error;
      } finally {
        this.wakers.delete(wake);
      }
    };
  }

  /** Stop: cancels the run on the server; the run ends `cancelled` through the usual events. */
  stop(): void {
    this.chat.active?.abort.abort();
  }

  /** Stops following the run (it goes on on the server, and resumes when its thread is opened again). */
  async detachAndWait(): Promise<void> {
    const active = this.chat.active;
    if (!active) return;
    active.detach.abort();
    await active.done;
  }

  /** Starts a run of `chosen` (with the thread's own model) on `stored`, `additional` instructions after its own, and follows it. */
  start(backend: Backend, chosen: Assistant, stored: StoredThread, additional?: string): void {
    const history = [...stored.messages];
    const model = stored.thread.model;
    const assistant = withModel(chosen, model);
    // Additional instructions come after the assistant's own, for this run only.
    const instructions = additional ? [(assistant.instructions ?? '').trim(), additional].filter(Boolean).join('\n\n') : undefined;
    this.track(stored, (driver, onEvent, signal, detach) =>
      driver.run({ kind: 'start', thread: stored.thread, assistant, history, ...(instructions ? { instructions } : {}), ...(model !== undefined ? { model } : {}) }, onEvent, signal, detach), backend, assistant);
  }

  /** Picks up a run a closed window left going; resolves once it is being followed again. */
  async resumePending(ref: RunRef): Promise<void> {
    const stored = this.chat.current;
    if (!stored || this.chat.active) return;
    try {
      const backend = await this.chat.options.connect();
      const assistant = withModel(await this.chat.options.assistant(), stored.thread.model);
      // The user may have opened another thread, or sent, while we connected.
      if (this.chat.current !== stored || this.chat.active || this.chat.sending) return;
      this.track(stored, (driver, onEvent, signal, detach) =>
        driver.resume(ref, { thread: stored.thread, assistant, history: stored.messages }, onEvent, signal, detach), backend, assistant);
    } catch (error) {
      this.chat.options.onError(asAssistantsError(error));
    }
  }

  /**
   * Follows the run `execute` starts or resumes with a driver of its own: its events go to the
   * reducer (with who runs it and the question it answers), its ref is stored as it changes, and a
   * failure not worth resuming ends it in the thread. Only one run is followed at a time.
   */
  private track(
    stored: StoredThread,
    execute: (driver: RunDriver, onEvent: (event: RunEvent) => void, signal: AbortSignal, detach: AbortSignal) => Promise<unknown>,
    backend: Backend,
    assistant: Assistant,
  ): void {
    const ranBy = { id: this.chat.assistantIdOf(assistant), name: assistant.name };
    // The run answers the thread's last question: the one asked (or retried) just before it started.
    const question = stored.messages.findLast((m) => m.role === 'user')?.id;
    const abort = new AbortController();
    const detach = new AbortController();
    const driverOptions = this.chat.options.driver?.();
    const driver = new RunDriver(backend, {
      ...driverOptions,
      sleep: this.wakeable(driverOptions?.sleep ?? abortableSleep),
      // The handler learns the local thread: "Allow for this thread" is kept by it.
      toolHandler: { handle: (calls, context) => this.chat.options.toolHandler.handle(calls, { ...context, threadId: stored.thread.id }) },
      onRunRef: (ref) => {
        if (detach.signal.aborted) return;
        stored.pendingRun = ref;
        void this.chat.flush(stored);
      },
    });
    const onEvent = (event: RunEvent) => {
      if (!detach.signal.aborted) this.reducer.apply(stored, event, { assistant: ranBy, question });
    };
    const done = execute(driver, onEvent, abort.signal, detach.signal)
      .then(() => {
        stored.pendingRun = undefined;
      })
      .catch((error: unknown) => {
        if (detach.signal.aborted) return;
        const failure = asAssistantsError(error);
        // Stop before the run had an id ends here too: the user asked for it, it is no error.
        const stopped = failure.kind === 'cancelled' && abort.signal.aborted;
        // A run we may still follow later keeps its ref: a network outage is not the end of the run.
        if (!RESUMABLE_FAILURES.has(failure.kind)) {
          const runId = (this.chat.active?.abort === abort ? this.chat.active.runId : undefined) ?? stored.pendingRun?.runId;
          stored.pendingRun = undefined;
          this.reducer.endRun(stored, runId, stopped ? undefined : failure);
        }
        if (!stopped) this.chat.options.onError(failure);
      })
      .finally(async () => {
        // Saved before the session counts as idle, so whoever waits for idle reads the final thread.
        await this.chat.flush(stored);
        if (this.chat.active?.abort === abort) this.chat.active = undefined;
        if (!this.chat.disposed) this.chat.options.onUpdate({ type: 'busy', busy: false });
      });
    this.chat.active = { abort, detach, done };
    this.chat.options.onUpdate({ type: 'busy', busy: true });
  }
}

/** `assistant` running with `model` in place of its own (a thread's, see `Thread.model`); itself without one. */
function withModel(assistant: Assistant, model: string | undefined): Assistant {
  return model === undefined || model === assistant.model ? assistant : { ...assistant, model };
}
