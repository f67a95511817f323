import { randomUUID } from 'node:crypto';
import type { Assistant, Message, Thread } from '../../common/model';
import type { Backend } from '../backend';
import { AssistantsError } from '../errors';
import { titleFromQuestion } from '../threads/threadList';
import type { RunRecord, StoredThread } from '../threads/threadStore';
import type { ChatContext, SendOptions } from './chatContext';
import type { RunTracking } from './runTracking';

/**
 * The user's turns in a chat: a question sent (or edited and sent again) and Retry, one at a time,
 * each adding to the open thread (a new one for the first question) and starting the run that
 * answers it.
 */
export class Turns {
  constructor(
    private readonly chat: ChatContext,
    private readonly tracking: RunTracking,
    /** Takes the open thread's file when another window moved it on (`ThreadActions.syncWithFile`). */
    private readonly syncWithFile: () => Promise<boolean>,
  ) {}

  /**
   * The id of the open thread's last question when nothing answers it and nothing will: it is the
   * thread's last message, no run was recorded for it, none is stored to resume, and no send or run
   * is going on here. A window that reloaded between saving the question and storing its run's ref
   * leaves a thread so, as does a run refused before it had an id. Retry asks it again.
   */
  unansweredQuestion(): string | undefined {
    const stored = this.chat.current;
    if (!stored || this.chat.active || this.chat.sending || stored.pendingRun) return undefined;
    const question = stored.messages.at(-1);
    if (question?.role !== 'user') return undefined;
    const earlier = new Set(stored.messages.flatMap((m) => (m.runId ? [m.runId] : [])));
    const answered = Object.values(stored.runs).some((record) => !earlier.has(record.run.id) && answersAny(record, new Set([question.id]), question));
    return answered ? undefined : question.id;
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
      stored.thread.assistantId = this.chat.assistantIdOf(assistant);
      const content: Message['content'] = [{ type: 'text', text: trimmed, annotations: [] }];
      const attachments = options.attachments ?? [];
      const message = await backend.addMessage(stored.thread, attachments.length ? { content, attachments } : { content });
      stored.messages.push(message);
      stored.thread.updatedAt = this.chat.nowSeconds();
      await this.chat.options.store.save(stored);
      await options.accepted?.(stored);
      this.chat.options.onUpdate({ type: 'message', threadId: stored.thread.id, message });
      this.tracking.start(backend, assistant, stored, options.instructions?.trim());
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
      this.tracking.start(backend, assistant, stored, options.instructions?.trim());
    });
  }

  /**
   * One user turn (a send or a retry) at a time: waits for a run that has ended but is still
   * saving, refuses (`bad_request`) while another run or turn is going on, then connects and
   * hands `start` the backend and the active assistant.
   */
  private async turn(start: (backend: Backend, assistant: Assistant) => Promise<void>): Promise<void> {
    // A run whose end the chat already shows is only saving its last state: wait for that, not refuse.
    if (this.chat.active?.ended && !this.chat.sending) await this.chat.whenIdle();
    if (this.chat.active || this.chat.sending) throw new AssistantsError('bad_request', 'A run is still in progress. Stop it or wait for it to finish.');
    // Another window may have asked in this thread meanwhile: its file is the thread, and a run it started is followed here, not asked over.
    if ((await this.syncWithFile()) && this.chat.current?.pendingRun) {
      throw new AssistantsError('bad_request', 'Another window has a run going on in this thread; the chat shows it now. Send again once it has answered, or stop it.');
    }
    if (this.chat.active || this.chat.sending) throw new AssistantsError('bad_request', 'A run is still in progress. Stop it or wait for it to finish.');
    this.chat.sending = true;
    try {
      await start(await this.chat.options.connect(), await this.chat.options.assistant());
    } finally {
      this.chat.sending = false;
    }
  }

  /** The open thread's last question (it must be `id` when given), or `bad_request` with a sentence. */
  private lastQuestion(id?: string): { stored: StoredThread; index: number } {
    const stored = this.chat.current;
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
    stored.thread.updatedAt = this.chat.nowSeconds();
    await this.chat.options.store.save(stored);
    await this.chat.options.store.removeUnusedOutputs(stored.thread.id).catch(() => 0);
    this.chat.options.onUpdate({ type: 'thread' });
    return { stored };
  }

  /**
   * The thread to send on: the open one, else a new one titled after `firstText`. A thread that was
   * cleared (no messages, no server-side thread) gets its new server-side thread here.
   */
  private async ensureThread(backend: Backend, firstText: string): Promise<StoredThread> {
    const current = this.chat.current;
    if (current && current.thread.backend === backend.kind) {
      if (current.messages.length === 0 && current.thread.remoteId === undefined) {
        const { remoteId } = await backend.createThread();
        if (remoteId !== undefined) current.thread.remoteId = remoteId;
      }
      return current;
    }
    const now = this.chat.nowSeconds();
    const { remoteId } = await backend.createThread();
    const thread: Thread = {
      id: randomUUID(),
      title: titleFromQuestion(firstText),
      createdAt: now,
      updatedAt: now,
      backend: backend.kind,
      remoteId,
    };
    this.chat.current = { thread, messages: [], runs: {} };
    this.chat.options.onUpdate({ type: 'thread' });
    return this.chat.current;
  }
}

/**
 * Whether a run answers one of the questions whose ids are `questions`. A run kept before runs
 * recorded their question answers `since` (the earliest of them) when it started no earlier: the
 * only hint such a thread holds.
 */
function answersAny(record: RunRecord, questions: ReadonlySet<string>, since: Message): boolean {
  return record.question !== undefined ? questions.has(record.question) : record.run.createdAt >= since.createdAt;
}
