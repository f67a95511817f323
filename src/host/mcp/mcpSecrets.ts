import type * as vscode from 'vscode';
import { locationOf } from '../../core/assistants/assistantService';
import { AssistantsError } from '../../core/errors';
import type { SecretLookup } from '../../core/mcp/secretRefs';
import { SECRET_NAME, secretReferences } from '../../core/assistants/fileSecrets';
import { resolveRecord, resolveSecrets } from '../../core/mcp/secretRefs';
import type { Assistant, McpServerTool } from '../../common/model';

const KEY_PREFIX = 'assistants.mcp.secret.';

/** What a stored secret is: its value, and where it may be sent (`secretTarget`). */
interface StoredSecret {
  value: string;
  target: string;
}

/**
 * Where an MCP server's secrets may go: the origin of its URL (`https://mcp.example.com`), or
 * `stdio` for the environment of a server this extension starts. A secret is set for one target
 * and put in place only for a server of that target, so an assistant file (a repository's, say)
 * that names your secret beside another URL gets nothing.
 */
export function secretTarget(tool: McpServerTool): string {
  if (tool.local?.transport === 'stdio') return 'stdio';
  if (tool.connectorId) return `connector:${tool.connectorId}`;
  try {
    return new URL(tool.serverUrl ?? '').origin;
  } catch {
    return 'invalid-url';
  }
}

/** One secret an assistant's MCP servers refer to, and the server that uses it. */
export interface SecretUse {
  name: string;
  server: string;
  target: string;
}

/** The secrets an assistant's MCP servers refer to, in order, each with the first server that uses it. */
export function secretUses(assistant: Assistant): SecretUse[] {
  const uses: SecretUse[] = [];
  for (const tool of assistant.tools) {
    if (tool.type !== 'mcp') continue;
    const texts = [...Object.values(tool.headers ?? {}), tool.authorization ?? '', ...Object.values(tool.local?.transport === 'stdio' ? (tool.local.env ?? {}) : {})];
    for (const name of texts.flatMap((text) => secretReferences(text).names)) {
      if (!uses.some((use) => use.name === name && use.target === secretTarget(tool))) uses.push({ name, server: tool.serverLabel, target: secretTarget(tool) });
    }
  }
  return uses;
}

/**
 * The MCP secrets, in VS Code's SecretStorage (the OS keychain), never in a file or setting. Each
 * is kept with the target it was set for (`secretTarget`).
 */
export class McpSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  /** Stores `value` as secret `name`, for servers at `target`. */
  async set(name: string, value: string, target: string): Promise<void> {
    if (!SECRET_NAME.test(name)) throw new AssistantsError('bad_request', 'A secret name has letters, digits, _ . and - only, at most 64.');
    await this.storage.store(KEY_PREFIX + name, JSON.stringify({ value, target } satisfies StoredSecret));
  }

  /** Looks secrets up for servers at `target`: one set for another target is not given. */
  lookup(target: string): SecretLookup {
    return async (name) => {
      const stored = parseStored(await this.storage.get(KEY_PREFIX + name));
      return stored && stored.target === target ? stored.value : undefined;
    };
  }

  /**
   * The assistant as a run sends it: each hosted MCP server's headers and authorization with their
   * secrets in place. A repository's assistant (`workspace:` id) asks the server to ask the user
   * before every tool call (`require_approval: "always"`): its file cannot make a tool skip the card.
   * Throws `MissingSecretError` (a `bad_request`) when a secret is not set for that server.
   */
  async prepare(assistant: Assistant): Promise<Assistant> {
    if (!assistant.tools.some((tool) => tool.type === 'mcp' && !tool.local)) return assistant;
    const repository = locationOf(assistant.id) === 'workspace';
    const tools = await Promise.all(
      assistant.tools.map(async (tool) => {
        if (tool.type !== 'mcp' || tool.local) return tool;
        const target = secretTarget(tool);
        const lookup = this.lookup(target);
        const place = { server: tool.serverLabel, target };
        const headers = await resolveRecord(tool.headers, lookup, place);
        const authorization = tool.authorization !== undefined ? await resolveSecrets(tool.authorization, lookup, place) : undefined;
        return { ...tool, ...(headers ? { headers } : {}), ...(authorization !== undefined ? { authorization } : {}), ...(repository ? { requireApproval: 'always' as const } : {}) };
      }),
    );
    return { ...assistant, tools };
  }
}

function parseStored(text: string | undefined): StoredSecret | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<StoredSecret>;
    return typeof value.value === 'string' && typeof value.target === 'string' ? { value: value.value, target: value.target } : undefined;
  } catch {
    return undefined;
  }
}
