import type { Backend } from '../backend';
import { AssistantsError } from '../errors';
import type { RunEvent } from '../../common/events';
import type { Assistant, Message, Run, Thread, Usage } from '../../common/model';
import { isTerminal } from '../../common/model';
import type { RunRef, RunSnapshot } from '../../common/runRef';
import type { PollOptions } from './pollSchedule';
import { withRetry } from './retry';
import { RunState } from './runState';
import type { Sleep } from './sleep';
import { cancelledError } from './sleep';
import type { ToolHandler } from '../toolHandler';
import { addUsage } from './usage';

/** What a run session is given: the backend, the run's thread, assistant and history, where its events go, its signals and its limits. */
export interface RunSessionDeps {
  backend: Backend;
  toolHandler: ToolHandler;
  thread: Thread;
  assistant: Assistant;
  history: Message[];
  onEvent: (event: RunEvent) => void;
  signal: AbortSignal | undefined;
  /** Stop following the run without cancelling it. */
  detach: AbortSignal | undefined;
  poll: PollOptions;
  retry: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  cancelWaitMs: number;
  /** A stream that delivers nothing for this long is given up for polling. */
  streamIdleMs: number;
  /** How long the tool handler may take for one round of calls. */
  toolTimeoutMs: number;
  /** A run that shows no progress for this long is stopped and ends saying so. */
  progressTimeoutMs: number;
  sleep: Sleep;
  now: () => number;
  onRunRef: ((ref: RunRef | undefined) => void) | undefined;
  canStream: () => boolean;
  markStreamingUnsupported: () => void;
}

/**
 * What the parts of one run session share (the legs, the stream leg, Stop, the tool round): its
 * dependencies, what it knows of the run (`RunState`), whether Stop or detach was asked for, and
 * the run's usage and handle as last reported.
 */
export class RunContext {
  readonly state: RunState;
  /** Aborted on Stop: interrupts waits and the tool handler, never an in-flight create. */
  readonly stop = new AbortController();
  /** Stop (or detach) was asked for. */
  stopping = false;
  /** Detach was asked for: nothing more is asked of the server, not even a cancel. */
  detached = false;
  /**
   * Aborted `cancelWaitMs` after Stop: ends whatever still waits for the server (a start that has not
   * answered, a stream that has not named its run, the cancel request, the polls after it).
   */
  readonly stopDeadline = new AbortController();
  /** Aborts the current stream: on Stop, at once once the run is named (no delta lands after Stop). */
  streamAbort: AbortController | undefined;
  /** False from the start of a leg until the server has named the object running it. */
  legKnown = true;
  /** Tokens of the legs before the current one. */
  priorUsage: Usage | undefined;
  legUsage: Usage | undefined;
  private reportedUsage = '';
  private reportedRef = '';
  /** Told of every event that shows the run moving (and of each announced wait, with its length). */
  onProgress: ((untilMs?: number) => void) | undefined;

  constructor(readonly deps: RunSessionDeps) {
    this.state = new RunState(deps.now);
  }

  /**
   * Adopts a polled snapshot and emits what changed. True when the run moved on (a new status, step or
   * message): polling then speeds up again. Text growing inside a message does not count, or a long
   * answer would keep polling at its fastest for its whole length.
   */
  adopt(snapshot: RunSnapshot): boolean {
    this.setRef(snapshot.ref);
    this.trackUsage(snapshot.run.usage);
    const events = this.state.advance(snapshot);
    for (const event of events) {
      this.emit(event);
    }
    return events.some((event) => event.type === 'run.updated' || event.type === 'step.created' || event.type === 'message.created');
  }

  /** Records the current leg's usage and reports the run's total when it moved. */
  trackUsage(usage: Usage | undefined): void {
    if (!usage) {
      return;
    }
    this.legUsage = usage;
    const total = this.totalUsage();
    const key = JSON.stringify(total);
    if (!total || key === this.reportedUsage) {
      return;
    }
    this.reportedUsage = key;
    this.emit({ type: 'usage', usage: total });
  }

  /** The run's tokens so far: the earlier legs' and the current one's. */
  totalUsage(): Usage | undefined {
    return addUsage(this.priorUsage, this.legUsage);
  }

  /** Records where the run lives now, and tells the caller (`onRunRef`) when that changed. */
  setRef(ref: RunRef): void {
    this.state.ref = { ...ref };
    const key = JSON.stringify(ref);
    if (key !== this.reportedRef) {
      this.reportedRef = key;
      this.deps.onRunRef?.({ ...ref, ...(this.priorUsage ? { usageBefore: this.priorUsage } : {}) });
    }
  }

  /** Hands an event to the caller; a run update carries the run's tokens so far. */
  emit(event: RunEvent): void {
    if (event.type === 'retry') this.onProgress?.(event.waitMs);
    else if (event.type !== 'usage' && event.type !== 'error' && event.type !== 'fallback') this.onProgress?.();
    const total = this.totalUsage();
    const shown: RunEvent = event.type === 'run.updated' && total ? { ...event, run: { ...event.run, usage: total } } : event;
    this.deps.onEvent(shown);
  }

  /** `interruptible`: Stop ends the waits between tries; false: nothing does; a signal: that one does. */
  retrying<T>(fn: () => Promise<T>, interruptible: boolean | AbortSignal = true): Promise<T> {
    return withRetry(fn, {
      ...this.deps.retry,
      sleep: this.deps.sleep,
      signal: interruptible === true ? this.stop.signal : interruptible === false ? undefined : interruptible,
      onRetry: (info) => this.emit({ type: 'retry', ...info }),
    });
  }

  /** The run as last known; `run_failed` when the server never reported it. */
  currentRun(): Run {
    if (!this.state.run) {
      throw new AssistantsError('run_failed', 'The server did not report the run.');
    }
    return this.state.run;
  }

  /** Where the run lives; `run_failed` when the server never reported it. */
  currentRef(): RunRef {
    if (!this.state.ref) {
      throw new AssistantsError('run_failed', 'The server did not report the run.');
    }
    return this.state.ref;
  }
}

/** Whether the run waits for nothing more from the server: it ended, or waits for tool outputs. */
export function isSettled(run: Run): boolean {
  return isTerminal(run.status) || run.status === 'requires_action';
}

/** Settles with `work`, or rejects as soon as `signal` aborts, without waiting for `work`. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
