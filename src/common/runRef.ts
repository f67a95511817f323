import type { Message, Run, RunStep, Usage } from './model';

/** Where a run lives on the server: enough to poll, continue, cancel or resume it after a reload. */
export interface RunRef {
  /** Local thread id. */
  threadId: string;
  /** Server-side thread / conversation id, when there is one. */
  remoteThreadId?: string;
  runId: string;
  /**
   * Backend-specific handle of the server object currently executing the run. Responses: the
   * latest response id (a run that submitted tool outputs continues in a new response).
   */
  cursor?: string;
  /**
   * Tokens the run used in the legs before the one `cursor` names, so a run resumed after a reload
   * counts them once (the current leg's usage comes from the server again).
   */
  usageBefore?: Usage;
}

/** Everything the server knows about a run at one moment; what polling sees. */
export interface RunSnapshot {
  run: Run;
  ref: RunRef;
  steps: RunStep[];
  /** Messages the run produced, oldest first. */
  messages: Message[];
  /** The server's `openai-poll-after-ms` hint from this retrieve, when it sent one: wait that long before the next poll. */
  pollAfterMs?: number;
}
