import type { Backend } from '../../../src/core/backend';
import type { RunAction } from '../../../src/core/runAction';
import type { RunRef, RunSnapshot } from '../../../src/common/runRef';
import { AssistantsError } from '../../../src/core/errors';
import type { RunEvent } from '../../../src/common/events';
import type { Assistant, Message, Run, RunStatus, RunStep, Thread } from '../../../src/common/model';

/** One scripted stream: its events, then optionally a failure (thrown after the events). */
export interface StreamScript {
  events: RunEvent[];
  fail?: AssistantsError | Error;
  /** Resolves before each event; lets a test act (e.g. Stop) mid-stream. */
  beforeEvent?: (index: number) => Promise<void> | void;
  /** When set, the stream waits on its abort signal after its events (a stream still open). */
  hang?: boolean;
}

type Step<T> = T | AssistantsError | Error;

/**
 * A Backend whose run methods play scripts: streams, create results and retrieve results in order
 * (the last retrieve result repeats). Records every call for assertions.
 */
export class StubBackend implements Backend {
  readonly kind = 'responses' as const;
  readonly calls: { method: string; action?: RunAction; ref?: RunRef }[] = [];
  streams: (StreamScript | AssistantsError)[] = [];
  creates: Step<RunSnapshot>[] = [];
  retrieves: Step<RunSnapshot>[] = [];
  cancels: Step<undefined>[] = [];
  /** Called on cancel, e.g. to switch the retrieve script to a cancelled run. */
  onCancel: (() => void) | undefined;

  async *stream(action: RunAction, signal?: AbortSignal): AsyncIterable<RunEvent> {
    this.calls.push({ method: 'stream', action });
    const script = this.streams.shift();
    if (!script) {
      throw new Error('no stream scripted');
    }
    if (script instanceof AssistantsError) {
      throw script;
    }
    for (const [index, event] of script.events.entries()) {
      await script.beforeEvent?.(index);
      if (signal?.aborted) {
        throw abortError();
      }
      yield event;
    }
    if (script.fail) {
      throw script.fail;
    }
    if (script.hang) {
      await new Promise<void>((_resolve, reject) => {
        if (signal?.aborted) {
          reject(abortError());
        }
        signal?.addEventListener('abort', () => reject(abortError()), { once: true });
      });
    }
  }

  async create(action: RunAction): Promise<RunSnapshot> {
    this.calls.push({ method: 'create', action });
    return unwrap(this.creates.shift(), 'create');
  }

  async retrieve(ref: RunRef): Promise<RunSnapshot> {
    this.calls.push({ method: 'retrieve', ref });
    const next = this.retrieves.length > 1 ? this.retrieves.shift() : this.retrieves[0];
    return unwrap(next, 'retrieve');
  }

  async cancel(ref: RunRef): Promise<void> {
    this.calls.push({ method: 'cancel', ref });
    const next = this.cancels.shift();
    if (next instanceof Error) {
      throw next;
    }
    this.onCancel?.();
  }

  count(method: string): number {
    return this.calls.filter((call) => call.method === method).length;
  }

  createThread = unused;
  deleteThread = unused;
  addMessage = unused;
  truncateThread = unused;
  uploadFile = unused;
  listFiles = unused;
  retrieveFile = unused;
  deleteFile = unused;
  outputFile = unused;
  containerFiles = unused;
  createVectorStore = unused;
  addVectorStoreFiles = unused;
  listVectorStores = unused;
  retrieveVectorStore = unused;
  listVectorStoreFiles = unused;
  createVectorStoreFileBatch = unused;
  retrieveVectorStoreFile = unused;
  deleteVectorStoreFile = unused;
  deleteVectorStore = unused;
  listModels = unused;
}

function unused(): Promise<never> {
  return Promise.reject(new Error('not used by the driver'));
}

function unwrap<T>(step: Step<T> | undefined, what: string): T {
  if (step === undefined) {
    throw new Error(`no ${what} scripted`);
  }
  if (step instanceof Error) {
    throw step;
  }
  return structuredClone(step);
}

function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}

export const thread: Thread = { id: 'local-1', title: 'T', createdAt: 1, updatedAt: 1, remoteId: 'conv_1', backend: 'responses' };
export const assistant: Assistant = { id: 'asst_1', name: 'A', model: 'gpt-test', tools: [], createdAt: 1 };

export function run(status: RunStatus, extra: Partial<Run> = {}): Run {
  return { id: 'run_1', threadId: 'conv_1', assistantId: 'asst_1', status, createdAt: 1, ...extra };
}

export function ref(extra: Partial<RunRef> = {}): RunRef {
  return { threadId: 'local-1', remoteThreadId: 'conv_1', runId: 'run_1', ...extra };
}

export function message(id: string, text: string, status: Message['status'] = 'in_progress'): Message {
  return { id, role: 'assistant', content: [{ type: 'text', text, annotations: [] }], createdAt: 1, runId: 'run_1', status };
}

export function messageStep(id: string, messageId: string, status: RunStep['status'] = 'in_progress'): RunStep {
  return { id, runId: 'run_1', status, details: { type: 'message_creation', messageId }, createdAt: 1 };
}

export function snapshot(status: RunStatus, parts: Partial<RunSnapshot> & { run?: Partial<Run> } = {}): RunSnapshot {
  return { run: run(status, parts.run), ref: parts.ref ?? ref(), steps: parts.steps ?? [], messages: parts.messages ?? [], ...(parts.pollAfterMs !== undefined ? { pollAfterMs: parts.pollAfterMs } : {}) };
}

/** A sleep that records its waits and moves a virtual clock on by them, without waiting. */
export function recordingSleep(): { sleep: (ms: number, signal?: AbortSignal) => Promise<void>; waits: number[]; now: () => number } {
  const waits: number[] = [];
  let clock = 0;
  return {
    waits,
    now: () => clock,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        waits.push(ms);
        clock += ms;
        if (signal?.aborted) {
          reject(new AssistantsError('cancelled', 'stopped'));
          return;
        }
        setImmediate(resolve);
      }),
  };
}
