import type { Backend } from '../backend';
import type { RunAction, StartRun } from './runAction';
import type { RunRef, RunSnapshot } from '../../common/runRef';
import type { ToolHandler } from './toolHandler';
import { AssistantsError, asAssistantsError } from '../errors';
import type { ErrorKind } from '../errors';
import type { RunEvent } from '../../common/events';
import type { Assistant, FunctionCallRequest, Message, Run, RunStep, Thread, ToolCall, ToolOutput, Usage } from '../../common/model';
import { isTerminal } from '../../common/model';
import type { PollOptions } from './pollSchedule';
import { PollSchedule } from './pollSchedule';
import { withRetry } from './retry';
import { RunState, diffSnapshot } from './runState';
import type { Sleep } from './sleep';
import { cancelledError } from './sleep';
import { addUsage } from './usage';

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
  sleep: Sleep;
  now: () => number;
  onRunRef: ((ref: RunRef | undefined) => void) | undefined;
  canStream: () => boolean;
  markStreamingUnsupported: () => void;
}

type StreamOutcome = 'settled' | 'unsupported' | 'dropped' | 'stopped';

/** How a stopped run ends when the server never said it was cancelled. */
const UNCONFIRMED = { code: 'unconfirmed', message: 'Stopped; the server did not confirm the cancel, so the run may still be going on there.' };

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
 * One run, from its first request to its terminal status. A run is a series of legs: the start,
 * then one per round of tool outputs; each leg streams or is created and polled.
 */
export class RunSession {
  private readonly state: RunState;
  /** Aborted on Stop: interrupts waits and the tool handler, never an in-flight create. */
  private readonly stop = new AbortController();
  private stopping = false;
  /** When Stop was asked for (epoch ms): a stopped run the server does not date ends there. */
  private stoppedAtMs: number | undefined;
  private detached = false;
  private cancelling: Promise<void> | undefined;
  /**
   * Aborted `cancelWaitMs` after Stop: ends whatever still waits for the server (a start that has not
   * answered, a stream that has not named its run, the cancel request, the polls after it).
   */
  private readonly stopDeadline = new AbortController();
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  /** Aborts the current stream: on Stop, at once once the run is named (no delta lands after Stop). */
  private streamAbort: AbortController | undefined;
  /** Whether the last stream given up was silent (rather than broken). */
  private lastStreamSilent = false;
  /** False from the start of a leg until the server has named the object running it. */
  private legKnown = true;
  private priorUsage: Usage | undefined;
  private legUsage: Usage | undefined;
  private reportedUsage = '';
  private reportedRef = '';

  constructor(private readonly deps: RunSessionDeps) {
    this.state = new RunState(deps.now);
  }

  start(action: StartRun): Promise<RunSnapshot> {
    return this.guard(() => this.loop(action));
  }

  resume(ref: RunRef): Promise<RunSnapshot> {
    return this.guard(() => {
      this.priorUsage = ref.usageBefore;
      this.setRef(ref);
      return this.loop(undefined);
    });
  }

  private async guard(body: () => Promise<void>): Promise<RunSnapshot> {
    const onAbort = (): void => this.requestStop();
    const onDetach = (): void => this.requestDetach();
    this.deps.signal?.addEventListener('abort', onAbort, { once: true });
    this.deps.detach?.addEventListener('abort', onDetach, { once: true });
    try {
      if (this.deps.signal?.aborted) {
        this.requestStop();
      }
      if (this.deps.detach?.aborted) {
        this.requestDetach();
      }
      await body();
      if (this.detached) {
        throw cancelledError();
      }
      this.closeOpenMessages();
      return this.finish();
    } catch (error) {
      const failure = this.detached ? cancelledError() : asAssistantsError(error);
      if (!this.detached) {
        this.closeOpenMessages();
      }
      if (!(this.stopping && failure.kind === 'cancelled')) {
        this.emit({ type: 'error', error: { code: failure.kind, message: failure.message } });
      }
      throw failure;
    } finally {
      clearTimeout(this.stopTimer);
      this.deps.signal?.removeEventListener('abort', onAbort);
      this.deps.detach?.removeEventListener('abort', onDetach);
    }
  }

  private async loop(first: RunAction | undefined): Promise<void> {
    let action = first;
    for (;;) {
      if (this.stopping && !this.state.ref) {
        throw cancelledError();
      }
      if (action?.kind === 'submit') {
        await this.submitLeg(action);
      } else if (action) {
        await this.leg(action);
      } else {
        await this.pollUntilSettled(true);
      }
      if (this.stopping) {
        return this.awaitStopped();
      }
      const run = this.currentRun();
      if (run.status !== 'requires_action') {
        return;
      }
      const outputs = await this.answer(run);
      if (this.stopping) {
        return this.awaitStopped();
      }
      this.priorUsage = addUsage(this.priorUsage, this.legUsage);
      this.legUsage = undefined;
      const { thread, assistant, history } = this.deps;
      action = { kind: 'submit', thread, assistant, ref: this.currentRef(), outputs, history };
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
      const snapshot = await this.retrying(() => this.deps.backend.retrieve(this.currentRef())).catch(() => undefined);
      if (!snapshot) throw failure;
      this.adopt(snapshot);
      if (this.currentRun().status === 'requires_action') throw failure;
    }
  }

  private async leg(action: RunAction): Promise<void> {
    this.legKnown = false;
    if (this.deps.canStream()) {
      const outcome = await this.streamLeg(action);
      if (outcome === 'settled' || outcome === 'stopped') {
        return;
      }
      if (outcome === 'dropped') {
        if (await this.resumeStream()) return;
        // Said as it happened: a connection that broke, or a stream given up for its silence.
        const idle = this.deps.streamIdleMs;
        const silence = idle >= 1000 ? `${Math.round(idle / 1000)} s` : `${idle} ms`;
        const reason = this.lastStreamSilent ? `The stream sent nothing for ${silence}; following the same run by polling.` : 'The stream dropped; following the same run by polling.';
        this.emit({ type: 'fallback', reason });
        await this.pollAfterDrop();
        return;
      }
      this.deps.markStreamingUnsupported();
      this.emit({ type: 'fallback', reason: 'The server cannot stream; following the run by polling.' });
    }
    await this.createLeg(action);
  }

  private async streamLeg(action: RunAction): Promise<StreamOutcome> {
    let outcome: 'ended' | 'dropped' | 'stopped';
    try {
      outcome = await this.retrying(() => this.consumeStream((signal) => this.deps.backend.stream(action, signal)));
    } catch (error) {
      if (this.stopping) {
        return 'stopped';
      }
      const failure = asAssistantsError(error);
      if (failure.kind === 'unsupported' && !this.legKnown) {
        return 'unsupported';
      }
      throw failure;
    }
    if (outcome === 'stopped') {
      return 'stopped';
    }
    if (outcome === 'ended' && isSettled(this.currentRun())) {
      return 'settled';
    }
    return 'dropped';
  }

  /** Picks a dropped stream up where it stopped, where the server allows it. True when the leg settled that way. */
  private async resumeStream(): Promise<boolean> {
    const backend = this.deps.backend;
    const ref = this.state.ref;
    if (!backend.resumeStream || !ref || this.stopping) return false;
    const resume = backend.resumeStream.bind(backend);
    try {
      const outcome = await this.consumeStream((signal) => resume(ref, signal));
      return outcome === 'stopped' || (outcome === 'ended' && isSettled(this.currentRun()));
    } catch (error) {
      // The server's own error ended the run; anything else: not resumable after all, polling follows the run.
      if (this.state.run && isTerminal(this.state.run.status)) throw error;
      return false;
    }
  }

  /** One attempt at streaming a leg. Failing before the server named the run is retryable (nothing was started). */
  private async consumeStream(open: (signal: AbortSignal) => AsyncIterable<RunEvent>): Promise<'ended' | 'dropped' | 'stopped'> {
    const abort = new AbortController();
    this.streamAbort = abort;
    let stalled = false;
    let idle: ReturnType<typeof setTimeout> | undefined;
    // A stream that goes silent (a proxy holding the connection, a server that stopped writing) is
    // given up: the run is then followed by polling, like a dropped stream.
    const watch = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        abort.abort();
      }, this.deps.streamIdleMs);
    };
    try {
      watch();
      for await (const event of open(abort.signal)) {
        watch();
        this.onStreamEvent(event);
      }
    } catch (error) {
      if (this.stopping) {
        return 'stopped';
      }
      if (!this.legKnown) {
        throw stalled ? this.silentStart() : asAssistantsError(error);
      }
      const failure = asAssistantsError(error);
      this.lastStreamSilent = stalled;
      if (stalled || !isServerVerdict(failure)) return 'dropped';
      throw this.endedByServer(failure);
    } finally {
      clearTimeout(idle);
      this.streamAbort = undefined;
    }
    // Stop aborts the stream, and an aborted stream ends quietly: that is the stop, not an early end.
    if (this.stopping) {
      return 'stopped';
    }
    if (stalled) {
      if (!this.legKnown) throw this.silentStart();
      this.lastStreamSilent = true;
      return 'dropped';
    }
    if (!this.legKnown) {
      throw new AssistantsError('server', 'The server closed the stream before the run started.');
    }
    return 'ended';
  }

  /**
   * The server ended a named run's stream with an error of its own (an `error` frame: a rate limit,
   * a server error): that is how the run ended, in the server's words, and no dropped connection.
   * The run is recorded as failed with that reason (the chat offers Retry); it is not sent again by
   * itself, since the server already started it once.
   */
  private endedByServer(failure: AssistantsError): AssistantsError {
    const run = this.currentRun();
    if (!isTerminal(run.status)) {
      const failed: Run = { ...run, status: 'failed', requiredAction: undefined, lastError: { code: failure.kind, message: failure.message } };
      this.state.apply({ type: 'run.updated', run: failed });
      this.emit({ type: 'run.updated', run: failed });
    }
    return new AssistantsError('run_failed', failure.message, { ...failure.options, cause: failure });
  }

  /** Not retried: the request may have started a run, and sending it again could start a second. */
  private silentStart(): AssistantsError {
    const seconds = Math.round(this.deps.streamIdleMs / 1000);
    return new AssistantsError('run_failed', `The server sent nothing for ${seconds} s after the run was requested. It may still be running there, so it was not started a second time; send again if no answer arrives.`);
  }

  /**
   * Follows a run whose stream dropped or went silent by polling it. A server that keeps nothing
   * (the response is unknown to it) cannot be asked: the run ends here, its partial answer kept and
   * marked as cut off, with a sentence saying so.
   */
  private async pollAfterDrop(): Promise<void> {
    try {
      await this.pollUntilSettled(true);
    } catch (error) {
      const failure = asAssistantsError(error);
      if (failure.kind !== 'not_found' && failure.kind !== 'unsupported') throw failure;
      const run = this.currentRun();
      const cut: Run = { ...run, status: 'incomplete', incompleteReason: 'connection_lost', requiredAction: undefined };
      this.state.apply({ type: 'run.updated', run: cut });
      this.emit({ type: 'run.updated', run: cut });
      throw new AssistantsError('run_failed', 'The connection dropped in the middle of the answer, and this server cannot resume it. The partial answer is kept; send again to ask for the rest.', { cause: failure });
    }
  }

  /**
   * Every run that ends, ends in the chat: a message the server never closed (a stream cut short, a
   * final event that skipped it) is closed here, complete if the run completed, else cut off.
   */
  private closeOpenMessages(): void {
    const run = this.state.run;
    if (!run) {
      return;
    }
    const status = run.status === 'completed' ? 'completed' : 'incomplete';
    for (const message of this.state.messages.values()) {
      if (message.role !== 'assistant' || (message.status !== 'in_progress' && message.status !== undefined)) continue;
      const closed: Message = { ...structuredClone(message), status };
      const event: RunEvent = { type: 'message.completed', message: closed };
      this.state.apply(event);
      this.emit(event);
    }
  }

  private onStreamEvent(event: RunEvent): void {
    if (this.stopping) {
      this.onStreamEventAfterStop(event);
      return;
    }
    if (event.type === 'usage') {
      this.trackUsage(event.usage);
      return;
    }
    if (event.type === 'run.updated') {
      const { thread } = this.deps;
      const known = this.state.ref;
      this.setRef(event.ref ?? (known && known.runId === event.run.id ? known : { threadId: thread.id, remoteThreadId: thread.remoteId, runId: event.run.id }));
      this.legKnown = true;
      this.trackUsage(event.run.usage);
    }
    this.state.apply(event);
    this.emit(event);
  }

  /**
   * After Stop the stream is only read until it names the run (Stop came before the server did),
   * so that the run can be cancelled; then it is closed. Nothing it carries reaches the chat.
   */
  private onStreamEventAfterStop(event: RunEvent): void {
    if (event.type !== 'run.updated' || this.legKnown) return;
    const { thread } = this.deps;
    this.setRef(event.ref ?? { threadId: thread.id, remoteThreadId: thread.remoteId, runId: event.run.id });
    this.legKnown = true;
    this.state.apply(event);
    this.emit(event);
    this.streamAbort?.abort();
    this.startCancel();
  }

  private async createLeg(action: RunAction): Promise<void> {
    // Not ended by Stop at once (an interrupted create may still start a run we could then not
    // cancel), only when Stop has waited its time.
    const deadline = this.stopDeadline.signal;
    const snapshot = await this.retrying(() => this.deps.backend.create(action, deadline), deadline);
    this.legKnown = true;
    this.adopt(snapshot);
    if (this.stopping) {
      this.startCancel();
      return;
    }
    await this.pollUntilSettled(false, snapshot.pollAfterMs);
  }

  private async pollUntilSettled(immediate: boolean, hintMs?: number): Promise<void> {
    const schedule = new PollSchedule(this.deps.poll, this.deps.now);
    let changed = true;
    let hint = hintMs;
    let first = immediate;
    try {
      while (!this.stopping) {
        if (!first) {
          if (this.state.run && isSettled(this.state.run)) {
            return;
          }
          await this.deps.sleep(schedule.next(changed, hint), this.stop.signal);
        }
        first = false;
        const snapshot = await this.retrying(() => this.deps.backend.retrieve(this.currentRef()));
        // A poll that answers after Stop brings nothing to the chat: awaitStopped reads the end.
        if (this.stopping) return;
        changed = this.adopt(snapshot);
        hint = snapshot.pollAfterMs;
      }
    } catch (error) {
      if (!this.stopping) {
        throw error;
      }
    }
  }

  /**
   * After Stop: make sure the server was asked to cancel, then wait for a terminal status, at most
   * `cancelWaitMs` in all (a cancel request or a poll that hangs is abandoned then). Only the run's
   * status is taken from the server now, no more text. A run the server did not confirm ended is
   * recorded as cancelled with a sentence saying the server did not confirm it.
   */
  private async awaitStopped(): Promise<void> {
    if (this.detached) {
      throw cancelledError();
    }
    if (this.state.run && isTerminal(this.state.run.status)) {
      return;
    }
    if (!this.state.ref || !this.legKnown) {
      throw cancelledError();
    }
    const deadline = this.stopDeadline.signal;
    try {
      this.startCancel();
      await untilAborted(this.cancelling ?? Promise.resolve(), deadline);
      const schedule = new PollSchedule(this.deps.poll, this.deps.now);
      for (;;) {
        const snapshot = await this.retrying(() => this.deps.backend.retrieve(this.currentRef(), deadline), deadline);
        const changed = this.adoptStatus(snapshot);
        const run = this.currentRun();
        if (isTerminal(run.status)) return;
        if (run.status === 'requires_action') {
          // The server waits for outputs we will never send: for the user the run is over.
          this.endStopped(run);
          return;
        }
        await this.deps.sleep(schedule.next(changed, snapshot.pollAfterMs), deadline);
      }
    } catch {
      // Out of time, or the server cannot say (it keeps no runs, or refuses the cancel and the poll).
      const run = this.currentRun();
      if (!isTerminal(run.status)) this.endStopped(run, UNCONFIRMED);
    }
  }

  /**
   * Records a stopped run as cancelled (with `note` when the server did not confirm it), ended when
   * Stop was asked for unless the server dated it: its elapsed time is fixed there, wherever it is shown.
   */
  private endStopped(run: Run, note?: Run['lastError']): void {
    const completedAt = run.completedAt ?? Math.floor((this.stoppedAtMs ?? this.deps.now()) / 1000);
    const cancelled: Run = { ...run, status: 'cancelled', completedAt, requiredAction: undefined, ...(note ? { lastError: note } : {}) };
    this.state.apply({ type: 'run.updated', run: cancelled });
    this.emit({ type: 'run.updated', run: cancelled });
  }

  /** Adopts only the run of a snapshot polled after Stop (its status, usage, handle). True when the run changed. */
  private adoptStatus(snapshot: RunSnapshot): boolean {
    this.setRef(snapshot.ref);
    this.trackUsage(snapshot.run.usage);
    const before = this.state.run;
    const events = diffSnapshot({ run: before, steps: new Map(), messages: new Map() }, { ...snapshot, steps: [], messages: [] });
    for (const event of events) {
      this.state.apply(event);
      this.emit(event);
    }
    return events.length > 0;
  }

  /** From Stop on, the server is waited for at most cancelWaitMs. */
  private armStopDeadline(): void {
    if (this.stopTimer) return;
    this.stopTimer = setTimeout(() => {
      this.stopDeadline.abort();
      this.streamAbort?.abort();
    }, this.deps.cancelWaitMs);
  }

  private requestStop(): void {
    if (this.stopping) {
      return;
    }
    this.stopping = true;
    this.stoppedAtMs = this.deps.now();
    this.stop.abort();
    this.armStopDeadline();
    if (this.legKnown && this.state.ref) {
      // Closed at once, whether or not the cancel request ever answers.
      this.streamAbort?.abort();
      this.startCancel();
    }
  }

  /** Stops waiting, streaming and tools, and asks the server for nothing more: not even a cancel. */
  private requestDetach(): void {
    if (this.stopping) {
      return;
    }
    this.detached = true;
    this.stopping = true;
    this.stop.abort();
    this.streamAbort?.abort();
  }

  private startCancel(): void {
    const ref = this.state.ref;
    if (this.detached || this.cancelling || !ref) {
      return;
    }
    this.armStopDeadline();
    const deadline = this.stopDeadline.signal;
    this.cancelling = this.retrying(() => this.deps.backend.cancel(ref, deadline), deadline)
      // The run may have ended meanwhile, or the server refuses: polling tells what happened.
      .catch(() => undefined);
  }

  /**
   * Runs the tool handler under the run's stop signal and a time limit. Stop does not wait for the
   * handler (a read of a named pipe may never return): the run ends at once, and what the handler
   * answers later is never submitted. A handler past its time limit is told to stop, and the model
   * gets a sentence for each call instead.
   */
  private async answer(run: Run): Promise<ToolOutput[]> {
    const calls = run.requiredAction?.toolCalls ?? [];
    const limit = new AbortController();
    const signal = AbortSignal.any([this.stop.signal, limit.signal]);
    const timer = setTimeout(() => limit.abort(), this.deps.toolTimeoutMs);
    let outputs: ToolOutput[];
    try {
      outputs = await untilAborted(this.deps.toolHandler.handle(calls, { run, signal }), signal);
    } catch (error) {
      const seconds = Math.round(this.deps.toolTimeoutMs / 1000);
      const reason = limit.signal.aborted ? `the function did not finish within ${seconds} s and was stopped.` : `the function failed: ${shortReason(error)}`;
      outputs = calls.map((call) => ({ callId: call.callId, output: `Error: ${reason}` }));
    } finally {
      clearTimeout(timer);
    }
    if (this.stopping) {
      return [];
    }
    const complete = completeOutputs(calls, outputs);
    this.showOutputs(complete);
    return complete;
  }

  /** Puts each output on its function call's step (an answer on its MCP approval request's), so the chat shows what the function answered. */
  private showOutputs(outputs: ToolOutput[]): void {
    const byCall = new Map(outputs.map((o) => [o.callId, o.output]));
    const waits = (c: ToolCall) => (c.type === 'function' || (c.type === 'mcp' && c.approval === true)) && c.output === undefined && byCall.has(c.id);
    for (const step of this.state.steps.values()) {
      if (step.details.type !== 'tool_calls') continue;
      const toolCalls = step.details.toolCalls;
      if (!toolCalls.some(waits)) continue;
      const updated: RunStep = {
        ...step,
        details: { type: 'tool_calls', toolCalls: toolCalls.map((c) => (waits(c) ? { ...c, output: byCall.get(c.id) } : c)) },
      };
      const event: RunEvent = { type: 'step.updated', step: updated };
      this.state.apply(event);
      this.emit(event);
    }
  }

  /**
   * Adopts a polled snapshot and emits what changed. True when the run moved on (a new status, step or
   * message): polling then speeds up again. Text growing inside a message does not count, or a long
   * answer would keep polling at its fastest for its whole length.
   */
  private adopt(snapshot: RunSnapshot): boolean {
    this.setRef(snapshot.ref);
    this.trackUsage(snapshot.run.usage);
    const events = this.state.advance(snapshot);
    for (const event of events) {
      this.emit(event);
    }
    return events.some((event) => event.type === 'run.updated' || event.type === 'step.created' || event.type === 'message.created');
  }

  /** Records the current leg's usage and reports the run's total when it moved. */
  private trackUsage(usage: Usage | undefined): void {
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

  private totalUsage(): Usage | undefined {
    return addUsage(this.priorUsage, this.legUsage);
  }

  private setRef(ref: RunRef): void {
    this.state.ref = { ...ref };
    const key = JSON.stringify(ref);
    if (key !== this.reportedRef) {
      this.reportedRef = key;
      this.deps.onRunRef?.({ ...ref, ...(this.priorUsage ? { usageBefore: this.priorUsage } : {}) });
    }
  }

  private finish(): RunSnapshot {
    const snapshot = this.state.snapshot();
    if (!snapshot) {
      throw new AssistantsError('run_failed', 'The run ended before the server reported it.');
    }
    const total = this.totalUsage();
    if (total) {
      snapshot.run.usage = total;
    }
    if (isTerminal(snapshot.run.status)) {
      this.deps.onRunRef?.(undefined);
    }
    return snapshot;
  }

  private emit(event: RunEvent): void {
    const total = this.totalUsage();
    const shown: RunEvent = event.type === 'run.updated' && total ? { ...event, run: { ...event.run, usage: total } } : event;
    this.deps.onEvent(shown);
  }

  /** `interruptible`: Stop ends the waits between tries; false: nothing does; a signal: that one does. */
  private retrying<T>(fn: () => Promise<T>, interruptible: boolean | AbortSignal = true): Promise<T> {
    return withRetry(fn, {
      ...this.deps.retry,
      sleep: this.deps.sleep,
      signal: interruptible === true ? this.stop.signal : interruptible === false ? undefined : interruptible,
      onRetry: (info) => this.emit({ type: 'retry', ...info }),
    });
  }

  private currentRun(): Run {
    if (!this.state.run) {
      throw new AssistantsError('run_failed', 'The server did not report the run.');
    }
    return this.state.run;
  }

  private currentRef(): RunRef {
    if (!this.state.ref) {
      throw new AssistantsError('run_failed', 'The server did not report the run.');
    }
    return this.state.ref;
  }
}

function isSettled(run: Run): boolean {
  return isTerminal(run.status) || run.status === 'requires_action';
}

/** Every call gets an answer, or the run would wait for it forever. */
function completeOutputs(calls: FunctionCallRequest[], outputs: ToolOutput[]): ToolOutput[] {
  const byId = new Map(outputs.map((output) => [output.callId, output]));
  return calls.map((call) => byId.get(call.callId) ?? { callId: call.callId, output: 'Error: no output was produced for this call.' });
}

/** Settles with `work`, or rejects as soon as `signal` aborts, without waiting for `work`. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A failure as one short sentence for the model: first line, no absolute local path, bounded. */
function shortReason(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const withoutPaths = text.replace(/(?<=^|[\s'"`(])(?:[A-Za-z]:)?(?:[\\/][^\\/\s'"`]+)+/g, (match) => match.split(/[\\/]/).pop() ?? '');
  return withoutPaths.length > 200 ? `${withoutPaths.slice(0, 199)}…` : withoutPaths;
}
