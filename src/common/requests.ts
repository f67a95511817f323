/**
 * Requests between a webview and the extension host, each answered once: the page asks
 * `request(kind, payload)` and gets a promise of the reply; the host answers from a table of
 * handlers, one per kind. Both sides are typed by one table of kinds (`ChatRequests` in
 * protocol.ts, `EditorRequests` in assistantEditorProtocol.ts). On the wire a request is
 * `{ type: 'request', id, kind, payload }` and its reply `{ type: 'reply', id, ok, value | error }`:
 * a failure travels as the sentence the user reads. Every request times out, so a host that never
 * answers leaves a sentence, not a spinner forever.
 *
 * Runtime-shared: both bundles run this code, so it uses nothing of Node, the DOM or VS Code.
 */

/** One kind of request: what the page sends and what the host answers. */
export interface RequestSpec {
  payload: unknown;
  reply: unknown;
}

/** A table of request kinds (an interface of `RequestSpec`s, keyed by `area/verb`). */
export type RequestTable<M> = { [K in keyof M]: RequestSpec };

/** The kinds of a table, as they travel. */
export type RequestKind<M> = keyof M & string;

export type Payload<M extends RequestTable<M>, K extends RequestKind<M>> = M[K]['payload'];
export type Reply<M extends RequestTable<M>, K extends RequestKind<M>> = M[K]['reply'];

/** A request on the wire. `id` is unique among the page's requests. */
export type RequestMessage<M extends RequestTable<M>> = {
  [K in RequestKind<M>]: { type: 'request'; id: string; kind: K; payload: Payload<M, K> };
}[RequestKind<M>];

/** A reply on the wire: the reply's value, or one sentence saying why there is none. */
export type ReplyMessage = { type: 'reply'; id: string; ok: true; value?: unknown } | { type: 'reply'; id: string; ok: false; error: string };

/** Why a request has no reply value: the host refused it (its sentence), it timed out, or the page let go of it. */
export type RequestFailure = 'refused' | 'timeout' | 'disposed';

/** A request that failed; `message` is the sentence to show. */
export class RequestError extends Error {
  constructor(
    readonly reason: RequestFailure,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** A reply that came after its request timed out (see `RequestOptions.late`). */
export type LateReply<R> = { ok: true; value: R } | { ok: false; error: string };

export interface RequestOptions<R> {
  /**
   * Takes a reply that comes after the request timed out (the host was slow, not gone); the promise
   * rejected already. Without it such a reply is dropped. Never called after `dispose`.
   */
  late?(reply: LateReply<R>): void;
}

/** The timer functions a `Requester` uses (a parameter so tests need not wait). */
export interface RequestTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface RequesterOptions<M extends RequestTable<M>> {
  /** Posts a request to the other side. */
  send(message: RequestMessage<M>): void;
  /** How long each kind waits for its reply, in milliseconds. */
  timeoutsMs: { [K in RequestKind<M>]: number };
  /** The sentence of a timeout; by default that the extension did not answer in time. */
  timeoutSentence?: string;
  timers?: RequestTimers;
}

export const TIMEOUT_SENTENCE = 'The extension did not answer in time. Try again.';
/** How many timed-out requests still take a late reply: the oldest is forgotten past this. */
const LATE_KEPT = 64;

interface Pending {
  resolve(value: unknown): void;
  reject(error: RequestError): void;
  timer: unknown;
  late?(reply: LateReply<unknown>): void;
}

const defaultTimers: RequestTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The asking side: sends requests with fresh ids and settles each with the reply of the same id. */
export class Requester<M extends RequestTable<M>> {
  private readonly pending = new Map<string, Pending>();
  /** Late handlers of timed-out requests, by id, oldest first. */
  private readonly timedOut = new Map<string, (reply: LateReply<unknown>) => void>();
  private readonly prefix = `r${Date.now().toString(36)}`;
  private counter = 0;
  private disposed = false;
  private readonly timers: RequestTimers;

  constructor(private readonly options: RequesterOptions<M>) {
    this.timers = options.timers ?? defaultTimers;
  }

  /**
   * Sends a request of `kind`; resolves with its reply, rejects with a `RequestError` when the
   * host refuses it (its sentence), when it times out, or when the requester is disposed.
   */
  request<K extends RequestKind<M>>(kind: K, payload: Payload<M, K>, options: RequestOptions<Reply<M, K>> = {}): Promise<Reply<M, K>> {
    if (this.disposed) return Promise.reject(new RequestError('disposed', 'The page was closed before the extension answered.'));
    const id = `${this.prefix}-${++this.counter}`;
    return new Promise<Reply<M, K>>((resolve, reject) => {
      const timer = this.timers.set(() => this.timeOut(id), this.options.timeoutsMs[kind]);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer, late: options.late as Pending['late'] });
      this.options.send({ type: 'request', id, kind, payload } as RequestMessage<M>);
    });
  }

  /** Takes a reply from the other side; false when it answers no request (unknown, or already settled and not waited for). */
  receive(message: ReplyMessage): boolean {
    if (this.disposed) return false;
    const entry = this.pending.get(message.id);
    if (entry) {
      this.pending.delete(message.id);
      this.timers.clear(entry.timer);
      if (message.ok) entry.resolve(message.value);
      else entry.reject(new RequestError('refused', message.error));
      return true;
    }
    const late = this.timedOut.get(message.id);
    if (!late) return false;
    this.timedOut.delete(message.id);
    late(message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error });
    return true;
  }

  /** Lets go of every request: those pending reject, and no reply is taken from now on. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.timedOut.clear();
    for (const entry of pending) {
      this.timers.clear(entry.timer);
      entry.reject(new RequestError('disposed', 'The page was closed before the extension answered.'));
    }
  }

  private timeOut(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (entry.late) {
      this.timedOut.set(id, entry.late);
      for (const old of this.timedOut.keys()) {
        if (this.timedOut.size <= LATE_KEPT) break;
        this.timedOut.delete(old);
      }
    }
    entry.reject(new RequestError('timeout', this.options.timeoutSentence ?? TIMEOUT_SENTENCE));
  }
}

/** The answering side's table: one handler per kind; a handler's error becomes the reply's sentence. */
export type RequestHandlers<M extends RequestTable<M>> = {
  [K in RequestKind<M>]: (payload: Payload<M, K>) => Promise<Reply<M, K>> | Reply<M, K>;
};

/** A check of each kind's payload, for requests from a page (whose messages are not trusted). */
export type PayloadGuards<M extends RequestTable<M>> = {
  [K in RequestKind<M>]: (payload: unknown) => payload is Payload<M, K>;
};

/** The longest request id taken: ids are short, and a page's message is hostile until checked. */
const MAX_ID_LENGTH = 200;

/** Whether `value` is a request of a kind `guards` knows, with a payload its guard accepts. */
export function isRequestOf<M extends RequestTable<M>>(value: unknown, guards: PayloadGuards<M>): value is RequestMessage<M> {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message.type !== 'request' || typeof message.id !== 'string' || message.id.length === 0 || message.id.length > MAX_ID_LENGTH) return false;
  const kind = message.kind;
  if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(guards, kind)) return false;
  return guards[kind as RequestKind<M>](message.payload);
}

/**
 * Answers one request with its kind's handler: the reply carries the handler's value, or the
 * sentence of its error (an `Error`'s message).
 */
export async function answerRequest<M extends RequestTable<M>>(handlers: RequestHandlers<M>, message: RequestMessage<M>): Promise<ReplyMessage> {
  const handler = handlers[message.kind as RequestKind<M>] as (payload: unknown) => unknown;
  try {
    const value = await handler(message.payload);
    return { type: 'reply', id: message.id, ok: true, value };
  } catch (error) {
    return { type: 'reply', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
