import type { Run } from '../../common/model';
import { isTerminal } from '../../common/model';
import type { RunSnapshot } from '../../common/runRef';
import { PollSchedule } from './pollSchedule';
import type { RunContext } from './runContext';
import { untilAborted } from './runContext';
import { diffSnapshot } from './runState';
import { cancelledError } from './sleep';

/** How a stopped run ends when the server never said it was cancelled. */
const UNCONFIRMED = { code: 'unconfirmed', message: 'Stopped; the server did not confirm the cancel, so the run may still be going on there.' };

/**
 * Stop and detach of a run session. Stop asks the server to cancel (once the run is named), closes
 * the stream at once, and waits at most `cancelWaitMs` for the run to end there; detach only stops
 * following the run, which goes on on the server.
 */
export class RunStop {
  /** When Stop was asked for (epoch ms): a stopped run the server does not date ends there. */
  private stoppedAtMs: number | undefined;
  private cancelling: Promise<void> | undefined;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: RunContext) {}

  /** Ends the wait for the stop deadline (the session is over). */
  dispose(): void {
    clearTimeout(this.stopTimer);
  }

  /** Stop: waits and tools end, the stream closes once the run is named, and the server is asked to cancel it. */
  requestStop(): void {
    if (this.ctx.stopping) {
      return;
    }
    this.ctx.stopping = true;
    this.stoppedAtMs = this.ctx.deps.now();
    this.ctx.stop.abort();
    this.armStopDeadline();
    if (this.ctx.legKnown && this.ctx.state.ref) {
      // Closed at once, whether or not the cancel request ever answers.
      this.ctx.streamAbort?.abort();
      this.startCancel();
    }
  }

  /** Stops waiting, streaming and tools, and asks the server for nothing more: not even a cancel. */
  requestDetach(): void {
    if (this.ctx.stopping) {
      return;
    }
    this.ctx.detached = true;
    this.ctx.stopping = true;
    this.ctx.stop.abort();
    this.ctx.streamAbort?.abort();
  }

  /** Asks the server to cancel the run, once, within the stop deadline; a refusal is left for polling to explain. */
  startCancel(): void {
    const ref = this.ctx.state.ref;
    if (this.ctx.detached || this.cancelling || !ref) {
      return;
    }
    this.armStopDeadline();
    const deadline = this.ctx.stopDeadline.signal;
    this.cancelling = this.ctx.retrying(() => this.ctx.deps.backend.cancel(ref, deadline), deadline)
      // The run may have ended meanwhile, or the server refuses: polling tells what happened.
      .catch(() => undefined);
  }

  /**
   * After Stop: make sure the server was asked to cancel, then wait for a terminal status, at most
   * `cancelWaitMs` in all (a cancel request or a poll that hangs is abandoned then). Only the run's
   * status is taken from the server now, no more text. A run the server did not confirm ended is
   * recorded as cancelled with a sentence saying the server did not confirm it.
   */
  async awaitStopped(): Promise<void> {
    if (this.ctx.detached) {
      throw cancelledError();
    }
    if (this.ctx.state.run && isTerminal(this.ctx.state.run.status)) {
      return;
    }
    if (!this.ctx.state.ref || !this.ctx.legKnown) {
      throw cancelledError();
    }
    const deadline = this.ctx.stopDeadline.signal;
    try {
      this.startCancel();
      await untilAborted(this.cancelling ?? Promise.resolve(), deadline);
      const schedule = new PollSchedule(this.ctx.deps.poll, this.ctx.deps.now);
      for (;;) {
        const snapshot = await this.ctx.retrying(() => this.ctx.deps.backend.retrieve(this.ctx.currentRef(), deadline), deadline);
        const changed = this.adoptStatus(snapshot);
        const run = this.ctx.currentRun();
        if (isTerminal(run.status)) return;
        if (run.status === 'requires_action') {
          // The server waits for outputs we will never send: for the user the run is over.
          this.endStopped(run);
          return;
        }
        await this.ctx.deps.sleep(schedule.next(changed, snapshot.pollAfterMs), deadline);
      }
    } catch {
      // Out of time, or the server cannot say (it keeps no runs, or refuses the cancel and the poll).
      const run = this.ctx.currentRun();
      if (!isTerminal(run.status)) this.endStopped(run, UNCONFIRMED);
    }
  }

  /**
   * Records a stopped run as cancelled (with `note` when the server did not confirm it), ended when
   * Stop was asked for unless the server dated it: its elapsed time is fixed there, wherever it is shown.
   */
  private endStopped(run: Run, note?: Run['lastError']): void {
    const completedAt = run.completedAt ?? Math.floor((this.stoppedAtMs ?? this.ctx.deps.now()) / 1000);
    const cancelled: Run = { ...run, status: 'cancelled', completedAt, requiredAction: undefined, ...(note ? { lastError: note } : {}) };
    this.ctx.state.apply({ type: 'run.updated', run: cancelled });
    this.ctx.emit({ type: 'run.updated', run: cancelled });
  }

  /** Adopts only the run of a snapshot polled after Stop (its status, usage, handle). True when the run changed. */
  private adoptStatus(snapshot: RunSnapshot): boolean {
    this.ctx.setRef(snapshot.ref);
    this.ctx.trackUsage(snapshot.run.usage);
    const before = this.ctx.state.run;
    const events = diffSnapshot({ run: before, steps: new Map(), messages: new Map() }, { ...snapshot, steps: [], messages: [] });
    for (const event of events) {
      this.ctx.state.apply(event);
      this.ctx.emit(event);
    }
    return events.length > 0;
  }

  /** From Stop on, the server is waited for at most cancelWaitMs. */
  private armStopDeadline(): void {
    if (this.stopTimer) return;
    this.stopTimer = setTimeout(() => {
      this.ctx.stopDeadline.abort();
      this.ctx.streamAbort?.abort();
    }, this.ctx.deps.cancelWaitMs);
  }
}
