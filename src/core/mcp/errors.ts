/**
 * MCP failures as one sentence a user can act on, whatever reported them: a hosted server's
 * `mcp_call.error` (`mcp_protocol_error`, `http_error`, `mcp_tool_execution_error`, or plain text
 * on older servers), its `mcp_list_tools.error`, or a local server that could not start. Server text
 * is cut at `MAX_DETAIL` characters.
 */

const MAX_DETAIL = 300;

/** Why a call of `tool` on server `server` failed, from the `error` the server reported. */
export function mcpCallErrorSentence(server: string, tool: string, error: unknown): string {
  if (typeof error === 'string') return `The MCP server ${server} could not run ${tool}: ${detail(error)}`;
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const code = typeof record.code === 'number' || typeof record.code === 'string' ? record.code : undefined;
  const message = typeof record.message === 'string' ? detail(record.message) : '';
  switch (record.type) {
    case 'http_error':
      return httpSentence(server, code, message);
    case 'mcp_protocol_error':
      return `The MCP server ${server} broke the protocol when asked to run ${tool}${code !== undefined ? ` (error ${code})` : ''}${message ? `: ${message}` : '.'} The server may be out of date; try again later or tell its maintainer.`;
    case 'mcp_tool_execution_error':
      return `${tool} on the MCP server ${server} failed: ${detail(contentText(record.content)) || 'it gave no reason.'}`;
    default:
      return `The MCP server ${server} could not run ${tool}${message ? `: ${message}` : '.'}`;
  }
}

/** Why a server's tools could not be listed (`mcp_list_tools.error`). */
export function mcpListErrorSentence(server: string, error: string): string {
  const status = /\b(401|403)\b/.exec(error)?.[1];
  if (status) return httpSentence(server, Number(status), detail(error));
  return `The tools of the MCP server ${server} could not be listed: ${detail(error)} Check its server_url, or try again later.`;
}

function httpSentence(server: string, code: string | number | undefined, message: string): string {
  const suffix = message ? `: ${message}` : '.';
  if (code === 401 || code === 403) {
    return `The MCP server ${server} refused the request (HTTP ${code})${suffix} Check its headers, and set the secret they name with "Assistants: Set MCP Secret".`;
  }
  return `The MCP server ${server} answered with an HTTP error${code !== undefined ? ` (${code})` : ''}${suffix} Check its server_url, or try again later.`;
}

/** The text of an error's content (MCP content blocks, a string, or anything JSON can hold). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((block) => (typeof block === 'object' && block !== null && typeof (block as { text?: unknown }).text === 'string' ? (block as { text: string }).text : '')).filter(Boolean).join(' ');
  }
  if (content === undefined || content === null) return '';
  try {
    return JSON.stringify(content);
  } catch {
    return '';
  }
}

function detail(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL - 1)}…` : flat;
  return cut && !/[.!?…]$/.test(cut) ? `${cut}.` : cut;
}
