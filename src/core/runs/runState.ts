import type { RunRef, RunSnapshot } from '../../common/runRef';
import type { RunEvent } from '../../common/events';
import type { Message, MessageContent, Run, RunStep } from '../../common/model';

/**
 * What the driver knows about a run so far, built from streamed events or polled snapshots. Polling
 * after a dropped stream diffs against it, so the UI sees the same events either way.
 */
export class RunState {
  run: Run | undefined;
  ref: RunRef | undefined;
  readonly steps = new Map<string, RunStep>();
  readonly messages = new Map<string, Message>();

  apply(event: RunEvent): void {
    switch (event.type) {
      case 'run.updated':
        this.run = structuredClone(event.run);
        return;
      case 'step.created':
      case 'step.updated':
      case 'step.completed':
        this.steps.set(event.step.id, structuredClone(event.step));
        return;
      case 'message.created':
      case 'message.completed':
        this.messages.set(event.message.id, structuredClone(event.message));
        return;
      case 'message.delta':
        appendText(this.messages.get(event.messageId), event.index, event.text);
        return;
      case 'usage':
      case 'retry':
      case 'fallback':
      case 'error':
        return;
    }
  }

  /** The events that lead from the current state to `next`, then adopts `next` as the state. */
  advance(next: RunSnapshot): RunEvent[] {
    const events = diffSnapshot(this, next);
    this.run = structuredClone(next.run);
    for (const step of next.steps) {
      this.steps.set(step.id, structuredClone(step));
    }
    for (const message of next.messages) {
      this.messages.set(message.id, structuredClone(message));
    }
    return events;
  }

  snapshot(): RunSnapshot | undefined {
    if (!this.run || !this.ref) {
      return undefined;
    }
    return {
      run: structuredClone(this.run),
      ref: { ...this.ref },
      steps: [...this.steps.values()].map((step) => structuredClone(step)),
      messages: [...this.messages.values()].map((message) => structuredClone(message)),
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
  const changedOtherwise = before !== undefined && !sameJson(before, after);
  if (finished && (before === undefined || before.status !== after.status || changedOtherwise)) {
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

function appendText(message: Message | undefined, index: number, text: string): void {
  if (!message) {
    return;
  }
  const part = message.content[index];
  if (part?.type === 'text') {
    part.text += text;
  } else if (!part) {
    message.content[index] = { type: 'text', text, annotations: [] };
  }
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
