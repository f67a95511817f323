import type {
  Response,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputText,
} from 'openai/resources/responses/responses';
import type { RunRef, RunSnapshot } from '../../common/runRef';
import { mcpCallErrorSentence, mcpListErrorSentence } from '../../core/mcp/errors';
import { mcpApprovalCallId } from '../../common/model';
import { wellFormedItem, wellFormedPart, wellFormedResponse } from './wellFormed';
import { runErrorOf } from '../errorMapping';
import type {
  Annotation,
  CodeInterpreterOutput,
  FunctionCallRequest,
  Message,
  MessageContent,
  Run,
  RunStatus,
  RunStep,
  RunStepStatus,
  ToolCall,
  Usage,
} from '../../common/model';

/** Metadata key under which a response remembers which assistant ran it. */
export const ASSISTANT_ID_KEY = 'assistant_id';

/** What a response alone does not say: which run (first response) it continues, and where it lives. */
export interface RunContext {
  ref: RunRef;
  assistantId: string;
}

/**
 * A response seen as a run. A response that finished by asking for function calls is a run in
 * `requires_action`; its id stays the id of the first response of the run.
 */
export function toSnapshot(received: Response, context: RunContext): RunSnapshot {
  // Holes a server left in `output` (null items) and fields of the wrong type carry nothing to show.
  const formed = withOutput(received);
  // Named by its place on the wire where it came without an id, as its stream events name it.
  const response: Response = { ...formed, output: formed.output.flatMap((item, index) => (item ? [withItemId(item, index, formed)] : [])) };
  const runId = context.ref.runId;
  const calls = pendingCalls(response);
  const status = runStatus(response, calls.length > 0);
  const run: Run = {
    id: runId,
    threadId: response.conversation?.id ?? context.ref.remoteThreadId ?? '',
    assistantId: response.metadata?.[ASSISTANT_ID_KEY] ?? context.assistantId,
    status,
    model: response.model,
    createdAt: response.created_at,
    ...(typeof response.instructions === 'string' ? { instructions: response.instructions } : {}),
    ...(response.usage ? { usage: toUsage(response.usage) } : {}),
    ...(response.error ? { lastError: runErrorOf(response.error.code, response.error.message) } : {}),
    ...(response.incomplete_details?.reason ? { incompleteReason: response.incomplete_details.reason } : {}),
    ...(status === 'requires_action' ? { requiredAction: { toolCalls: calls } } : {}),
    ...(status !== 'queued' ? { startedAt: response.created_at } : {}),
    ...(typeof response.completed_at === 'number' ? { completedAt: response.completed_at } : {}),
  };
  const steps: RunStep[] = [];
  const messages: Message[] = [];
  for (const item of response.output) {
    const step = toStep(item, runId, response);
    if (step) {
      steps.push(step);
    }
    if (item.type === 'message') {
      messages.push(toMessage(item, runId, response.created_at));
    }
  }
  // A response sent without its id (a proxy's rewrite) is still the one asked for.
  return { run, ref: { ...context.ref, cursor: response.id || context.ref.cursor || runId }, steps, messages };
}

/**
 * A response read field by field (see `wellFormedResponse`): `output` always a list of items whose
 * fields are of their types, whatever a server left out (some leave `output` out of
 * `response.created` or `response.completed`, the items having come as their own events) or sent
 * amiss.
 */
export function withOutput(response: unknown): Response {
  return wellFormedResponse(response);
}

/** An output item read field by field (see `wellFormedItem`); undefined for what is no item. */
export function withContent(item: unknown): ResponseOutputItem | undefined {
  return wellFormedItem(item);
}

/** A content part read field by field (see `wellFormedPart`); undefined for a part the chat does not show. */
export function withAnnotations(part: unknown): ResponseOutputMessage['content'][number] | undefined {
  return wellFormedPart(part);
}

/** The item with an id: one a server sent without it is named by its place in the response. */
export function withItemId<T extends ResponseOutputItem>(item: T, index: number, response: Pick<Response, 'id'>): T {
  return item.id ? item : { ...item, id: `${response.id || 'response'}_item_${index}` };
}

export function toUsage(usage: NonNullable<Response['usage']>): Usage {
  const cached = usage.input_tokens_details?.cached_tokens;
  return { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, totalTokens: usage.total_tokens, ...(typeof cached === 'number' ? { cachedTokens: cached } : {}) };
}

function runStatus(response: Response, waitingForCalls: boolean): RunStatus {
  switch (response.status) {
    case 'completed':
      return waitingForCalls ? 'requires_action' : 'completed';
    case 'failed':
    case 'incomplete':
    case 'cancelled':
    case 'queued':
    case 'in_progress':
      return response.status;
    default:
      return 'in_progress';
  }
}

/**
 * Function calls not followed by a final message: the model waits for their outputs. Then the
 * hosted MCP servers' approval requests no call of this response answered: the server waits for
 * the user's approval (`mcp_approval_response`).
 */
function pendingCalls(response: Response): FunctionCallRequest[] {
  const output = response.output;
  const lastCall = output.map((item) => item.type).lastIndexOf('function_call');
  const calls: FunctionCallRequest[] =
    lastCall === -1 || output.slice(lastCall).some((item) => item.type === 'message')
      ? []
      : output.flatMap((item) => (item.type === 'function_call' ? [{ callId: item.call_id, name: item.name, arguments: item.arguments }] : []));
  const answered = new Set(output.flatMap((item) => (item.type === 'mcp_call' && item.approval_request_id ? [item.approval_request_id] : [])));
  const approvals = output.flatMap((item) =>
    item.type === 'mcp_approval_request' && !answered.has(item.id) ? [{ callId: mcpApprovalCallId(item.id), name: item.name, arguments: item.arguments, server: item.server_label }] : [],
  );
  return [...calls, ...approvals];
}

/**
 * An output item as the run step it is (undefined for items shown as none), read against its
 * response: `created_at` is the step's time, and an item without a status is in progress only while
 * the response is.
 */
export function toStep(item: ResponseOutputItem, runId: string, response: Response): RunStep | undefined {
  const base = { runId, createdAt: response.created_at };
  const status = stepStatus('status' in item ? (item.status ?? undefined) : undefined, response);
  switch (item.type) {
    case 'message':
      return { ...base, id: `step_${item.id}`, status, details: { type: 'message_creation', messageId: item.id } };
    case 'function_call':
      return { ...base, id: item.id ?? item.call_id, status, details: { type: 'tool_calls', toolCalls: [{ type: 'function', id: item.call_id, name: item.name, arguments: item.arguments }] } };
    case 'file_search_call':
      return {
        ...base,
        id: item.id,
        status,
        details: {
          type: 'tool_calls',
          toolCalls: [
            {
              type: 'file_search',
              id: item.id,
              queries: item.queries,
              ...(item.results
                ? { results: item.results.map((result) => ({ fileId: result.file_id ?? '', filename: result.filename, score: result.score, text: result.text })) }
                : {}),
            },
          ],
        },
      };
    case 'code_interpreter_call':
      return { ...base, id: item.id, status, details: { type: 'tool_calls', toolCalls: [codeCall(item)] } };
    case 'reasoning':
      return { ...base, id: item.id, status, details: { type: 'reasoning', summary: item.summary.map((part) => part.text).join('\n\n') } };
    case 'mcp_list_tools':
      return {
        ...base,
        id: item.id,
        status: item.error ? 'failed' : status,
        details: {
          type: 'tool_calls',
          toolCalls: [
            {
              type: 'mcp_list_tools',
              id: item.id,
              serverLabel: item.server_label,
              tools: (item.tools ?? []).map((tool) => ({ name: tool.name, ...(tool.description ? { description: tool.description } : {}) })),
              ...(item.error ? { error: mcpListErrorSentence(item.server_label, item.error) } : {}),
            },
          ],
        },
      };
    case 'mcp_call':
      return {
        ...base,
        id: item.id,
        status: item.error ? 'failed' : status,
        details: {
          type: 'tool_calls',
          toolCalls: [
            {
              type: 'mcp',
              id: item.id,
              serverLabel: item.server_label,
              name: item.name,
              arguments: item.arguments,
              ...(typeof item.output === 'string' ? { output: item.output } : {}),
              ...(item.error ? { error: mcpCallErrorSentence(item.server_label, item.name, item.error) } : {}),
            },
          ],
        },
      };
    case 'mcp_approval_request':
      return {
        ...base,
        id: item.id,
        status,
        details: { type: 'tool_calls', toolCalls: [{ type: 'mcp', id: mcpApprovalCallId(item.id), serverLabel: item.server_label, name: item.name, arguments: item.arguments, approval: true }] },
      };
    default:
      return undefined;
  }
}

function codeCall(item: Extract<ResponseOutputItem, { type: 'code_interpreter_call' }>): ToolCall {
  const outputs = (item.outputs ?? []).map((output, index): CodeInterpreterOutput => {
    if (output.type === 'logs') return { type: 'logs', logs: output.logs };
    // A URL naming a container file can be downloaded by id; anything else (a data URL) is kept as sent.
    const file = containerFileOf(output.url);
    return file ? { type: 'image', fileId: file.fileId, containerId: file.containerId } : { type: 'image', fileId: `inline-${index}`, url: output.url };
  });
  return { type: 'code_interpreter', id: item.id, input: item.code ?? '', outputs, containerId: item.container_id };
}

function containerFileOf(url: string): { containerId: string; fileId: string } | undefined {
  if (/^data:/i.test(url)) return undefined;
  const match = /containers\/([^/]+)\/files\/([^/?#]+)/.exec(url);
  return match ? { containerId: match[1], fileId: match[2] } : undefined;
}

function stepStatus(status: string | undefined, response: Response): RunStepStatus {
  switch (status) {
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'incomplete':
      return response.status === 'cancelled' ? 'cancelled' : 'failed';
    case undefined:
      // Items without a status (reasoning) are done once the response moved past them.
      return response.status === 'in_progress' || response.status === 'queued' ? 'in_progress' : 'completed';
    default:
      return 'in_progress';
  }
}

export function toMessage(item: ResponseOutputMessage, runId: string, createdAt: number): Message {
  const content: MessageContent[] = item.content.map((part) =>
    part.type === 'output_text' ? { type: 'text', text: part.text, annotations: part.annotations.flatMap((annotation) => toAnnotation(annotation) ?? []) } : { type: 'text', text: part.refusal, annotations: [] },
  );
  return { id: item.id, role: 'assistant', content, createdAt, runId, status: item.status };
}

function toAnnotation(annotation: ResponseOutputText['annotations'][number]): Annotation | undefined {
  switch (annotation.type) {
    case 'file_citation':
      return { type: 'file_citation', fileId: annotation.file_id, filename: annotation.filename, startIndex: annotation.index, endIndex: annotation.index };
    case 'container_file_citation':
      return { type: 'file_path', fileId: annotation.file_id, containerId: annotation.container_id, filename: annotation.filename, startIndex: annotation.start_index, endIndex: annotation.end_index };
    case 'url_citation':
      return { type: 'url_citation', url: annotation.url, title: annotation.title, startIndex: annotation.start_index, endIndex: annotation.end_index };
    case 'file_path':
      return { type: 'file_path', fileId: annotation.file_id, startIndex: annotation.index, endIndex: annotation.index };
    default:
      return undefined;
  }
}
