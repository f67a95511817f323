import * as os from 'node:os';
import * as vscode from 'vscode';
import type { AssistantLocation } from '../../core/assistants/assistantStore';
import type { McpConfig, McpConfigServer, McpConfigSource } from '../../core/mcp/vscodeConfig';
import { MCP_CONFIG_MAX_BYTES, mcpConfigServers, parseMcpConfig } from '../../core/mcp/vscodeConfig';

/** The most workspace folders whose `.vscode/mcp.json` is read. */
const MAX_FOLDERS = 16;

/** A server of VS Code's MCP configuration, with where it was configured. */
export interface ConfiguredServer {
  tool: McpConfigServer;
  /** `workspace` for a repository's `.vscode/mcp.json` or workspace setting (asks before it starts), `user` for the user's own. */
  location: AssistantLocation;
  /** The configuration that names it, as a sentence says it (".vscode/mcp.json"). */
  source: string;
  /** Its configuration's inputs' descriptions by id (`${input:ID}` is the secret ID). */
  inputs: ReadonlyMap<string, string>;
}

/** What VS Code's MCP configuration yields: servers by label (the first configuration to name one wins), and sentences about what was left out. */
export interface ConfiguredServers {
  servers: ConfiguredServer[];
  problems: string[];
}

/**
 * Reads the MCP servers configured in VS Code itself, in this order: the user's `mcp.json` (VS
 * Code's "MCP: Open User Configuration", beside the user's settings), the user's `mcp` setting,
 * the workspace's `mcp` setting, and each workspace folder's `.vscode/mcp.json`. A file over the
 * size limit is not read. `userFolder` is the folder of the user's settings (undefined: the user's
 * `mcp.json` is not read). Never throws: an unreadable file is a problem sentence.
 */
export async function readConfiguredServers(userFolder: vscode.Uri | undefined): Promise<ConfiguredServers> {
  const home = os.homedir();
  const folders = (vscode.workspace.workspaceFolders ?? []).slice(0, MAX_FOLDERS);
  const first = folders[0]?.uri.fsPath;
  const configs: { config: McpConfig; source: McpConfigSource }[] = [];
  const userSource: McpConfigSource = { label: 'your mcp.json', location: 'user', folder: first, home, env: process.env };
  if (userFolder) {
    const text = await readBounded(vscode.Uri.joinPath(userFolder, 'mcp.json'), userSource.label);
    if (text !== undefined) configs.push({ config: typeof text === 'string' ? parseMcpConfig(text, userSource) : text, source: userSource });
  }
  const setting = vscode.workspace.getConfiguration('mcp');
  const servers = setting.inspect<unknown>('servers');
  const inputs = setting.inspect<unknown>('inputs');
  const settingConfig = (value: unknown, inputList: unknown, source: McpConfigSource) => {
    if (value !== undefined) configs.push({ config: mcpConfigServers({ servers: value, inputs: inputList ?? [] }, source), source });
  };
  settingConfig(servers?.globalValue, inputs?.globalValue, { label: 'the mcp setting', location: 'user', folder: first, home, env: process.env });
  settingConfig(servers?.workspaceValue, inputs?.workspaceValue, { label: "the workspace's mcp setting", location: 'workspace', folder: first, home });
  for (const folder of folders) {
    const label = folders.length > 1 ? `${folder.name}/.vscode/mcp.json` : '.vscode/mcp.json';
    const source: McpConfigSource = { label, location: 'workspace', folder: folder.uri.fsPath, home };
    const text = await readBounded(vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json'), label);
    if (text !== undefined) configs.push({ config: typeof text === 'string' ? parseMcpConfig(text, source) : text, source });
  }
  const result: ConfiguredServers = { servers: [], problems: [] };
  const taken = new Map<string, string>();
  for (const { config, source } of configs) {
    result.problems.push(...config.problems);
    for (const tool of config.servers) {
      const key = tool.serverLabel.toLowerCase();
      const by = taken.get(key);
      if (by !== undefined) {
        result.problems.push(`The MCP server "${tool.serverLabel}" of ${source.label} is left out: ${by} already names a server ${tool.serverLabel}.`);
        continue;
      }
      taken.set(key, source.label);
      result.servers.push({ tool, location: source.location, source: source.label, inputs: config.inputs });
    }
  }
  return result;
}

/** A file's text, a config with one problem when it is too large or unreadable, or undefined when there is none. */
async function readBounded(uri: vscode.Uri, label: string): Promise<string | McpConfig | undefined> {
  const problem = (sentence: string): McpConfig => ({ servers: [], problems: [sentence], inputs: new Map() });
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    return undefined;
  }
  if (stat.type & vscode.FileType.Directory) return problem(`${label} is a folder, not a file; its MCP servers are left out.`);
  if (stat.size > MCP_CONFIG_MAX_BYTES) return problem(`${label.charAt(0).toUpperCase()}${label.slice(1)} is larger than ${MCP_CONFIG_MAX_BYTES / 1024} KB, so its MCP servers are left out; shorten it.`);
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, MCP_CONFIG_MAX_BYTES + 1));
  } catch (error) {
    return problem(`${label.charAt(0).toUpperCase()}${label.slice(1)} could not be read (${error instanceof Error ? error.message : String(error)}), so its MCP servers are left out.`);
  }
}
