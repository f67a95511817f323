import type { KeptFile } from '../../common/model';
import type { OutputFileRef } from '../files';
import type { StoredThread } from '../threads/threadStore';
import type { ChatSessionOptions, SendOptions } from './chatContext';
import { ChatContext } from './chatContext';
import { KeptFileRecords } from './keptFileRecords';
import { RunEventReducer } from './runEventReducer';
import { RunTracking } from './runTracking';
import { ThreadActions } from './threadActions';
import { Turns } from './turns';

export type { ChatSessionOptions, ChatUpdate, SendOptions } from './chatContext';
export { modelProblem } from './threadActions';

/**
 * One chat: the current thread, its messages and runs, and at most one run in progress. Everything is
 * saved to the thread store as it happens, so a window reload finds the thread, and a run that had
 * not finished is picked up again from its stored ref.
 *
 * Its parts share one `ChatContext`: thread actions (`ThreadActions`), the user's turns (`Turns`),
 * the run followed (`RunTracking`), the reducer of its events (`RunEventReducer`) and the files runs
 * make (`KeptFileRecords`).
 */
export class ChatSession {
  private readonly chat: ChatContext;
  private readonly kept: KeptFileRecords;
  private readonly tracking: RunTracking;
  private readonly turns: Turns;
  private readonly actions: ThreadActions;

  constructor(options: ChatSessionOptions) {
    this.chat = new ChatContext(options);
    this.kept = new KeptFileRecords(this.chat);
    this.tracking = new RunTracking(this.chat, new RunEventReducer(this.chat, this.kept.keeper));
    this.actions = new ThreadActions(this.chat, this.tracking, this.kept.keeper);
    this.turns = new Turns(this.chat, this.tracking, () => this.actions.syncWithFile());
    // Another window answered the calls of the run it drives: the file says where the run went.
    this.tracking.onMovedElsewhere = () => this.actions.syncWithFile(true);
  }

  /** The open thread, if any. */
  get thread(): StoredThread | undefined {
    return this.chat.current;
  }

  /** The run followed, once the server named it. */
  get activeRunId(): string | undefined {
    return this.chat.active?.runId;
  }

  /** The thread being left while another opens (its run let go unfollowed), until the other is open. */
  get leaving(): StoredThread | undefined {
    return this.chat.leaving;
  }

  /** Whether a run is followed (it may have no id yet). */
  get busy(): boolean {
    return this.chat.active !== undefined;
  }

  /**
   * The id of the open thread's last question when nothing answers it and nothing will: it is the
   * thread's last message, no run was recorded for it, none is stored to resume, and no send or run
   * is going on here. A window that reloaded between saving the question and storing its run's ref
   * leaves a thread so, as does a run refused before it had an id. Retry asks it again.
   */
  unansweredQuestion(): string | undefined {
    return this.turns.unansweredQuestion();
  }

  /** Resolves when no run is in progress (at once when none is). */
  whenIdle(): Promise<void> {
    return this.chat.whenIdle();
  }

  /** Opens the workspace's most recent thread, if any, and resumes its unfinished run. */
  open(): Promise<void> {
    return this.actions.open();
  }

  /** Opens thread `id` here, after letting the run followed go on unfollowed; resumes its own unfinished run. Throws `not_found` when it is gone. */
  openThread(id: string): Promise<void> {
    return this.actions.openThread(id);
  }

  /**
   * The server no longer has the open thread's conversation (or Assistants v2 thread): opens a new
   * thread carrying its title, messages, runs and images, and no tie to the server's lost copy (see
   * `carry`). The old thread stays as it was. Throws `bad_request` with a sentence when no thread is
   * open or a run goes on.
   */
  continueInNewThread(): Promise<void> {
    return this.actions.continueInNewThread();
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
  forkThread(id: string, options: { upTo?: string; assistantId?: string; model?: string; title?: string } = {}): Promise<StoredThread> {
    return this.actions.forkThread(id, options);
  }

  /**
   * A file attached to earlier messages of the open thread is gone from the server, and a run
   * whose history names it cannot start: takes it off those messages (their text stays), so the
   * thread goes on without it. Resolves with how many messages held it.
   */
  dropAttachment(fileId: string): Promise<number> {
    return this.actions.dropAttachment(fileId);
  }

  /**
   * The open thread's file changed on disk: when another window moved the thread on (a question, a
   * run it started or ended), the chat takes the file and follows that run, so Send, Stop and the
   * status tell the truth here too. Nothing happens while this chat runs or sends. Resolves whether
   * the file was taken. A send or a retry does the same first, and refuses when it finds a run.
   */
  syncWithFile(): Promise<boolean> {
    return this.actions.syncWithFile();
  }

  /** Starts an empty thread; the server-side thread is made with the first message. */
  newThread(): Promise<void> {
    return this.actions.newThread();
  }

  /**
   * Deletes the thread here (and its "Allow for this thread" grants, first) and, best effort, its
   * server-side thread (a conversation costs storage).
   */
  deleteThread(id: string): Promise<void> {
    return this.actions.deleteThread(id);
  }

  /**
   * Renames a thread (the open one or another); its last activity stays. Throws `bad_request` with
   * a sentence when the title is empty or too long, `not_found` when the thread is gone.
   */
  renameThread(id: string, title: string): Promise<void> {
    return this.actions.renameThread(id, title);
  }

  /**
   * Clears a thread: its messages, runs and the images they held go; the thread, its title and its
   * assistant stay. The server-side thread (a conversation, or an Assistants v2 thread) is dropped
   * as well, and deleted best effort, so the model does not remember what was cleared: the next
   * message makes a new one (see `ensureThread`). Its "Allow for this thread" grants go first.
   * Refused while a run goes on on it.
   */
  clearThread(id: string): Promise<void> {
    return this.actions.clearThread(id);
  }

  /**
   * Adds the user's message and starts a run. Resolves once the message is on the thread (the
   * composer may clear); the run goes on and reports through `onUpdate`.
   */
  send(text: string, options: SendOptions = {}): Promise<void> {
    return this.turns.send(text, options);
  }

  /**
   * Retry: runs the thread's last question again, without adding it a second time. What answered it
   * (a failed, cut-off or expired run and its partial answer) is removed first, here and on the
   * server, so the model reads the question once and the thread shows one answer. Throws
   * `bad_request` with a sentence when a run is going on or there is no question to retry.
   */
  retry(options: Pick<SendOptions, 'instructions'> = {}): Promise<void> {
    return this.turns.retry(options);
  }

  /**
   * Retry now: ends the current wait at once (before a retry after a 429 or a transient failure,
   * or between polls), so the next request goes out now. Nothing happens when nothing waits.
   */
  retryNow(): void {
    this.tracking.retryNow();
  }

  /** Stop: cancels the run on the server; the run ends `cancelled` through the usual events. */
  stop(): void {
    this.tracking.stop();
  }

  /**
   * The window is closing or reloading: stop listening, but do not cancel. The run goes on on the
   * server, and its stored ref lets the next window pick it up.
   */
  dispose(): void {
    this.chat.disposed = true;
    this.kept.keeper.dispose();
    this.chat.active?.detach.abort();
    this.chat.cancelSave();
  }

  /**
   * A file a run made, as this thread keeps it, once its download settled or is on its way (the
   * chat asking to show or save one): undefined when the thread (open here) does not name it.
   */
  keptFile(threadId: string, ref: OutputFileRef): Promise<KeptFile | undefined> {
    return this.kept.keptFile(threadId, ref);
  }

  /** Resolves once every file download started so far has settled and been recorded (tests, benches). */
  whenFilesKept(): Promise<void> {
    return this.kept.whenFilesKept();
  }
}
