/**
 * The one protocol between the extension host and the chat webview. Types only: both bundles
 * import it, neither pulls code from the other. Message names are `area/verb`; each side
 * dispatches with an exhaustive `switch` on `type`.
 */
import type { RunEvent } from '../core/events';
import type { BackendKind, Message, Run, RunStep } from '../core/model';

/** A run as the chat shows it: the run, its steps, and the messages it produced. */
export interface RunView {
  run: Run;
  steps: RunStep[];
}

/** Something the chat should tell the user, with an optional command to fix it. */
export interface Notice {
  severity: 'info' | 'warning' | 'error';
  message: string;
  action?: { label: string; command: HostCommand };
}

/** Commands the webview may ask the host to run; nothing else is accepted. */
export type HostCommand = 'assistants.setApiKey' | 'assistants.newThread' | 'assistants.openSettings';

export interface ProviderView {
  backend: BackendKind;
  /** Human label: "OpenAI", "Azure OpenAI", "Fake server (offline)", or the base URL's host. */
  label: string;
  /** True when the extension talks to the project's fake server (`npm start -- --mock`). */
  mock: boolean;
  hasKey: boolean;
}

export interface ChatState {
  provider: ProviderView;
  assistant?: { id: string; name: string; model: string };
  thread?: { id: string; title: string };
  messages: Message[];
  /** Runs of this thread, keyed by run id, so steps show under the answer they led to. */
  runs: Record<string, RunView>;
  /** The run in progress, if any. */
  activeRunId?: string;
  notice?: Notice;
}

export type HostToWebview =
  /** The whole view state; sent on every `ready` (a hidden view loses its DOM). */
  | { type: 'state/full'; state: ChatState }
  | { type: 'run/event'; threadId: string; runId: string; event: RunEvent }
  | { type: 'message/added'; threadId: string; message: Message }
  | { type: 'notice/show'; notice: Notice }
  | { type: 'notice/clear' }
  /** The send was accepted (the composer may clear) or refused (the composer keeps its text). */
  | { type: 'send/result'; requestId: string; ok: boolean; error?: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'chat/send'; requestId: string; text: string }
  | { type: 'chat/stop' }
  | { type: 'command/run'; command: HostCommand };

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'chat/send' || type === 'chat/stop' || type === 'command/run';
}
