/**
 * The protocol between the host and the Compare panel's webview. Types and guards only; the
 * columns' chat traffic (`message/added`, `run/event`…) is the chat's own (`protocol.ts`), wrapped
 * with the column it belongs to, so the panel draws it with the chat's renderers, and its images
 * come through the chat's `file/read` request (requests.ts).
 */
import type { ColumnMetrics, Message, ReasoningEffort } from './model';
import type { ChatRequests, HostToWebview, RunView, WebviewToHost } from './protocol';
import { CHAT_REQUEST_PAYLOADS } from './protocol';
import type { PayloadGuards, ReplyMessage, RequestMessage } from './requests';
import { isRequestOf } from './requests';

/** A column's assistant and what it changes of it (the shape of `CompareVariant` in src/core/compare.ts). */
export interface CompareVariant {
  assistantId: string;
  model?: string;
  temperature?: number;
  reasoningEffort?: ReasoningEffort;
}

/** An assistant the panel offers for a column. */
export interface CompareAssistantOption {
  id: string;
  /** Its name, with where it lives when another assistant has that name ("Helper (workspace · helper.assistant.json)"). */
  name: string;
  /** Its own model (a column's model field shows it as the default). */
  model: string;
}

/** A column's thread as the panel draws it. */
export interface CompareColumnView {
  label: string;
  variant: CompareVariant;
  threadId?: string;
  messages: Message[];
  runs: Record<string, RunView>;
  activeRunId?: string;
  metrics: ColumnMetrics;
  error?: string;
  /** Its thread was kept in the Threads view. */
  kept?: boolean;
}

/** Everything the panel shows, sent when it loads and when a new comparison starts. */
export interface CompareState {
  assistants: CompareAssistantOption[];
  efforts: readonly ReasoningEffort[];
  /** The columns of the comparison under way, or, before the first question, the ones proposed. */
  columns: CompareColumnView[];
  /** The question asked, if one was. */
  question?: string;
  /** Workspace paths attached to the next question. */
  attachments: string[];
  running: boolean;
  /** A sentence for the whole panel (a refused question, a test case saved). */
  notice?: { severity: 'info' | 'error'; message: string };
}

/** What the panel asks of the host, each answered once: the chat's own `file/read`. */
export interface CompareRequests {
  'file/read': ChatRequests['file/read'];
}

const COMPARE_REQUEST_PAYLOADS: PayloadGuards<CompareRequests> = { 'file/read': CHAT_REQUEST_PAYLOADS['file/read'] };

export type HostToCompare =
  | { type: 'compare/state'; state: CompareState }
  /** One of the chat's own messages, for column `column`'s thread. */
  | { type: 'compare/chat'; column: number; message: Extract<HostToWebview, { type: 'message/added' | 'run/event' }> }
  /** Column `column`'s thread changed as a whole (it was made, or a retry took its last answer away). */
  | { type: 'compare/thread'; column: number; threadId?: string; messages: Message[]; runs: Record<string, RunView> }
  | { type: 'compare/metrics'; column: number; metrics: ColumnMetrics }
  | { type: 'compare/error'; column: number; message?: string }
  | { type: 'compare/kept'; column: number }
  | { type: 'compare/busy'; busy: boolean }
  | { type: 'compare/attachments'; attachments: string[] }
  | { type: 'compare/notice'; notice?: CompareState['notice'] }
  /** The answer to a request of the panel (`CompareRequests`). */
  | ReplyMessage;

/** The chat messages the panel sends as the chat does (images, code, cited files). */
export type CompareChatRequest = Extract<WebviewToHost, { type: 'file/save' | 'code/insert' | 'code/open' | 'file/open' }>;

export type CompareToHost =
  | { type: 'ready' }
  | { type: 'compare/ask'; variants: CompareVariant[]; text: string }
  | { type: 'compare/stop' }
  | { type: 'compare/retry'; column: number }
  | { type: 'compare/keep'; column: number }
  /** Opens column `column`'s kept thread in the chat. */
  | { type: 'compare/openKept'; column: number }
  | { type: 'compare/saveTest'; column: number }
  | { type: 'compare/attach' }
  | { type: 'compare/detach'; path: string }
  | CompareChatRequest
  /** A request of `CompareRequests`, answered by a `reply` with the same id. */
  | RequestMessage<CompareRequests>;

const CHAT_REQUESTS: ReadonlySet<string> = new Set(['file/save', 'code/insert', 'code/open', 'file/open']);

/** Whether a message from the panel is one the host takes (`isChatRequest` checks the chat's own kinds). */
export function isCompareToHost(value: unknown, isChatRequest: (value: unknown) => boolean): value is CompareToHost {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  const column = (): boolean => Number.isInteger(message.column) && (message.column as number) >= 0 && (message.column as number) < 4;
  switch (message.type) {
    case 'ready':
    case 'compare/stop':
    case 'compare/attach':
      return true;
    case 'compare/ask':
      return typeof message.text === 'string' && message.text.length <= 100_000 && Array.isArray(message.variants) && message.variants.length <= 4 && message.variants.every(isVariant);
    case 'compare/retry':
    case 'compare/keep':
    case 'compare/openKept':
    case 'compare/saveTest':
      return column();
    case 'compare/detach':
      return typeof message.path === 'string';
    case 'request':
      return isRequestOf(value, COMPARE_REQUEST_PAYLOADS);
    default:
      return typeof message.type === 'string' && CHAT_REQUESTS.has(message.type) && isChatRequest(value);
  }
}

function isVariant(value: unknown): value is CompareVariant {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.assistantId === 'string' &&
    (v.model === undefined || typeof v.model === 'string') &&
    (v.temperature === undefined || typeof v.temperature === 'number') &&
    (v.reasoningEffort === undefined || typeof v.reasoningEffort === 'string')
  );
}
