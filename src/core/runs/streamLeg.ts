import type { RunEvent } from '../../common/events';
import type { Run } from '../../common/model';
import { isTerminal } from '../../common/model';
import { AssistantsError, asAssistantsError } from '../errors';
import type { ErrorKind } from '../errors';
import type { RunAction } from '../runAction';
import type { RunContext } from './runContext';
import { isSettled } from './runContext';
import type { RunStop } from './runStop';

/** How a streamed leg ended: settled (ended or waits for outputs), not streamable here, dropped (follow on by polling) or stopped. */
export type StreamOutcome = 'settled' | 'unsupported' | 'dropped' | 'stopped';

/**
 * Why a stream was left before its run ended: its connection broke, it went silent (given up after
 * `streamIdleMs`), it sent a line that is not the API's JSON, the server closed it early, or the
 * server answered the run whole instead of streaming it.
 */
export type StreamDrop = 'broken' | 'silent' | 'garbled' | 'closed early' | 'unstreamed';

/**
 * What a stream's `error` frame says (by its code) once the run was named: the server's own word on
 * how the run ended. Anything else that breaks a stream (a reset, a silence, a frame that does not
 * parse) is a dropped connection, and the run is followed on.
 */
const SERVER_VERDICTS: ReadonlySet<ErrorKind> = new Set(['rate_limited', 'server', 'run_failed', 'quota', 'auth', 'permission', 'not_found', 'bad_request']);

/** A frame's error carries no HTTP status; a request that failed (a resumed stream's 404) does, and is no verdict. */
function isServerVerdict(failure: AssistantsError): boolean {
  return SERVER_VERDICTS.has(failure.kind) && failure.options.status === undefined;
}

/**
 * The streamed leg of a run: streams the leg's events to the chat, gives a silent stream up after
 * `streamIdleMs`, picks a dropped stream up where the server allows it, and tells a dropped
 * connection (followed on by polling) from the server's own verdict on the run.
 */
export class StreamLeg {
  /** Why the last stream was left before its run ended. */
  lastDrop: StreamDrop = 'broken';

  constructor(
    private readonly ctx: RunContext,
    private readonly stopper: RunStop,
  ) {}

  /** Streams one leg, retried while nothing was started; says how it ended. */
  async streamLeg(action: RunAction): Promise<StreamOutcome> {
    let outcome: 'ended' | 'dropped' | 'stopped';
    try {
      outcome = await this.ctx.retrying(() => this.consumeStream((signal, onActivity) => this.ctx.deps.backend.stream(action, signal, onActivity)));
    } catch (error) {
      if (this.ctx.stopping) {
        return 'stopped';
      }
      const failure = asAssistantsError(error);
      if (failure.kind === 'unsupported' && !this.ctx.legKnown) {
        return 'unsupported';
      }
      throw failure;
    }
    if (outcome === 'stopped') {
      return 'stopped';
    }
    if (outcome === 'ended' && isSettled(this.ctx.currentRun())) {
      return 'settled';
    }
    return 'dropped';
  }

  /** Picks a dropped stream up where it stopped, where the server allows it. True when the leg settled that way. */
  async resumeStream(): Promise<boolean> {
    const backend = this.ctx.deps.backend;
    const ref = this.ctx.state.ref;
    if (!backend.resumeStream || !ref || this.ctx.stopping) return false;
    const resume = backend.resumeStream.bind(backend);
    // What left the first stream is what the run's note says, not how the resuming went.
    const drop = this.lastDrop;
    try {
      const outcome = await this.consumeStream((signal, onActivity) => resume(ref, signal, onActivity));
      if (outcome === 'stopped' || (outcome === 'ended' && isSettled(this.ctx.currentRun()))) return true;
      this.lastDrop = drop;
      return false;
    } catch (error) {
      // The server's own error ended the run; anything else: not resumable after all, polling follows the run.
      if (this.ctx.state.run && isTerminal(this.ctx.state.run.status)) throw error;
      this.lastDrop = drop;
      return false;
    }
  }

  /** One attempt at streaming a leg. Failing before the server named the run is retryable (nothing was started). */
  private async consumeStream(open: (signal: AbortSignal, onActivity: () => void) => AsyncIterable<RunEvent>): Promise<'ended' | 'dropped' | 'stopped'> {
    const abort = new AbortController();
    this.ctx.streamAbort = abort;
    let stalled = false;
    let idle: ReturnType<typeof setTimeout> | undefined;
    // A stream that goes silent (a proxy holding the connection, a server that stopped writing) is
    // given up: the run is then followed by polling, like a dropped stream. Anything the connection
    // brings (a keep-alive, an event shown as nothing) is no silence. Timers are reset at most
    // every tenth of the silence allowed, not at every piece of a fast stream.
    let watchedAt = 0;
    const watch = (): void => {
      const now = Date.now();
      if (idle !== undefined && now - watchedAt < this.ctx.deps.streamIdleMs / 10) return;
      watchedAt = now;
      clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        abort.abort();
      }, this.ctx.deps.streamIdleMs);
    };
    try {
      watch();
      for await (const event of open(abort.signal, watch)) {
        watch();
        this.onStreamEvent(event);
      }
    } catch (error) {
      if (this.ctx.stopping) {
        return 'stopped';
      }
      if (!this.ctx.legKnown) {
        throw stalled ? this.silentStart() : asAssistantsError(error);
      }
      // The run ended (or waits for outputs) by the server's own word before this broke the
      // stream: an error frame after the end changes nothing, and no dropped connection matters.
      if (this.ctx.state.run && isSettled(this.ctx.state.run)) return 'ended';
      const failure = asAssistantsError(error);
      this.lastDrop = stalled ? 'silent' : failure.kind === 'bad_response' ? 'garbled' : failure.kind === 'unsupported' ? 'unstreamed' : 'broken';
      if (stalled || !isServerVerdict(failure)) return 'dropped';
      throw this.endedByServer(failure);
    } finally {
      clearTimeout(idle);
      this.ctx.streamAbort = undefined;
    }
    // Stop aborts the stream, and an aborted stream ends quietly: that is the stop, not an early end.
    if (this.ctx.stopping) {
      return 'stopped';
    }
    if (stalled) {
      if (!this.ctx.legKnown) throw this.silentStart();
      this.lastDrop = 'silent';
      return 'dropped';
    }
    if (!this.ctx.legKnown) {
      throw new AssistantsError('server', 'The server closed the stream before the run started.');
    }
    this.lastDrop = 'closed early';
    return 'ended';
  }

  /**
   * The server ended a named run's stream with an error of its own (an `error` frame: a rate limit,
   * a server error): that is how the run ended, in the server's words, and no dropped connection.
   * The run is recorded as failed with that reason (the chat offers Retry); it is not sent again by
   * itself, since the server already started it once.
   */
  private endedByServer(failure: AssistantsError): AssistantsError {
    const run = this.ctx.currentRun();
    if (!isTerminal(run.status)) {
      const failed: Run = { ...run, status: 'failed', requiredAction: undefined, lastError: { code: failure.kind, message: failure.message } };
      this.ctx.state.apply({ type: 'run.updated', run: failed });
      this.ctx.emit({ type: 'run.updated', run: failed });
    }
    return new AssistantsError('run_failed', failure.message, { ...failure.options, cause: failure });
  }

  /** Not retried: the request may have started a run, and sending it again could start a second. */
  private silentStart(): AssistantsError {
    const seconds = Math.round(this.ctx.deps.streamIdleMs / 1000);
    return new AssistantsError('run_failed', `The server sent nothing for ${seconds} s after the run was requested. It may still be running there, so it was not started a second time; send again if no answer arrives.`);
  }

  private onStreamEvent(event: RunEvent): void {
    if (this.ctx.stopping) {
      this.onStreamEventAfterStop(event);
      return;
    }
    if (event.type === 'usage') {
      this.ctx.trackUsage(event.usage);
      return;
    }
    if (event.type === 'run.updated') {
      const { thread } = this.ctx.deps;
      const known = this.ctx.state.ref;
      this.ctx.setRef(event.ref ?? (known && known.runId === event.run.id ? known : { threadId: thread.id, remoteThreadId: thread.remoteId, runId: event.run.id }));
      this.ctx.legKnown = true;
      this.ctx.trackUsage(event.run.usage);
    }
    this.ctx.state.apply(event);
    this.ctx.emit(event);
  }

  /**
   * After Stop the stream is only read until it names the run (Stop came before the server did),
   * so that the run can be cancelled; then it is closed. Nothing it carries reaches the chat.
   */
  private onStreamEventAfterStop(event: RunEvent): void {
    if (event.type !== 'run.updated' || this.ctx.legKnown) return;
    const { thread } = this.ctx.deps;
    this.ctx.setRef(event.ref ?? { threadId: thread.id, remoteThreadId: thread.remoteId, runId: event.run.id });
    this.ctx.legKnown = true;
    this.ctx.state.apply(event);
    this.ctx.emit(event);
    this.ctx.streamAbort?.abort();
    this.stopper.startCancel();
  }
}
