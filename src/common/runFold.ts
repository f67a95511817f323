/**
 * The one fold of run events into a thread: how each `RunEvent` changes a thread's messages and
 * runs. The run driver's state, the chat session (which saves the thread) and the chat webview
 * (which draws it) all fold events with `applyRunEvent`, so a thread replayed from its events is
 * the thread the chat showed live.
 */
import type { RunEvent } from './events';
import type { Message, MessageContent, Run, RunStep } from './model';

/** A run as a thread holds it: the run, and its steps in the order they first came. */
export interface RunFold {
  run: Run;
  steps: RunStep[];
}

/**
 * What run events change: a thread's messages in order, and its runs by id. Holders of a thread
 * (the stored thread, the chat's view state) add fields of their own, to the thread and to each
 * run; the fold carries them over untouched. A holder's own run fields are optional: a run the fold
 * meets first has none of them.
 */
export interface FoldedThread<R extends RunFold = RunFold> {
  messages: Message[];
  runs: Record<string, R>;
}

/**
 * Characters one text part of a message keeps: a model writes far less (128,000 tokens are about
 * 500,000), and a server that streams without end (up to the stream's 256 MB) made each save of the
 * thread, every 500 ms while it streamed, write all of it (a 50 MB answer held the extension host
 * 0.2 s each time), and the chat draw it. Text past it is left out, and CUT_NOTE ends the part.
 */
export const MAX_TEXT_PART_CHARS = 1_000_000;
/** What ends a text part cut at MAX_TEXT_PART_CHARS, as the chat shows it and the thread keeps it. */
export const CUT_NOTE = '\n\n[The rest of this answer was left out: it passed 1,000,000 characters, more than the chat keeps.]';

/** What an event leaves to its context: which run it belongs to when it does not say, and the time. */
export interface FoldContext {
  /** The run of an event that names none (a delta names only its message). */
  runId?: string;
  /** Epoch milliseconds: when a message or run that only a later event revealed is taken to have begun. */
  now: number;
  /**
   * Characters a text part keeps, where a thread is kept or drawn (MAX_TEXT_PART_CHARS); none when
   * undefined: a backend's copy of the server's run must hold the server's text to see what changed.
   */
  maxTextChars?: number;
}

/**
 * `thread` after `event`. Pure: `thread` and everything in it stay as they were; the result shares
 * what did not change (an untouched message or run is the same object), and is `thread` itself when
 * the event changes nothing (a notice, usage of an unknown run, text aimed at an image).
 *
 * - `run.updated`: the run replaces the thread's copy; usage the run does not carry is kept from it.
 * - `step.created` / `step.updated` / `step.completed`: the step replaces the one with its id, or is
 *   added; a step that outruns its run's first `run.updated` is kept under a stand-in run (in
 *   progress, created with the step) until that comes.
 * - `message.created` / `message.completed`: the message replaces the one with its id, or is added
 *   at the end; one naming no run gets `context.runId`.
 * - `message.delta`: the text is appended to the message's text part `index` (parts missing before
 *   it are empty text); a delta on a part that is no text changes nothing, and a delta that outruns
 *   its `message.created` starts the message (an assistant's, in progress).
 * - With `context.maxTextChars`, a text part longer than that is cut there and ends with CUT_NOTE;
 *   a delta to a part already cut changes nothing.
 * - `usage`: the run's usage. `retry`, `fallback`, `error`: not the thread's (notices, see the chat).
 */
export function applyRunEvent<T extends FoldedThread<R>, R extends RunFold>(thread: T, event: RunEvent, context: FoldContext): T {
  switch (event.type) {
    case 'run.updated': {
      const previous = thread.runs[event.run.id];
      const run = event.run.usage === undefined && previous?.run.usage !== undefined ? { ...event.run, usage: previous.run.usage } : event.run;
      return withRun(thread, { ...previous, run, steps: previous?.steps ?? [] } as R);
    }
    case 'step.created':
    case 'step.updated':
    case 'step.completed': {
      const runId = event.step.runId || context.runId;
      if (runId === undefined) return thread;
      const previous = thread.runs[runId] ?? ({ run: standIn(runId, event.step.createdAt), steps: [] } as RunFold as R);
      return withRun(thread, { ...previous, steps: upsertById(previous.steps, event.step) } as R);
    }
    case 'message.created':
    case 'message.completed': {
      const given = context.maxTextChars === undefined ? event.message : withinLimit(event.message, context.maxTextChars);
      const message = given.runId === undefined && context.runId !== undefined ? { ...given, runId: context.runId } : given;
      return withMessage(thread, message);
    }
    case 'message.delta': {
      const at = lastIndexById(thread.messages, event.messageId);
      const existing = at < 0 ? undefined : thread.messages[at];
      const content = appendText(existing?.content ?? [], event.index, event.text, context.maxTextChars ?? Number.POSITIVE_INFINITY);
      if (!content) return thread;
      const message: Message = existing
        ? { ...existing, content }
        : { id: event.messageId, role: 'assistant', content, createdAt: Math.floor(context.now / 1000), status: 'in_progress', ...(context.runId !== undefined ? { runId: context.runId } : {}) };
      return withMessage(thread, message, at);
    }
    case 'usage': {
      const previous = context.runId === undefined ? undefined : thread.runs[context.runId];
      if (!previous) return thread;
      return withRun(thread, { ...previous, run: { ...previous.run, usage: event.usage } } as R);
    }
    case 'retry':
    case 'fallback':
    case 'error':
      return thread;
  }
}

/**
 * The run an event belongs to: the one it names, else `fallback` (the run a delta, usage or notice
 * came with).
 */
export function runIdOfEvent(event: RunEvent, fallback: string | undefined): string | undefined {
  switch (event.type) {
    case 'run.updated':
      return event.run.id;
    case 'step.created':
    case 'step.updated':
    case 'step.completed':
      return event.step.runId || fallback;
    case 'message.created':
    case 'message.completed':
      return event.message.runId ?? fallback;
    default:
      return fallback;
  }
}

/** A run known only from a step of it, until its own `run.updated` comes. */
function standIn(runId: string, createdAt: number): Run {
  return { id: runId, threadId: '', assistantId: '', status: 'in_progress', createdAt };
}

function withRun<T extends FoldedThread<R>, R extends RunFold>(thread: T, run: R): T {
  return { ...thread, runs: { ...thread.runs, [run.run.id]: run } };
}

/** `thread` with `message` in place of the one with its id (at `at`, when known), or added at the end. */
function withMessage<T extends FoldedThread<R>, R extends RunFold>(thread: T, message: Message, at = lastIndexById(thread.messages, message.id)): T {
  const messages = thread.messages.slice();
  if (at < 0) messages.push(message);
  else messages[at] = message;
  return { ...thread, messages };
}

/** Where the message with `id` is, searched from the end: what a run changes is nearly always the last. */
function lastIndexById(messages: readonly Message[], id: string): number {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index].id === id) return index;
  }
  return -1;
}

function upsertById(steps: readonly RunStep[], step: RunStep): RunStep[] {
  const index = steps.findIndex((s) => s.id === step.id);
  if (index < 0) return [...steps, step];
  const next = steps.slice();
  next[index] = step;
  return next;
}

/** `content` with `text` appended to part `index`; undefined when that part holds no text. */
function appendText(content: readonly MessageContent[], index: number, text: string, max: number): MessageContent[] | undefined {
  const part = content[index];
  // A part longer than the limit was cut (it ends with CUT_NOTE): what comes after is left out.
  if (part !== undefined && (part.type !== 'text' || part.text.length > max)) return undefined;
  const next = content.slice();
  for (let i = next.length; i < index; i++) next.push({ type: 'text', text: '', annotations: [] });
  next[index] = part ? { ...part, text: cut(part.text + text, max) } : { type: 'text', text: cut(text, max), annotations: [] };
  return next;
}

/** `message` with each text part within `max` characters (its annotations past the cut left out); itself when all are. */
function withinLimit(message: Message, max: number): Message {
  if (!message.content.some((part) => part.type === 'text' && part.text.length > max)) return message;
  const content = message.content.map((part) =>
    part.type === 'text' && part.text.length > max ? { ...part, text: cut(part.text, max), annotations: part.annotations.filter((annotation) => (annotation.endIndex ?? annotation.startIndex ?? 0) <= max) } : part,
  );
  return { ...message, content };
}

/** `text` cut at `max` characters and ended with CUT_NOTE, when it is longer; else itself. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}${CUT_NOTE}` : text;
}
