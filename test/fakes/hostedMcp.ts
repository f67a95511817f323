/**
 * The remote MCP servers the fake Responses service reaches for a hosted `mcp` tool: in memory, by
 * `server_url`, so runs with MCP items work offline. A server may require headers (a token): a
 * request without them lists nothing and gets HTTP 401, as a real server answers.
 */

/** A tool as `mcp_list_tools` lists it. */
export interface FakeMcpTool {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
  annotations: { readOnlyHint: boolean } | null;
}

/** What a call answers: its output, or an error in one of the wire's `mcp_call.error` shapes. */
export type FakeMcpResult = { output: string } | { error: Record<string, unknown> };

export interface FakeMcpServerSpec {
  tools: FakeMcpTool[];
  call(name: string, args: Record<string, unknown>): FakeMcpResult;
  /** Headers every request must carry, exactly (e.g. `{ authorization: 'Bearer t0k' }`, names lower case). */
  requiredHeaders?: Record<string, string>;
}

/** The demo server of the offline fake: notes to read and write, and a tool that always fails. */
export const DEMO_MCP_URL = 'https://mcp.fake.test/notes';

export class FakeHostedMcp {
  private readonly servers = new Map<string, FakeMcpServerSpec>();
  /** Every call that reached a server, in order. */
  readonly calls: { url: string; name: string; args: Record<string, unknown>; headers: Record<string, string> }[] = [];

  constructor() {
    this.add(DEMO_MCP_URL, notesServer());
  }

  add(url: string, spec: FakeMcpServerSpec): void {
    this.servers.set(url, spec);
  }

  /** The names of the tools of the server at `url`, whoever asks (what the scripted model knows of it). */
  toolNames(url: unknown): string[] {
    return typeof url === 'string' ? (this.servers.get(url)?.tools ?? []).map((tool) => tool.name) : [];
  }

  /** The tools of the server at `url` for a request with `headers`; or the error text `mcp_list_tools` carries. */
  list(url: string | undefined, headers: Record<string, string>): { tools: FakeMcpTool[] } | { error: string } {
    const server = url ? this.servers.get(url) : undefined;
    if (!server) return { error: `Error retrieving tool list from MCP server. Http status code: 424 (Failed Dependency): could not reach ${url ?? 'the server'}` };
    if (!authorized(server, headers)) return { error: 'Error retrieving tool list from MCP server. Http status code: 401 (Unauthorized)' };
    return { tools: server.tools };
  }

  call(url: string, name: string, args: Record<string, unknown>, headers: Record<string, string>): FakeMcpResult {
    const server = this.servers.get(url);
    if (!server) return { error: { type: 'http_error', code: 424, message: `could not reach ${url}` } };
    if (!authorized(server, headers)) return { error: { type: 'http_error', code: 401, message: 'Unauthorized' } };
    if (!server.tools.some((tool) => tool.name === name)) return { error: { type: 'mcp_protocol_error', code: -32602, message: `Unknown tool: ${name}` } };
    this.calls.push({ url, name, args, headers });
    return server.call(name, args);
  }
}

function authorized(server: FakeMcpServerSpec, headers: Record<string, string>): boolean {
  const lower = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  return Object.entries(server.requiredHeaders ?? {}).every(([key, value]) => lower[key] === value);
}

function notesServer(): FakeMcpServerSpec {
  const notes = new Map<string, string>([['launch', 'The launch is on March 3.']]);
  const titleSchema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false };
  return {
    tools: [
      { name: 'read_note', description: 'Reads a note by title.', input_schema: titleSchema, annotations: { readOnlyHint: true } },
      {
        name: 'write_note',
        description: 'Writes a note.',
        input_schema: { type: 'object', properties: { title: { type: 'string' }, text: { type: 'string' } }, required: ['title', 'text'], additionalProperties: false },
        annotations: { readOnlyHint: false },
      },
      { name: 'fail', description: 'Always fails.', input_schema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } },
    ],
    call(name, args) {
      const title = String(args.title ?? '');
      if (name === 'read_note') {
        const text = notes.get(title);
        return text === undefined ? { error: { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: `No note is titled "${title}".` }] } } : { output: text };
      }
      if (name === 'write_note') {
        notes.set(title, String(args.text ?? ''));
        return { output: `Saved the note "${title}".` };
      }
      return { error: { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: 'This tool always fails.' }] } };
    },
  };
}
