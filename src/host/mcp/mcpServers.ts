import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { parseEnv } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type * as vscode from 'vscode';
import type { AssistantEntry, AssistantLocation } from '../../core/assistants/assistantStore';
import { FunctionRegistry } from '../../core/functions/registry';
import type { McpCallResult, McpToolInfo } from '../../core/mcp/localTools';
import { localToolFunctions, MCP_CALL_TIMEOUT_MS } from '../../core/mcp/localTools';
import { BoundedOutputSchemas } from '../../core/mcp/outputSchemas';
import { boundedFetch, MAX_MCP_MESSAGE_BYTES, McpMessageTooLargeError } from '../../core/mcp/boundedFetch';
import type { SecretPlace } from '../../core/mcp/secretRefs';
import { MissingSecretError, resolveRecord, resolveSecrets } from '../../core/mcp/secretRefs';
import type { McpServerTool } from '../../common/model';
import { oneLine } from '../../common/showable';
import { FileTooLargeError, NotRegularFileError, nodeFileSystem } from '../../core/workspace/fileSystem';
import type { ConfiguredServers } from './mcpConfig';
import type { McpSecrets, SecretUse } from './mcpSecrets';
import { secretTarget } from './mcpSecrets';

/** How long a server may take to start and list its tools, and a tool call to answer, by default (ms). */
export const MCP_START_TIMEOUT_MS = 20_000;
/** The most tools one server may offer, and the most list pages read. */
const MAX_TOOLS = 128;
const MAX_PAGES = 8;
/** A server's stderr line is cut at this length in the log. */
const MAX_LOG_LINE = 2_000;
/** The largest `envFile` read. */
const MAX_ENV_FILE_BYTES = 64 * 1024;

/** What running local MCP servers needs from the window. */
export interface McpServersDeps {
  log: vscode.LogOutputChannel;
  /** Whether the workspace is trusted: no local server starts in an untrusted one. */
  trusted(): boolean;
  secrets: McpSecrets;
  /** The folder a repository's server starts in, and relative `cwd`s resolve against (the workspace's first folder). */
  folder(): string | undefined;
  /**
   * Asks before a repository's assistant file or MCP configuration (`source`: "assistant file",
   * ".vscode/mcp.json") starts a server (`description` says what runs): true to start it. Asked
   * once per server definition while the window lives.
   */
  confirmStart(server: string, description: string, source: string): Promise<boolean>;
  /** A server could not start: one sentence for the user, and the secret that would fix it when one is missing. */
  warn(message: string, secret?: SecretUse): void;
  /** The servers configured in VS Code itself (`.vscode/mcp.json`, the user's `mcp.json` and `mcp` setting), offered beside every assistant's own. */
  configured?(): Promise<ConfiguredServers>;
  startTimeoutMs?: number;
  callTimeoutMs?: number;
}

/** A local server to run: the tool that defines it, where it was defined, and (for VS Code's configuration) which configuration. */
interface LocalServer {
  tool: McpServerTool & { local: NonNullable<McpServerTool['local']> };
  location: AssistantLocation;
  /** What a sentence calls its definition: "assistant file", or the configuration (".vscode/mcp.json"). */
  source: string;
  config?: SecretPlace['config'];
}

/** One running server: its client, its tools, and how to stop it. */
interface Running {
  client: Client;
  tools: McpToolInfo[];
  closed: boolean;
  /** Why the connection was ended from this side (a message over its limit), said to whatever was waiting. */
  failure?: string;
}

/** What a run of an assistant gets from its local servers: functions, and sentences for the model about servers that are not there. */
export interface LocalMcpAdditions {
  registry: FunctionRegistry;
  notes: string[];
}

/**
 * The local MCP servers of the active assistant (`mcp` tools with `x-vscode`) and of VS Code's MCP
 * configuration: started (stdio) or connected (HTTP, SSE) with the official SDK when a run needs
 * them, kept while the chat lives, stopped when another definition replaces them and when the
 * window closes. Their stderr goes to the output channel. A repository's file or configuration asks
 * before it starts anything (`confirmStart`); nothing starts in an untrusted workspace. Secrets
 * their definitions name are put in place at start. A server of the configuration named like one
 * of the assistant's is left out (the assistant's wins).
 */
export class McpServers implements vscode.Disposable {
  private readonly servers = new Map<string, Promise<Running>>();
  /** Definitions of a repository's file the user answered about, by key: true to start. */
  private readonly decided = new Map<string, boolean>();

  constructor(private readonly deps: McpServersDeps) {}

  /**
   * The functions of `entry`'s local servers and of VS Code's configured ones, starting those not
   * running. Servers of other definitions are stopped. A server that cannot start (or that the user
   * did not let start) is left out with a note; the run goes on without it.
   */
  async additions(entry: AssistantEntry): Promise<LocalMcpAdditions> {
    const own: LocalServer[] = (entry.assistant?.tools ?? [])
      .filter((tool): tool is LocalServer['tool'] => tool.type === 'mcp' && tool.local !== undefined)
      .map((tool) => ({ tool, location: entry.location, source: 'assistant file' }));
    const labels = new Set(own.map((server) => server.tool.serverLabel.toLowerCase()));
    const configured = (await this.deps.configured?.())?.servers ?? [];
    const local = [
      ...own,
      ...configured.filter((server) => !labels.has(server.tool.serverLabel.toLowerCase())).map((server) => ({ ...server, config: { label: server.source, inputs: server.inputs } })),
    ];
    const keys = new Map(local.map((server) => [serverKey(server.tool, server.location), server]));
    for (const key of [...this.servers.keys()]) if (!keys.has(key)) this.stop(key);
    const registry = new FunctionRegistry();
    const notes: string[] = [];
    if (local.length === 0 || !this.deps.trusted()) return { registry, notes };
    for (const [key, server] of keys) {
      const { tool } = server;
      const running = await this.ensure(key, server).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        notes.push(`The MCP server ${tool.serverLabel} is not available: ${reason}`);
        return undefined;
      });
      if (!running) continue;
      for (const fn of localToolFunctions(tool, running.tools, server.location, (name, args, signal) => this.call(key, tool, name, args, signal), this.deps.callTimeoutMs ?? MCP_CALL_TIMEOUT_MS)) {
        try {
          registry.register(fn);
        } catch (error) {
          this.deps.log.warn(`MCP server ${tool.serverLabel}: tool ${fn.definition.name} left out: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    return { registry, notes };
  }

  dispose(): void {
    for (const key of [...this.servers.keys()]) this.stop(key);
  }

  private async ensure(key: string, server: LocalServer): Promise<Running> {
    const { tool } = server;
    const existing = this.servers.get(key);
    if (existing) {
      const running = await existing.catch(() => undefined);
      if (running && !running.closed) return running;
      this.servers.delete(key);
    }
    if (server.location === 'workspace' && !(await this.allowed(key, server))) throw new Error(`the user did not allow this workspace's ${server.source} to start it.`);
    const started = this.start(server);
    this.servers.set(key, started);
    started.catch((error: unknown) => {
      this.servers.delete(key);
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.log.error(`MCP server ${tool.serverLabel} could not start: ${reason}`);
      if (error instanceof MissingSecretError) this.deps.warn(`${reason} Until then its tools are left out.`, { ...error.secret });
      else this.deps.warn(`The MCP server ${tool.serverLabel} could not start: ${reason} Its tools are left out; "Assistants: Show Log" has its output.`);
    });
    return started;
  }

  private async allowed(key: string, { tool, source }: LocalServer): Promise<boolean> {
    const known = this.decided.get(key);
    if (known !== undefined) return known;
    const local = tool.local;
    const description =
      local.transport === 'stdio'
        ? `runs ${[local.command, ...(local.args ?? [])].join(' ')}${local.cwd ? ` in ${local.cwd}` : ''}${local.envFile ? ` with the environment of ${local.envFile}` : ''}${environmentSaid(local.env)}`
        : `connects to ${tool.serverUrl ?? ''}`;
    const answer = await this.deps.confirmStart(tool.serverLabel, description, source);
    this.decided.set(key, answer);
    return answer;
  }

  private async start({ tool, config }: LocalServer): Promise<Running> {
    const label = tool.serverLabel;
    const target = secretTarget(tool);
    const lookup = this.deps.secrets.lookup(target);
    const place: SecretPlace = { server: label, target, ...(config ? { config } : {}) };
    let transport: Transport;
    if (tool.local.transport === 'stdio') {
      const fromFile = tool.local.envFile ? await readEnvFile(tool.local.envFile) : {};
      const env = await resolveRecord(tool.local.env, lookup, place);
      const args: string[] = [];
      for (const arg of tool.local.args ?? []) args.push(await resolveSecrets(arg, lookup, place));
      const folder = this.deps.folder();
      const cwd = tool.local.cwd ? path.resolve(folder ?? '.', tool.local.cwd) : folder;
      const stdio = new StdioClientTransport({ command: tool.local.command, args, env: { ...getDefaultEnvironment(), ...fromFile, ...env }, ...(cwd ? { cwd } : {}), stderr: 'pipe', maxBufferSize: MAX_MCP_MESSAGE_BYTES });
      this.pipeLog(label, stdio);
      transport = stdio;
    } else {
      const headers = await resolveRecord(tool.headers, lookup, place);
      const url = new URL(tool.serverUrl ?? '');
      const requestInit: RequestInit = { headers: headers ?? {}, redirect: 'error' };
      // Each answer read within the 4 MB a stdio message may have (boundedFetch), not into memory without end.
      const fetch = boundedFetch();
      transport = tool.local.transport === 'sse' ? new SSEClientTransport(url, { requestInit, fetch }) : new StreamableHTTPClientTransport(url, { requestInit, fetch });
    }
    const client = new Client({ name: 'assistants-vscode', version: '0.1.0' }, { jsonSchemaValidator: new BoundedOutputSchemas() });
    const running: Running = { client, tools: [], closed: false };
    // A message cut at its limit ends the stream, which the SDK only reports here while its request
    // waits on: the connection is closed at once and the waiting start or call told why.
    transport.onerror = (error) => {
      if (running.failure || !(error instanceof McpMessageTooLargeError || error.message.includes(McpMessageTooLargeError.name))) return;
      running.failure = `it sent a message of more than ${MAX_MCP_MESSAGE_BYTES / 1024 / 1024} MB, so it was not read`;
      void client.close();
    };
    client.onclose = () => {
      running.closed = true;
      this.deps.log.info(`MCP server ${label}: stopped.`);
    };
    const timeout = this.deps.startTimeoutMs ?? MCP_START_TIMEOUT_MS;
    try {
      await client.connect(transport, { timeout });
      running.tools = await listTools(client, timeout);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new Error(running.failure ? `${running.failure}.` : startFailure(error, timeout), { cause: error });
    }
    // The names as the server sent them, each on the line it belongs to (a name may hold a line break).
    const names = running.tools.map((t) => oneLine(t.name).slice(0, 64)).join(', ');
    this.deps.log.info(`MCP server ${label}: started, ${running.tools.length} tool${running.tools.length === 1 ? '' : 's'} (${names}).`);
    return running;
  }

  private async call(key: string, tool: McpServerTool, name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<McpCallResult> {
    const running = await this.servers.get(key)?.catch(() => undefined);
    if (!running || running.closed) throw new Error(`the MCP server ${tool.serverLabel} has stopped; it starts again with the next question.`);
    const timeout = this.deps.callTimeoutMs ?? MCP_CALL_TIMEOUT_MS;
    try {
      return (await running.client.callTool({ name, arguments: args }, undefined, { signal, timeout })) as McpCallResult;
    } catch (error) {
      if (signal.aborted) throw error;
      if (running.failure) throw new Error(`the MCP server ${tool.serverLabel} could not run ${name}: ${running.failure}.`, { cause: error });
      if (isTimeout(error)) throw new Error(`the MCP server ${tool.serverLabel} did not answer within ${seconds(timeout)} s; its answer, if any, is lost.`, { cause: error });
      throw new Error(`the MCP server ${tool.serverLabel} could not run ${name}: ${serverWords(error)}`, { cause: error });
    }
  }

  private stop(key: string): void {
    const pending = this.servers.get(key);
    this.servers.delete(key);
    void pending?.then((running) => running.client.close()).catch(() => undefined);
  }

  /** A server's stderr into the log, a line at a time, each line cut short. */
  private pipeLog(label: string, transport: StdioClientTransport): void {
    let buffered = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split(/\r?\n/);
      buffered = (lines.pop() ?? '').slice(-MAX_LOG_LINE);
      for (const line of lines) if (line.trim()) this.deps.log.info(`[${label}] ${line.slice(0, MAX_LOG_LINE)}`);
    });
  }
}

/**
 * The hosted MCP servers (no `x-vscode`) of an assistant, which only the Responses API reaches: under
 * Assistants v2 they are left out, and each gets a sentence for the user and one for the model.
 */
export function hostedServersLeftOut(entry: AssistantEntry): { warning: string; note: string }[] {
  return (entry.assistant?.tools ?? []).flatMap((tool) =>
    tool.type === 'mcp' && !tool.local
      ? [
          {
            warning: `The MCP server ${tool.serverLabel} is reached by the Responses API's hosted mcp tool, which Assistants v2 does not have, so it is left out. Set assistants.protocol to "responses", or run the server from VS Code (x-vscode in the assistant file).`,
            note: `The MCP server ${tool.serverLabel} is not available with this server.`,
          },
        ]
      : [],
  );
}

/** A server's identity: what runs, with what, for which kind of file; a changed definition is another server. */
function serverKey(tool: McpServerTool, location: string): string {
  return JSON.stringify([location, tool.serverLabel, tool.serverUrl ?? null, tool.headers ?? null, tool.local]);
}

async function listTools(client: Client, timeout: number): Promise<McpToolInfo[]> {
  const tools: McpToolInfo[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES && tools.length < MAX_TOOLS; page++) {
    const result = await client.listTools(cursor ? { cursor } : undefined, { timeout });
    tools.push(...result.tools.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema as Record<string, unknown>, annotations: tool.annotations })));
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return tools.slice(0, MAX_TOOLS);
}

/**
 * The variables of a dotenv file (VS Code's `envFile`), at most `MAX_ENV_FILE_BYTES` of it; throws a
 * sentence when it cannot be read. Only a regular file is opened (without waiting: a FIFO named as
 * the envFile would otherwise hold the start, and a thread of the file system, forever).
 */
async function readEnvFile(file: string): Promise<Record<string, string>> {
  const notRegular = () => new Error(`its envFile ${file} is not a regular file (a pipe, socket, device or folder).`);
  const tooLarge = () => new Error(`its envFile ${file} is larger than ${MAX_ENV_FILE_BYTES / 1024} KB.`);
  let bytes: Uint8Array | undefined;
  try {
    const found = await stat(file);
    if (!found.isFile()) throw notRegular();
    if (found.size > MAX_ENV_FILE_BYTES) throw tooLarge();
    bytes = await nodeFileSystem.readFile(file, { maxBytes: MAX_ENV_FILE_BYTES });
  } catch (error) {
    if (error instanceof FileTooLargeError) throw tooLarge();
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new Error(`its envFile ${file} does not exist.`, { cause: error });
    if (error instanceof NotRegularFileError || code === 'EISDIR') throw notRegular();
    throw error;
  }
  if (!bytes) throw new Error(`its envFile ${file} does not exist.`);
  return parseEnv(new TextDecoder().decode(bytes)) as Record<string, string>;
}


/**
 * The variables a server's definition sets, as the start question says them: each can change what
 * runs (`PATH`, `NODE_OPTIONS`, `LD_PRELOAD`) or hand the server a secret, so none is left unsaid.
 * A value naming a secret or an input (`${secret:notes}`) is said as written, never resolved; others
 * are cut at 80 characters, on one line. Empty when it sets none.
 */
function environmentSaid(env: Record<string, string> | undefined): string {
  const entries = Object.entries(env ?? {});
  if (entries.length === 0) return '';
  const said = entries.map(([name, value]) => `${oneLine(name).slice(0, 80)}=${oneLine(value).slice(0, 80)}${value.length > 80 ? '…' : ''}`);
  return `, setting ${said.join(', ')}`;
}
/** Milliseconds as seconds for a sentence: one decimal under 10 s (0.3), whole seconds above. */
function seconds(ms: number): string {
  return ms < 10_000 ? String(Math.round(ms / 100) / 10) : String(Math.round(ms / 1000));
}

function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === -32001;
}

function startFailure(error: unknown, timeout: number): string {
  if (isTimeout(error)) return `it did not answer within ${seconds(timeout)} s.`;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return 'its command was not found; check x-vscode.command (and that it is on the PATH).';
  const words = serverWords(error);
  return `${words}${/[.!?…]$/.test(words) ? '' : '.'}`;
}

/** Characters of a server's own words (an error's message) a sentence quotes at most. */
const MAX_SERVER_WORDS = 300;

/**
 * What went wrong, in the server's words or the SDK's, as one line a sentence can quote: control and
 * text-direction characters shown as spaces (a server's text could otherwise break the line or turn
 * it around), cut at MAX_SERVER_WORDS characters. The SDK reports an answer the protocol does not
 * allow as its schema checker's issues, a JSON dump of any length: that is said in a sentence instead.
 */
function serverWords(error: unknown): string {
  // A schema checker's error (zod's) makes its message from every issue when it is read: 111 MB for
  // a result of 100,000 nulls. It is told by its issues, and its message never read.
  if (error instanceof Error && Array.isArray((error as { issues?: unknown }).issues)) return 'its answer is not what the MCP protocol allows';
  const message = error instanceof Error ? error.message : String(error);
  if (/^\s*[[{]/.test(message)) return 'its answer is not what the MCP protocol allows';
  const line = oneLine(message).trim();
  return line.length > MAX_SERVER_WORDS ? `${line.slice(0, MAX_SERVER_WORDS)}…` : line;
}
