import type { Assistant, Attachment, Message, MessageContent, Thread, ToolOutput } from '../common/model';
import type { RunRef } from '../common/runRef';

/** What a backend is asked to do with a run: start one, or continue one with tool outputs. */

export interface NewMessage {
  content: MessageContent[];
  attachments?: Attachment[];
  /**
   * Who said it; `user` unless given. `assistant` only to carry a thread's history into a new
   * server-side thread (Assistants v2, which takes both); a backend that keeps history itself ignores it.
   */
  role?: 'user' | 'assistant';
}

/** Start a run of `assistant` on `thread`. */
export interface StartRun {
  kind: 'start';
  thread: Thread;
  assistant: Assistant;
  /** Overrides the assistant's instructions for this run only. */
  instructions?: string;
  /** The thread's messages as stored locally; sent as input when the server keeps no conversation. */
  history: Message[];
  /** The thread's own model (`Thread.model`), in place of the assistant's; `assistant.model` is then this too. */
  model?: string;
}

/** Continue a run that is in `requires_action` by answering its function calls. */
export interface SubmitToolOutputs {
  kind: 'submit';
  thread: Thread;
  assistant: Assistant;
  ref: RunRef;
  outputs: ToolOutput[];
  history: Message[];
}

export type RunAction = StartRun | SubmitToolOutputs;
