import type {
  ResponseCreateParamsBase,
  ResponseIncludable,
  ResponseInputItem,
  ResponseTextConfig,
  Tool,
} from 'openai/resources/responses/responses';
import { readsWhole } from '../../core/attachments/inputFiles';
import type { RunAction } from '../../core/runAction';
import type { Assistant, Attachment, McpServerTool, Message, ResponseFormat, ToolOutput } from '../../common/model';
import { mcpApiFields } from '../../core/assistants/assistantFile';
import { mcpApprovalRequestId, textOf } from '../../common/model';
import { ASSISTANT_ID_KEY } from './mapping';

/** What the backend resolved for this request: where the thread lives and the attachments' knowledge. */
export interface RequestContext {
  /** The conversation, when the server keeps one for this thread. */
  conversationId?: string;
  /** Vector stores built from the thread's file_search attachments. */
  attachmentVectorStoreIds: string[];
}

/**
 * The body of `POST /responses` for a run action, without `stream`/`background` (the caller picks).
 * With a conversation the server already holds the history; without one the local history (start)
 * or the previous response (tool outputs) carries the context.
 */
export function buildResponseParams(action: RunAction, context: RequestContext): ResponseCreateParamsBase {
  const assistant = action.assistant;
  const tools = buildTools(assistant, action.history, context.attachmentVectorStoreIds);
  const include: ResponseIncludable[] = [];
  if (tools.some((tool) => tool.type === 'file_search')) {
    include.push('file_search_call.results');
  }
  if (tools.some((tool) => tool.type === 'code_interpreter')) {
    include.push('code_interpreter_call.outputs');
  }
  const instructions = action.kind === 'start' ? (action.instructions ?? assistant.instructions) : assistant.instructions;
  const params: ResponseCreateParamsBase = {
    model: assistant.model,
    store: true,
    truncation: 'auto',
    metadata: { [ASSISTANT_ID_KEY]: assistant.id },
    ...(instructions ? { instructions } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(include.length > 0 ? { include } : {}),
    ...(assistant.temperature !== undefined ? { temperature: assistant.temperature } : {}),
    ...(assistant.topP !== undefined ? { top_p: assistant.topP } : {}),
    ...(assistant.responseFormat ? { text: textConfig(assistant.responseFormat) } : {}),
    ...(assistant.reasoningEffort ? { reasoning: { effort: assistant.reasoningEffort } } : {}),
  };
  if (action.kind === 'start') {
    if (context.conversationId) {
      params.conversation = context.conversationId;
    } else {
      params.input = historyInput(action.history);
    }
    return params;
  }
  const outputs: ResponseInputItem[] = action.outputs.map(outputItem);
  if (context.conversationId) {
    params.conversation = context.conversationId;
  } else {
    params.previous_response_id = action.ref.cursor ?? action.ref.runId;
  }
  params.input = outputs;
  return params;
}

function buildTools(assistant: Assistant, history: Message[], attachmentStores: string[]): Tool[] {
  const tools: Tool[] = [];
  const codeFiles = new Set(assistant.toolResources?.codeInterpreter?.fileIds ?? []);
  for (const attachment of history.flatMap((message) => message.attachments ?? [])) {
    if (attachment.tools.includes('code_interpreter')) {
      codeFiles.add(attachment.fileId);
    }
  }
  const stores = [...new Set([...(assistant.toolResources?.fileSearch?.vectorStoreIds ?? []), ...attachmentStores])];
  const wantsFileSearch = assistant.tools.some((tool) => tool.type === 'file_search') || attachmentStores.length > 0;
  const wantsCode = assistant.tools.some((tool) => tool.type === 'code_interpreter') || codeFiles.size > 0;
  for (const tool of assistant.tools) {
    // A local server's tools reach the model as functions (run additions); only a hosted one is the server's to call.
    if (tool.type === 'mcp' && !tool.local) tools.push(hostedMcpTool(tool));
    if (tool.type === 'function') {
      tools.push({
        type: 'function',
        name: tool.function.name,
        parameters: tool.function.parameters ?? { type: 'object', properties: {} },
        strict: tool.function.strict ?? false,
        ...(tool.function.description ? { description: tool.function.description } : {}),
      });
    }
  }
  // file_search needs at least one vector store to search; without one the tool is left out.
  if (wantsFileSearch && stores.length > 0) {
    const maxNumResults = assistant.tools.find((tool) => tool.type === 'file_search')?.maxNumResults;
    tools.push({ type: 'file_search', vector_store_ids: stores, ...(maxNumResults !== undefined ? { max_num_results: maxNumResults } : {}) });
  }
  if (wantsCode) {
    tools.push({ type: 'code_interpreter', container: { type: 'auto', file_ids: [...codeFiles] } });
  }
  return tools;
}

/**
 * An answer to the run's wait: a function's output, or the user's approval of a hosted MCP server's
 * call (any output without `approve`, such as a timeout's, denies it).
 */
function outputItem(output: ToolOutput): ResponseInputItem {
  const requestId = mcpApprovalRequestId(output.callId);
  if (requestId === undefined) return { type: 'function_call_output', call_id: output.callId, output: output.output };
  return { type: 'mcp_approval_response', approval_request_id: requestId, approve: output.approve === true, ...(output.approve === true ? {} : { reason: output.output.slice(0, 500) }) };
}

/**
 * The hosted `mcp` tool, as `MCPTool`. Its headers and authorization are the resolved ones: the
 * host puts each secret in place just before the run (see `resolveMcpSecrets`).
 */
function hostedMcpTool(tool: McpServerTool): Tool {
  const { connector_id: connectorId, ...fields } = mcpApiFields(tool);
  return {
    ...fields,
    ...(connectorId !== undefined ? { connector_id: connectorId as NonNullable<Extract<Tool, { type: 'mcp' }>['connector_id']> } : {}),
    ...(tool.headers && Object.keys(tool.headers).length > 0 ? { headers: tool.headers } : {}),
  };
}

/** The file ids of the thread's attachments meant for file_search (PDFs excepted: the model reads those whole). */
export function fileSearchAttachments(history: Message[]): string[] {
  return [...new Set(history.flatMap((message) => (message.attachments ?? []).filter((a) => a.tools.includes('file_search') && !readWhole(a)).map((a) => a.fileId)))];
}

/**
 * Whether the model gets an attachment whole, as an `input_file` part of its message, rather than
 * through a vector store: PDFs attached for file search, whose pages the model then reads as text
 * and as images (figures, scans), which file search cannot show it (`readsWhole`, which uploads
 * follow too).
 */
export function readWhole(attachment: Attachment): boolean {
  return readsWhole(attachment.tools, attachment.filename);
}

/**
 * A user message as an input item: plain text, or, when it carries attachments the model reads
 * whole, its text followed by an `input_file` part for each.
 */
export function userMessageItem(text: string, attachments: readonly Attachment[] = []): ResponseInputItem {
  const files = attachments.filter(readWhole);
  if (files.length === 0) return textMessageItem('user', text);
  return {
    type: 'message',
    role: 'user',
    content: [{ type: 'input_text', text }, ...files.map((file) => ({ type: 'input_file' as const, file_id: file.fileId }))],
  };
}

/**
 * A text message as an input item. The content is a plain string on purpose: as a list of parts
 * the item matches two of the spec's `oneOf` input-item shapes at once (`EasyInputMessage` and
 * `InputMessage`), which a validating server may refuse; only a message with files needs parts.
 */
export function textMessageItem(role: 'user' | 'assistant', text: string): ResponseInputItem {
  return { type: 'message', role, content: text };
}

function historyInput(history: Message[]): ResponseInputItem[] {
  const items: ResponseInputItem[] = [];
  for (const message of history) {
    const text = textOf(message.content);
    if (text === '') {
      continue;
    }
    items.push(message.role === 'user' ? userMessageItem(text, message.attachments) : textMessageItem(message.role, text));
  }
  return items;
}

function textConfig(format: ResponseFormat): ResponseTextConfig {
  switch (format.type) {
    case 'text':
    case 'json_object':
      return { format: { type: format.type } };
    case 'json_schema':
      return {
        format: {
          type: 'json_schema',
          name: format.name,
          schema: format.schema,
          ...(format.strict !== undefined ? { strict: format.strict } : {}),
          ...(format.description ? { description: format.description } : {}),
        },
      };
  }
}
