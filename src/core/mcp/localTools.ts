import { createHash } from 'node:crypto';
import type { AssistantLocation } from '../assistants/assistantStore';
import { COMMAND_OUTPUT_LIMIT } from '../functions/customFunctions';
import type { ApprovalPolicy, FunctionContext, WorkspaceFunction } from '../functions/registry';
import type { McpServerTool, McpToolFilter } from '../../common/model';

/** A tool as a local MCP server lists it (`tools/list`), the fields this extension reads. */
export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean; title?: string };
}

/** One content block of a tool's result (`CallToolResult.content`), loosely: servers send more kinds than the spec names. */
export interface McpContentBlock {
  type: string;
  text?: string;
  mimeType?: string;
  resource?: { uri?: string; text?: string; mimeType?: string };
  uri?: string;
  name?: string;
}

/** A tool call's result (`CallToolResult`), loosely. */
export interface McpCallResult {
  content?: McpContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
}

/** How long a call to a local MCP server's tool may take, in milliseconds, before it is given up. */
export const MCP_CALL_TIMEOUT_MS = 60_000;

/** Calls a tool of one running server; rejects on a protocol error, a timeout, a closed connection or `signal`. */
export type McpToolCaller = (tool: string, args: Record<string, unknown>, signal: AbortSignal) => Promise<McpCallResult>;

/**
 * The function name a tool of a local server is offered under: `mcp_<server label>_<tool>`, with
 * characters a function name cannot hold turned into `_`; a name over 64 characters keeps its
 * first 55 and ends with 8 hex digits of its hash, so two long names stay apart.
 */
export function mcpFunctionName(server: string, tool: string): string {
  const name = `mcp_${server}_${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (name.length <= 64) return name;
  return `${name.slice(0, 55)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** Whether a tool passes a filter (`MCPToolFilter`): named in `toolNames` if given, and read-only as `readOnly` says if given. */
export function matchesFilter(filter: McpToolFilter, tool: McpToolInfo): boolean {
  if (filter.toolNames && !filter.toolNames.includes(tool.name)) return false;
  return filter.readOnly === undefined || filter.readOnly === (tool.annotations?.readOnlyHint === true);
}

/** The tools `allowed_tools` lets through (all when it is absent). */
export function allowedTools(server: McpServerTool, tools: readonly McpToolInfo[]): McpToolInfo[] {
  const allowed = server.allowedTools;
  if (allowed === undefined) return [...tools];
  return tools.filter((tool) => (Array.isArray(allowed) ? allowed.includes(tool.name) : matchesFilter(allowed, tool)));
}

/**
 * The approval policy of a local server's tool when the user set none: what the file's
 * `require_approval` says (a tool its `always` filter names asks; one its `never` filter names runs
 * without asking), else the workspace functions' rule (a tool the server marks read-only runs,
 * any other asks). A repository's file (`workspace`) can make a tool ask, never skip asking: its
 * `never` counts only for tools the server marks read-only.
 */
export function defaultToolPolicy(server: McpServerTool, tool: McpToolInfo, location: AssistantLocation): ApprovalPolicy {
  const readOnly = tool.annotations?.readOnlyHint === true;
  const fallback: ApprovalPolicy = readOnly ? 'allow' : 'ask';
  const setting = server.requireApproval;
  const never: ApprovalPolicy = location === 'workspace' ? fallback : 'allow';
  if (setting === undefined) return fallback;
  if (setting === 'always') return 'ask';
  if (setting === 'never') return never;
  if (setting.always && matchesFilter(setting.always, tool)) return 'ask';
  if (setting.never && matchesFilter(setting.never, tool)) return never;
  return fallback;
}

/**
 * A local server's tools as functions the registry checks and approves like workspace functions:
 * named by `mcpFunctionName`, described with the server's label, writing unless the server marks
 * them read-only, each answered by `call`. A result is its text (other content named in brackets),
 * cut at 20,000 characters; a result the server flags as an error, or a failed call, becomes an
 * error the model reads. `callTimeoutMs`: how long `call` waits for the server (default 60 s).
 */
export function localToolFunctions(server: McpServerTool, tools: readonly McpToolInfo[], location: AssistantLocation, call: McpToolCaller, callTimeoutMs = MCP_CALL_TIMEOUT_MS): WorkspaceFunction[] {
  return allowedTools(server, tools).map((tool) => {
    const name = mcpFunctionName(server.serverLabel, tool.name);
    const description = `${tool.description ?? tool.annotations?.title ?? tool.name} (tool ${tool.name} of the MCP server ${server.serverLabel}${server.serverDescription ? `: ${server.serverDescription}` : ''})`;
    return {
      definition: { name, description: description.slice(0, 1024), parameters: objectSchema(tool.inputSchema) },
      writes: tool.annotations?.readOnlyHint !== true,
      server: server.serverLabel,
      // `call` gives up after callTimeoutMs with the server named; the handler's limit is a backstop a second later.
      timeoutMs: callTimeoutMs + 1000,
      approval: defaultToolPolicy(server, tool, location),
      async handle(args: Record<string, unknown>, context: FunctionContext): Promise<string> {
        const result = await call(tool.name, args, context.signal);
        const text = resultText(result);
        if (result.isError) throw new Error(`${tool.name} on the MCP server ${server.serverLabel} failed: ${text || 'it gave no reason.'}`);
        return text || `${tool.name} ran and returned nothing.`;
      },
    };
  });
}

/** A tool's input schema as function parameters: an object schema, whatever the server sent. */
function objectSchema(schema: Record<string, unknown>): WorkspaceFunction['definition']['parameters'] {
  if (typeof schema === 'object' && schema !== null && schema.type === 'object') return { ...schema, type: 'object' };
  return { type: 'object', properties: {} };
}

/** The text of a tool's result: text blocks as they are, other blocks named, structured content as JSON when there is no text; cut at the limit. */
export function resultText(result: McpCallResult, limit = COMMAND_OUTPUT_LIMIT): string {
  const parts = (Array.isArray(result.content) ? result.content : []).map((block) => {
    if (block.type === 'text' && typeof block.text === 'string') return block.text;
    if (block.type === 'resource' && typeof block.resource?.text === 'string') return block.resource.text;
    if (block.type === 'resource_link' || block.type === 'resource') return `[resource ${block.uri ?? block.resource?.uri ?? ''}]`.replace(' ]', ']');
    return `[${block.type}${block.mimeType ? ` ${block.mimeType}` : ''}, not shown]`;
  });
  let text = parts.join('\n');
  if (!text && result.structuredContent !== undefined) {
    try {
      text = JSON.stringify(result.structuredContent, null, 2) ?? '';
    } catch {
      text = '';
    }
  }
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n[Cut: the result has ${text.length} characters; the first ${limit} are shown.]`;
}
