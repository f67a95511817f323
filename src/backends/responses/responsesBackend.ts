import { randomUUID } from 'node:crypto';
import { APIError } from 'openai';
import type { OpenAI } from 'openai';
import type { APIPromise } from 'openai/core/api-promise';
import type { Response as OpenAIResponse, ResponseCreateParamsBase, ResponseIncludable, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { Backend } from '../../core/backend';
import type { Message, Thread } from '../../common/model';
import type { NewMessage, RunAction } from '../../core/runAction';
import type { RunRef, RunSnapshot } from '../../common/runRef';
import { AssistantsError } from '../../core/errors';
import type { MissingObject } from '../../core/errors';
import type { RunEvent } from '../../common/events';
import { textOf } from '../../common/model';
import { RunState } from '../../core/runs/runState';
import { StreamSupport, answerLacks, asPollFailure, redactServerText, toAssistantsError } from '../errorMapping';
import { StreamRedactor } from '../streamRedaction';
import { streamActivity, wholeAnswerOf } from '../openaiClient';
import { OpenAIFileOperations, pollAfter } from '../common/openaiFiles';
import { listAll } from '../common/pages';
import { toMessage, toSnapshot, toStep, withItemId } from './mapping';
import type { RunContext } from './mapping';
import { buildResponseParams, fileSearchAttachments, userMessageItem } from './requestBuilder';
import { ResponseAccumulator } from './streamAccumulator';

/** What a poll must see that a plain retrieve leaves out: search results and code outputs. */
const RETRIEVE_INCLUDE: ResponseIncludable[] = ['file_search_call.results', 'code_interpreter_call.outputs'];

export interface ResponsesBackendOptions {
  /** For error messages ("Could not reach <host>"). */
  baseUrl?: string;
  /** Only to mask it, should a server echo it in an error. */
  apiKey?: string;
}

/**
 * The default backend: Responses + Conversations. Threads are conversations, runs are responses
 * (one per round of tool outputs), run steps are output items. Assistant definitions are the
 * extension's own (files), passed in with each run action. On a server without conversations the thread stays local and its history
 * is sent as input.
 */
const LOST_ATTACHMENT_STORE = "The vector store holding this thread's attached files is no longer on the server (it was deleted). Retry: it is made again from the files.";

export class ResponsesBackend extends OpenAIFileOperations implements Backend {
  private readonly streaming = new StreamSupport();
  readonly kind = 'responses' as const;
  /** Learned on first use: undefined until a conversations request answered. */
  private conversationsAvailable: boolean | undefined;
  /** Learned on first refusal: local servers often have no background responses. */
  private backgroundAvailable = true;
  /** Streams that may be resumed, by response id, until their response ends. */
  private readonly live = new Map<string, LiveStream>();
  /** Vector stores made for attachment sets, so each set is indexed once. */
  private readonly attachmentStores = new Map<string, Promise<string>>();
  /** The attachment set each of those stores was made for, by store id. */
  private readonly attachmentStoreKeys = new Map<string, string>();

  constructor(
    client: OpenAI,
    options: ResponsesBackendOptions = {},
  ) {
    super(client, { baseUrl: options.baseUrl ?? client.baseURL, apiKey: options.apiKey });
  }

  async createThread(signal?: AbortSignal): Promise<{ remoteId?: string }> {
    if (this.conversationsAvailable === false) {
      return {};
    }
    try {
      const conversation = await this.client.conversations.create({}, { signal });
      this.conversationsAvailable = true;
      return { remoteId: conversation.id };
    } catch (error) {
      const mapped = this.error(error);
      if (mapped.kind === 'not_found' || mapped.kind === 'unsupported') {
        // A local model server with Responses but no Conversations: keep the history locally.
        this.conversationsAvailable = false;
        return {};
      }
      throw mapped;
    }
  }

  async deleteThread(thread: Thread, signal?: AbortSignal): Promise<void> {
    if (!thread.remoteId) {
      return;
    }
    await this.call(() => this.client.conversations.delete(thread.remoteId ?? '', { signal }));
  }

  async truncateThread(thread: Thread, messageId: string, keep: boolean, signal?: AbortSignal): Promise<void> {
    const conversationId = thread.remoteId;
    if (!conversationId) {
      return;
    }
    const ids = await this.call(async () => {
      const items = await listAll(this.client.conversations.items.list(conversationId, { order: 'asc', limit: 100 }, { signal }), "the conversation's items", this.errorContext);
      return items.flatMap((item) => (typeof item.id === 'string' ? [item.id] : []));
    });
    const index = ids.indexOf(messageId);
    if (index < 0) {
      return;
    }
    for (const id of ids.slice(keep ? index + 1 : index).reverse()) {
      await this.call(() => this.client.conversations.items.delete(id, { conversation_id: conversationId }, { signal }));
    }
  }

  async addMessage(thread: Thread, message: NewMessage, signal?: AbortSignal): Promise<Message> {
    const local: Message = {
      id: `msg_local_${randomUUID().replace(/-/g, '')}`,
      role: 'user',
      content: message.content,
      createdAt: Math.floor(Date.now() / 1000),
      status: 'completed',
      ...(message.attachments?.length ? { attachments: message.attachments } : {}),
    };
    const text = textOf(message.content);
    if (!thread.remoteId || text === '') {
      return local;
    }
    const list = await this.call(() =>
      this.client.conversations.items.create(thread.remoteId ?? '', { items: [userMessageItem(text, message.attachments)] }, { signal }),
    );
    // The item's id where the server sent one; the message was added either way.
    const [item]: unknown[] = Array.isArray(list.data) ? list.data : [];
    const id = typeof item === 'object' && item !== null && 'id' in item ? item.id : undefined;
    return typeof id === 'string' && id !== '' ? { ...local, id } : local;
  }

  async *stream(action: RunAction, signal?: AbortSignal, onActivity?: () => void): AsyncIterable<RunEvent> {
    this.streaming.check();
    const params = await this.params(action, signal);
    let events: AsyncIterable<ResponseStreamEvent>;
    try {
      // Background as well as streamed: the response outlives a dropped connection (so it can be
      // polled) and can be cancelled on the server.
      events = await this.withBackground((background) => this.client.responses.create({ ...params, stream: true, ...(background ? { background } : {}) }, { signal, ...streamActivity(onActivity) }));
    } catch (error) {
      const whole = wholeAnswerOf(error);
      if (!whole) throw this.unrepeatable(this.lostAttachmentStore(this.streaming.failure(error, this.errorContext)));
      // A server that does not stream answered with the response itself: that is the run, not sent again.
      const unstreamed = this.streaming.answeredWhole();
      events = oneEvent(whole);
      const live: LiveStream = { accumulator: new ResponseAccumulator(), state: new RunState(), action, ...(action.kind === 'submit' ? { runId: action.ref.runId } : {}), background: this.backgroundAvailable };
      yield* this.follow(events, live);
      // Not ended yet (a background response): followed by polling, said as it is.
      if (!live.state.run || !isSettledStatus(live.state.run.status)) throw unstreamed;
      return;
    }
    const live: LiveStream = {
      accumulator: new ResponseAccumulator(),
      state: new RunState(),
      action,
      ...(action.kind === 'submit' ? { runId: action.ref.runId } : {}),
      background: this.backgroundAvailable,
    };
    yield* this.follow(events, live);
  }

  /**
   * Picks a dropped stream of a background response up where it stopped
   * (`GET /responses/{id}?stream=true&starting_after=N`), so the run is followed at the speed of the
   * stream rather than of polling. Throws `unsupported` when this backend did not stream that
   * response or the server keeps no background responses; the driver then polls.
   */
  async *resumeStream(ref: RunRef, signal?: AbortSignal, onActivity?: () => void): AsyncIterable<RunEvent> {
    const id = ref.cursor ?? ref.runId;
    const live = this.live.get(id);
    if (!live || !live.background || live.sequence === undefined) {
      throw new AssistantsError('unsupported', 'This stream cannot be resumed; following the run by polling.');
    }
    let events: AsyncIterable<ResponseStreamEvent>;
    try {
      events = await this.client.responses.retrieve(id, { stream: true, starting_after: live.sequence, include: RETRIEVE_INCLUDE }, { signal, ...streamActivity(onActivity) });
    } catch (error) {
      throw this.error(error);
    }
    yield* this.follow(events, live);
  }

  /** Turns a response's stream events into run events, remembering enough to resume it. */
  private async *follow(events: AsyncIterable<ResponseStreamEvent>, live: LiveStream): AsyncIterable<RunEvent> {
    let named = live.responseId !== undefined;
    const redactor = new StreamRedactor(this.errorContext);
    // A stream that arrives faster than it is read is handed on in microtasks, which hold the
    // extension host until the buffer is empty: let everything else in between.
    let slice = performance.now();
    try {
      for await (const event of events) {
        if (performance.now() - slice > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
        if (isRepeat(event, live)) continue;
        const response = live.accumulator.apply(event);
        if (!response) {
          continue;
        }
        const itemEvents = named ? this.itemEvents(response, event, live) : undefined;
        if (itemEvents) {
          for (const runEvent of itemEvents) yield* redactor.pass(runEvent);
          continue;
        }
        named = true;
        live.runId ??= response.id;
        if (live.responseId !== response.id) {
          if (live.responseId) this.live.delete(live.responseId);
          live.responseId = response.id;
          this.live.set(response.id, live);
          // A stream that dropped and was then polled to its end is never deleted by its final event.
          if (this.live.size > MAX_LIVE_STREAMS) this.live.delete(this.live.keys().next().value ?? '');
        }
        const snapshot = this.ownStoreLost(toSnapshot(response, this.runContext(live.action, live.runId)));
        for (const runEvent of live.state.advance(snapshot)) {
          yield* redactor.pass(runEvent.type === 'run.updated' ? { ...runEvent, ref: snapshot.ref } : runEvent);
        }
        if (isFinal(response.status) && live.responseId) this.live.delete(live.responseId);
      }
      yield* redactor.flush();
    } catch (error) {
      yield* redactor.flush();
      throw named ? this.error(error) : this.unrepeatable(this.error(error));
    }
  }

  /**
   * The run events of a stream event that changes one output item, folded into the run state: a
   * text delta that extends the part the state holds goes on as it came; any other change of the
   * item becomes the step and message events of that item alone (`RunState.advanceItem`). Undefined
   * for the events that move the response itself (created, in progress, its end), and for any event
   * once the response has ended (an item then changes what the run waits for): those are compared
   * whole (`RunState.advance`). Each item event thus costs the item's size, not the response's.
   */
  private itemEvents(response: OpenAIResponse, event: ResponseStreamEvent, live: LiveStream): RunEvent[] | undefined {
    if (!('output_index' in event) || typeof event.output_index !== 'number' || live.runId === undefined || isFinal(response.status)) return undefined;
    const delta = appendedText(response, event, live.state);
    if (delta) {
      live.state.apply(delta);
      return [delta];
    }
    const item: unknown = response.output[event.output_index];
    if (typeof item !== 'object' || item === null) return [];
    const output = withItemId(item as OpenAIResponse['output'][number], event.output_index, response);
    const step = toStep(output, live.runId, response);
    const message = output.type === 'message' ? toMessage(output, live.runId, response.created_at) : undefined;
    return live.state.advanceItem(step, message);
  }

  async create(action: RunAction, signal?: AbortSignal): Promise<RunSnapshot> {
    const params = await this.params(action, signal);
    const { data: response } = await this.call(() =>
      this.withBackground((background) => readResponse(this.client.responses.create({ ...params, stream: false, ...(background ? { background } : {}) }, { signal }))),
    ).catch(
      (error: AssistantsError) => {
        throw this.unrepeatable(this.lostAttachmentStore(error));
      },
    );
    const runId = action.kind === 'submit' ? action.ref.runId : response.id;
    // A run started without its id can be neither followed nor stopped.
    if (typeof runId !== 'string' || runId === '') throw answerLacks(this.errorContext, "the response's id");
    return redactServerText(this.ownStoreLost(toSnapshot(response, this.runContext(action, runId))), this.errorContext);
  }

  async retrieve(ref: RunRef, signal?: AbortSignal): Promise<RunSnapshot> {
    const { data, headers } = await this.call(() => readResponse(this.client.responses.retrieve(ref.cursor ?? ref.runId, { include: RETRIEVE_INCLUDE }, { signal }))).catch((error: AssistantsError) => {
      throw asPollFailure(error);
    });
    const snapshot = redactServerText(this.ownStoreLost(toSnapshot(data, { ref, assistantId: '' })), this.errorContext);
    const hint = pollAfter(headers);
    return hint === undefined ? snapshot : { ...snapshot, pollAfterMs: hint };
  }

  async cancel(ref: RunRef, signal?: AbortSignal): Promise<void> {
    await this.call(() => this.client.responses.cancel(ref.cursor ?? ref.runId, { signal }));
  }

  private async params(action: RunAction, signal: AbortSignal | undefined): Promise<ResponseCreateParamsBase> {
    const attachmentVectorStoreIds = await this.attachmentVectorStores(action.history, signal);
    const conversationId = action.thread.remoteId;
    return buildResponseParams(action, { conversationId, attachmentVectorStoreIds });
  }

  /**
   * Asks for a background response (it outlives a dropped connection and can be cancelled on the
   * server); a server that refuses background mode gets plain requests from then on.
   */
  private async withBackground<T>(request: (background: boolean) => Promise<T>): Promise<T> {
    if (!this.backgroundAvailable) return request(false);
    try {
      return await request(true);
    } catch (error) {
      if (!refusesBackground(error)) throw error;
      this.backgroundAvailable = false;
      return request(false);
    }
  }

  /**
   * A run refused because the vector store made here for the thread's attachments is gone from the
   * server (deleted elsewhere): it is forgotten, so the next run makes it again, and the sentence
   * says to retry (it is no knowledge store of the assistant, to remove).
   */
  private lostAttachmentStore(failure: AssistantsError): AssistantsError {
    const missing = failure.options.missing;
    if (!missing || !this.forgetAttachmentStore(missing)) return failure;
    return new AssistantsError('not_found', LOST_ATTACHMENT_STORE, { ...failure.options, missing: undefined });
  }

  /** A run that failed for the attachments' own vector store being gone, said as `lostAttachmentStore` says it. */
  private ownStoreLost(snapshot: RunSnapshot): RunSnapshot {
    const missing = snapshot.run.lastError?.missing;
    if (!missing || !this.forgetAttachmentStore(missing)) return snapshot;
    return { ...snapshot, run: { ...snapshot.run, lastError: { code: 'not_found', message: LOST_ATTACHMENT_STORE } } };
  }

  /** Forgets the attachments' vector store when `missing` is it (the next run makes it again); whether it was. */
  private forgetAttachmentStore(missing: MissingObject): boolean {
    const key = missing.object === 'vector_store' ? this.attachmentStoreKeys.get(missing.id) : undefined;
    if (key === undefined) return false;
    this.attachmentStores.delete(key);
    this.attachmentStoreKeys.delete(missing.id);
    return true;
  }

  /**
   * The connection died after a request that starts a background response may have reached the
   * server, before the server named the response: sending it again could start a second run (or
   * submit tool outputs twice), and there is no way to look the first one up. So it is not retried.
   */
  private unrepeatable(failure: AssistantsError): AssistantsError {
    if (!this.backgroundAvailable || (failure.kind !== 'network' && failure.kind !== 'timeout') || neverReachedServer(failure)) return failure;
    return new AssistantsError(
      'run_failed',
      'The connection dropped while the run was starting. It may still be running on the server, so it was not started a second time; send again if no answer arrives.',
      { cause: failure },
    );
  }

  private runContext(action: RunAction, runId: string): RunContext {
    return {
      ref: { threadId: action.thread.id, ...(action.thread.remoteId ? { remoteThreadId: action.thread.remoteId } : {}), runId },
      assistantId: action.assistant.id,
    };
  }

  /** Responses has no message attachments: files meant for file_search go into a vector store of their own. */
  private async attachmentVectorStores(history: Message[], signal: AbortSignal | undefined): Promise<string[]> {
    const fileIds = fileSearchAttachments(history);
    if (fileIds.length === 0) {
      return [];
    }
    const key = [...fileIds].sort().join(',');
    let pending = this.attachmentStores.get(key);
    if (!pending) {
      pending = this.createVectorStore('Thread attachments', fileIds, signal).then((store) => {
        this.attachmentStoreKeys.set(store.id, key);
        return store.id;
      });
      pending.catch(() => this.attachmentStores.delete(key));
      this.attachmentStores.set(key, pending);
    }
    return [await pending];
  }

  private error(error: unknown): AssistantsError {
    return toAssistantsError(error, this.errorContext);
  }
}

const MAX_LIVE_STREAMS = 16;
/** Milliseconds of reading a stream before other work of the extension host gets its turn. */
const SLICE_MS = 10;

/** One streamed response as far as it was followed: its items, the run state they led to, and the last event's sequence number. */
interface LiveStream {
  accumulator: ResponseAccumulator;
  state: RunState;
  action: RunAction;
  runId?: string;
  responseId?: string;
  sequence?: number;
  /** The server numbers its events in order (a number seen above an earlier one): a number not above the last is a repeat. */
  ordered?: boolean;
  background: boolean;
}

/**
 * Whether `event` repeats one already applied, by its sequence number, and records the number: a
 * proxy that sends an event twice, or a server that answers a resumed stream from its start (it
 * ignored `starting_after`), would otherwise append the same text again. Only for a server seen to
 * number its events in order; one that numbers none, or all alike, repeats nothing here. Events
 * that are not the response's own (`keepalive`, a gateway's) neither count nor are skipped.
 */
function isRepeat(event: ResponseStreamEvent, live: LiveStream): boolean {
  const sequence: unknown = event.sequence_number;
  // Only the response's own events count: a keep-alive or a gateway's event may be numbered apart.
  if (typeof sequence !== 'number' || !Number.isFinite(sequence) || typeof event.type !== 'string' || !event.type.startsWith('response.')) return false;
  if (live.sequence !== undefined && sequence <= live.sequence && live.ordered) return true;
  if (live.sequence !== undefined && sequence > live.sequence) live.ordered = true;
  live.sequence = live.sequence === undefined ? sequence : Math.max(live.sequence, sequence);
  return false;
}

/**
 * A text delta as the run event it is, when the run state holds the message part it extends as far
 * as the stream had it: then nothing else changed, and the delta goes on as it came, without
 * reading the message (a server streaming 400 kB in 4-character pieces must take time linear in
 * it). Undefined otherwise (the first delta of a part, or a state that differs).
 */
function appendedText(response: OpenAIResponse, event: ResponseStreamEvent, state: RunState): Extract<RunEvent, { type: 'message.delta' }> | undefined {
  if (event.type !== 'response.output_text.delta' || event.delta === '') return undefined;
  const item = response.output[event.output_index];
  const part = item?.type === 'message' ? item.content[event.content_index] : undefined;
  if (item?.type !== 'message' || part?.type !== 'output_text') return undefined;
  const known = state.message(item.id)?.content[event.content_index];
  if (known?.type !== 'text' || known.text.length + event.delta.length !== part.text.length) return undefined;
  return { type: 'message.delta', messageId: item.id, index: event.content_index, text: event.delta };
}

/**
 * The response a request answered, read as sent: the SDK's own reading adds `output_text` and fails
 * on a response without `output` or with holes in it, which `toSnapshot` reads as no items. A body
 * that is no JSON object is not the API's answer.
 */
async function readResponse(request: APIPromise<OpenAIResponse>): Promise<{ data: OpenAIResponse; headers: Headers }> {
  const raw = await request.asResponse();
  const data: unknown = await raw.json();
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SyntaxError('The answer is not a JSON object.');
  return { data: data as OpenAIResponse, headers: raw.headers };
}

/** A whole response as the one stream event that carries it. */
async function* oneEvent(response: Record<string, unknown>): AsyncIterable<ResponseStreamEvent> {
  yield { type: 'response.in_progress', sequence_number: 0, response } as unknown as ResponseStreamEvent;
}

/** Whether a run waits for nothing more from the server. */
function isSettledStatus(status: string): boolean {
  return isFinal(status) || status === 'requires_action';
}

function isFinal(status: string | undefined): boolean {
  return status === 'completed' || status === 'failed' || status === 'incomplete' || status === 'cancelled';
}

function refusesBackground(error: unknown): boolean {
  return error instanceof APIError && (error.status === 400 || error.status === 422 || error.status === 501) && /background/i.test(error.message);
}

/** Errors that mean the request never left this machine or never found the server: safe to send again. */
const UNREACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function neverReachedServer(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHED.has(code)) return true;
    current = current instanceof AssistantsError ? current.options.cause : (current as { cause?: unknown }).cause;
  }
  return false;
}
