import type { RunRef } from './runRef';
import type { Message, Run, RunError, RunStep, Usage } from './model';

/**
 * One typed stream of what happens during a run. The run driver emits these whether the backend
 * streams or is polled, and the host forwards them to the webview unchanged in shape.
 */
export type RunEvent =
  /**
   * The run's status or other fields changed; carries the whole run. `ref` is set by a streaming
   * backend when the server-side handle changes (a new response per tool round in Responses), so a
   * dropped stream can be resumed by polling.
   */
  | { type: 'run.updated'; run: Run; ref?: RunRef }
  | { type: 'step.created'; step: RunStep }
  /** A step changed while in progress (tool-call arguments, code input, outputs); carries the whole step. */
  | { type: 'step.updated'; step: RunStep }
  | { type: 'step.completed'; step: RunStep }
  | { type: 'message.created'; message: Message }
  /** Text appended to content part `index` of a message. */
  | { type: 'message.delta'; messageId: string; index: number; text: string }
  | { type: 'message.completed'; message: Message }
  | { type: 'usage'; usage: Usage }
  /** The driver waits before retrying a request (429 or transient failure). */
  | { type: 'retry'; attempt: number; waitMs: number; reason: string }
  /** The driver switched from streaming to polling (server cannot stream, or the stream dropped). */
  | { type: 'fallback'; reason: string }
  | { type: 'error'; error: RunError };
