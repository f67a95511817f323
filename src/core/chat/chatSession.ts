import { randomUUID } from 'node:crypto';
import type { Backend } from '../backend';
import type { RunRef } from '../../common/runRef';
import type { ToolHandler } from '../runs/toolHandler';
import { AssistantsError, asAssistantsError } from '../errors';
import type { RunEvent } from '../../common/events';
import { applyRunEvent, runIdOfEvent } from '../../common/runFold';
import type { FileKeeperOptions } from '../threads/fileKeeper';
import { FileKeeper } from '../threads/fileKeeper';
import type { OutputFileRef } from '../files';
import { carryKept, filesOfMessage, filesOfStep, keptFileKey, nameInlineImages } from '../threads/keptFiles';
import type { Annotation, Assistant, Attachment, KeptFile, Message, Thread } from '../../common/model';
import { isTerminal } from '../../common/model';
import type { RunDriverOptions } from '../runs/runDriver';
import { RunDriver } from '../runs/runDriver';
import type { Sleep } from '../runs/sleep';
import { abortableSleep } from '../runs/sleep';
import { locationOf } from '../assistants/assistantService';
import { normalizeTitle, titleFromQuestion, titleProblem, titleWithSuffix } from '../threads/threadList';
import type { RunRecord, StoredThread, ThreadStore } from '../threads/threadStore';

/** What the chat shows changed. The host turns these into webview messages. */
export type ChatUpdate =
  /** The thread was switched, created or reloaded: re-send the whole state. */
  | { type: 'thread' }
  | { type: 'message'; threadId: string; message: Message }
  | { type: 'run'; threadId: string; runId: string; event: RunEvent }
  | { type: 'busy'; busy: boolean }
  /**
   * The run has no id yet and the driver waits (a rate limit on its creation, say) or changed course:
   * worth telling the user, though it belongs to no run the chat shows.
   */
  | { type: 'waiting'; threadId: string; event: Extract<RunEvent, { type: 'retry' | 'fallback' }> };

/** What a send may carry besides its text. */
export interface SendOptions {
  /** Additional instructions for this run only; the run's `instructions` are the assistant's followed by these. */
  instructions?: string;
  /** Files for the message, each with the tools that may use it. */
  attachments?: Attachment[];
  /**
   * Runs once the message is on the thread and saved, before the chat is told of it: the host
   * clears the composer's kept draft here, so a reload the moment the question shows cannot bring
   * it back as a draft.
   */
  accepted?: () => Promise<void>;
  /**
   * Edit and resend: the id of the thread's last question, which this message replaces. That
   * question and everything after it (its answers and runs) are removed, here and on the server,
   * before the new one is added.
   */
  replaces?: string;
}

export interface ChatSessionOptions {
  store: ThreadStore;
  /** A backend for the current provider; throws AssistantsError `no_api_key` when there is no key. */
  connect(): Promise<Backend>;
  /** The assistant runs use. */
  assistant(): Promise<Assistant>;
  /**
   * The file this user published a server assistant from (`AssistantService.linkedFile`), which a
   * thread then records as its assistant; without it, or when undefined, the server assistant is
   * recorded as itself.
   */
  linkedFile?(assistant: Assistant): string | undefined;
  toolHandler: ToolHandler;
  /** Driver options, read at the start of each run (settings may change between runs). */
  driver?: () => Omit<RunDriverOptions, 'toolHandler' | 'onRunRef'>;
  onUpdate(update: ChatUpdate): void;
  /** Errors the user should see that happen after `send` returned (a run failing to start, say). */
  onError(error: AssistantsError): void;
  now?: () => number;
  /** Limits and timing of keeping the files runs make (see `FileKeeper`), and where its failures are logged. */
  keeping?: Pick<FileKeeperOptions, 'maxFileBytes' | 'maxThreadBytes' | 'maxThreadFiles' | 'retryAfterMs' | 'log'>;
}

/** Failures after which the run may well be going on on the server: its ref is kept for a later resume. */
const RESUMABLE_FAILURES = new Set<string>(['network', 'timeout', 'server', 'rate_limited']);

/**
 * One chat: the current thread, its messages and runs, and at most one run in progress. Everything is
 * saved to the thread store as it happens, so a window reload finds the thread, and a run that had
 * not finished is picked up again from its stored ref.
 */
export class ChatSession {
  private current: StoredThread | undefined;
  /**
   * The run being followed. `abort` is Stop (cancel on the server); `detach` only stops following it
   * (another thread opened, the window closing): the run goes on and is resumed from its stored ref.
   */
  private active: { abort: AbortController; detach: AbortController; runId?: string; done: Promise<void>; ended?: boolean } | undefined;
  /** A send between its first check and the start of its run: a second send must wait its turn. */
  private sending = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Waits in progress that `retryNow` may end. */
  private readonly wakers = new Set<() => void>();
  /** Downloads the files runs make, once each, into their thread's outputs. */
  private readonly keeper: FileKeeper;
  /** Records of kept files still being written into a thread that is not open. */
  private readonly recording = new Set<Promise<void>>();

  constructor(private readonly options: ChatSessionOptions) {
    this.keeper = new FileKeeper({
      ...options.keeping,
      connect: () => options.connect(),
      keepFile: (threadId, bytes, extension) => options.store.keepFile(threadId, bytes, extension),
      settled: (threadId, key, kept) => this.recordKept(threadId, (stored) => this.setKept(stored, key, kept)),
      linked: (threadId, messageId, partIndex, annotation) => this.recordKept(threadId, (stored) => this.addLink(stored, messageId, partIndex, annotation)),
    });
  }

  get thread(): StoredThread | undefined {
    return this.current;
  }

  get activeRunId(): string | undefined {
    return this.active?.runId;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /**
   * The id of the open thread's last question when nothing answers it and nothing will: it is the
   * thread's last message, no run was recorded for it, none is stored to resume, and no send or run
   * is going on here. A window that reloaded between saving the question and storing its run's ref
   * leaves a thread so, as does a run refused before it had an id. Retry asks it again.
   */
  unansweredQuestion(): string | undefined {
    const stored = this.current;
    if (!stored || this.active || this.sending || stored.pendingRun) return undefined;
    const question = stored.messages.at(-1);
    if (question?.role !== 'user') return undefined;
    const earlier = new Set(stored.messages.flatMap((m) => (m.runId ? [m.runId] : [])));
    const answered = Object.values(stored.runs).some((record) => !earlier.has(record.run.id) && answersAny(record, new Set([question.id]), question));
    return answered ? undefined : question.id;
  }

  /** Resolves when no run is in progress (at once when none is). */
  async whenIdle(): Promise<void> {
    while (this.active) await this.active.done;
  }

  /** Opens the workspace's most recent thread, if any, and resumes its unfinished run. */
  async open(): Promise<void> {
    this.current = await this.options.store.mostRecent();
    this.options.onUpdate({ type: 'thread' });
    if (this.current) this.keeper.keep(this.current);
    if (this.current?.pendingRun) await this.resumePending(this.current.pendingRun);
  }

  async openThread(id: string): Promise<void> {
    if (this.current?.thread.id === id) return;
    await this.detachAndWait();
    const stored = await this.options.store.load(id);
    if (!stored) throw new AssistantsError('not_found', 'That thread no longer exists in this workspace.');
    this.current = stored;
    this.options.onUpdate({ type: 'thread' });
    this.keeper.keep(stored);
    if (stored.pendingRun) await this.resumePending(stored.pendingRun);
  }

  /**
   * The server no longer has the open thread's conversation (or Assistants v2 thread): opens a new
   * thread carrying its title, messages, runs and images, and no tie to the server's lost copy (see
   * `carry`). The old thread stays as it was. Throws `bad_request` with a sentence when no thread is
   * open or a run goes on.
   */
  async continueInNewThread(): Promise<void> {
    const old = this.current;
    if (!old) throw new AssistantsError('bad_request', 'No thread is open to continue.');
    if (this.active || this.sending) throw new AssistantsError('bad_request', 'A run is still in progress. Stop it or wait for it to finish.');
    const carried = await this.carry(old, { messages: old.messages, runs: old.runs });
    this.current = carried;
    this.options.onUpdate({ type: 'thread' });
  }

  /**
   * Fork: a new thread holding thread `id`'s messages up to and including `options.upTo` (a message
   * id; the whole thread without it), the runs that made them, and their images and kept files,
   * titled `options.title` (default "<title> (fork)") and recorded for `options.assistantId`
   * (default the thread's own assistant), its runs using `options.model` when given (see
   * `Thread.model`; an empty one is the assistant's own; without one a fork for the same assistant
   * keeps the thread's). The thread forked stays exactly as it was, here and on the
   * server. The fork carries its history as Continue in New Thread does (see `carry`). It is saved,
   * not opened: resolves to it. Throws `not_found` when the thread or the message is gone,
   * `bad_request` while a run goes on on the open thread forked (its answer is not finished).
   */
  async forkThread(id: string, options: { upTo?: string; assistantId?: string; model?: string; title?: string } = {}): Promise<StoredThread> {
    if (this.current?.thread.id === id && (this.active || this.sending)) {
      throw new AssistantsError('bad_request', 'A run is still in progress on this thread. Stop it or wait for it to finish, then fork it.');
    }
    const problem = (options.title !== undefined ? titleProblem(options.title) : undefined) ?? (options.model !== undefined ? modelProblem(options.model) : undefined);
    if (problem) throw new AssistantsError('bad_request', problem);
    const source = await this.storedThread(id);
    const index = options.upTo === undefined ? source.messages.length - 1 : source.messages.findIndex((m) => m.id === options.upTo);
    if (index < 0) throw new AssistantsError('not_found', options.upTo === undefined ? 'That thread has no messages to fork.' : 'That message is no longer on the thread.');
    const messages = source.messages.slice(0, index + 1);
    const keptRuns = new Set(messages.flatMap((m) => (m.runId ? [m.runId] : [])));
    const cutAt = source.messages[index + 1]?.createdAt ?? Number.POSITIVE_INFINITY;
    // A run that made a message kept comes along; one that made none (it failed at once) when it started before the cut.
    const removedRuns = new Set(source.messages.slice(index + 1).flatMap((m) => (m.runId && !keptRuns.has(m.runId) ? [m.runId] : [])));
    const runs = Object.fromEntries(Object.entries(source.runs).filter(([runId, record]) => keptRuns.has(runId) || (!removedRuns.has(runId) && record.run.createdAt < cutAt)));
    const title = options.title !== undefined ? normalizeTitle(options.title) : titleWithSuffix(source.thread.title, ' (fork)');
    const assistantId = options.assistantId ?? source.thread.assistantId;
    // The thread's own model goes with a fork for the same assistant; another assistant runs with its own.
    const model = options.model === undefined ? (assistantId === source.thread.assistantId ? source.thread.model : undefined) : options.model.trim() || undefined;
    return this.carry(source, { messages, runs }, { title, assistantId, model });
  }

  /**
   * Saves a new thread carrying `part` of `source` (its messages and runs, copied) with `source`'s
   * thread fields (and `changes`), and no tie to `source`'s server-side thread. Under Responses the
   * new thread keeps its history here and sends it with each question; under Assistants v2 it gets
   * a new server-side thread holding the messages' text, each with its role, in order. Images and
   * kept files beside `source` are copied beside it. `source` is not changed. Throws the backend's
   * and the disk's failures as sentences.
   */
  private async carry(source: StoredThread, part: Pick<StoredThread, 'messages' | 'runs'>, changes: Partial<Pick<Thread, 'title' | 'assistantId' | 'model'>> = {}): Promise<StoredThread> {
    const backend = await this.options.connect();
    const now = this.nowSeconds();
    const { remoteId: _lost, ...kept } = source.thread;
    const remote = backend.kind === 'assistantsV2' && backend.kind === source.thread.backend ? await backend.createThread() : {};
    const thread: Thread = { ...kept, ...changes, id: randomUUID(), backend: source.thread.backend, createdAt: now, updatedAt: now, ...(remote.remoteId !== undefined ? { remoteId: remote.remoteId } : {}) };
    // Assistants v2 reads history from its server-side thread only: the messages' text goes there, in order.
    if (thread.remoteId !== undefined) {
      for (const message of part.messages) {
        const content = message.content.filter((p) => p.type === 'text' && p.text.trim() !== '');
        if (content.length && (message.role === 'user' || message.role === 'assistant')) await backend.addMessage(thread, { content, role: message.role });
      }
    }
    for (const key of ['assistantId', 'model'] as const) if (thread[key] === undefined) delete thread[key];
    const carried: StoredThread = { thread, messages: structuredClone(part.messages), runs: structuredClone(part.runs) };
    await this.options.store.adoptOutputs(source.thread.id, carried);
    await this.saveFirst(carried);
    return carried;
  }

  /**
   * A file attached to earlier messages of the open thread is gone from the server, and a run
   * whose history names it cannot start: takes it off those messages (their text stays), so the
   * thread goes on without it. Resolves with how many messages held it.
   */
  async dropAttachment(fileId: string): Promise<number> {
    const stored = this.current;
    if (!stored) return 0;
    if (this.active || this.sending) throw new AssistantsError('bad_request', 'A run is still in progress. Stop it or wait for it to finish.');
    const held = stored.messages.filter((m) => m.attachments?.some((a) => a.fileId === fileId));
    if (held.length === 0) return 0;
    const messages = stored.messages.map((m) => {
      if (!held.includes(m)) return m;
      const { attachments = [], ...rest } = m;
      const left = attachments.filter((a) => a.fileId !== fileId);
      return left.length ? { ...rest, attachments: left } : rest;
    });
    await this.saveFirst({ ...stored, messages });
    stored.messages = messages;
    this.options.onUpdate({ type: 'thread' });
    return held.length;
  }

  /** Starts an empty thread; the server-side thread is made with the first message. */
  async newThread(): Promise<void> {
    await this.detachAndWait();
    this.current = undefined;
    this.options.onUpdate({ type: 'thread' });
  }

  /**
   * Deletes the thread here (and its "Allow for this thread" grants, first) and, best effort, its
   * server-side thread (a conversation costs storage).
   */
  async deleteThread(id: string): Promise<void> {
    if (this.current?.thread.id === id) await this.newThread();
    const stored = await this.options.store.load(id);
    await this.options.toolHandler.forget?.(id);
    this.keeper.forget(id);
    await this.options.store.delete(id);
    if (stored?.thread.remoteId) await this.deleteRemote(stored.thread);
  }

  /** Best effort: deletes a server-side thread that nothing here uses any more (a conversation costs storage). */
  private async deleteRemote(thread: Thread): Promise<void> {
    try {
      const backend = await this.options.connect();
      if (backend.kind === thread.backend) await backend.deleteThread(thread);
    } catch {
      // Gone already, or no key: the local change is what the user asked for.
    }
  }

  /** The open thread when it is `id` (commands must change that object, or its next save undoes them), else the stored one. */
  private async storedThread(id: string): Promise<StoredThread> {
    if (this.current?.thread.id === id) return this.current;
    const stored = await this.options.store.load(id);
    if (!stored) throw new AssistantsError('not_found', 'That thread no longer exists in this workspace.');
    return stored;
  }

  /**
   * Renames a thread (the open one or another); its last activity stays. Throws `bad_request` with
   * a sentence when the title is empty or too long, `not_found` when the thread is gone.
   */
  async renameThread(id: string, title: string): Promise<void> {
    const problem = titleProblem(title);
    if (problem) throw new AssistantsError('bad_request', problem);
    const stored = await this.storedThread(id);
    const renamed = { ...stored.thread, title: normalizeTitle(title) };
    await this.saveFirst({ ...stored, thread: renamed });
    stored.thread.title = renamed.title;
    if (stored === this.current) this.options.onUpdate({ type: 'thread' });
  }

  /**
   * Saves a changed copy of a thread before the change reaches the thread itself: a save the disk
   * refuses leaves the chat showing what the file holds (and a later save does not carry the
   * refused change out after all). Throws the failure as a sentence (`asAssistantsError`).
   */
  private async saveFirst(changed: StoredThread): Promise<void> {
    try {
      await this.options.store.save(changed);
    } catch (error) {
      throw asAssistantsError(error);
    }
  }

  /**
   * Clears a thread: its messages, runs and the images they held go; the thread, its title and its
   * assistant stay. The server-side thread (a conversation, or an Assistants v2 thread) is dropped
   * as well, and deleted best effort, so the model does not remember what was cleared: the next
   * message makes a new one (see `ensureThread`). Its "Allow for this thread" grants go first.
   * Refused while a run goes on on it.
   */
  async clearThread(id: string): Promise<void> {
    if (this.current?.thread.id === id && (this.active || this.sending)) {
      throw new AssistantsError('bad_request', 'A run is still in progress on this thread. Stop it or wait for it to finish, then clear it.');
    }
    const stored = await this.storedThread(id);
    // First: what was allowed in the thread must not outlive what it was allowed for.
    await this.options.toolHandler.forget?.(id);
    this.keeper.forget(id);
    const old = { ...stored.thread };
    const { remoteId: _remoteId, ...kept } = stored.thread;
    const cleared: Thread = { ...kept, updatedAt: this.nowSeconds() };
    await this.saveFirst({ thread: cleared, messages: [], runs: {} });
    stored.messages = [];
    stored.runs = {};
    delete stored.pendingRun;
    delete stored.thread.remoteId;
    stored.thread.updatedAt = cleared.updatedAt;
    await this.options.store.removeUnusedOutputs(id);
    if (stored === this.current) this.options.onUpdate({ type: 'thread' });
    if (old.remoteId) await this.deleteRemote(old);
  }


  /**
   * Adds the user's message and starts a run. Resolves once the message is on the thread (the
   * composer may clear); the run goes on and reports through `onUpdate`.
   */
  async send(text: string, options: SendOptions = {}): Promise<void> {
    const trimmed = text.trim();
    if (!trimmed) throw new AssistantsError('bad_request', 'Type a message first.');
    await this.turn(async (backend, assistant) => {
      if (options.replaces !== undefined) await this.truncate(backend, this.lastQuestion(options.replaces), false);
      const stored = await this.ensureThread(backend, trimmed);
      stored.thread.assistantId = this.assistantIdOf(assistant);
      const content: Message['content'] = [{ type: 'text', text: trimmed, annotations: [] }];
      const attachments = options.attachments ?? [];
      const message = await backend.addMessage(stored.thread, attachments.length ? { content, attachments } : { content });
      stored.messages.push(message);
      stored.thread.updatedAt = this.nowSeconds();
      await this.options.store.save(stored);
      await options.accepted?.();
      this.options.onUpdate({ type: 'message', threadId: stored.thread.id, message });
      this.startRun(backend, assistant, stored, options.instructions?.trim());
    });
  }

  /**
   * Retry: runs the thread's last question again, without adding it a second time. What answered it
   * (a failed, cut-off or expired run and its partial answer) is removed first, here and on the
   * server, so the model reads the question once and the thread shows one answer. Throws
   * `bad_request` with a sentence when a run is going on or there is no question to retry.
   */
  async retry(options: Pick<SendOptions, 'instructions'> = {}): Promise<void> {
    await this.turn(async (backend, assistant) => {
      const { stored } = await this.truncate(backend, this.lastQuestion(), true);
      this.startRun(backend, assistant, stored, options.instructions?.trim());
    });
  }

  /**
   * One user turn (a send or a retry) at a time: waits for a run that has ended but is still
   * saving, refuses (`bad_request`) while another run or turn is going on, then connects and
   * hands `start` the backend and the active assistant.
   */
  private async turn(start: (backend: Backend, assistant: Assistant) => Promise<void>): Promise<void> {
    // A run whose end the chat already shows is only saving its last state: wait for that, not refuse.
    if (this.active?.ended && !this.sending) await this.whenIdle();
    if (this.active || this.sending) throw new AssistantsError('bad_request', 'A run is still in progress. Stop it or wait for it to finish.');
    this.sending = true;
    try {
      await start(await this.options.connect(), await this.options.assistant());
    } finally {
      this.sending = false;
    }
  }

  /** The open thread's last question (it must be `id` when given), or `bad_request` with a sentence. */
  private lastQuestion(id?: string): { stored: StoredThread; index: number } {
    const stored = this.current;
    const index = stored ? stored.messages.findLastIndex((m) => m.role === 'user') : -1;
    if (!stored || index < 0) throw new AssistantsError('bad_request', 'There is no question on this thread to ask again.');
    if (id !== undefined && stored.messages[index].id !== id) {
      throw new AssistantsError('bad_request', 'Only the last question can be edited and sent again; it has changed since. Send your text as a new message instead.');
    }
    return { stored, index };
  }

  /**
   * Removes what follows the question at `index` (and the question too unless `keep`): the
   * messages, the runs that made them or started after the question, and their images. The server
   * goes first, so a failure there changes nothing here and is the caller's to report.
   */
  private async truncate(backend: Backend, { stored, index }: { stored: StoredThread; index: number }, keep: boolean): Promise<{ stored: StoredThread }> {
    const question = stored.messages[index];
    if (stored.thread.remoteId && backend.kind === stored.thread.backend) await backend.truncateThread(stored.thread, question.id, keep);
    const removed = stored.messages.splice(keep ? index + 1 : index);
    const removedRuns = new Set(removed.flatMap((m) => (m.runId ? [m.runId] : [])));
    const kept = new Set(stored.messages.flatMap((m) => (m.runId ? [m.runId] : [])));
    // A run that made no message (one that failed at once) goes with the question it answers.
    const gone = new Set([question.id, ...removed.map((m) => m.id)]);
    for (const [runId, record] of Object.entries(stored.runs)) {
      if (removedRuns.has(runId) || (!kept.has(runId) && answersAny(record, gone, question))) delete stored.runs[runId];
    }
    delete stored.pendingRun;
    stored.thread.updatedAt = this.nowSeconds();
    await this.options.store.save(stored);
    await this.options.store.removeUnusedOutputs(stored.thread.id).catch(() => 0);
    this.options.onUpdate({ type: 'thread' });
    return { stored };
  }

  /**
   * Retry now: ends the current wait at once (before a retry after a 429 or a transient failure,
   * or between polls), so the next request goes out now. Nothing happens when nothing waits.
   */
  retryNow(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * A sleep that `retryNow` can cut short. The inner sleep is ended too (its timer does not run on),
   * and Stop still wins: an aborted `signal` rejects as before.
   */
  private wakeable(inner: Sleep): Sleep {
    return async (ms, signal) => {
      const woken = new AbortController();
      const wake = (): void => woken.abort();
      this.wakers.add(wake);
      try {
        await inner(ms, signal ? AbortSignal.any([signal, woken.signal]) : woken.signal);
      } catch (error) {
        if (signal?.aborted || !woken.signal.aborted) throw error;
      } finally {
        this.wakers.delete(wake);
      }
    };
  }

  /** Stop: cancels the run on the server; the run ends `cancelled` through the usual events. */
  stop(): void {
    this.active?.abort.abort();
  }

  /**
   * The window is closing or reloading: stop listening, but do not cancel. The run goes on on the
   * server, and its stored ref lets the next window pick it up.
   */
  dispose(): void {
    this.disposed = true;
    this.keeper.dispose();
    this.active?.detach.abort();
    if (this.saveTimer) clearTimeout(this.saveTimer);
  }

  /** Stops following the run (it goes on on the server, and resumes when its thread is opened again). */
  private async detachAndWait(): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.detach.abort();
    await active.done;
  }

  /**
   * The thread to send on: the open one, else a new one titled after `firstText`. A thread that was
   * cleared (no messages, no server-side thread) gets its new server-side thread here.
   */
  private async ensureThread(backend: Backend, firstText: string): Promise<StoredThread> {
    const current = this.current;
    if (current && current.thread.backend === backend.kind) {
      if (current.messages.length === 0 && current.thread.remoteId === undefined) {
        const { remoteId } = await backend.createThread();
        if (remoteId !== undefined) current.thread.remoteId = remoteId;
      }
      return current;
    }
    const now = this.nowSeconds();
    const { remoteId } = await backend.createThread();
    const thread: Thread = {
      id: randomUUID(),
      title: titleFromQuestion(firstText),
      createdAt: now,
      updatedAt: now,
      backend: backend.kind,
      remoteId,
    };
    this.current = { thread, messages: [], runs: {} };
    this.options.onUpdate({ type: 'thread' });
    return this.current;
  }

  private startRun(backend: Backend, chosen: Assistant, stored: StoredThread, additional?: string): void {
    const history = [...stored.messages];
    const model = stored.thread.model;
    const assistant = withModel(chosen, model);
    // Additional instructions come after the assistant's own, for this run only.
    const instructions = additional ? [(assistant.instructions ?? '').trim(), additional].filter(Boolean).join('\n\n') : undefined;
    this.track(stored, (driver, onEvent, signal, detach) =>
      driver.run({ kind: 'start', thread: stored.thread, assistant, history, ...(instructions ? { instructions } : {}), ...(model !== undefined ? { model } : {}) }, onEvent, signal, detach), backend, assistant);
  }

  /** Picks up a run a closed window left going; resolves once it is being followed again. */
  private async resumePending(ref: RunRef): Promise<void> {
    const stored = this.current;
    if (!stored || this.active) return;
    try {
      const backend = await this.options.connect();
      const assistant = withModel(await this.options.assistant(), stored.thread.model);
      // The user may have opened another thread, or sent, while we connected.
      if (this.current !== stored || this.active || this.sending) return;
      this.track(stored, (driver, onEvent, signal, detach) =>
        driver.resume(ref, { thread: stored.thread, assistant, history: stored.messages }, onEvent, signal, detach), backend, assistant);
    } catch (error) {
      this.options.onError(asAssistantsError(error));
    }
  }

  private track(
    stored: StoredThread,
    execute: (driver: RunDriver, onEvent: (event: RunEvent) => void, signal: AbortSignal, detach: AbortSignal) => Promise<unknown>,
    backend: Backend,
    assistant: Assistant,
  ): void {
    const ranBy = { id: this.assistantIdOf(assistant), name: assistant.name };
    // The run answers the thread's last question: the one asked (or retried) just before it started.
    const question = stored.messages.findLast((m) => m.role === 'user')?.id;
    const abort = new AbortController();
    const detach = new AbortController();
    const driverOptions = this.options.driver?.();
    const driver = new RunDriver(backend, {
      ...driverOptions,
      sleep: this.wakeable(driverOptions?.sleep ?? abortableSleep),
      // The handler learns the local thread: "Allow for this thread" is kept by it.
      toolHandler: { handle: (calls, context) => this.options.toolHandler.handle(calls, { ...context, threadId: stored.thread.id }) },
      onRunRef: (ref) => {
        if (detach.signal.aborted) return;
        stored.pendingRun = ref;
        void this.flush(stored);
      },
    });
    const onEvent = (event: RunEvent) => {
      if (!detach.signal.aborted) this.apply(stored, event, { assistant: ranBy, question });
    };
    const done = execute(driver, onEvent, abort.signal, detach.signal)
      .then(() => {
        stored.pendingRun = undefined;
      })
      .catch((error: unknown) => {
        if (detach.signal.aborted) return;
        const failure = asAssistantsError(error);
        // Stop before the run had an id ends here too: the user asked for it, it is no error.
        const stopped = failure.kind === 'cancelled' && abort.signal.aborted;
        // A run we may still follow later keeps its ref: a network outage is not the end of the run.
        if (!RESUMABLE_FAILURES.has(failure.kind)) {
          const runId = (this.active?.abort === abort ? this.active.runId : undefined) ?? stored.pendingRun?.runId;
          stored.pendingRun = undefined;
          this.endRun(stored, runId, stopped ? undefined : failure);
        }
        if (!stopped) this.options.onError(failure);
      })
      .finally(async () => {
        // Saved before the session counts as idle, so whoever waits for idle reads the final thread.
        await this.flush(stored);
        if (this.active?.abort === abort) this.active = undefined;
        if (!this.disposed) this.options.onUpdate({ type: 'busy', busy: false });
      });
    this.active = { abort, detach, done };
    this.options.onUpdate({ type: 'busy', busy: true });
  }

  /**
   * Applies a run event to the stored thread (through the one fold, `applyRunEvent`) and forwards
   * it. `started`: the assistant following the run and the question it answers, recorded with a run
   * the thread had not seen yet.
   */
  private apply(stored: StoredThread, received: RunEvent, started?: Pick<RunRecord, 'assistant' | 'question'>): void {
    // The backend may keep changing the objects it emitted, and the store changes the thread in place
    // (images move beside it): what is forwarded and what is stored are copies of their own. A delta,
    // by far the most frequent event, carries only text and numbers and is not copied at all.
    const event = received.type === 'message.delta' ? received : structuredClone(received);
    const own = received.type === 'message.delta' ? received : structuredClone(received);
    const runId = runIdOfEvent(event, this.active?.runId ?? stored.pendingRun?.runId);
    // The server knows nothing of the files kept here: their state carries over to what it sends again.
    if ('step' in event && 'step' in own) {
      const old = stored.runs[event.step.runId]?.steps.find((s) => s.id === event.step.id);
      carryKept(old, event.step);
      carryKept(old, own.step);
    }
    if ('message' in event && 'message' in own) {
      const old = stored.messages.findLast((m) => m.id === event.message.id);
      carryKept(old, event.message);
      carryKept(old, own.message);
    }
    const known = runId !== undefined && runId in stored.runs;
    const folded = applyRunEvent(stored, own, { runId, now: this.nowMs() });
    stored.messages = folded.messages;
    stored.runs = folded.runs;
    if (runId !== undefined && !known && stored.runs[runId] && (started?.assistant || started?.question)) {
      stored.runs[runId] = { ...stored.runs[runId], ...(started.assistant ? { assistant: started.assistant } : {}), ...(started.question ? { question: started.question } : {}) };
    }
    switch (own.type) {
      case 'run.updated': {
        if (this.active && !this.active.runId) this.active.runId = own.run.id;
        const ended = isTerminal(own.run.status);
        if (ended) {
          stored.pendingRun = undefined;
          if (this.active?.runId === own.run.id) this.active.ended = true;
        }
        this.scheduleSave(stored, ended || own.run.status === 'requires_action');
        break;
      }
      case 'step.created':
      case 'step.updated':
      case 'step.completed':
        if (filesOfStep(own.step).some((file) => file.ready)) this.keeper.keep(stored);
        this.scheduleSave(stored, false);
        break;
      case 'message.created':
      case 'message.completed':
        if (own.message.status !== 'in_progress' && (filesOfMessage(own.message).length > 0 || /sandbox:/.test(JSON.stringify(own.message.content)))) this.keeper.keep(stored);
        stored.thread.updatedAt = this.nowSeconds();
        this.scheduleSave(stored, own.type === 'message.completed');
        break;
      case 'message.delta':
        this.scheduleSave(stored, false);
        break;
      case 'usage':
      case 'retry':
      case 'fallback':
      case 'error':
        break;
      default: {
        const exhaustive: never = own;
        return exhaustive;
      }
    }
    if (runId) this.options.onUpdate({ type: 'run', threadId: stored.thread.id, runId, event });
    else if (event.type === 'retry' || event.type === 'fallback') this.options.onUpdate({ type: 'waiting', threadId: stored.thread.id, event });
  }

  /**
   * A file a run made, as this thread keeps it, once its download settled or is on its way (the
   * chat asking to show or save one): undefined when the thread (open here) does not name it.
   */
  async keptFile(threadId: string, ref: OutputFileRef): Promise<KeptFile | undefined> {
    const stored = this.current?.thread.id === threadId ? this.current : undefined;
    const key = keptFileKey(ref);
    const holder = stored ? [...stored.messages.flatMap(filesOfMessage), ...Object.values(stored.runs).flatMap((r) => r.steps.flatMap(filesOfStep))].find((file) => keptFileKey(file.ref) === key) : undefined;
    if (!stored || !holder) return undefined;
    if (holder.holder.kept?.url !== undefined || holder.holder.kept?.error !== undefined) return holder.holder.kept;
    this.keeper.keep(stored);
    // `{}`: named but not kept yet (its step or answer has not completed, or a retry is due).
    return (await this.keeper.whenSettled(threadId, ref)) ?? holder.holder.kept ?? {};
  }

  /** Resolves once every file download started so far has settled and been recorded (tests, benches). */
  async whenFilesKept(): Promise<void> {
    await this.keeper.idle();
    while (this.recording.size > 0) await Promise.allSettled([...this.recording]);
    if (this.current) await this.flush(this.current);
  }

  /**
   * Records what the keeper found on thread `threadId`: in the open thread (saved, and the chat told
   * of each changed step and message), else in its stored copy, read and saved again.
   */
  private recordKept(threadId: string, change: (stored: StoredThread) => { messages: Message[]; steps: RunRecord['steps'] }): void {
    const recording = this.record(threadId, change).finally(() => this.recording.delete(recording));
    this.recording.add(recording);
  }

  private async record(threadId: string, change: (stored: StoredThread) => { messages: Message[]; steps: RunRecord['steps'] }): Promise<void> {
    try {
      const open = this.current?.thread.id === threadId ? this.current : undefined;
      const stored = open ?? (await this.options.store.load(threadId));
      if (!stored) return;
      const changed = change(stored);
      if (changed.messages.length === 0 && changed.steps.length === 0) return;
      if (!open) {
        await this.options.store.save(stored);
        return;
      }
      this.scheduleSave(open, true);
      for (const message of changed.messages) this.options.onUpdate({ type: 'message', threadId, message: structuredClone(message) });
      for (const step of changed.steps) this.options.onUpdate({ type: 'run', threadId, runId: step.runId, event: { type: 'step.updated', step: structuredClone(step) } });
    } catch (error) {
      this.options.onError(asAssistantsError(error));
    }
  }

  /** Sets `kept` on every holder of the file `key`; returns the messages and steps it changed. */
  private setKept(stored: StoredThread, key: string, kept: KeptFile): { messages: Message[]; steps: RunRecord['steps'] } {
    const messages = stored.messages.filter((message) => setOn(filesOfMessage(message), key, kept));
    const steps = Object.values(stored.runs).flatMap((record) => record.steps.filter((step) => setOn(filesOfStep(step), key, kept) || (kept.url !== undefined && nameInlineImages(step, kept))));
    return { messages, steps };
  }

  /** Adds the citation the keeper found for an uncited `sandbox:` link, and starts keeping its file. */
  private addLink(stored: StoredThread, messageId: string, partIndex: number, annotation: Extract<Annotation, { type: 'file_path' }>): { messages: Message[]; steps: RunRecord['steps'] } {
    const message = stored.messages.find((m) => m.id === messageId);
    const part = message?.content[partIndex];
    if (!message || part?.type !== 'text' || part.annotations.some((a) => a.type === 'file_path' && a.text === annotation.text)) return { messages: [], steps: [] };
    part.annotations.push(annotation);
    this.keeper.keep(stored);
    return { messages: [message], steps: [] };
  }

  /**
   * Records a run this window stops following for good (a failure not worth resuming, or Stop whose
   * cancel never came back) as ended, so that neither the view nor a later window shows it still
   * going: `failed` with the failure as its error, or `cancelled` after Stop; its open answers are
   * closed as cut off. A run already ended, or never named, is left as it is.
   */
  private endRun(stored: StoredThread, runId: string | undefined, failure: AssistantsError | undefined): void {
    const record = runId ? stored.runs[runId] : undefined;
    if (!record || isTerminal(record.run.status)) return;
    for (const message of stored.messages) {
      if (message.runId !== runId || message.role !== 'assistant' || (message.status !== 'in_progress' && message.status !== undefined)) continue;
      this.apply(stored, { type: 'message.completed', message: { ...message, status: 'incomplete' } });
    }
    const { requiredAction: _waitedFor, ...run } = record.run;
    const lastError = failure ? { code: failure.kind, message: failure.message } : run.lastError;
    this.apply(stored, { type: 'run.updated', run: { ...run, status: failure ? 'failed' : 'cancelled', completedAt: this.nowSeconds(), ...(lastError ? { lastError } : {}) } });
  }

  /** Deltas come many a second: save at most every half second, and at once on milestones. */
  private scheduleSave(stored: StoredThread, now: boolean): void {
    if (now) {
      void this.flush(stored);
      return;
    }
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => void this.flush(stored), 500);
  }

  /** Saves now; a failure (disk full, say) reaches the user as a sentence, never as an unhandled rejection. */
  private async flush(stored: StoredThread): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    await this.options.store.save(stored).catch((error: unknown) => this.options.onError(asAssistantsError(error)));
  }

  /**
   * The id a thread records for the assistant that ran on it: a file assistant this user published
   * to an Assistants v2 server is recorded as its file. Any other assistant is recorded as itself:
   * a file's own metadata is its author's text, and a server assistant's link may be another
   * user's file of the same id.
   */
  private assistantIdOf(assistant: Assistant): string {
    return (locationOf(assistant.id) === 'server' ? this.options.linkedFile?.(assistant) : undefined) ?? assistant.id;
  }

  private nowMs(): number {
    return (this.options.now ?? Date.now)();
  }

  private nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}



/**
 * Why `model` cannot be a thread's model (a sentence for an input box), or undefined when it can:
 * empty (the assistant's own) or a model name, at most 100 characters without spaces. Whether the
 * server has it is the server's to say when a run starts.
 */
export function modelProblem(model: string): string | undefined {
  const name = model.trim();
  if (name.length > 100) return 'At most 100 characters.';
  if (/\s/.test(name)) return 'A model name has no spaces.';
  return undefined;
}

/** `assistant` running with `model` in place of its own (a thread's, see `Thread.model`); itself without one. */
function withModel(assistant: Assistant, model: string | undefined): Assistant {
  return model === undefined || model === assistant.model ? assistant : { ...assistant, model };
}

/** Sets `kept` on the files of `files` with `key`; whether any was. */
function setOn(files: ReturnType<typeof filesOfMessage>, key: string, kept: KeptFile): boolean {
  let changed = false;
  for (const file of files) {
    if (keptFileKey(file.ref) !== key) continue;
    file.holder.kept = { ...kept };
    changed = true;
  }
  return changed;
}

/**
 * Whether a run answers one of the questions whose ids are `questions`. A run kept before runs
 * recorded their question answers `since` (the earliest of them) when it started no earlier: the
 * only hint such a thread holds.
 */
function answersAny(record: RunRecord, questions: ReadonlySet<string>, since: Message): boolean {
  return record.question !== undefined ? questions.has(record.question) : record.run.createdAt >= since.createdAt;
}
