import type { RunAction, StartRun } from '../runAction';
import type { RunRef, RunSnapshot } from '../../common/runRef';
import { AssistantsError, asAssistantsError } from '../errors';
import type { RunEvent } from '../../common/events';
import type { Message, Run } from '../../common/model';
import { isTerminal } from '../../common/model';
import { PollSchedule } from './pollSchedule';
import { ProgressWatch, formatQuiet } from './progressWatch';
import type { RunSessionDeps } from './runContext';
import { RunContext, isSettled } from './runContext';
import { RunStop } from './runStop';
import { cancelledError } from './sleep';
import { StreamLeg } from './streamLeg';
import { ToolRound } from './toolRound';
import { addUsage } from './usage';

export type { RunSessionDeps } from './runContext';

/**
 * One run, from its first request to its terminal status. A run is a series of legs: the start,
 * then one per round of tool outputs; each leg streams (`StreamLeg`) or is created and polled. Stop
 * and detach are `RunStop`'s; a round of tool calls is `ToolRound`'s; what they share is one
 * `RunContext`.
 */
export class RunSession {
  private readonly ctx: RunContext;
  private readonly stopper: RunStop;
  private readonly stream: StreamLeg;
  private readonly tools: ToolRound;
  private readonly progress: ProgressWatch;
  /** How the run ended when it was given up for showing no progress (said once). */
  private stallFailure: AssistantsError | undefined;

  constructor(deps: RunSessionDeps) {
    this.ctx = new RunContext(deps);
    this.stopper = new RunStop(this.ctx);
    this.stream = new StreamLeg(this.ctx, this.stopper);
    this.tools = new ToolRound(this.ctx);
    // Given up as Stop gives a run up (the server is asked to cancel it), then said why.
    this.progress = new ProgressWatch(deps.progressTimeoutMs, deps.now, () => this.stopper.requestStop());
    this.ctx.onProgress = (untilMs) => this.progress.progressed(untilMs);
  }

  /** Starts the run and follows it to its end; resolves to its last snapshot, or rejects with the failure as a sentence. */
  start(action: StartRun): Promise<RunSnapshot> {
    return this.guard(() => this.loop(action));
  }

  /** Follows a run started earlier (a window reload) from its stored ref, as `start` does. */
  resume(ref: RunRef): Promise<RunSnapshot> {
    return this.guard(() => {
      this.ctx.priorUsage = ref.usageBefore;
      this.ctx.setRef(ref);
      return this.loop(undefined);
    });
  }

  private async guard(body: () => Promise<void>): Promise<RunSnapshot> {
    const onAbort = (): void => this.stopper.requestStop();
    const onDetach = (): void => this.stopper.requestDetach();
    this.ctx.deps.signal?.addEventListener('abort', onAbort, { once: true });
    this.ctx.deps.detach?.addEventListener('abort', onDetach, { once: true });
    try {
      if (this.ctx.deps.signal?.aborted) {
        this.stopper.requestStop();
      }
      if (this.ctx.deps.detach?.aborted) {
        this.stopper.requestDetach();
      }
      this.progress.start();
      await body();
      if (this.ctx.detached) {
        throw cancelledError();
      }
      if (this.progress.stalled) {
        throw this.givenUp();
      }
      this.closeOpenMessages();
      return this.finish();
    } catch (error) {
      const failure = this.ctx.detached ? cancelledError() : this.progress.stalled ? this.givenUp() : asAssistantsError(error);
      if (!this.ctx.detached) {
        this.closeOpenMessages();
      }
      if (!(this.ctx.stopping && failure.kind === 'cancelled')) {
        this.ctx.emit({ type: 'error', error: { code: failure.kind, message: failure.message } });
      }
      throw failure;
    } finally {
      this.progress.dispose();
      this.stopper.dispose();
      this.ctx.deps.signal?.removeEventListener('abort', onAbort);
      this.ctx.deps.detach?.removeEventListener('abort', onDetach);
    }
  }

  private async loop(first: RunAction | undefined): Promise<void> {
    let action = first;
    for (;;) {
      if (this.ctx.stopping && !this.ctx.state.ref) {
        throw cancelledError();
      }
      if (action?.kind === 'submit') {
        await this.submitLeg(action);
      } else if (action) {
        await this.leg(action);
      } else {
        await this.pollUntilSettled(true);
      }
      if (this.ctx.stopping) {
        return this.stopper.awaitStopped();
      }
      const run = this.ctx.currentRun();
      if (run.status !== 'requires_action') {
        return;
      }
      if (!run.requiredAction?.toolCalls.length) {
        throw this.nothingToAnswer(run);
      }
      const outputs = await this.tools.answer(run);
      if (this.ctx.stopping) {
        return this.stopper.awaitStopped();
      }
      this.ctx.priorUsage = addUsage(this.ctx.priorUsage, this.ctx.legUsage);
      this.ctx.legUsage = undefined;
      const { thread, assistant, history } = this.ctx.deps;
      action = { kind: 'submit', thread, assistant, ref: this.ctx.currentRef(), outputs, history };
    }
  }

  /**
   * Sends tool outputs. A refusal may mean the run moved on meanwhile (it expired waiting, or was
   * cancelled elsewhere): the run is read again, so what it became is recorded, not `requires_action`.
   */
  private async submitLeg(action: RunAction & { kind: 'submit' }): Promise<void> {
    try {
      await this.leg(action);
    } catch (error) {
      const failure = asAssistantsError(error);
      if (failure.kind !== 'bad_request' && failure.kind !== 'not_found') throw failure;
      const snapshot = await this.ctx.retrying(() => this.ctx.deps.backend.retrieve(this.ctx.currentRef(), this.ctx.stop.signal)).catch(() => undefined);
      if (!snapshot) throw failure;
      this.ctx.adopt(snapshot);
      if (this.ctx.currentRun().status === 'requires_action') throw failure;
    }
  }

  private async leg(action: RunAction): Promise<void> {
    this.ctx.legKnown = false;
    if (this.ctx.deps.canStream()) {
      const outcome = await this.stream.streamLeg(action);
      if (outcome === 'settled' || outcome === 'stopped') {
        return;
      }
      if (outcome === 'dropped') {
        if (await this.stream.resumeStream()) return;
        // Said as it happened: a connection that broke, a stream given up for its silence, one
        // that sent what is no JSON, one the server closed before the run's end.
        const reason = this.dropSaid();
        const note = { broken: 'The stream dropped', 'closed early': `${reason} before the run ended`, silent: reason, garbled: reason, unstreamed: reason }[this.stream.lastDrop];
        this.ctx.emit({ type: 'fallback', reason: `${note}; following the same run by polling.` });
        await this.pollAfterDrop(reason);
        return;
      }
      this.ctx.deps.markStreamingUnsupported();
      this.ctx.emit({ type: 'fallback', reason: 'The server cannot stream; following the run by polling.' });
    }
    await this.createLeg(action);
  }

  /**
   * A run that showed no progress for the allowed time, stopped as Stop stops one: it ends failed
   * (Retry asks again), saying how long nothing moved, whatever the server said to the cancel.
   */
  private givenUp(): AssistantsError {
    if (this.stallFailure) return this.stallFailure;
    const message = `The server showed no progress on this run for ${formatQuiet(this.ctx.deps.progressTimeoutMs)} (no new text, step or status), so it was stopped there. Send again, or try later.`;
    const run = this.ctx.state.run;
    if (run) {
      const failed: Run = { ...run, status: 'failed', requiredAction: undefined, lastError: { code: 'timeout', message } };
      this.ctx.state.apply({ type: 'run.updated', run: failed });
      this.ctx.emit({ type: 'run.updated', run: failed });
    }
    this.stallFailure = new AssistantsError('timeout', message);
    return this.stallFailure;
  }

  /**
   * A run the server says waits for function outputs without naming a call: no output can move it,
   * and submitting none would be refused or wait forever. The server is asked to cancel it (not
   * waited for: Stop's deadline bounds the request) and the run ends failed, saying so, with Retry.
   */
  private nothingToAnswer(run: Run): AssistantsError {
    const message = 'The server said the run waits for function results but named no function call, so there was nothing to answer and the run was ended. Send again; if it happens again, the server does not follow the API.';
    this.stopper.startCancel();
    const failed: Run = { ...run, status: 'failed', requiredAction: undefined, lastError: { code: 'bad_response', message } };
    this.ctx.state.apply({ type: 'run.updated', run: failed });
    this.ctx.emit({ type: 'run.updated', run: failed });
    return new AssistantsError('bad_response', message);
  }

  /**
   * Follows a run whose stream dropped or went silent by polling it. A server that keeps nothing
   * (the response is unknown to it) cannot be asked: the run ends here, its partial answer kept and
   * marked as cut off, with a sentence saying so.
   */
  private async pollAfterDrop(reason: string): Promise<void> {
    try {
      await this.pollUntilSettled(true);
    } catch (error) {
      const failure = asAssistantsError(error);
      if (failure.kind !== 'not_found' && failure.kind !== 'unsupported') throw failure;
      const run = this.ctx.currentRun();
      const cut: Run = { ...run, status: 'incomplete', incompleteReason: 'connection_lost', requiredAction: undefined };
      this.ctx.state.apply({ type: 'run.updated', run: cut });
      this.ctx.emit({ type: 'run.updated', run: cut });
      throw new AssistantsError('run_failed', `${reason} in the middle of the answer, and this server cannot resume it. The partial answer is kept; send again to ask for the rest.`, { cause: failure });
    }
  }

  /** Why the stream was left, as the start of a sentence. */
  private dropSaid(): string {
    const idle = this.ctx.deps.streamIdleMs;
    switch (this.stream.lastDrop) {
      case 'silent':
        return `The stream sent nothing for ${idle >= 1000 ? `${Math.round(idle / 1000)} s` : `${idle} ms`}`;
      case 'garbled':
        return "The stream sent a line that is not the API's JSON";
      case 'closed early':
        return 'The server closed the stream';
      case 'unstreamed':
        return 'The server answered without streaming';
      case 'broken':
        return 'The connection dropped';
    }
  }

  /**
   * Every run that ends, ends in the chat: a message the server never closed (a stream cut short, a
   * final event that skipped it) is closed here, complete if the run completed, else cut off.
   */
  private closeOpenMessages(): void {
    const run = this.ctx.state.run;
    if (!run) {
      return;
    }
    const status = run.status === 'completed' ? 'completed' : 'incomplete';
    for (const message of this.ctx.state.messages.values()) {
      if (message.role !== 'assistant' || (message.status !== 'in_progress' && message.status !== undefined)) continue;
      const closed: Message = { ...structuredClone(message), status };
      const event: RunEvent = { type: 'message.completed', message: closed };
      this.ctx.state.apply(event);
      this.ctx.emit(event);
    }
  }

  private async createLeg(action: RunAction): Promise<void> {
    // Not ended by Stop at once (an interrupted create may still start a run we could then not
    // cancel), only when Stop has waited its time.
    const deadline = this.ctx.stopDeadline.signal;
    const snapshot = await this.ctx.retrying(() => this.ctx.deps.backend.create(action, deadline), deadline);
    this.ctx.legKnown = true;
    this.ctx.adopt(snapshot);
    if (this.ctx.stopping) {
      this.stopper.startCancel();
      return;
    }
    await this.pollUntilSettled(false, snapshot.pollAfterMs);
  }

  private async pollUntilSettled(immediate: boolean, hintMs?: number): Promise<void> {
    const schedule = new PollSchedule(this.ctx.deps.poll, this.ctx.deps.now);
    let changed = true;
    let hint = hintMs;
    let first = immediate;
    try {
      while (!this.ctx.stopping) {
        if (!first) {
          if (this.ctx.state.run && isSettled(this.ctx.state.run)) {
            return;
          }
          await this.ctx.deps.sleep(schedule.next(changed, hint), this.ctx.stop.signal);
        }
        first = false;
        // Stop ends a poll the server never answers at once, as it ends the wait between polls.
        const snapshot = await this.ctx.retrying(() => this.ctx.deps.backend.retrieve(this.ctx.currentRef(), this.ctx.stop.signal));
        // A poll that answers after Stop brings nothing to the chat: awaitStopped reads the end.
        if (this.ctx.stopping) return;
        changed = this.ctx.adopt(snapshot);
        hint = snapshot.pollAfterMs;
      }
    } catch (error) {
      if (!this.ctx.stopping) {
        throw error;
      }
    }
  }

  private finish(): RunSnapshot {
    const snapshot = this.ctx.state.snapshot();
    if (!snapshot) {
      throw new AssistantsError('run_failed', 'The run ended before the server reported it.');
    }
    const total = this.ctx.totalUsage();
    if (total) {
      snapshot.run.usage = total;
    }
    if (isTerminal(snapshot.run.status)) {
      this.ctx.deps.onRunRef?.(undefined);
    }
    // A run that failed for an object the server no longer has ends as a refusal naming it would:
    // the chat's notice says it with its fix (Continue in New Thread, Remove from Assistant, Re-upload), not Retry alone.
    const { lastError } = snapshot.run;
    if (snapshot.run.status === 'failed' && lastError?.missing) {
      throw new AssistantsError('run_failed', lastError.message, { missing: lastError.missing });
    }
    return snapshot;
  }
}
