import * as path from 'node:path';
import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import type { ParseError } from 'jsonc-parser';
import { parse, printParseErrorCode } from 'jsonc-parser';
import type { AssistantLocation } from '../assistants/assistantStore';
import { duplicateKey } from '../text/duplicateKeys';
import { deeperThan, jsoncNestsDeeper } from '../text/jsonDepth';
import type { McpServerTool } from '../../common/model';
import { SECRET_NAME } from '../assistants/fileSecrets';

/**
 * VS Code's own MCP configuration, read as this extension's local servers: a workspace's
 * `.vscode/mcp.json`, the user's `mcp.json` and the `mcp` setting, each
 * `{"servers": {name: server}, "inputs": [...]}` with a server
 * `{"type": "stdio", "command", "args", "env", "envFile", "cwd"}` or
 * `{"type": "http" | "sse", "url", "headers"}` (a server with a `command` and no `type` is stdio).
 *
 * A repository writes its `.vscode/mcp.json`, so the text is hostile: at most `MCP_CONFIG_MAX_BYTES`,
 * parsed as JSONC (comments, trailing commas), nested at most `MAX_DEPTH` levels, each server checked
 * against a JSON Schema on its own (a bad one is left out with a sentence, the others kept), at most
 * `MAX_SERVERS` servers. Variables: `${workspaceFolder}`, `${workspaceFolderBasename}`, `${userHome}`,
 * `${pathSeparator}` (`${/}`) are put in place here; `${input:ID}` becomes the secret reference
 * `${secret:ID}`, put in place from SecretStorage at start (never guessed, never prompted for here);
 * `${env:NAME}` only in the user's own configuration; anything else leaves its server out.
 */

/** The most bytes of configuration text read; a longer file is refused whole. */
export const MCP_CONFIG_MAX_BYTES = 256 * 1024;
/** The most servers taken from one configuration; the rest are left out with a sentence. */
export const MAX_SERVERS = 32;
const MAX_DEPTH = 16;
const MAX_LABEL = 64;

/** Where a configuration comes from, and what its variables mean there. */
export interface McpConfigSource {
  /** How a sentence names it: ".vscode/mcp.json", "the mcp setting". */
  label: string;
  /** `workspace` for what a repository wrote (asks before starting, never in an untrusted workspace), `user` for the user's own. */
  location: AssistantLocation;
  /** The folder `${workspaceFolder}` names and a relative `cwd` resolves against; absent with no folder open. */
  folder?: string;
  /** The user's home folder (`${userHome}`). */
  home: string;
  /** The environment `${env:NAME}` reads, for a `user` source; a `workspace` source may not read it. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** One server of a configuration, as the local server it becomes: `local` is set; `envFile` (absolute) is read by whoever starts it. */
export type McpConfigServer = McpServerTool & { local: NonNullable<McpServerTool['local']> };

/** What a configuration yields: its servers, and one sentence for each thing left out. */
export interface McpConfig {
  servers: McpConfigServer[];
  /** One sentence each, naming the source and, where it is one server's fault, the server. */
  problems: string[];
  /** The description of each `inputs` entry by id, for a sentence about a secret not yet set. */
  inputs: Map<string, string>;
}

const stringMap = { type: 'object', maxProperties: 256, additionalProperties: { type: 'string', maxLength: 8192 } } as const;
const serverSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['command'],
      properties: {
        type: { const: 'stdio' },
        command: { type: 'string', minLength: 1, maxLength: 4096 },
        args: { type: 'array', maxItems: 256, items: { type: 'string', maxLength: 8192 } },
        env: { type: 'object', maxProperties: 256, additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
        envFile: { type: 'string', minLength: 1, maxLength: 4096 },
        cwd: { type: 'string', minLength: 1, maxLength: 4096 },
      },
    },
    {
      type: 'object',
      required: ['type', 'url'],
      properties: {
        type: { enum: ['http', 'sse'] },
        url: { type: 'string', minLength: 1, maxLength: 4096 },
        headers: stringMap,
      },
    },
  ],
} as const;
const inputSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 }, description: { type: 'string', maxLength: 500 } },
} as const;

const ajv = new Ajv({ allErrors: false, strict: false });
const validateServer = ajv.compile(serverSchema);
const validateInput = ajv.compile(inputSchema);

interface RawStdio {
  type?: 'stdio';
  command: string;
  args?: string[];
  env?: Record<string, string | number | boolean | null>;
  envFile?: string;
  cwd?: string;
}
interface RawRemote {
  type: 'http' | 'sse';
  url: string;
  headers?: Record<string, string>;
}

/**
 * Reads one configuration's text (see the module's comment). Never throws: a text over the size
 * limit, one that is not JSONC or whose `servers` is not an object yields no servers and one problem.
 */
export function parseMcpConfig(text: string, source: McpConfigSource): McpConfig {
  const refuse = (why: string): McpConfig => ({ servers: [], problems: [`${capital(source.label)} ${why}`], inputs: new Map() });
  if (Buffer.byteLength(text, 'utf8') > MCP_CONFIG_MAX_BYTES) return refuse(`is larger than ${MCP_CONFIG_MAX_BYTES / 1024} KB, so its MCP servers are left out; shorten it.`);
  if (!text.trim()) return { servers: [], problems: [], inputs: new Map() };
  // The parser recurses: a file nested thousands deep is refused before it is parsed.
  if (jsoncNestsDeeper(text, MAX_DEPTH)) return refuse(`nests deeper than ${MAX_DEPTH} levels, so its MCP servers are left out.`);
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0];
    return refuse(`is not valid JSON (${printParseErrorCode(first.error)} at line ${lineOf(text, first.offset)}), so its MCP servers are left out; fix it.`);
  }
  // A key written twice is read as its last: a server could read one way where a reviewer looks and start another.
  const twice = duplicateKey(text);
  if (twice !== undefined) return refuse(`writes the key at ${twice} twice, so its MCP servers are left out; keep one.`);
  if (value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)) return { servers: [], problems: [], inputs: new Map() };
  return mcpConfigServers(value, source);
}

/**
 * The servers of a configuration value already parsed (the `mcp` setting comes as a value): the
 * same checks as `parseMcpConfig` past the text.
 */
export function mcpConfigServers(value: unknown, source: McpConfigSource): McpConfig {
  const problems: string[] = [];
  const inputs = new Map<string, string>();
  const say = (sentence: string) => problems.push(sentence);
  if (!isRecord(value)) return { servers: [], problems: [`${capital(source.label)} is not a JSON object, so its MCP servers are left out.`], inputs };
  if (deeperThan(value, MAX_DEPTH)) return { servers: [], problems: [`${capital(source.label)} nests deeper than ${MAX_DEPTH} levels, so its MCP servers are left out.`], inputs };
  const rawInputs = value.inputs;
  if (Array.isArray(rawInputs)) {
    for (const input of rawInputs.slice(0, 256)) if (validateInput(input)) inputs.set(input.id, input.description ?? '');
  } else if (rawInputs !== undefined) say(`The inputs of ${source.label} are not a list; they are ignored.`);
  const rawServers = value.servers;
  if (rawServers === undefined) return { servers: [], problems, inputs };
  if (!isRecord(rawServers)) return { servers: [], problems: [...problems, `The servers of ${source.label} are not an object of servers by name, so they are left out.`], inputs };
  const entries = Object.entries(rawServers);
  if (entries.length > MAX_SERVERS) say(`${capital(source.label)} lists ${entries.length} MCP servers; only the first ${MAX_SERVERS} are offered.`);
  const servers: McpConfigServer[] = [];
  for (const [name, raw] of entries.slice(0, MAX_SERVERS)) {
    const label = name.trim();
    const where = `The MCP server "${label.slice(0, MAX_LABEL)}" of ${source.label}`;
    if (!label || label.length > MAX_LABEL) {
      say(`${where} has a name of ${label.length} characters; give it a name of 1 to ${MAX_LABEL}. It is left out.`);
      continue;
    }
    const type = isRecord(raw) ? raw.type : undefined;
    if (isRecord(raw) && type !== undefined && type !== 'stdio' && type !== 'http' && type !== 'sse') {
      say(`${where} has type ${JSON.stringify(type).slice(0, 40)}, which this extension does not run (it runs stdio, http and sse); it is left out.`);
      continue;
    }
    if (!validateServer(raw)) {
      say(`${where} is not a server this extension can run (${schemaSentence(validateServer.errors ?? [], type)}); it is left out.`);
      continue;
    }
    try {
      servers.push(toServer(label, raw as RawStdio | RawRemote, source));
    } catch (error) {
      say(`${where} ${error instanceof Error ? error.message : String(error)} It is left out.`);
    }
  }
  return { servers, problems, inputs };
}

function toServer(label: string, raw: RawStdio | RawRemote, source: McpConfigSource): McpConfigServer {
  const sub = (text: string) => substitute(text, source);
  if (isRemote(raw)) {
    const url = sub(raw.url);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`has a url that is not a URL (${url.slice(0, 100)}).`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`has a url of ${parsed.protocol.replace(/:$/, '')}, not http or https.`);
    const headers = raw.headers ? mapValues(raw.headers, sub) : undefined;
    return { type: 'mcp', serverLabel: label, serverUrl: url, ...(headers ? { headers } : {}), local: { transport: raw.type } };
  }
  const env = raw.env ? Object.fromEntries(Object.entries(raw.env).filter(([, v]) => v !== null).map(([k, v]) => [k, sub(String(v))])) : undefined;
  const cwd = raw.cwd ? sub(raw.cwd) : undefined;
  const envFile = raw.envFile ? sub(raw.envFile) : undefined;
  const base = cwd ? path.resolve(source.folder ?? source.home, cwd) : source.folder;
  return {
    type: 'mcp',
    serverLabel: label,
    local: {
      transport: 'stdio',
      command: sub(raw.command),
      ...(raw.args ? { args: raw.args.map(sub) } : {}),
      ...(env ? { env } : {}),
      ...(cwd ? { cwd: base } : {}),
      ...(envFile ? { envFile: path.resolve(base ?? source.home, envFile) } : {}),
    },
  };
}

/** Puts a configuration's variables in place (see the module's comment); throws a sentence's end for one it may not use. */
function substitute(text: string, source: McpConfigSource): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner === 'workspaceFolder' || inner === 'workspaceFolderBasename') {
      if (!source.folder) throw new Error(`uses ${whole}, but no folder is open.`);
      return inner === 'workspaceFolder' ? source.folder : path.basename(source.folder);
    }
    if (inner === 'userHome') return source.home;
    if (inner === 'pathSeparator' || inner === '/') return path.sep;
    if (inner.startsWith('input:')) {
      const id = inner.slice('input:'.length);
      if (!SECRET_NAME.test(id)) throw new Error(`uses the input "${id.slice(0, 64)}", whose id this extension cannot keep as a secret (letters, digits, _ . - only, at most 64); rename it.`);
      return `\${secret:${id}}`;
    }
    if (inner.startsWith('env:')) {
      if (source.location === 'workspace') throw new Error(`reads ${whole} from your environment, which a repository's configuration may not do; set it with an input instead.`);
      const value = source.env?.[inner.slice('env:'.length)];
      if (value === undefined) throw new Error(`reads ${whole}, which is not set in the environment of VS Code.`);
      return value;
    }
    throw new Error(`uses ${whole.slice(0, 80)}, which this extension does not fill in (it fills in workspaceFolder, userHome, pathSeparator, input: and env:).`);
  });
}

/** Why a server failed its schema, as words: the first error, at its field. */
function schemaSentence(errors: ErrorObject[], type: unknown): string {
  const remote = type === 'http' || type === 'sse';
  // oneOf reports every branch; the branch its `type` picks says what is wrong with it.
  const relevant = errors.filter((error) => error.schemaPath.startsWith(remote ? '#/oneOf/1' : '#/oneOf/0'));
  const error = relevant[0] ?? errors[0];
  if (!error) return 'it does not match the format';
  if (error.keyword === 'required') return `it needs ${String((error.params as { missingProperty?: string }).missingProperty)}`;
  const field = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'it';
  return `${field} ${error.message ?? 'is not valid'}`;
}

function isRemote(raw: RawStdio | RawRemote): raw is RawRemote {
  return raw.type === 'http' || raw.type === 'sse';
}

function mapValues(record: Record<string, string>, fn: (value: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
