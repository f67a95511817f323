import { randomUUID } from 'node:crypto';
import type { Thread } from '../../common/model';
import type { RunRef } from '../../common/runRef';
import { AssistantsError } from '../errors';
import type { FileKeeper } from '../threads/fileKeeper';
import { normalizeTitle, titleProblem, titleWithSuffix } from '../threads/threadList';
import type { StoredThread } from '../threads/threadStore';
import type { ChatContext } from './chatContext';
import type { RunTracking } from './runTracking';

/**
 * What a chat does to whole threads: open one (picking up its unfinished run), start a new one,
 * continue one in a new thread, fork, rename, clear and delete, and take a vanished file off its
 * messages.
 */
export class ThreadActions {
  constructor(
    private readonly chat: ChatContext,
    private readonly tracking: RunTracking,
    private readonly keeper: Pick<FileKeeper, 'keep' | 'forget'>,
  ) {}

  /** Opens the workspace's most recent thread, if any, and resumes its unfinished run. */
  async open(): Promise<void> {
    this.chat.current = await this.chat.options.store.mostRecent();
    this.chat.options.onUpdate({ type: 'thread' });
    if (this.chat.current) this.keeper.keep(this.chat.current);
    if (this.chat.current?.pendingRun) await this.tracking.resumePending(this.chat.current.pendingRun);
  }

  /** Opens thread `id` here, after letting the run followed go on unfollowed; resumes its own unfinished run. Throws `not_found` when it is gone. */
  async openThread(id: string): Promise<void> {
    if (this.chat.current?.thread.id === id) return;
    const stored = await this.leave(async () => {
      await this.tracking.detachAndWait();
      const opened = await this.chat.options.store.load(id);
      if (!opened) throw new AssistantsError('not_found', 'That thread no longer exists in this workspace.');
      this.chat.current = opened;
      return opened;
    });
    this.chat.options.onUpdate({ type: 'thread' });
    this.keeper.keep(stored);
    if (stored.pendingRun) await this.tracking.resumePending(stored.pendingRun);
  }

  /**
   * Another window may have moved the open thread on (asked in it, started a run on it, seen that
   * run end). Reads the thread's file again, and when it holds a message this chat lacks, or a run
   * stored to follow that this chat does not know (or no longer one it knows), takes it as the open
   * thread (told as a reload) and follows that run here, as opening the thread would, so every
   * control shows the run. Nothing happens while this chat follows a run or sends, or when the file
   * says nothing new (unless `force`: the run another window drives moved on, see
   * `RunTracking.onMovedElsewhere`). Resolves whether the file was taken.
   */
  async syncWithFile(force = false): Promise<boolean> {
    const current = this.chat.current;
    // A file read while this chat's own last changes are still on their way to it is older than the open thread.
    const behind = () => !force && this.chat.savePending;
    if (!current || this.chat.active || this.chat.sending || behind()) return false;
    const fresh = await this.chat.options.store.load(current.thread.id).catch(() => undefined);
    if (!fresh || this.chat.current !== current || this.chat.active || this.chat.sending || behind()) return false;
    const known = new Set(current.messages.map((m) => m.id));
    // A run the file names as going on is news only if this chat has not followed it (else the file is from before its end).
    const pending = fresh.pendingRun;
    const runMoved = pending ? pending.runId !== current.pendingRun?.runId && !(pending.runId in current.runs) : current.pendingRun !== undefined;
    const moved = force || fresh.messages.some((m) => !known.has(m.id)) || runMoved;
    if (!moved) return false;
    this.chat.current = fresh;
    this.chat.options.onUpdate({ type: 'thread' });
    this.keeper.keep(fresh);
    if (fresh.pendingRun) await this.tracking.resumePending(fresh.pendingRun);
    return true;
  }

  /**
   * The server no longer has the open thread's conversation (or Assistants v2 thread): opens a new
   * thread carrying its title, messages, runs and images, and no tie to the server's lost copy (see
   * `carry`). The old thread stays as it was. Throws `bad_request` with a sentence when no thread is
   * open or a run goes on.
   */
  async continueInNewThread(): Promise<void> {
    const old = this.chat.current;
    if (!old) throw new AssistantsError('bad_request', 'No thread is open to continue.');
    if (this.chat.active || this.chat.sending) throw new AssistantsError('bad_request', 'A run is still in progress. Stop it or wait for it to finish.');
    const carried = await this.carry(old, { messages: old.messages, runs: old.runs });
    this.chat.current = carried;
    this.chat.options.onUpdate({ type: 'thread' });
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
    if (this.chat.current?.thread.id === id && (this.chat.active || this.chat.sending)) {
      throw new AssistantsError('bad_request', 'A run is still in progress on this thread. Stop it or wait for it to finish, then fork it.');
    }
    const problem = (options.title !== undefined ? titleProblem(options.title) : undefined) ?? (options.model !== undefined ? modelProblem(options.model) : undefined);
    if (problem) throw new AssistantsError('bad_request', problem);
    const source = await this.chat.storedThread(id);
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
    const backend = await this.chat.options.connect();
    const now = this.chat.nowSeconds();
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
    await this.chat.options.store.adoptOutputs(source.thread.id, carried);
    await this.chat.saveFirst(carried);
    return carried;
  }

  /**
   * A file attached to earlier messages of the open thread is gone from the server, and a run
   * whose history names it cannot start: takes it off those messages (their text stays), so the
   * thread goes on without it. Resolves with how many messages held it.
   */
  async dropAttachment(fileId: string): Promise<number> {
    const stored = this.chat.current;
    if (!stored) return 0;
    if (this.chat.active || this.chat.sending) throw new AssistantsError('bad_request', 'A run is still in progress. Stop it or wait for it to finish.');
    const held = stored.messages.filter((m) => m.attachments?.some((a) => a.fileId === fileId));
    if (held.length === 0) return 0;
    const messages = stored.messages.map((m) => {
      if (!held.includes(m)) return m;
      const { attachments = [], ...rest } = m;
      const left = attachments.filter((a) => a.fileId !== fileId);
      return left.length ? { ...rest, attachments: left } : rest;
    });
    await this.chat.saveFirst({ ...stored, messages });
    stored.messages = messages;
    this.chat.options.onUpdate({ type: 'thread' });
    return held.length;
  }

  /** Starts an empty thread; the server-side thread is made with the first message. */
  async newThread(): Promise<void> {
    await this.leave(async () => {
      await this.tracking.detachAndWait();
      this.chat.current = undefined;
    });
    this.chat.options.onUpdate({ type: 'thread' });
  }

  /** Runs `open` (which lets the run followed go and opens another thread) with the open thread marked as being left. */
  private async leave<T>(open: () => Promise<T>): Promise<T> {
    this.chat.leaving = this.chat.current;
    try {
      return await open();
    } finally {
      this.chat.leaving = undefined;
    }
  }

  /**
   * Deletes the thread here (and its "Allow for this thread" grants, first) and, best effort, its
   * server-side thread (a conversation costs storage). A run going on in it is stopped first (as
   * Stop does; one followed nowhere, cancelled best effort): left going, it would go on answering,
   * and costing, with no thread left to show it.
   */
  async deleteThread(id: string): Promise<void> {
    if (this.chat.current?.thread.id === id && this.chat.active) {
      this.tracking.stop();
      await this.chat.whenIdle();
    }
    if (this.chat.current?.thread.id === id) await this.newThread();
    const stored = await this.chat.options.store.load(id);
    if (stored?.pendingRun) await this.cancelUnfollowed(stored.pendingRun);
    await this.chat.options.toolHandler.forget?.(id);
    this.keeper.forget(id);
    await this.chat.options.store.delete(id);
    if (stored?.thread.remoteId) await this.deleteRemote(stored.thread);
  }

  /** Best effort, within 5 s: cancels a run this chat does not follow (of a thread being deleted). */
  private async cancelUnfollowed(ref: RunRef): Promise<void> {
    try {
      await (await this.chat.options.connect()).cancel(ref, AbortSignal.timeout(5_000));
    } catch {
      // Gone, ended, or the server unreachable: nothing left to stop from here.
    }
  }

  /** Best effort: deletes a server-side thread that nothing here uses any more (a conversation costs storage). */
  private async deleteRemote(thread: Thread): Promise<void> {
    try {
      const backend = await this.chat.options.connect();
      if (backend.kind === thread.backend) await backend.deleteThread(thread);
    } catch {
      // Gone already, or no key: the local change is what the user asked for.
    }
  }

  /**
   * Renames a thread (the open one or another); its last activity stays. Throws `bad_request` with
   * a sentence when the title is empty or too long, `not_found` when the thread is gone.
   */
  async renameThread(id: string, title: string): Promise<void> {
    const problem = titleProblem(title);
    if (problem) throw new AssistantsError('bad_request', problem);
    const stored = await this.chat.storedThread(id);
    const renamed = { ...stored.thread, title: normalizeTitle(title) };
    await this.chat.saveFirst({ ...stored, thread: renamed });
    stored.thread.title = renamed.title;
    if (stored === this.chat.current) this.chat.options.onUpdate({ type: 'thread' });
  }

  /**
   * Clears a thread: its messages, runs and the images they held go; the thread, its title and its
   * assistant stay. The server-side thread (a conversation, or an Assistants v2 thread) is dropped
   * as well, and deleted best effort, so the model does not remember what was cleared: the next
   * message makes a new one (see `ensureThread`). Its "Allow for this thread" grants go first.
   * Refused while a run goes on on it.
   */
  async clearThread(id: string): Promise<void> {
    if (this.chat.current?.thread.id === id && (this.chat.active || this.chat.sending)) {
      throw new AssistantsError('bad_request', 'A run is still in progress on this thread. Stop it or wait for it to finish, then clear it.');
    }
    const stored = await this.chat.storedThread(id);
    // First: what was allowed in the thread must not outlive what it was allowed for.
    await this.chat.options.toolHandler.forget?.(id);
    this.keeper.forget(id);
    const old = { ...stored.thread };
    const { remoteId: _remoteId, ...kept } = stored.thread;
    const cleared: Thread = { ...kept, updatedAt: this.chat.nowSeconds() };
    await this.chat.saveFirst({ thread: cleared, messages: [], runs: {} });
    stored.messages = [];
    stored.runs = {};
    delete stored.pendingRun;
    delete stored.thread.remoteId;
    stored.thread.updatedAt = cleared.updatedAt;
    await this.chat.options.store.removeUnusedOutputs(id);
    if (stored === this.chat.current) this.chat.options.onUpdate({ type: 'thread' });
    if (old.remoteId) await this.deleteRemote(old);
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
