import type { Backend } from '../backend';
import { AssistantsError, asAssistantsError } from '../errors';
import type { RunEvent } from '../../common/events';
import type { Assistant, Attachment, FunctionCallRequest, Message } from '../../common/model';
import type { ToolHandler } from '../toolHandler';
import type { RunDriverOptions } from '../runs/runDriver';
import type { FileKeeperOptions } from '../threads/fileKeeper';
import { locationOf } from '../assistants/assistantService';
import type { StoredThread, ThreadStore } from '../threads/threadStore';

/** What the chat shows changed. The host turns these into webview messages. */
export type ChatUpdate =
  /** The thread was switched, created or reloaded: re-send the whole state. */
  | { type: 'thread' }
  | { type: 'message'; threadId: string; message: Message }
  | { type: 'run'; threadId: string; runId: string; event: RunEvent }
  | { type: 'busy'; busy: boolean }
  /**
   * The function calls of a run another window drives, waiting on that window (an approval there,
   * say): shown read-only here, never answered. Empty once they are answered or followed no more.
   */
  | { type: 'elsewhere'; threadId: string; runId: string; calls: readonly FunctionCallRequest[] }
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
   * it back as a draft. Given the thread the message went to: the chat may have opened another by
   * then (the message was being saved), so the open thread is not necessarily it.
   */
  accepted?: (thread: StoredThread) => Promise<void>;
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
  /**
   * This window among the windows that share the thread store: its `id` is written as a run's
   * driver (`StoredThread.runDriver`), and `alive(id)` says whether the window of another id is
   * still open. Without it, every window answers the calls of the runs it follows.
   */
  window?: { id: string; alive(id: string): boolean };
  /** Errors the user should see that happen after `send` returned (a run failing to start, say). */
  onError(error: AssistantsError): void;
  now?: () => number;
  /** Limits and timing of keeping the files runs make (see `FileKeeper`), and where its failures are logged. */
  keeping?: Pick<FileKeeperOptions, 'maxFileBytes' | 'maxThreadBytes' | 'maxThreadFiles' | 'retryAfterMs' | 'log'>;
}

/**
 * The run a chat follows. `abort` is Stop (cancel on the server); `detach` only stops following it
 * (another thread opened, the window closing): the run goes on and is resumed from its stored ref.
 * `ended`: the chat already shows its end, and only its last state is being saved.
 */
export interface FollowedRun {
  abort: AbortController;
  detach: AbortController;
  runId?: string;
  done: Promise<void>;
  ended?: boolean;
}

/**
 * What the parts of one chat share (its thread actions, turns, run tracking, the reducer of run
 * events and the kept files): the options, the open thread, the run followed, and the saving of
 * threads. `ChatSession` puts the parts together around one of these.
 */
export class ChatContext {
  /** The open thread. */
  current: StoredThread | undefined;
  /** The run being followed, if any. */
  active: FollowedRun | undefined;
  /** A send between its first check and the start of its run: a second send must wait its turn. */
  sending = false;
  /** The thread being left while another opens (its run let go unfollowed), until the other is open. */
  leaving: StoredThread | undefined;
  /** The window is closing: nothing more is told to the chat. */
  disposed = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Saves being written now. */
  private saving = 0;

  constructor(readonly options: ChatSessionOptions) {}

  /** Resolves when no run is in progress (at once when none is). */
  async whenIdle(): Promise<void> {
    while (this.active) await this.active.done;
  }

  /** Refuses (`bad_request`, with a sentence) while a run or a send goes on. */
  refuseWhileRunning(message = 'A run is still in progress. Stop it or wait for it to finish.'): void {
    if (this.active || this.sending) throw new AssistantsError('bad_request', message);
  }

  /** The open thread when it is `id` (commands must change that object, or its next save undoes them), else the stored one. */
  async storedThread(id: string): Promise<StoredThread> {
    if (this.current?.thread.id === id) return this.current;
    const stored = await this.options.store.load(id);
    if (!stored) throw new AssistantsError('not_found', 'That thread no longer exists in this workspace.');
    return stored;
  }

  /**
   * The thread whose run this chat follows while another window drives it: that window writes it,
   * and this chat's copy (which may be behind) is not saved over what it wrote.
   */
  followedOnly: StoredThread | undefined;

  /** Deltas come many a second: save at most every half second, and at once on milestones (`now`). */
  scheduleSave(stored: StoredThread, now: boolean): void {
    if (stored === this.followedOnly) return;
    if (now) {
      void this.flush(stored);
      return;
    }
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => void this.flush(stored), 500);
  }

  /** Saves now; a failure (disk full, say) reaches the user as a sentence, never as an unhandled rejection. */
  async flush(stored: StoredThread): Promise<void> {
    this.cancelSave();
    if (stored === this.followedOnly) return;
    this.saving++;
    try {
      await this.options.store.save(stored).catch((error: unknown) => this.options.onError(asAssistantsError(error)));
    } finally {
      this.saving--;
    }
  }

  /**
   * Whether this chat has changes not on disk yet (a save waiting its turn or being written): the
   * thread's file is then older than the open thread, whatever a watcher says of it.
   */
  get savePending(): boolean {
    return this.saveTimer !== undefined || this.saving > 0;
  }

  /** Drops a save that was waiting its turn (the window is closing). */
  cancelSave(): void {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
  }

  /**
   * Saves a changed copy of a thread before the change reaches the thread itself: a save the disk
   * refuses leaves the chat showing what the file holds (and a later save does not carry the
   * refused change out after all). Throws the failure as a sentence (`asAssistantsError`).
   */
  async saveFirst(changed: StoredThread): Promise<void> {
    try {
      await this.options.store.save(changed);
    } catch (error) {
      throw asAssistantsError(error);
    }
  }

  /**
   * The id a thread records for the assistant that ran on it: a file assistant this user published
   * to an Assistants v2 server is recorded as its file. Any other assistant is recorded as itself:
   * a file's own metadata is its author's text, and a server assistant's link may be another
   * user's file of the same id.
   */
  assistantIdOf(assistant: Assistant): string {
    return (locationOf(assistant.id) === 'server' ? this.options.linkedFile?.(assistant) : undefined) ?? assistant.id;
  }

  /** Epoch milliseconds, by the options' clock. */
  nowMs(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Unix seconds, by the options' clock. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}
