/**
 * The parts of an assistant file (see `AssistantFile` in assistantFile.ts) that the file's MCP rules
 * and the function tools read as well: its tools as the file spells them, the names its functions
 * cannot bind to a command, and a problem with one of its fields.
 */
import type { JsonSchema } from '../../common/model';

/** A tool as the file (and the Assistants v2 wire) spells it. */
export type FileTool =
  | { type: 'file_search'; file_search?: { max_num_results?: number } }
  | { type: 'code_interpreter' }
  | { type: 'function'; function: { name: string; description?: string; parameters?: JsonSchema; strict?: boolean }; 'x-vscode'?: FunctionBinding }
  | FileMcpTool;

/**
 * An MCP server's tools, spelled as the Responses API's `mcp` tool (`MCPTool`), plus `x-vscode` for
 * a server this extension runs or reaches itself (see `McpServerTool`).
 */
export interface FileMcpTool {
  type: 'mcp';
  server_label: string;
  server_url?: string;
  connector_id?: string;
  server_description?: string;
  allowed_tools?: string[] | FileMcpFilter;
  require_approval?: 'always' | 'never' | { always?: FileMcpFilter; never?: FileMcpFilter };
  headers?: Record<string, string>;
  authorization?: string;
  'x-vscode'?: { transport: 'stdio'; command: string; args?: string[]; env?: Record<string, string>; cwd?: string } | { transport: 'http' };
}

/** `MCPToolFilter` as the wire spells it. */
export interface FileMcpFilter {
  tool_names?: string[];
  read_only?: boolean;
}

/**
 * What a function of the file is bound to in VS Code, beside the API's own fields: the id of a
 * command run with the call's arguments (one object), whose result is the output. A function with
 * no binding is answered by the user in the chat.
 */
export interface FunctionBinding {
  command: string;
}

/** A problem with one field: `path` is a JSON pointer into the file (`/tools/0/function/parameters`), `''` for the whole file. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The names of the built-in workspace functions (`builtinFunctions` in ../functions/builtins.ts):
 * a call of one of these is answered by the workspace function, whatever an assistant's own
 * definition says about it, so the file may not bind a function of these names to a command.
 */
export const WORKSPACE_FUNCTION_NAMES: readonly string[] = ['read_file', 'list_files', 'search_text', 'get_diagnostics', 'get_selection', 'get_open_editors', 'propose_edit'];
