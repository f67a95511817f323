import type { RunEvent } from './events';
import type {
  Assistant,
  Attachment,
  BackendKind,
  FunctionCallRequest,
  Message,
  MessageContent,
  Run,
  RunStep,
  Thread,
  ToolOutput,
  Usage,
} from './model';

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

export interface NewMessage {
  content: MessageContent[];
  attachments?: Attachment[];
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

export interface FileObject {
  id: string;
  filename: string;
  bytes: number;
  purpose: string;
  createdAt: number;
  status?: 'uploaded' | 'processed' | 'error';
}

export type FilePurpose = 'assistants' | 'user_data';

export interface VectorStore {
  id: string;
  name: string;
  status: 'expired' | 'in_progress' | 'completed';
  fileCounts: { inProgress: number; completed: number; failed: number; cancelled: number; total: number };
  createdAt: number;
}

export type AssistantDraft = Omit<Assistant, 'id' | 'createdAt'>;

/** Files, vector stores and models: the same for both protocols. Every method throws `AssistantsError`. */
export interface FileOperations {
  uploadFile(name: string, data: Uint8Array, purpose: FilePurpose, signal?: AbortSignal): Promise<FileObject>;
  listFiles(signal?: AbortSignal): Promise<FileObject[]>;
  deleteFile(id: string, signal?: AbortSignal): Promise<void>;
  /** A file's bytes; `containerId` for files a code interpreter made (Responses). */
  fileContent(id: string, containerId?: string, signal?: AbortSignal): Promise<Uint8Array>;
  createVectorStore(name: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore>;
  /** Adds files in batches and resolves once the server has processed them. */
  addVectorStoreFiles(vectorStoreId: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore>;
  listVectorStores(signal?: AbortSignal): Promise<VectorStore[]>;
  deleteVectorStore(id: string, signal?: AbortSignal): Promise<void>;
  listModels(signal?: AbortSignal): Promise<string[]>;
}

/**
 * The port both adapters implement. The run driver and the services above it use nothing else,
 * so Responses and Assistants v2 are interchangeable. Every method throws `AssistantsError`.
 */
export interface Backend extends FileOperations {
  readonly kind: BackendKind;

  // Assistants: the extension's own store for Responses, server objects for Assistants v2.
  listAssistants(signal?: AbortSignal): Promise<Assistant[]>;
  createAssistant(draft: AssistantDraft, signal?: AbortSignal): Promise<Assistant>;
  updateAssistant(id: string, draft: AssistantDraft, signal?: AbortSignal): Promise<Assistant>;
  deleteAssistant(id: string, signal?: AbortSignal): Promise<void>;

  // Threads and messages.
  /** Creates the server-side thread; `remoteId` is absent when the server keeps no conversations. */
  createThread(signal?: AbortSignal): Promise<{ remoteId?: string }>;
  deleteThread(thread: Thread, signal?: AbortSignal): Promise<void>;
  /** Adds a user message to the server-side thread (a no-op without one) and returns it. */
  addMessage(thread: Thread, message: NewMessage, signal?: AbortSignal): Promise<Message>;

  // Runs.
  /**
   * Starts or continues a run and streams its events. The first event is `run.updated` with the
   * run's id, so a dropped stream can be resumed by polling. Throws `AssistantsError` of kind
   * `unsupported` when the server cannot stream; the driver then uses `create`.
   */
  stream(action: RunAction, signal?: AbortSignal): AsyncIterable<RunEvent>;
  /** Starts or continues a run without streaming (background); poll it with `retrieve`. */
  create(action: RunAction, signal?: AbortSignal): Promise<RunSnapshot>;
  retrieve(ref: RunRef, signal?: AbortSignal): Promise<RunSnapshot>;
  /** Asks the server to cancel; the run reaches a terminal status later. */
  cancel(ref: RunRef, signal?: AbortSignal): Promise<void>;
}

/**
 * Answers the function calls of a run in `requires_action`. The workspace-functions layer plugs in
 * here (with approval); several calls of one step are answered together.
 */
export interface ToolHandler {
  handle(calls: FunctionCallRequest[], context: { run: Run; signal: AbortSignal }): Promise<ToolOutput[]>;
}
