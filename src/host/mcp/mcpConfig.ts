import * as os from 'node:os';
import * as vscode from 'vscode';
import type { AssistantLocation } from '../../core/assistants/assistantStore';
import type { McpConfig, McpConfigServer, McpConfigSource } from '../../core/mcp/vscodeConfig';
import { MCP_CONFIG_MAX_BYTES, mcpConfigServers, parseMcpConfig } from '../../core/mcp/vscodeConfig';
import { readAtMost } from '../platform/boundedRead';

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
 * each workspace folder's `.vscode/mcp.json`, and the workspace's `mcp` setting. VS Code shows an
 * `mcp.json` as the `mcp` setting of its level too, a copy refreshed only when its file watcher
 * fires, so a level's setting is read only when that level has no `mcp.json` (a VS Code from before
 * the files, or settings never moved to one). A file over the size limit is not read.
 * `userFolder` is the folder of the user's settings (undefined: the user's `mcp.json` is not read).
 * Never throws: an unreadable file is a problem sentence.
 */
export async function readConfiguredServers(userFolder: vscode.Uri | undefined): Promise<ConfiguredServers> {
  const home = os.homedir();
  const folders = (vscode.workspace.workspaceFolders ?? []).slice(0, MAX_FOLDERS);
  const first = folders[0]?.uri.fsPath;
  const setting = vscode.workspace.getConfiguration('mcp');
  const servers = setting.inspect<unknown>('servers');
  const inputs = setting.inspect<unknown>('inputs');
  const fromSetting = (value: unknown, inputList: unknown, source: McpConfigSource) =>
    value === undefined ? [] : [{ config: mcpConfigServers({ servers: value, inputs: inputList ?? [] }, source), source }];
  const userSource: McpConfigSource = { label: 'your mcp.json', location: 'user', folder: first, home, env: process.env };
  const userFile = userFolder ? await readBounded(vscode.Uri.joinPath(userFolder, 'mcp.json'), userSource.label) : undefined;
  const configs: { config: McpConfig; source: McpConfigSource }[] =
    userFile !== undefined
      ? [{ config: typeof userFile === 'string' ? parseMcpConfig(userFile, userSource) : userFile, source: userSource }]
      : fromSetting(servers?.globalValue, inputs?.globalValue, { label: 'the mcp setting', location: 'user', folder: first, home, env: process.env });
  let workspaceFiles = 0;
  for (const folder of folders) {
    const label = folders.length > 1 ? `${folder.name}/.vscode/mcp.json` : '.vscode/mcp.json';
    const source: McpConfigSource = { label, location: 'workspace', folder: folder.uri.fsPath, home };
    const text = await readBounded(vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json'), label);
    if (text === undefined) continue;
    workspaceFiles++;
    configs.push({ config: typeof text === 'string' ? parseMcpConfig(text, source) : text, source });
  }
  if (workspaceFiles === 0) configs.push(...fromSetting(servers?.workspaceValue, inputs?.workspaceValue, { label: "the workspace's mcp setting", location: 'workspace', folder: first, home }));
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

/** A file that held more than MCP_CONFIG_MAX_BYTES when read. */
class TooLarge extends Error {}

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
  // A pipe, socket or device: reading a FIFO would wait for a writer forever.
  if (!(stat.type & vscode.FileType.File)) return problem(`${label.charAt(0).toUpperCase()}${label.slice(1)} is not a regular file (a pipe, socket or device), so its MCP servers are left out.`);
  const tooLarge = `${label.charAt(0).toUpperCase()}${label.slice(1)} is larger than ${MCP_CONFIG_MAX_BYTES / 1024} KB, so its MCP servers are left out; shorten it.`;
  if (stat.size > MCP_CONFIG_MAX_BYTES) return problem(tooLarge);
  try {
    const bytes = await readAtMost(uri, MCP_CONFIG_MAX_BYTES, () => new TooLarge());
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, MCP_CONFIG_MAX_BYTES + 1));
  } catch (error) {
    if (error instanceof TooLarge) return problem(tooLarge);
    return problem(`${label.charAt(0).toUpperCase()}${label.slice(1)} could not be read (${error instanceof Error ? error.message : String(error)}), so its MCP servers are left out.`);
  }
}
