import { randomUUID } from 'node:crypto';
import type { OpenAI } from 'openai';
import type { MessageContentPartParam, MessageCreateParams } from 'openai/resources/beta/threads/messages';
import type { Run as WireRun, RunCreateParamsNonStreaming } from 'openai/resources/beta/threads/runs/runs';
import type { RunStepInclude } from 'openai/resources/beta/threads/runs/steps';
import type { Backend } from '../../core/backend';
import type { Message, MessageContent, Thread } from '../../common/model';
import type { NewMessage, RunAction } from '../../core/runAction';
import type { RunRef, RunSnapshot } from '../../common/runRef';
import { AssistantsError } from '../../core/errors';
import type { ErrorKind } from '../../core/errors';
import type { RunEvent } from '../../common/events';
import { isTerminal } from '../../common/model';
import { cancelledError } from '../../core/runs/sleep';
import type { ErrorContext } from '../errorMapping';
import { StreamSupport, answerLacks, asPollFailure, notApiAnswer, redactServerText, toAssistantsError } from '../errorMapping';
import { StreamRedactor } from '../streamRedaction';
import { streamActivity, wholeAnswerOf } from '../openaiClient';
import { OpenAIFileOperations, pollAfter } from '../common/openaiFiles';
import { listAll } from '../common/pages';
import { fromWireMessage, fromWireRun, fromWireStep, str } from './mapRun';
import { StreamTranslator } from './streamTranslator';

/** Ask for file-search result text so a step can show what was found, not just which file. */
const STEP_INCLUDE: RunStepInclude[] = ['step_details.tool_calls[*].file_search.results[*].content'];
const PAGE_SIZE = 100;
/** Failures after which the request may still have reached the server. */
const ORPHAN_KINDS = new Set<ErrorKind>(['network', 'timeout', 'server']);
/** While a run stays unchanged, its steps and messages are listed again at most this often (text grows meanwhile). */
const LIST_REFRESH_MS = 1000;
/** Our clock and the server's may differ a little. */
const ORPHAN_CLOCK_SLACK_S = 30;
/** Attachments of one message whose names are looked up; the rest show their ids. */
const MAX_NAME_LOOKUPS = 10;
/** A name lookup is a nicety: it never holds the answer up for long. */
const NAME_LOOKUP_TIMEOUT_MS = 2000;

/**
 * The Assistants v2 wire protocol, for servers that still implement it: assistants, threads, messages,
 * runs and run steps are server objects. The SDK's `client.beta` resources send `OpenAI-Beta: assistants=v2`.
 */
export class AssistantsV2Backend extends OpenAIFileOperations implements Backend {
  private readonly streaming = new StreamSupport();
  readonly kind = 'assistantsV2' as const;
  /** The last poll's run (as sent) and what was listed for it, so an unchanged run costs one request. */
  private lastPoll: { runId: string; key: string; listedAt: number; snapshot: RunSnapshot } | undefined;
  /** File names looked up for attachments, by file id (see `withFileNames`). */
  private readonly fileNames = new Map<string, Promise<string | undefined>>();
  constructor(client: OpenAI, context: ErrorContext = {}) {
    super(client, context);
  }

  // Threads and messages

  createThread(signal?: AbortSignal): Promise<{ remoteId?: string }> {
    return this.call(async () => {
      // Every run and message of the thread goes to it by this id: a thread without one is no thread.
      const remoteId = str((await this.client.beta.threads.create({}, { signal })).id);
      if (!remoteId) throw answerLacks(this.errorContext, "the new thread's id");
      return { remoteId };
    });
  }

  deleteThread(thread: Thread, signal?: AbortSignal): Promise<void> {
    const remoteId = thread.remoteId;
    if (!remoteId) return Promise.resolve();
    return this.call(async () => {
      try {
        await this.client.beta.threads.delete(remoteId, { signal });
      } catch (error) {
        // Already gone on the server: the local delete is what the user asked for.
        if (toAssistantsError(error, this.errorContext).kind !== 'not_found') throw error;
      }
    });
  }

  truncateThread(thread: Thread, messageId: string, keep: boolean, signal?: AbortSignal): Promise<void> {
    const remoteId = thread.remoteId;
    if (!remoteId) return Promise.resolve();
    return this.call(async () => {
      const messages = await listAll(this.client.beta.threads.messages.list(remoteId, { order: 'asc', limit: 100 }, { signal }), "the thread's messages", this.errorContext);
      const ids = messages.map((message) => message.id);
      const index = ids.indexOf(messageId);
      if (index < 0) return;
      for (const id of ids.slice(keep ? index + 1 : index).reverse()) {
        await this.client.beta.threads.messages.delete(id, { thread_id: remoteId }, { signal });
      }
    });
  }

  addMessage(thread: Thread, message: NewMessage, signal?: AbortSignal): Promise<Message> {
    const remoteId = thread.remoteId;
    if (!remoteId) {
      return Promise.resolve({
        id: `msg_local_${randomUUID()}`,
        role: 'user',
        content: message.content,
        ...(message.attachments ? { attachments: message.attachments } : {}),
        createdAt: Math.floor(Date.now() / 1000),
        status: 'completed',
      });
    }
    return this.call(async () => {
      const created = fromWireMessage(await this.client.beta.threads.messages.create(remoteId, toWireMessage(message), { signal }));
      // The server echoes file ids only: the names are the ones the user attached.
      const names = new Map((message.attachments ?? []).flatMap((a) => (a.filename ? [[a.fileId, a.filename] as const] : [])));
      if (created.attachments) created.attachments = created.attachments.map((a) => (a.filename || !names.has(a.fileId) ? a : { ...a, filename: names.get(a.fileId) }));
      return this.withFileNames(created, signal);
    });
  }

  /**
   * `message` with each attachment named: an attachment names only its file id on the wire, and the
   * chat shows names. A file whose name no annotation gave is looked up once per file id (at most
   * `MAX_NAME_LOOKUPS` a message); one that cannot be looked up keeps showing its id.
   */
  private async withFileNames(message: Message, signal?: AbortSignal): Promise<Message> {
    const nameless = (message.attachments ?? []).filter((a) => !a.filename).slice(0, MAX_NAME_LOOKUPS);
    if (nameless.length === 0) return message;
    // Asked all at once, so a slow server holds the answer up for one lookup's time at most.
    const names = new Map(await Promise.all(nameless.map(async ({ fileId }) => [fileId, await this.fileName(fileId, signal)] as const)));
    return { ...message, attachments: message.attachments?.map((a) => (a.filename || !names.get(a.fileId) ? a : { ...a, filename: names.get(a.fileId) })) };
  }

  private fileName(fileId: string, signal?: AbortSignal): Promise<string | undefined> {
    let name = this.fileNames.get(fileId);
    if (!name) {
      name = this.client.files.retrieve(fileId, { signal, timeout: NAME_LOOKUP_TIMEOUT_MS, maxRetries: 0 }).then(
        (file) => (typeof file.filename === 'string' && file.filename ? file.filename.slice(0, 255) : undefined),
        // Asked once: a server without the file (or without /files) is not asked again at each poll.
        () => undefined,
      );
      this.fileNames.set(fileId, name);
    }
    return name;
  }

  // Runs

  async *stream(action: RunAction, signal?: AbortSignal, onActivity?: () => void): AsyncIterable<RunEvent> {
    this.streaming.check();
    const threadId = remoteThreadId(action);
    const runs = this.client.beta.threads.runs;
    const startedAt = Math.floor(Date.now() / 1000);
    let events;
    try {
      events =
        action.kind === 'start'
          ? await runs.create(threadId, { ...startBody(action), stream: true }, { signal, ...streamActivity(onActivity) })
          : await runs.submitToolOutputs(action.ref.runId, { thread_id: threadId, tool_outputs: toolOutputs(action), stream: true }, { signal, ...streamActivity(onActivity) });
    } catch (error) {
      const whole = wholeAnswerOf(error);
      if (whole) {
        // A server that does not stream answered with the run it started: followed by polling, not started again.
        const unstreamed = this.streaming.answeredWhole();
        const run = fromWireRun(whole);
        if (run.id) yield redactServerText({ type: 'run.updated', run }, this.errorContext);
        if (run.id && (isTerminal(run.status) || run.status === 'requires_action')) return;
        throw unstreamed;
      }
      const failure = this.streaming.failure(error, this.errorContext);
      yield* this.orphanedRun(action, failure, startedAt, signal);
      throw failure;
    }
    const translator = new StreamTranslator();
    const redactor = new StreamRedactor(this.errorContext);
    try {
      for await (const event of events) {
        for (const runEvent of translator.translate(event)) yield* redactor.pass(await this.namedFiles(runEvent, signal));
      }
      yield* redactor.flush();
    } catch (error) {
      yield* redactor.flush();
      const failure = toAssistantsError(error, this.errorContext);
      if (!translator.run) yield* this.orphanedRun(action, failure, startedAt, signal);
      throw failure;
    }
    // The SDK ends quietly both on abort and when the server closes early; neither is a finished run.
    // A run named and not finished ends here as it is: the driver says the server closed the stream
    // before the run's end, and follows the run by polling.
    if (signal?.aborted) throw cancelledError();
    if (!translator.run) throw new AssistantsError('network', 'The connection closed before the run finished.');
  }

  /** A finished message event with its attachments named (see `withFileNames`); any other event as it is. */
  private async namedFiles(event: RunEvent, signal?: AbortSignal): Promise<RunEvent> {
    return event.type === 'message.completed' ? { ...event, message: await this.withFileNames(event.message, signal) } : event;
  }

  /**
   * The connection failed before the server named the run, but the request may have reached it: a
   * retry would then be refused (one active run per thread) or submit the outputs twice. So look for
   * the run the request made (or the run the outputs moved on) and name it; the driver then follows
   * it by polling instead of asking again.
   */
  private async *orphanedRun(action: RunAction, failure: AssistantsError, startedAt: number, signal?: AbortSignal): AsyncIterable<RunEvent> {
    const orphan = await this.findOrphan(action, failure, startedAt, signal);
    if (orphan) yield redactServerText({ type: 'run.updated', run: fromWireRun(orphan) }, this.errorContext);
  }

  private async findOrphan(action: RunAction, failure: AssistantsError, startedAt: number, signal?: AbortSignal): Promise<WireRun | undefined> {
    if (!ORPHAN_KINDS.has(failure.kind) || signal?.aborted) return undefined;
    const threadId = remoteThreadId(action);
    const runs = this.client.beta.threads.runs;
    try {
      if (action.kind === 'start') {
        const latest = (await runs.list(threadId, { order: 'desc', limit: 1 }, { signal })).data[0];
        return latest && latest.created_at >= startedAt - ORPHAN_CLOCK_SLACK_S && !isTerminal(fromWireRun(latest).status) ? latest : undefined;
      }
      const run = await runs.retrieve(action.ref.runId, { thread_id: threadId }, { signal });
      return run.status !== 'requires_action' ? run : undefined;
    } catch {
      // Could not look: the driver's own retry decides.
      return undefined;
    }
  }

  async create(action: RunAction, signal?: AbortSignal): Promise<RunSnapshot> {
    const threadId = remoteThreadId(action);
    const ref = (runId: string): RunRef => ({ threadId: action.thread.id, remoteThreadId: threadId, runId });
    const startedAt = Math.floor(Date.now() / 1000);
    const runs = this.client.beta.threads.runs;
    try {
      const run = await this.call(() =>
        action.kind === 'start'
          ? runs.create(threadId, startBody(action), { signal })
          : runs.submitToolOutputs(action.ref.runId, { thread_id: threadId, tool_outputs: toolOutputs(action) }, { signal }),
      );
      // A run started without its id can be neither followed nor stopped; outputs go to the run they answer.
      const runId = action.kind === 'submit' ? str(run.id) || action.ref.runId : str(run.id);
      if (!runId) throw answerLacks(this.errorContext, "the run's id");
      return await this.call(() => this.snapshot(run, ref(runId), undefined, signal));
    } catch (error) {
      // As with streams: the request may have started the run before the connection died.
      const failure = error instanceof AssistantsError ? error : toAssistantsError(error, this.errorContext);
      const orphan = await this.findOrphan(action, failure, startedAt, signal);
      if (!orphan) throw failure;
      return this.call(() => this.snapshot(orphan, ref(orphan.id), undefined, signal));
    }
  }

  retrieve(ref: RunRef, signal?: AbortSignal): Promise<RunSnapshot> {
    const polled = this.call(async () => {
      const threadId = refThreadId(ref);
      const { data: run, response } = await this.client.beta.threads.runs.retrieve(ref.runId, { thread_id: threadId }, { signal }).withResponse();
      // A list or a bare value is no run (a proxy's answer in between).
      if (typeof run !== 'object' || run === null || Array.isArray(run)) throw notApiAnswer(this.errorContext, new SyntaxError('The answer is not a JSON object.'));
      const hint = pollAfter(response.headers);
      const last = this.lastPoll;
      // Steps and messages cost two more requests: asked only when the run moved, or to show text
      // growing now and then (a v2 run object does not change while its answer is written).
      const key = JSON.stringify(run);
      if (last && last.runId === run.id && last.key === key && Date.now() - last.listedAt < LIST_REFRESH_MS) {
        return hint === undefined ? last.snapshot : { ...last.snapshot, pollAfterMs: hint };
      }
      const snapshot = await this.snapshot(run, ref, hint, signal);
      this.lastPoll = isTerminal(snapshot.run.status) ? undefined : { runId: run.id, key, listedAt: Date.now(), snapshot };
      return snapshot;
    });
    return polled.catch((error: AssistantsError) => {
      throw asPollFailure(error);
    });
  }

  cancel(ref: RunRef, signal?: AbortSignal): Promise<void> {
    return this.call(async () => {
      const threadId = refThreadId(ref);
      await this.client.beta.threads.runs.cancel(ref.runId, { thread_id: threadId }, { signal });
    });
  }

  /** Run + its steps + the messages it wrote, oldest first. */
  private async snapshot(wire: WireRun, ref: RunRef, pollAfterMs: number | undefined, signal?: AbortSignal): Promise<RunSnapshot> {
    const threads = this.client.beta.threads;
    // A run sent without its ids (a proxy's rewrite) is still the one asked for, on its thread.
    const runId = str(wire.id) || ref.runId;
    const threadId = str(wire.thread_id) || refThreadId(ref);
    const steps = (await listAll(threads.runs.steps.list(runId, { thread_id: threadId, order: 'asc', limit: PAGE_SIZE, include: STEP_INCLUDE }, { signal }), "the run's steps", this.errorContext)).map(fromWireStep);
    const messages = [];
    for (const message of await listAll(threads.messages.list(threadId, { run_id: runId, order: 'asc', limit: PAGE_SIZE }, { signal }), "the run's messages", this.errorContext)) {
      messages.push(await this.withFileNames(fromWireMessage(message), signal));
    }
    const snapshot: RunSnapshot = redactServerText({ run: { ...fromWireRun(wire), id: runId, threadId }, ref: { ...ref, runId }, steps, messages }, this.errorContext);
    if (pollAfterMs !== undefined) snapshot.pollAfterMs = pollAfterMs;
    return snapshot;
  }
}

function startBody(action: RunAction & { kind: 'start' }): RunCreateParamsNonStreaming {
  return {
    assistant_id: action.assistant.id,
    include: STEP_INCLUDE,
    ...(action.model !== undefined ? { model: action.model } : {}),
    ...(action.instructions !== undefined ? { instructions: action.instructions } : {}),
  };
}

function toolOutputs(action: RunAction & { kind: 'submit' }): { tool_call_id: string; output: string }[] {
  return action.outputs.map((output) => ({ tool_call_id: output.callId, output: output.output }));
}

function remoteThreadId(action: RunAction): string {
  const id = action.kind === 'submit' ? (action.ref.remoteThreadId ?? action.thread.remoteId) : action.thread.remoteId;
  if (!id) throw new AssistantsError('bad_request', 'This thread has no server-side thread; an Assistants v2 server needs one to run on.');
  return id;
}

function refThreadId(ref: RunRef): string {
  if (!ref.remoteThreadId) throw new AssistantsError('bad_request', 'This run has no server-side thread id, so it cannot be reached.');
  return ref.remoteThreadId;
}

function toWireMessage(message: NewMessage): MessageCreateParams {
  const body: MessageCreateParams = { role: message.role ?? 'user', content: message.content.map(toWirePart) };
  if (message.attachments && message.attachments.length > 0) {
    body.attachments = message.attachments.map((attachment) => ({
      file_id: attachment.fileId,
      tools: attachment.tools.map((type) => ({ type })),
    }));
  }
  return body;
}

function toWirePart(content: MessageContent): MessageContentPartParam {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: content.text };
    case 'image_file':
      return { type: 'image_file', image_file: { file_id: content.fileId } };
    case 'image_url':
      return { type: 'image_url', image_url: { url: content.url } };
  }
}
