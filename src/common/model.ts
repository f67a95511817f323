/**
 * The domain model, in the vocabulary of the Assistants API ("the seeds"): assistants, threads,
 * messages, runs and run steps. Both backends translate their wire objects into these types, so
 * everything above `src/backends` speaks one language whichever protocol is underneath.
 */

/** A JSON Schema object, as used for function parameters and structured output. */
export type JsonSchema = { [key: string]: unknown };

export interface FunctionDefinition {
  name: string;
  description?: string;
  parameters?: JsonSchema;
  /** Whether the model must follow `parameters` exactly (structured outputs). */
  strict?: boolean;
}

export type ToolDefinition =
  | { type: 'file_search'; maxNumResults?: number }
  | { type: 'code_interpreter' }
  /**
   * `command`: a VS Code command id the assistant's file binds the function to (`x-vscode.command`);
   * never sent to a server, which knows only `function`.
   */
  | { type: 'function'; function: FunctionDefinition; command?: string }
  | McpServerTool;

/**
 * Which of an MCP server's tools a rule names (Responses `MCPToolFilter`): by name, and/or those the
 * server marks read-only (`readOnlyHint`). Both given: a tool must match both.
 */
export interface McpToolFilter {
  toolNames?: string[];
  readOnly?: boolean;
}

/** Which tools ask the user before they run: all (`always`), none (`never`), or by filter. */
export type McpApprovalSetting = 'always' | 'never' | { always?: McpToolFilter; never?: McpToolFilter };

/**
 * The tools of an MCP server. Without `local`, a remote server the Responses server reaches itself
 * (the hosted `mcp` tool: `serverUrl` or `connectorId`). With `local`, a server this extension starts
 * (stdio) or reaches (HTTP, at `serverUrl`) and whose tools it offers to the model as functions, on
 * either protocol. `headers` values may hold secret references (`${secret:name}`), resolved just
 * before a request and never written back.
 */
export interface McpServerTool {
  type: 'mcp';
  serverLabel: string;
  serverUrl?: string;
  connectorId?: string;
  serverDescription?: string;
  /** Only these tools are offered (all when absent). */
  allowedTools?: string[] | McpToolFilter;
  requireApproval?: McpApprovalSetting;
  headers?: Record<string, string>;
  /** A secret reference for the OAuth token the hosted tool sends (`authorization`). */
  authorization?: string;
  local?: LocalMcpServer;
}

/** How the extension runs or reaches a local MCP server (the file's `x-vscode`, or a server of VS Code's MCP configuration). */
export type LocalMcpServer =
  /**
   * `cwd` is relative to the assistant file's workspace folder (or absolute); `env` adds to the
   * extension's environment, over what `envFile` (absolute; a dotenv file, from VS Code's MCP
   * configuration only) holds.
   */
  | { transport: 'stdio'; command: string; args?: string[]; env?: Record<string, string>; cwd?: string; envFile?: string }
  /** Streamable HTTP at the tool's `serverUrl`, with its `headers`. */
  | { transport: 'http' }
  /** The older HTTP+SSE transport at the tool's `serverUrl` (VS Code's MCP configuration only). */
  | { transport: 'sse' };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonSchema; strict?: boolean; description?: string };

/** How hard a reasoning model thinks before it answers (`reasoning.effort` in Responses, `reasoning_effort` in Assistants v2). */
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

export interface ToolResources {
  fileSearch?: { vectorStoreIds: string[] };
  codeInterpreter?: { fileIds: string[] };
}

export interface Assistant {
  id: string;
  name: string;
  description?: string;
  instructions?: string;
  model: string;
  tools: ToolDefinition[];
  toolResources?: ToolResources;
  temperature?: number;
  topP?: number;
  responseFormat?: ResponseFormat;
  reasoningEffort?: ReasoningEffort;
  metadata?: Record<string, string>;
  /** Unix seconds. */
  createdAt: number;
}

/** An assistant's fields before a store gives it an id and a creation time. */
export type AssistantDraft = Omit<Assistant, 'id' | 'createdAt'>;

/** Which wire protocol a remote object belongs to. */
export type BackendKind = 'responses' | 'assistantsV2';

export interface Thread {
  /** Local id: the key of the thread's file in the workspace store. */
  id: string;
  title: string;
  /** Unix seconds. */
  createdAt: number;
  updatedAt: number;
  /**
   * The server-side thread (a conversation for Responses, a thread for Assistants v2). Absent when
   * the server has no conversations: the history is then kept locally and sent as input.
   */
  remoteId?: string;
  backend: BackendKind;
  assistantId?: string;
  /**
   * The model this thread's runs use in place of their assistant's (a fork made with another
   * model); absent: the assistant's.
   */
  model?: string;
  metadata?: Record<string, string>;
}

/**
 * A file the assistant made on the server (a code-interpreter figure or file: an `image_file` part, a
 * `file_path` citation, a container file), as its thread keeps it. Files in a code-interpreter
 * container expire with it (about 20 minutes idle), so each is downloaded once, when its step or
 * message completes, into the thread's outputs folder, and shown, saved and exported from there.
 */
export interface KeptFile {
  /** The stored output holding its bytes (`isStoredOutput`), once kept. */
  url?: string;
  /** The name the model gave it (`chart.png`, `x.csv`), without folders: what Save suggests. */
  filename?: string;
  /** Its size in bytes, once kept. */
  bytes?: number;
  /** Why it is not kept, as one sentence; set once that is final (nothing will try again). */
  error?: string;
  /** Downloads that failed so far: the first failure is tried once more, later. */
  failures?: number;
}

export type Annotation =
  | { type: 'file_citation'; text?: string; fileId: string; filename?: string; quote?: string; startIndex?: number; endIndex?: number }
  /** `text`: the span it annotates, e.g. `sandbox:/mnt/data/x.csv` (Assistants v2); `kept`: see `KeptFile`. */
  | { type: 'file_path'; text?: string; fileId: string; containerId?: string; filename?: string; startIndex?: number; endIndex?: number; kept?: KeptFile }
  | { type: 'url_citation'; url: string; title?: string; startIndex?: number; endIndex?: number };

export type MessageContent =
  | { type: 'text'; text: string; annotations: Annotation[] }
  | { type: 'image_file'; fileId: string; containerId?: string; kept?: KeptFile }
  /** `url`: a web or `data:` URL, or once saved a stored output (`isStoredOutput`) in place of a `data:` URL. */
  | { type: 'image_url'; url: string };

/** The text parts of a message, one per line (images and files left out). */
export function textOf(content: MessageContent[]): string {
  return content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

/** How the `url` of an image kept beside its thread begins (see `isStoredOutput`). */
export const STORED_OUTPUT_PREFIX = 'stored-output:';

/**
 * Whether `url` names an output the thread store keeps in a file beside the thread, by content hash
 * (`stored-output:<sha256 hex>.<ext>`, the extension lower-case letters and digits): an image the
 * server sent inline (in place of its `data:` URL), or a server file kept (`KeptFile.url`). The
 * chat asks the host for its bytes.
 */
export function isStoredOutput(url: string): boolean {
  return /^stored-output:[0-9a-f]{64}\.[a-z0-9]{1,8}$/.test(url);
}

/**
 * Whether `url` is a stored output (`isStoredOutput`) holding an image the chat may draw: PNG, JPEG,
 * GIF or WebP by its extension (SVG is a document that can carry script, and is never drawn). The
 * chat asks the host for its bytes and never puts this URL on an element.
 */
export function isStoredImage(url: string): boolean {
  return isStoredOutput(url) && /\.(?:png|jpg|gif|webp)$/.test(url);
}

export type AttachmentTool = 'file_search' | 'code_interpreter';

/** A file attached to a message, made available to the named tools. */
export interface Attachment {
  fileId: string;
  filename?: string;
  tools: AttachmentTool[];
}

export type MessageRole = 'user' | 'assistant';
export type MessageStatus = 'in_progress' | 'completed' | 'incomplete';

export interface Message {
  id: string;
  role: MessageRole;
  content: MessageContent[];
  attachments?: Attachment[];
  /** Unix seconds. */
  createdAt: number;
  runId?: string;
  status?: MessageStatus;
}

export type RunStatus =
  | 'queued'
  | 'in_progress'
  | 'requires_action'
  | 'cancelling'
  | 'cancelled'
  | 'failed'
  | 'completed'
  | 'incomplete'
  | 'expired';

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['cancelled', 'failed', 'completed', 'incomplete', 'expired'];

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.includes(status);
}

export interface Usage {
  /** Input tokens, cached ones included. */
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Input tokens served from the prompt cache (Responses `input_tokens_details.cached_tokens`), when reported. */
  cachedTokens?: number;
}

/** What a Compare column measured of its last question's run. Times are milliseconds from the question being asked. */
export interface ColumnMetrics {
  /** Time to first token: the first text delta (or the first answer text, when the run is polled). */
  firstTokenMs?: number;
  /** Time to completion: the run reached an end (completed, failed, cancelled…). */
  completedMs?: number;
  /** The run's status when it ended. */
  status?: string;
  /** The run's tokens, as the server last reported them. */
  usage?: Usage;
  /** The model the server says answered (else the variant's). */
  model?: string;
  /** US dollars at the price of `model`; absent when no price is known for it or no usage came. */
  cost?: number;
}

/**
 * A function call the run is waiting on (status `requires_action`); or, under Responses, a hosted
 * MCP server's tool call the server asks the user to approve (`mcp_approval_request`): its `callId`
 * is then `mcpApprovalCallId(request id)` and `server` names the server.
 */
export interface FunctionCallRequest {
  /** The id tool outputs must answer (`call_id` in Responses, tool call id in Assistants v2). */
  callId: string;
  /** Set for an approval request of a hosted MCP server: its label. */
  server?: string;
  name: string;
  /** JSON text, as the model produced it. */
  arguments: string;
}

export interface ToolOutput {
  callId: string;
  output: string;
  /**
   * The answer to a hosted MCP server's approval request (sent as `mcp_approval_response`); an
   * output without it answers such a request with a denial.
   */
  approve?: boolean;
}

const MCP_APPROVAL_PREFIX = 'mcp_approval:';

/** The call id a hosted MCP approval request is answered by: its item id behind a prefix no function call id of a server starts with. */
export function mcpApprovalCallId(requestId: string): string {
  return `${MCP_APPROVAL_PREFIX}${requestId}`;
}

/** The approval request a call id answers, when it is one (`mcpApprovalCallId`). */
export function mcpApprovalRequestId(callId: string): string | undefined {
  return callId.startsWith(MCP_APPROVAL_PREFIX) ? callId.slice(MCP_APPROVAL_PREFIX.length) : undefined;
}

/**
 * A server object a request or a run named that the server no longer has (deleted, or expired):
 * the thread's conversation (or Assistants v2 thread), a vector store, or a file. The UI offers the
 * fix for each: a new thread carrying the history, removing the store from the assistant, re-uploading.
 */
export interface MissingObject {
  object: 'thread' | 'vector_store' | 'file';
  /** The id the server was asked for. */
  id: string;
}

export interface RunError {
  code: string;
  message: string;
  /** The object the run failed for lacking, when its error names one (the message then says the fix). */
  missing?: MissingObject;
}

export interface Run {
  id: string;
  threadId: string;
  assistantId: string;
  status: RunStatus;
  model?: string;
  /** Per-run instructions that override the assistant's. */
  instructions?: string;
  usage?: Usage;
  lastError?: RunError;
  incompleteReason?: string;
  requiredAction?: { toolCalls: FunctionCallRequest[] };
  /** Unix seconds. */
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
}

export interface FileSearchResult {
  fileId: string;
  filename?: string;
  score?: number;
  text?: string;
}

export type CodeInterpreterOutput =
  | { type: 'logs'; logs: string }
  | {
      type: 'image';
      /** The file to download (with `containerId` for a container file); a synthetic `inline-<index>` key, naming no file, when only `url` came. */
      fileId: string;
      containerId?: string;
      /**
       * An inline image the server sent, e.g. a data URL, when it gave no file; once saved, a
       * stored output (`isStoredOutput`).
       */
      url?: string;
      /**
       * The server file (`fileId`) as the thread keeps it, when it named one; for an image sent
       * inline, only the `filename` of the file the run cited with the very same bytes.
       */
      kept?: KeptFile;
    };

export type ToolCall =
  | { type: 'function'; id: string; name: string; arguments: string; output?: string }
  | { type: 'file_search'; id: string; queries?: string[]; results?: FileSearchResult[] }
  | { type: 'code_interpreter'; id: string; input: string; outputs: CodeInterpreterOutput[]; containerId?: string }
  /** The tools a hosted MCP server offered (`mcp_list_tools`); `error`: why it could not list them, as a sentence. */
  | { type: 'mcp_list_tools'; id: string; serverLabel: string; tools: { name: string; description?: string }[]; error?: string }
  /**
   * A hosted MCP server's tool call (`mcp_call`), or its request for approval (`approval`, id the
   * approval call id, `mcpApprovalCallId`): `output` once it ran (or, for a request, once the user
   * answered), `error` as a sentence when it failed.
   */
  | { type: 'mcp'; id: string; serverLabel: string; name: string; arguments: string; output?: string; error?: string; approval?: boolean };

export type RunStepStatus = 'in_progress' | 'completed' | 'failed' | 'cancelled' | 'expired';

export type RunStepDetails =
  | { type: 'message_creation'; messageId: string }
  | { type: 'tool_calls'; toolCalls: ToolCall[] }
  | { type: 'reasoning'; summary: string };

export interface RunStep {
  id: string;
  runId: string;
  status: RunStepStatus;
  details: RunStepDetails;
  /** Unix seconds. */
  createdAt: number;
  completedAt?: number;
}
