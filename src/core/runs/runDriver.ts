import type { Backend } from '../backend';
import type { StartRun } from '../runAction';
import type { RunRef, RunSnapshot } from '../../common/runRef';
import type { ToolHandler } from '../toolHandler';
import type { RunEvent } from '../../common/events';
import type { Assistant, Message, Thread } from '../../common/model';
import type { PollOptions } from './pollSchedule';
import { RunSession } from './runSession';
import type { Sleep } from './sleep';
import { abortableSleep } from './sleep';

/** Long enough for a model thinking before its first token, short enough that a dead stream is noticed. */
export const DEFAULT_STREAM_IDLE_MS = 30_000;

/** Stop ends within 2 s whatever the server does: a cancel that hangs is not waited for longer. */
export const DEFAULT_CANCEL_WAIT_MS = 1_500;

/**
 * A run that shows no progress at all for this long (no new status, step, message or text) is
 * stopped and ends saying so. Long enough for a model that thinks for many minutes; a server that
 * only ever answers "in progress" is not followed forever.
 */
export const DEFAULT_PROGRESS_TIMEOUT_MS = 30 * 60_000;

/** Runs wait about ten minutes for tool outputs; a round of calls gets half of that, approvals included. */
export const DEFAULT_TOOL_TIMEOUT_MS = 300_000;

export interface RunDriverOptions {
  toolHandler: ToolHandler;
  /** Default true: stream when the server can, poll otherwise. */
  preferStreaming?: boolean;
  poll?: PollOptions;
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /**
   * How long Stop waits for the server (a start that has not answered, the cancel request and the
   * polls after it) before it gives up on it: a run the server named is then recorded as stopped
   * without confirmation. Default 1.5 s.
   */
  cancelWaitMs?: number;
  /** A stream silent for this long is given up and the run followed by polling. Default 30 s. */
  streamIdleMs?: number;
  /** How long the tool handler may take for one round of function calls (approvals included). Default 5 min. */
  toolTimeoutMs?: number;
  /** A run that shows no progress for this long is stopped and ends saying so. Default 30 min. */
  progressTimeoutMs?: number;
  sleep?: Sleep;
  now?: () => number;
  /** Called whenever the run's server-side handle changes, so the host can persist it and resume after a reload. */
  onRunRef?: (ref: RunRef | undefined) => void;
}

/**
 * Takes a run from start to a terminal status on any Backend: streams or polls, runs tools on
 * `requires_action`, retries transient failures, cancels on Stop, and resumes dropped streams by
 * polling the same run. It emits one kind of event stream whatever happens underneath.
 */
export class RunDriver {
  /** Learned once per backend: a server that cannot stream is not asked again. */
  private streamingUnsupported = false;

  constructor(
    private readonly backend: Backend,
    private readonly options: RunDriverOptions,
  ) {}

  /**
   * Runs to a terminal status, emitting events. Aborting `signal` is Stop: cancel on the server, wait
   * for a terminal status. Aborting `detach` stops following the run without cancelling it (the
   * window closes; the run goes on and can be resumed from its ref): the promise rejects `cancelled`.
   */
  run(action: StartRun, onEvent: (event: RunEvent) => void, signal?: AbortSignal, detach?: AbortSignal): Promise<RunSnapshot> {
    return this.session(action.thread, action.assistant, action.history, onEvent, signal, detach).start(action);
  }

  /** Picks up a run left unfinished (window reload) from its stored ref. */
  resume(
    ref: RunRef,
    context: { thread: Thread; assistant: Assistant; history: Message[] },
    onEvent: (event: RunEvent) => void,
    signal?: AbortSignal,
    detach?: AbortSignal,
  ): Promise<RunSnapshot> {
    return this.session(context.thread, context.assistant, context.history, onEvent, signal, detach).resume(ref);
  }

  private session(
    thread: Thread,
    assistant: Assistant,
    history: Message[],
    onEvent: (event: RunEvent) => void,
    signal: AbortSignal | undefined,
    detach: AbortSignal | undefined,
  ): RunSession {
    const preferStreaming = this.options.preferStreaming ?? true;
    return new RunSession({
      backend: this.backend,
      toolHandler: this.options.toolHandler,
      thread,
      assistant,
      history,
      onEvent,
      signal,
      detach,
      poll: this.options.poll ?? {},
      retry: this.options.retry ?? {},
      cancelWaitMs: this.options.cancelWaitMs ?? DEFAULT_CANCEL_WAIT_MS,
      streamIdleMs: this.options.streamIdleMs ?? DEFAULT_STREAM_IDLE_MS,
      toolTimeoutMs: this.options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
      progressTimeoutMs: this.options.progressTimeoutMs ?? DEFAULT_PROGRESS_TIMEOUT_MS,
      sleep: this.options.sleep ?? abortableSleep,
      now: this.options.now ?? Date.now,
      onRunRef: this.options.onRunRef,
      canStream: () => preferStreaming && !this.streamingUnsupported,
      markStreamingUnsupported: () => {
        this.streamingUnsupported = true;
      },
    });
  }
}
