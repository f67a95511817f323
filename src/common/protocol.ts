/**
 * The one protocol between the extension host and the chat webview: the messages each side posts
 * (names are `area/verb`; each side dispatches with an exhaustive `switch` on `type`), and the
 * requests the page makes, each answered once (`ChatRequests`, through requests.ts). Both bundles
 * import it, neither pulls code from the other.
 */
import type { RunEvent } from './events';
import type { AttachmentTool, BackendKind, Message, Run, RunStep } from './model';
import type { PayloadGuards, ReplyMessage, RequestMessage } from './requests';
import { isRequestOf } from './requests';

/** A run as the chat shows it: the run, its steps, and the messages it produced. */
export interface RunView {
  run: Run;
  steps: RunStep[];
  /** The assistant that ran it (see `RunRecord.assistant`); absent while the host has not said. */
  assistant?: { id: string; name: string };
}

/** Something the chat should tell the user, with an optional command to fix it. */
export interface Notice {
  severity: 'info' | 'warning' | 'error';
  message: string;
  action?: { label: string; command: HostCommand };
}

/** Commands the webview may ask the host to run; nothing else is accepted. */
export const HOST_COMMANDS = [
  'assistants.setApiKey',
  'assistants.newThread',
  'assistants.openSettings',
  'assistants.selectAssistant',
  // The fixes for a server object that vanished (see `MissingObject`).
  'assistants.continueInNewThread',
  'assistants.removeKnowledgeStore',
  'assistants.reuploadAttachments',
  // The missing-secret notice of an MCP server (the host adds which secret).
  'assistants.setMcpSecret',
  // Show Problems of an active assistant whose file cannot run (the host adds which assistant).
  'assistants.editAssistant',
] as const;
export type HostCommand = (typeof HOST_COMMANDS)[number];

export interface ProviderView {
  backend: BackendKind;
  /** Human label: "OpenAI", "Azure OpenAI", "Fake server (offline)", or the base URL's host. */
  label: string;
  /** True when the extension talks to the project's fake server (`npm start -- --mock`). */
  mock: boolean;
  hasKey: boolean;
}

/** A function call waiting for the user's approval, as the chat shows it. */
export interface ApprovalView {
  callId: string;
  runId: string;
  name: string;
  /** The arguments as the model wrote them (JSON text). */
  arguments: string;
  /** True when the function changes files (or runs a command, which may). */
  writes: boolean;
  /** The VS Code command the call would run (a function its assistant's file binds to one). */
  command?: string;
  /** Only Allow once and Deny are offered (a command bound in the repository's assistant file asks every time). */
  onceOnly?: boolean;
  /** For a tool of an MCP server: the server's label (`name` is then the tool's own name). */
  server?: string;
  /** For a tool another extension registered with VS Code: its name there (`name` is the function's). */
  vscodeTool?: string;
  /**
   * A call of a run another window drives (two windows on one thread): that window answers it, so
   * this one shows it read-only, with no Allow or Deny (answering in both would run it twice).
   */
  elsewhere?: boolean;
}

/** A call of a custom function waiting for the user to type its output (the Playground's way). */
export interface OutputRequestView {
  callId: string;
  runId: string;
  name: string;
  /** The arguments as the model wrote them (JSON text). */
  arguments: string;
  /** What the user has typed so far (it outlives the page when the view is hidden). */
  draft: string;
}

/** A file attached to the next message: a chip in the composer. */
export interface AttachmentView {
  id: string;
  /** File name, and path relative to the workspace. */
  name: string;
  display: string;
  tool: AttachmentTool;
  /** `failed` chips stay, with `error`, until the user removes them: nothing is dropped silently. */
  status: 'uploading' | 'ready' | 'failed';
  error?: string;
}

/** The user's answer to an approval. */
export type ApprovalChoice = 'once' | 'thread' | 'deny';

/** A wait before the request that starts a run is sent again (a 429 on it, say): the run has no id yet. */
export interface WaitingView {
  /** 1 for the first retry. */
  attempt: number;
  reason: string;
  /** Milliseconds left to wait, as of when the message was posted. */
  waitMs: number;
}

/** The composer's text as one change left it; `seq` rises with every change (epoch ms or just above). */
export interface DraftView {
  text: string;
  seq: number;
}

export interface ChatState {
  provider: ProviderView;
  /**
   * The active assistant. `where`: where it lives ("helper.assistant.json · workspace"), given only
   * when another assistant has its name, so the header can tell the two apart.
   */
  assistant?: { id: string; name: string; model: string; where?: string };
  thread?: { id: string; title: string };
  messages: Message[];
  /** Runs of this thread, keyed by run id, so steps show under the answer they led to. */
  runs: Record<string, RunView>;
  /**
   * Where each assistant that ran one of this thread's answers lives ("helper.assistant.json ·
   * workspace"), keyed by assistant id, given only for one whose name another assistant shares:
   * two answers signed by one name are told apart.
   */
  runAssistantsWhere?: Record<string, string>;
  /** The run in progress, if any. */
  activeRunId?: string;
  /**
   * The host follows a run, with an id or not yet (its creation may be waiting to retry): with
   * `activeRunId`, what tells the page a run is under way.
   */
  busy?: boolean;
  notice?: Notice;
  /** Function calls waiting for the user's approval. */
  approvals?: ApprovalView[];
  /** Custom function calls waiting for the user's output. */
  outputRequests?: OutputRequestView[];
  /** Files attached to the next message. */
  attachments?: AttachmentView[];
  /**
   * The composer's unsent text as the host kept it (`draft/save`, cleared by an accepted send): it
   * outlives a window reload. The page takes it only when its own draft is older (a lower `seq`).
   */
  draft?: DraftView;
  /**
   * The additional instructions for the next runs (the composer's second field) as the host kept
   * them (`instructions/save`), for this workspace: they outlive a window reload. The page takes
   * them only when its own copy is older, as for `draft`.
   */
  instructions?: DraftView;
  /** The run being started waits to retry its creation; *Retry now* ends the wait. */
  waiting?: WaitingView;
  /**
   * The id of the thread's last question when no run answers it and none is going on (the window
   * closed between saving it and starting its run, say): the chat says so under it, with Retry.
   */
  unanswered?: string;
  /**
   * Why `unanswered` was never started, when this window saw its start fail (the server's refusal,
   * retries spent): its outcome line says it, in place of a notice, once.
   */
  unansweredReason?: string;
  /** The command that fixes `unansweredReason` (Set API Key for a key the server refused), offered on its outcome line. */
  unansweredFix?: Notice['action'];
  /** Prices per million tokens by model (`assistants.prices` over the built-in table), for cost estimates. */
  prices?: Record<string, ModelPrice>;
}

/** US dollars per million tokens; `cachedInput` defaults to `input`. */
export interface ModelPrice {
  input: number;
  cachedInput?: number;
  output: number;
}

/** A file the host can read for the page: on the server, or kept beside a thread (see `file/read`). */
export interface FileRefPayload {
  fileId: string;
  /** The code-interpreter container that holds the file. */
  containerId?: string;
  /** The thread an image kept beside it belongs to (`fileId` is then its stored-output URL, see `isStoredOutput`). */
  threadId?: string;
}

/** What the chat page asks of the host, each answered once (requests.ts): payload and reply by kind. */
export interface ChatRequests {
  /**
   * Sends a message; the reply says it was accepted (the composer may clear), a refusal says why
   * (the composer keeps its text). `instructions`: additional instructions for this run only.
   * `draftSeq`: the sequence number of the draft change this send makes (the composer emptied);
   * the host clears its draft with it once the message is accepted. `replaces`: Edit and resend,
   * the id of the thread's last question, which goes with its answer before this one is asked.
   */
  'chat/send': { payload: { text: string; instructions?: string; draftSeq?: number; replaces?: string }; reply: void };
  /**
   * Retry: the thread's last question runs again, without being added twice; what answered it goes.
   * Answered as `chat/send` is; the composer is not touched.
   */
  'chat/retry': { payload: { instructions?: string }; reply: void };
  /**
   * An image the assistant made (a code-interpreter figure, an `image_file` part), as a `data:` URL;
   * a refusal is the sentence saying why there is none. The host downloads it or reads it from the
   * workspace's storage: the webview never fetches anything itself.
   */
  'file/read': { payload: FileRefPayload; reply: { dataUrl: string } };
}

/** Checks of each request's payload: file requests reach the network and the disk. */
export const CHAT_REQUEST_PAYLOADS: PayloadGuards<ChatRequests> = {
  'chat/send': (payload): payload is ChatRequests['chat/send']['payload'] =>
    isRecord(payload) && typeof payload.text === 'string' && isOptionalString(payload.instructions) && (payload.draftSeq === undefined || isSeq(payload.draftSeq)) && isOptionalString(payload.replaces),
  'chat/retry': (payload): payload is ChatRequests['chat/retry']['payload'] => isRecord(payload) && isOptionalString(payload.instructions),
  'file/read': (payload): payload is FileRefPayload => isRecord(payload) && isFileRef(payload),
};

export type HostToWebview =
  /** The whole view state; sent on every `ready` (a hidden view loses its DOM). */
  | { type: 'state/full'; state: ChatState }
  | { type: 'run/event'; threadId: string; runId: string; event: RunEvent }
  | { type: 'message/added'; threadId: string; message: Message }
  | { type: 'notice/show'; notice: Notice }
  | { type: 'notice/clear' }
  /**
   * Whether the host is following a run. `busy: false` also ends a run the webview still thinks is
   * live (the driver gave up polling, or Stop's wait ran out): Send is usable again.
   */
  | { type: 'run/busy'; busy: boolean }
  /** The run being started waits before its request goes out again (`waiting`), or no longer does (none). */
  | { type: 'run/waiting'; threadId: string; waiting?: WaitingView }
  /** The answer to a request of the page (`ChatRequests`). */
  | ReplyMessage
  /** The function calls now waiting for approval (the whole list; empty when none waits). */
  | { type: 'approval/show'; approvals: ApprovalView[] }
  /** The custom function calls now waiting for the user's output (the whole list). */
  | { type: 'output/show'; requests: OutputRequestView[] }
  /** The files attached to the next message (the whole list). */
  | { type: 'attachments/show'; attachments: AttachmentView[] }
  /** Text for the composer (Ask Assistant About Selection): added at the end of what is typed, never sent by itself. */
  | { type: 'composer/insert'; text: string };

export type WebviewToHost =
  | { type: 'ready' }
  /** A request of `ChatRequests`, answered by a `reply` with the same id. */
  | RequestMessage<ChatRequests>
  /** A code block's text into the active editor, at the cursor (replacing a selection). */
  | { type: 'code/insert'; code: string }
  /** A code block's text in a new untitled editor, in its language when VS Code knows it. */
  | { type: 'code/open'; code: string; language?: string }
  /**
   * Opens the workspace file a file-search citation names (by file name; the server knows no paths),
   * at the cited passage when `quote` (the citation's quote, or the passage file search found in it) is found there.
   */
  | { type: 'file/open'; filename: string; quote?: string }
  /**
   * The composer's text, kept by the host too so it survives a window reload. `seq` rises with every
   * change (epoch milliseconds or just above): the host keeps the newest, and no write older than a
   * send's clear.
   */
  | { type: 'draft/save'; draft: string; seq: number }
  /** The additional instructions as typed (cleared to empty too), kept by the host as `draft/save` keeps the draft. */
  | { type: 'instructions/save'; instructions: string; seq: number }
  | { type: 'chat/stop' }
  /** Ends the wait before a retry (the 429 countdown) so the request goes out now. */
  | { type: 'run/retryNow' }
  | { type: 'command/run'; command: HostCommand }
  /** The user closed the notice: the host forgets it, so it does not come back with the next state. */
  | { type: 'notice/dismiss' }
  /**
   * Saves a file the assistant made into the workspace, through a save dialog. `dataUrl` carries
   * an image the server sent inline (no file to download; `fileId` then only names it); `threadId`
   * as for the `file/read` request.
   */
  | { type: 'file/save'; fileId: string; containerId?: string; threadId?: string; filename?: string; dataUrl?: string }
  /** The user's answer to the approval of the call `callId`. */
  | { type: 'approval/answer'; callId: string; choice: ApprovalChoice }
  /** The output the user typed for a custom function call, submitted as the run's tool output. */
  | { type: 'output/submit'; callId: string; output: string }
  /** What the user has typed so far for a custom function call, kept by the host. */
  | { type: 'output/draft'; callId: string; draft: string }
  /** Send to Another Assistant, for the message `messageId` of the thread `threadId` (the host asks which assistant and thread). */
  | { type: 'message/forward'; threadId: string; messageId: string }
  /** Fork from Here: a new thread with the messages of `threadId` up to `messageId` (the host asks for which assistant). */
  | { type: 'message/fork'; threadId: string; messageId: string }
  | { type: 'attachment/remove'; id: string }
  /** Switches an attached file between file search and the code interpreter. */
  | { type: 'attachment/tool'; id: string; tool: AttachmentTool };

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
    case 'chat/stop':
    case 'run/retryNow':
    case 'notice/dismiss':
      return true;
    case 'request':
      return isRequestOf(message, CHAT_REQUEST_PAYLOADS);
    case 'code/insert':
      return typeof message.code === 'string';
    case 'code/open':
      return typeof message.code === 'string' && isOptionalString(message.language);
    case 'file/open':
      return typeof message.filename === 'string' && message.filename.length > 0 && isOptionalString(message.quote);
    case 'draft/save':
      return typeof message.draft === 'string' && isSeq(message.seq);
    case 'instructions/save':
      return typeof message.instructions === 'string' && isSeq(message.seq);
    case 'command/run':
      return (HOST_COMMANDS as readonly unknown[]).includes(message.command);
    case 'file/save':
      return isFileRef(message) && isOptionalString(message.filename) && isOptionalString(message.dataUrl);
    case 'approval/answer':
      return typeof message.callId === 'string' && (APPROVAL_CHOICES as readonly unknown[]).includes(message.choice);
    case 'output/submit':
      return typeof message.callId === 'string' && typeof message.output === 'string';
    case 'output/draft':
      return typeof message.callId === 'string' && typeof message.draft === 'string';
    case 'message/forward':
    case 'message/fork':
      return typeof message.threadId === 'string' && message.threadId.length > 0 && typeof message.messageId === 'string' && message.messageId.length > 0;
    case 'attachment/remove':
      return typeof message.id === 'string';
    case 'attachment/tool':
      return typeof message.id === 'string' && (message.tool === 'file_search' || message.tool === 'code_interpreter');
    default:
      return false;
  }
}

const APPROVAL_CHOICES: readonly ApprovalChoice[] = ['once', 'thread', 'deny'];

/** File messages reach the network and the disk: check their fields, not just their type. */
function isFileRef(message: Record<string, unknown>): boolean {
  return typeof message.fileId === 'string' && message.fileId.length > 0 && isOptionalString(message.containerId) && isOptionalString(message.threadId);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isSeq(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}
