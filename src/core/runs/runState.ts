import type { RunRef, RunSnapshot } from '../../common/runRef';
import type { RunEvent } from '../../common/events';
import type { Message, MessageContent, Run, RunStep } from '../../common/model';
import type { FoldedThread } from '../../common/runFold';
import { applyRunEvent } from '../../common/runFold';

/**
 * What the driver knows about a run so far, built from streamed events or polled snapshots. Polling
 * after a dropped stream diffs against it, so the UI sees the same events either way. It is the fold
 * of the events the chat was given (`applyRunEvent`): a polled snapshot is taken in as the events
 * that lead to it, so the driver and the chat hold the same run.
 */
export class RunState {
  ref: RunRef | undefined;
  private folded: FoldedThread = { messages: [], runs: {} };
  /** The run, once an event named it. */
  private runId: string | undefined;

  /** `now`: epoch ms, the time of a message that only a later event revealed (see `applyRunEvent`). */
  constructor(private readonly now: () => number = Date.now) {}

  get run(): Run | undefined {
    return this.runId === undefined ? undefined : this.folded.runs[this.runId]?.run;
  }

  /** The run's steps by id, in the order they first came. */
  get steps(): ReadonlyMap<string, RunStep> {
    return new Map(Object.values(this.folded.runs).flatMap((record) => record.steps.map((step): [string, RunStep] => [step.id, step])));
  }

  private step(id: string): RunStep | undefined {
    for (const record of Object.values(this.folded.runs)) {
      const step = record.steps.find((candidate) => candidate.id === id);
      if (step) return step;
    }
    return undefined;
  }

  /** The run's messages by id, in the order they first came. */
  get messages(): ReadonlyMap<string, Message> {
    return new Map(this.folded.messages.map((message): [string, Message] => [message.id, message]));
  }

  /** The message with id `id`, looked up from the newest: the one a stream extends is near the end. */
  message(id: string): Message | undefined {
    const messages = this.folded.messages;
    for (let index = messages.length - 1; index >= 0; index--) {
      if (messages[index].id === id) return messages[index];
    }
    return undefined;
  }

  /** Folds one event in. Its objects are copied: a backend may go on changing what it emitted. */
  apply(event: RunEvent): void {
    const own = event.type === 'message.delta' ? event : structuredClone(event);
    if (own.type === 'run.updated') this.runId = own.run.id;
    this.folded = applyRunEvent(this.folded, own, { runId: this.runId, now: this.now() });
  }

  /** The events that lead from the current state to `next`, folded in. */
  advance(next: RunSnapshot): RunEvent[] {
    const events = diffSnapshot({ run: this.run, steps: this.steps, messages: this.messages }, next);
    for (const event of events) this.apply(event);
    return events;
  }

  /**
   * The events that lead from the current state to one step and its message as they now stand (one
   * streamed item of a response), folded in: what `advance` sends for that item, without looking at
   * the rest of the run. Either may be undefined (a message step comes with its message; most items
   * carry only a step).
   */
  advanceItem(step: RunStep | undefined, message: Message | undefined): RunEvent[] {
    const before = step ? this.step(step.id) : undefined;
    const events = [...(step ? diffStep(before, step) : []), ...(message ? diffMessage(this.message(message.id), message) : [])];
    for (const event of events) this.apply(event);
    return events;
  }

  snapshot(): RunSnapshot | undefined {
    const run = this.run;
    if (!run || !this.ref) {
      return undefined;
    }
    return {
      run: structuredClone(run),
      ref: { ...this.ref },
      steps: [...this.steps.values()].map((step) => structuredClone(step)),
      messages: this.folded.messages.map((message) => structuredClone(message)),
    };
  }
}

/**
 * The events a stream would have sent between two moments of a run: new and changed steps, new
 * messages (created empty, then their text as deltas), grown text as deltas of only the new part,
 * completed messages, and a run.updated when the run itself changed. Usage is left to the caller,
 * which sums it across legs.
 */
export function diffSnapshot(
  previous: { run: Run | undefined; steps: ReadonlyMap<string, RunStep>; messages: ReadonlyMap<string, Message> },
  next: RunSnapshot,
): RunEvent[] {
  const events: RunEvent[] = [];
  const runChanged = !previous.run || !sameJson(withoutUsage(previous.run), withoutUsage(next.run));
  // A status change is announced first, so "in_progress" precedes the steps it produced.
  if (runChanged && !isTerminalOrWaiting(next.run)) {
    events.push({ type: 'run.updated', run: next.run });
  }
  for (const step of next.steps) {
    events.push(...diffStep(previous.steps.get(step.id), step));
  }
  for (const message of next.messages) {
    events.push(...diffMessage(previous.messages.get(message.id), message));
  }
  // The final status comes last, after everything it concludes.
  if (runChanged && isTerminalOrWaiting(next.run)) {
    events.push({ type: 'run.updated', run: next.run });
  }
  return events;
}

function diffStep(before: RunStep | undefined, after: RunStep): RunEvent[] {
  if (!before) {
    return after.status === 'in_progress'
      ? [{ type: 'step.created', step: after }]
      : [{ type: 'step.created', step: { ...after, status: 'in_progress' } }, { type: 'step.completed', step: after }];
  }
  if (sameJson(before, after)) {
    return [];
  }
  return [{ type: after.status === 'in_progress' ? 'step.updated' : 'step.completed', step: after }];
}

function diffMessage(before: Message | undefined, after: Message): RunEvent[] {
  const events: RunEvent[] = [];
  let known = before;
  if (!known) {
    known = { ...structuredClone(after), content: after.content.map(emptyText), status: 'in_progress' };
    events.push({ type: 'message.created', message: known });
  }
  let rewritten = false;
  after.content.forEach((part, index) => {
    if (part.type !== 'text') {
      return;
    }
    const old = known.content[index];
    const oldText = old?.type === 'text' ? old.text : '';
    if (part.text.startsWith(oldText)) {
      if (part.text.length > oldText.length) {
        events.push({ type: 'message.delta', messageId: after.id, index, text: part.text.slice(oldText.length) });
      }
    } else {
      rewritten = true;
    }
  });
  const finished = after.status !== 'in_progress' && after.status !== undefined;
  // Compared only for a finished message: a message still streaming is compared once per event,
  // and its whole JSON each time would make a long answer take time quadratic in its length.
  const changedOtherwise = () => before !== undefined && !sameJson(before, after);
  if (finished && (before === undefined || before.status !== after.status || changedOtherwise())) {
    events.push({ type: 'message.completed', message: after });
  } else if (rewritten) {
    // Deltas cannot express an edit; a completed event carries the whole message.
    events.push({ type: 'message.completed', message: after });
  }
  return events;
}

function emptyText(part: MessageContent): MessageContent {
  return part.type === 'text' ? { type: 'text', text: '', annotations: [] } : part;
}

function isTerminalOrWaiting(run: Run): boolean {
  return run.status !== 'queued' && run.status !== 'in_progress' && run.status !== 'cancelling';
}

function withoutUsage(run: Run): Run {
  const { usage: _usage, ...rest } = run;
  return rest;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
