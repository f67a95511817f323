import type { RunEvent } from '../common/events';
import type { FileOperations } from './files';
import type { BackendKind, Message, Thread } from '../common/model';
import type { NewMessage, RunAction } from './runAction';
import type { RunRef, RunSnapshot } from '../common/runRef';

/**
 * The port both adapters implement. The run driver and the services above it use nothing else,
 * so Responses and Assistants v2 are interchangeable. Every method throws `AssistantsError`.
 * Assistants are not here: `AssistantService` reaches them through its stores.
 */
export interface Backend extends FileOperations {
  readonly kind: BackendKind;

  // Threads and messages.
  /** Creates the server-side thread; `remoteId` is absent when the server keeps no conversations. */
  createThread(signal?: AbortSignal): Promise<{ remoteId?: string }>;
  deleteThread(thread: Thread, signal?: AbortSignal): Promise<void>;
  /** Adds a user message to the server-side thread (a no-op without one) and returns it. */
  addMessage(thread: Thread, message: NewMessage, signal?: AbortSignal): Promise<Message>;
  /**
   * Deletes from the server-side thread everything after the message `messageId`, and that
   * message too unless `keep` (Edit and resend replaces the last question; Retry keeps it and drops
   * the failed answer), newest first, so the model no longer sees them. Conversations: `DELETE
   * /conversations/{id}/items/{item_id}` on every item from there on (answers, tool calls, their
   * outputs); Assistants v2: `DELETE /threads/{id}/messages/{message_id}` (run steps cannot be
   * deleted and are not read by the model). Nothing happens without a server-side thread, or when it
   * does not hold the message.
   */
  truncateThread(thread: Thread, messageId: string, keep: boolean, signal?: AbortSignal): Promise<void>;

  // Runs.
  /**
   * Starts or continues a run and streams its events. The first event is `run.updated` with the
   * run's id, so a dropped stream can be resumed by polling. Throws `AssistantsError` of kind
   * `unsupported` when the server cannot stream; the driver then uses `create`. `onActivity` is
   * called whenever the stream's connection brings anything, whether or not it makes a run event
   * (a keep-alive event or comment, an event of a kind this client does not show): the server is
   * there, and the driver's watch on a silent stream starts again.
   */
  stream(action: RunAction, signal?: AbortSignal, onActivity?: () => void): AsyncIterable<RunEvent>;
  /**
   * Optional: follows a run whose stream dropped from where the stream stopped, when the server
   * keeps it (Responses: `GET /responses/{id}?stream=true&starting_after=N`). Throws `unsupported`
   * when it cannot; the driver then polls. `onActivity` as for `stream`.
   */
  resumeStream?(ref: RunRef, signal?: AbortSignal, onActivity?: () => void): AsyncIterable<RunEvent>;
  /** Starts or continues a run without streaming (background); poll it with `retrieve`. */
  create(action: RunAction, signal?: AbortSignal): Promise<RunSnapshot>;
  retrieve(ref: RunRef, signal?: AbortSignal): Promise<RunSnapshot>;
  /** Asks the server to cancel; the run reaches a terminal status later. */
  cancel(ref: RunRef, signal?: AbortSignal): Promise<void>;
  /**
   * Optional: `text` with the key this backend sends masked, in every form it may take (as the
   * server's words are masked): for what a run sends up and keeps that did not come from the
   * server, a function's output (a workspace file read may hold the key). Absent: as it is.
   */
  maskSecrets?(text: string): string;
}
