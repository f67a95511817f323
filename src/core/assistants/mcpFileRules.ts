import type { FieldError, FileMcpTool, FileTool } from './assistantFileShape';
import { namesCredential, secretReferences } from './fileSecrets';

/**
 * The rules of an assistant file's `mcp` tools that its JSON Schema cannot say: one label per
 * server; where the server is (a hosted one needs `server_url` or `connector_id`; a local stdio one
 * neither, a local HTTP one `server_url`); and no credential written in the file: a credential
 * header, the `authorization` token and a credential environment variable must be secret
 * references (`${secret:name}`), and every `${...}` must be one.
 */
export function mcpFileErrors(tools: readonly FileTool[]): FieldError[] {
  const errors: FieldError[] = [];
  const labels = new Map<string, number>();
  tools.forEach((tool, index) => {
    if (tool.type !== 'mcp') return;
    const at = `/tools/${index}`;
    const first = labels.get(tool.server_label.toLowerCase());
    if (first === undefined) labels.set(tool.server_label.toLowerCase(), index);
    else errors.push({ path: `${at}/server_label`, message: `${tool.server_label} is already the label of tools/${first}; give each MCP server its own label` });
    errors.push(...placeErrors(tool, at));
    for (const [name, value] of Object.entries(tool.headers ?? {})) errors.push(...credentialErrors(value, namesCredential(name), `${at}/headers/${pointerEscape(name)}`));
    if (tool.authorization !== undefined) errors.push(...credentialErrors(tool.authorization, true, `${at}/authorization`));
    const local = tool['x-vscode'];
    if (local?.transport === 'stdio') {
      for (const [name, value] of Object.entries(local.env ?? {})) errors.push(...credentialErrors(value, namesCredential(name), `${at}/x-vscode/env/${pointerEscape(name)}`));
      for (const [i, arg] of (local.args ?? []).entries()) errors.push(...credentialErrors(arg, false, `${at}/x-vscode/args/${i}`));
    }
  });
  return errors;
}

function placeErrors(tool: FileMcpTool, at: string): FieldError[] {
  const local = tool['x-vscode'];
  if (local?.transport === 'stdio') {
    const extra = (['server_url', 'connector_id', 'headers', 'authorization'] as const).filter((key) => tool[key] !== undefined);
    return extra.map((key) => ({ path: `${at}/${key}`, message: `a server this extension starts (x-vscode transport "stdio") has no ${key}; remove it` }));
  }
  if (local?.transport === 'http') {
    const errors: FieldError[] = [];
    if (tool.server_url === undefined) errors.push({ path: at, message: 'a local HTTP server (x-vscode transport "http") needs its server_url' });
    for (const key of ['connector_id', 'authorization'] as const) if (tool[key] !== undefined) errors.push({ path: `${at}/${key}`, message: `only a server the Responses API reaches has ${key}; remove it here` });
    return errors;
  }
  const places = (['server_url', 'connector_id'] as const).filter((key) => tool[key] !== undefined);
  if (places.length === 1) return [];
  return [{ path: at, message: places.length === 0 ? 'an MCP server needs server_url or connector_id (or x-vscode, for a server this extension starts)' : 'give server_url or connector_id, not both' }];
}

function credentialErrors(value: string, credential: boolean, path: string): FieldError[] {
  const { names, invalid } = secretReferences(value);
  if (invalid.length > 0) return [{ path, message: `${invalid[0]} is not a secret reference; write \${secret:NAME} (letters, digits, _ . -)` }];
  if (credential && names.length === 0 && value.trim() !== '') {
    return [{ path, message: 'holds a credential in the file, where anyone with the repository can read it; store it with "Assistants: Set MCP Secret" and write ${secret:NAME} here' }];
  }
  return [];
}

function pointerEscape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
