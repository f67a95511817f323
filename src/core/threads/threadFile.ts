/**
 * A thread file's shape (`StoredThread`, its runs, what the thread list shows of it), and what a
 * thread file and the thread index must look like before anything reads them: a file that
 * does not parse, or parses to the wrong shape, is corrupt; an index entry that is wrong is
 * dropped. Checks go as deep as the chat and the run driver reach, so nothing downstream throws on
 * a file edited by hand, cut short or written by a buggy version.
 */
import type { Message, Run, RunStep, Thread } from '../../common/model';
import { TERMINAL_RUN_STATUSES } from '../../common/model';
import type { RunRef } from '../../common/runRef';

/** A run as it is kept with its thread: the run and its steps. */
export interface RunRecord {
  run: Run;
  steps: RunStep[];
  /**
   * The assistant that ran it, as the chat started it: its id (as the thread records it) and its
   * name then, so an answer keeps its author's name when another assistant becomes active. Absent
   * in threads kept before it was recorded.
   */
  assistant?: { id: string; name: string };
  /**
   * The id of the question the run answers: the thread's last question when the run started here.
   * Which run answers which question is read from it, never from `createdAt` (the server's clock,
   * which may be minutes off this machine's). Absent in threads kept before it was recorded.
   */
  question?: string;
}

/** Everything kept for one thread, in one file (images it holds are kept beside it, see `ThreadStore.save`). */
export interface StoredThread {
  thread: Thread;
  messages: Message[];
  runs: Record<string, RunRecord>;
  /** A run that had not finished when last saved; resumed after a window reload. */
  pendingRun?: RunRef;
  /**
   * The window that drives `pendingRun` (`ChatSessionOptions.window`): it alone answers the run's
   * function calls. Another window on the thread only follows the run while that window lives;
   * absent when no window drives it (it was let go), and then the next window to follow it does.
   */
  runDriver?: string;
}

/** What the thread list shows of a thread. */
export type ThreadSummary = Pick<Thread, 'id' | 'title' | 'createdAt' | 'updatedAt' | 'backend' | 'assistantId'>;

type Json = Record<string, unknown>;

/** Thread ids are file-name safe: no separators, no dots (so never `..`). */
export const THREAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isOptional = (value: unknown, check: (v: unknown) => boolean) => value === undefined || check(value);
const isArrayOf = (value: unknown, check: (v: unknown) => boolean) => Array.isArray(value) && value.every(check);

const BACKENDS = new Set(['responses', 'assistantsV2']);
const RUN_STATUSES = new Set<string>(['queued', 'in_progress', 'requires_action', ...TERMINAL_RUN_STATUSES]);
const STEP_DETAILS = new Set(['message_creation', 'tool_calls', 'reasoning']);

/** The fields every listing needs, checked; `id` must also be the id the file is named after. */
function isThread(value: unknown, id: string): value is Thread {
  return (
    isObject(value) &&
    value.id === id &&
    isString(value.title) &&
    isNumber(value.createdAt) &&
    isNumber(value.updatedAt) &&
    BACKENDS.has(value.backend as string) &&
    isOptional(value.remoteId, isString) &&
    isOptional(value.assistantId, isString) &&
    isOptional(value.model, isString)
  );
}

function isContentPart(value: unknown): boolean {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'text':
      return isString(value.text) && Array.isArray(value.annotations);
    case 'image_file':
      return isString(value.fileId);
    case 'image_url':
      return isString(value.url);
    default:
      return false;
  }
}

function isMessage(value: unknown): boolean {
  return (
    isObject(value) &&
    isString(value.id) &&
    (value.role === 'user' || value.role === 'assistant') &&
    isArrayOf(value.content, isContentPart) &&
    isNumber(value.createdAt) &&
    isOptional(value.attachments, Array.isArray)
  );
}

function isStep(value: unknown): boolean {
  return isObject(value) && isString(value.id) && isString(value.runId) && isString(value.status) && isObject(value.details) && STEP_DETAILS.has(value.details.type as string);
}

function isRunRecord(value: unknown): boolean {
  return isObject(value) && isObject(value.run) && isString(value.run.id) && RUN_STATUSES.has(value.run.status as string) && isArrayOf(value.steps, isStep) && isOptional(value.assistant, (a) => isObject(a) && isString(a.id) && isString(a.name)) && isOptional(value.question, isString);
}

/** A thread file's content if it is a whole, well-formed thread named `id`; undefined when it is corrupt. */
export function parseThreadFile(bytes: Uint8Array, id: string): StoredThread | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (!isObject(value) || !isThread(value.thread, id) || !isArrayOf(value.messages, isMessage) || !isObject(value.runs)) return undefined;
  if (!Object.values(value.runs).every(isRunRecord)) return undefined;
  if (!isOptional(value.pendingRun, (ref) => isObject(ref) && isString(ref.runId) && ref.threadId === id)) return undefined;
  if (!isOptional(value.runDriver, isString)) return undefined;
  return value as unknown as StoredThread;
}

/** The listing fields of a thread. */
export function summaryOf(thread: ThreadSummary): ThreadSummary {
  const { id, title, createdAt, updatedAt, backend, assistantId } = thread;
  return { id, title, createdAt, updatedAt, backend, ...(assistantId === undefined ? {} : { assistantId }) };
}

/** An index entry, if it is one; anything else in the index is ignored (the files are the truth). */
export function isSummary(value: unknown): value is ThreadSummary {
  return isObject(value) && isString(value.id) && THREAD_ID.test(value.id) && isThread(value, value.id);
}
