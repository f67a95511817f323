import { createHash } from 'node:crypto';
import { minimatch } from 'minimatch';
import { COMMAND_OUTPUT_LIMIT } from './customFunctions';
import type { FunctionContext, WorkspaceFunction } from './registry';

/**
 * Tools other extensions register with VS Code (`vscode.lm.tools`: Copilot's, VS Code's own MCP
 * servers' `mcp_<server>_<tool>`, any extension's), offered to the model as functions when the
 * user picked them (`assistants.vscodeTools`). VS Code tells nothing of what a tool changes, so
 * every one asks before it runs unless `assistants.functions.approval` allows its function name.
 */

/** A tool as `vscode.lm.tools` lists it (`LanguageModelToolInformation`), the fields read here. */
export interface VsCodeToolInfo {
  name: string;
  description: string;
  inputSchema?: object;
  tags: readonly string[];
}

/** Invokes a tool by its VS Code name and gives its result as text; rejects on a failure or `signal`. */
export type VsCodeToolInvoker = (name: string, input: Record<string, unknown>, signal: AbortSignal) => Promise<string>;

/** The most tools offered at once: a request with hundreds of tools is refused by servers, or crowds the model. */
export const MAX_VSCODE_TOOLS = 64;

/**
 * The function name a VS Code tool is offered under: `vscode_<name>`, with characters a function
 * name cannot hold turned into `_`; over 64 characters it keeps its first 55 and ends with 8 hex
 * digits of its hash.
 */
export function vscodeToolFunctionName(name: string): string {
  const safe = `vscode_${name}`.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (safe.length <= 64) return safe;
  return `${safe.slice(0, 55)}_${createHash('sha256').update(safe).digest('hex').slice(0, 8)}`;
}

/**
 * The tools the user picked: those whose name one of `picks` names, exactly or as a glob
 * (`mcp_github_*`), case-sensitively, in `tools`' order, at most `MAX_VSCODE_TOOLS`. An empty
 * list picks none.
 */
export function pickedVsCodeTools(tools: readonly VsCodeToolInfo[], picks: readonly string[]): VsCodeToolInfo[] {
  if (picks.length === 0) return [];
  return tools.filter((tool) => picks.some((pick) => pick === tool.name || minimatch(tool.name, pick, { nonegate: true, nocomment: true }))).slice(0, MAX_VSCODE_TOOLS);
}

/**
 * The picked VS Code tools as functions the registry checks and approves like workspace
 * functions: named by `vscodeToolFunctionName`, their input schema as parameters (an object schema
 * whatever the tool declared), writing (so they ask by default), each answered by `invoke`.
 */
export function vscodeToolFunctions(tools: readonly VsCodeToolInfo[], invoke: VsCodeToolInvoker): WorkspaceFunction[] {
  const seen = new Set<string>();
  return tools.flatMap((tool) => {
    const name = vscodeToolFunctionName(tool.name);
    if (seen.has(name)) return [];
    seen.add(name);
    const schema = tool.inputSchema as Record<string, unknown> | undefined;
    const parameters = schema && schema.type === 'object' ? { ...schema, type: 'object' as const } : { type: 'object' as const, properties: {} };
    const description = `${tool.description || tool.name} (the VS Code tool ${tool.name})`;
    return [
      {
        definition: { name, description: description.slice(0, 1024), parameters },
        writes: true,
        vscodeTool: tool.name,
        async handle(args: Record<string, unknown>, context: FunctionContext): Promise<string> {
          const text = await invoke(tool.name, args, context.signal);
          return text || `${tool.name} ran and returned nothing.`;
        },
      },
    ];
  });
}

/**
 * A tool's result (`LanguageModelToolResult`) as the text the model reads: text parts as they are,
 * a data part of text or JSON decoded, any other part named; cut at 20,000 characters with a note.
 */
export function toolResultText(result: { content: readonly unknown[] }, limit = COMMAND_OUTPUT_LIMIT): string {
  const parts = (Array.isArray(result.content) ? result.content : []).map((part: unknown) => {
    const record = typeof part === 'object' && part !== null ? (part as { value?: unknown; mimeType?: unknown; data?: unknown }) : {};
    if (typeof record.value === 'string') return record.value;
    if (typeof record.mimeType === 'string' && record.data instanceof Uint8Array) {
      return /^text\/|json/.test(record.mimeType) ? new TextDecoder().decode(record.data.subarray(0, limit * 4)) : `[${record.mimeType} data, not shown]`;
    }
    return '[a part that is not text, not shown]';
  });
  const text = parts.join('\n');
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n[Cut: the result has ${text.length} characters; the first ${limit} are shown.]`;
}
