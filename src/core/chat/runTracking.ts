import type { RunEvent } from '../../common/events';
import type { Assistant, FunctionCallRequest } from '../../common/model';
import { isTerminal } from '../../common/model';
import type { RunRef } from '../../common/runRef';
import type { Backend } from '../backend';
import { asAssistantsError } from '../errors';
import { RunDriver } from '../runs/runDriver';
import type { Sleep } from '../runs/sleep';
import { abortableSleep } from '../runs/sleep';
import type { StoredThread } from '../threads/threadStore';
import type { ChatContext } from './chatContext';
import type { RunEventReducer } from './runEventReducer';

/** How often a window that follows another window's run reads the thread's file while that window answers its calls (ms). */
const FOLLOW_CHECK_MS = 1000;

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
  /** Called when a run another window drives moved on past the calls this window waited on: the thread's file is taken again. */
  onMovedElsewhere: () => Promise<unknown> = async () => undefined;

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
    // A run followed for another window: stopped here, its end is this window's to write.
    if (this.chat.active && this.chat.followedOnly === this.chat.current) this.chat.followedOnly = undefined;
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
      driver.run({ kind: 'start', thread: stored.thread, assistant, history, ...(instructions ? { instructions } : {}), ...(model !== undefined ? { model } : {}) }, onEvent, signal, detach), backend, assistant, true);
  }

  /**
   * Picks up a run a closed window left going, or one another window drives (opened here, or
   * asked there); resolves once it is being followed. It is driven here (its calls answered here)
   * unless the thread names another window still open as its driver: then it is only followed.
   */
  async resumePending(ref: RunRef): Promise<void> {
    const stored = this.chat.current;
    if (!stored || this.chat.active) return;
    try {
      const backend = await this.chat.options.connect();
      const assistant = withModel(await this.chat.options.assistant(), stored.thread.model);
      // The user may have opened another thread, or sent, while we connected.
      if (this.chat.current !== stored || this.chat.active || this.chat.sending) return;
      this.track(stored, (driver, onEvent, signal, detach) =>
        driver.resume(ref, { thread: stored.thread, assistant, history: stored.messages }, onEvent, signal, detach), backend, assistant, !this.drivenElsewhere(stored));
    } catch (error) {
      this.chat.options.onError(asAssistantsError(error));
    }
  }

  /** Another window still open drives the open thread's run: this one only follows it. */
  private drivenElsewhere(stored: StoredThread): boolean {
    return drivenBy(this.chat.options, stored);
  }

  /**
   * The run reached `calls` while another window drives it: they show here read-only, and are
   * never answered here (answering in both windows would run a function twice). Reads the thread's
   * file every `FOLLOW_CHECK_MS` until that window answered them (the file names another leg of the
   * run, or no run, or the calls' outputs, or the run's end): 'moved', and the file is taken again.
   * When that window is gone, or let the run go: 'drive', and this window answers them. Stop ends
   * the wait: 'stopped' (the run is then cancelled on the server, as Stop does).
   */
  private async followElsewhere(stored: StoredThread, calls: FunctionCallRequest[], signal: AbortSignal): Promise<'moved' | 'drive' | 'stopped'> {
    const ref = stored.pendingRun;
    const threadId = stored.thread.id;
    const runId = ref?.runId ?? '';
    this.chat.options.onUpdate({ type: 'elsewhere', threadId, runId, calls });
    try {
      for (;;) {
        const fresh = await this.chat.options.store.load(threadId).catch(() => undefined);
        if (signal.aborted) return 'stopped';
        if (fresh && movedPast(fresh, ref, calls)) return 'moved';
        if (!drivenBy(this.chat.options, fresh ?? stored)) return 'drive';
        await abortableSleep(FOLLOW_CHECK_MS, signal).catch(() => undefined);
        if (signal.aborted) return 'stopped';
      }
    } finally {
      if (!this.chat.disposed) this.chat.options.onUpdate({ type: 'elsewhere', threadId, runId, calls: [] });
    }
  }

  /**
   * Answers calls of the run this window drives (`answer`) while another window on the thread may
   * stop that run: when the thread's file says the run ended (Stop there), `stop` is called, as
   * this window's Stop (an approval waiting here is withdrawn, and nothing is answered). Without
   * `ChatSessionOptions.window` no other window is looked for.
   */
  private async answerUnlessEndedElsewhere<T>(stored: StoredThread, answer: () => Promise<T>, stop: () => void): Promise<T> {
    const runId = stored.pendingRun?.runId;
    if (!this.chat.options.window || runId === undefined) return answer();
    const done = new AbortController();
    const watch = async () => {
      while (!done.signal.aborted) {
        await abortableSleep(FOLLOW_CHECK_MS, done.signal).catch(() => undefined);
        if (done.signal.aborted) return;
        const fresh = await this.chat.options.store.load(stored.thread.id).catch(() => undefined);
        const record = fresh?.runs[runId];
        if (!done.signal.aborted && fresh && (fresh.pendingRun?.runId !== runId || (record && isTerminal(record.run.status)))) return stop();
      }
    };
    void watch();
    try {
      return await answer();
    } finally {
      done.abort();
    }
  }

  /**
   * Follows the run `execute` starts or resumes with a driver of its own: its events go to the
   * reducer (with who runs it and the question it answers), its ref is stored as it changes, and a
   * failure not worth resuming ends it in the thread. Only one run is followed at a time. `drive`:
   * this window answers the run's calls (and says so in the thread); else it only follows the run
   * (`followElsewhere`) and takes it over when the window that drives it is gone or lets it go.
   */
  private track(
    stored: StoredThread,
    execute: (driver: RunDriver, onEvent: (event: RunEvent) => void, signal: AbortSignal, detach: AbortSignal) => Promise<unknown>,
    backend: Backend,
    assistant: Assistant,
    drive: boolean,
  ): void {
    const own = this.chat.options.window?.id;
    if (drive && own !== undefined) stored.runDriver = own;
    this.chat.followedOnly = drive ? undefined : stored;
    let movedElsewhere = false;
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
      toolHandler: {
        handle: async (calls, context) => {
          if (!drive) {
            const outcome = await this.followElsewhere(stored, calls, context.signal);
            // Stop: the run is cancelled on the server, as Stop does in the window that drives it.
            if (outcome === 'stopped') return [];
            if (outcome === 'moved') {
              movedElsewhere = true;
              detach.abort();
              return [];
            }
            // The window that drove the run is gone, or let it go: this one answers from now on.
            drive = true;
            if (this.chat.followedOnly === stored) this.chat.followedOnly = undefined;
            if (own !== undefined) stored.runDriver = own;
            await this.chat.flush(stored);
          }
          return this.answerUnlessEndedElsewhere(stored, () => this.chat.options.toolHandler.handle(calls, { ...context, threadId: stored.thread.id }), () => abort.abort());
        },
      },
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
        delete stored.runDriver;
      })
      .catch((error: unknown) => {
        if (detach.signal.aborted) {
          // Let go (another thread opened, the window closing): the next window to follow the run drives it.
          if (drive && own !== undefined && stored.runDriver === own) delete stored.runDriver;
          return;
        }
        const failure = asAssistantsError(error);
        // Stop before the run had an id ends here too: the user asked for it, it is no error.
        const stopped = failure.kind === 'cancelled' && abort.signal.aborted;
        // A run we may still follow later keeps its ref: a network outage is not the end of the run.
        if (!RESUMABLE_FAILURES.has(failure.kind)) {
          const runId = (this.chat.active?.abort === abort ? this.chat.active.runId : undefined) ?? stored.pendingRun?.runId;
          stored.pendingRun = undefined;
          delete stored.runDriver;
          this.reducer.endRun(stored, runId, stopped ? undefined : failure);
        }
        if (!stopped) this.chat.options.onError(failure);
      })
      .finally(async () => {
        // Saved before the session counts as idle, so whoever waits for idle reads the final thread.
        await this.chat.flush(stored);
        if (this.chat.followedOnly === stored) this.chat.followedOnly = undefined;
        if (this.chat.active?.abort === abort) this.chat.active = undefined;
        // Another window answered the calls: the file says where the run went, and the chat follows it there with no pause shown.
        if (movedElsewhere && !this.chat.disposed) {
          await this.onMovedElsewhere();
          if (this.chat.active) return;
        }
        if (!this.chat.disposed) this.chat.options.onUpdate({ type: 'busy', busy: false });
      });
    this.chat.active = { abort, detach, done };
    this.chat.options.onUpdate({ type: 'busy', busy: true });
  }
}

/** The thread's file shows the run past `calls`: another leg of it or none, its end, or an output of one of them. */
function movedPast(fresh: StoredThread, ref: RunRef | undefined, calls: FunctionCallRequest[]): boolean {
  const now = fresh.pendingRun;
  if (!now || !ref || now.runId !== ref.runId || now.cursor !== ref.cursor) return true;
  const record = fresh.runs[ref.runId];
  if (record && isTerminal(record.run.status)) return true;
  const waited = new Set(calls.map((call) => call.callId));
  return (record?.steps ?? []).some((step) => step.details.type === 'tool_calls' && step.details.toolCalls.some((call) => waited.has(call.id) && 'output' in call && call.output !== undefined));
}

/** Another window still open drives the run of `stored` (`StoredThread.runDriver`). */
function drivenBy(options: ChatContext['options'], stored: StoredThread): boolean {
  const driver = stored.runDriver;
  const window = options.window;
  return window !== undefined && driver !== undefined && driver !== window.id && window.alive(driver);
}

/** `assistant` running with `model` in place of its own (a thread's, see `Thread.model`); itself without one. */
function withModel(assistant: Assistant, model: string | undefined): Assistant {
  return model === undefined || model === assistant.model ? assistant : { ...assistant, model };
}
