import * as vscode from 'vscode';
import { SECRET_NAME } from '../../core/assistants/fileSecrets';
import type { Assistant } from '../../common/model';
import type { McpSecrets, SecretUse } from './mcpSecrets';
import { secretUses } from './mcpSecrets';

/**
 * "Assistants: Set MCP Secret": the secret `given` names (a missing-secret notice's button), else
 * one picked among those the active assistant's MCP servers and VS Code's configured ones (`more`)
 * name (or a name asked for); then its value in a password box, stored for that server's target.
 */
export async function setMcpSecret(secrets: McpSecrets, active: () => Promise<Assistant | undefined>, more: () => Promise<SecretUse[]>, given?: SecretUse): Promise<void> {
  const uses = given ? [] : [...secretUses((await active()) ?? { id: '', name: '', model: '', tools: [], createdAt: 0 }), ...(await more())].filter((use, i, all) => all.findIndex((other) => other.name === use.name && other.target === use.target) === i);
  let use: SecretUse | undefined = given;
  if (!use && uses.length > 0) {
    const picked = await vscode.window.showQuickPick(
      uses.map((candidate) => ({ label: candidate.name, description: `${candidate.server} · ${candidate.target}`, use: candidate })),
      { title: 'Set MCP Secret', placeHolder: 'The secret to set (named by the active assistant\'s MCP servers or VS Code\'s MCP configuration)' },
    );
    if (!picked) return;
    use = picked.use;
  } else if (!use) {
    const name = await vscode.window.showInputBox({
      title: 'Set MCP Secret',
      prompt: 'The active assistant names no secret. Name of the secret (as in ${secret:NAME})',
      validateInput: (text) => (SECRET_NAME.test(text) ? undefined : 'Letters, digits, _ . and - only, at most 64.'),
    });
    if (!name) return;
    const url = await vscode.window.showInputBox({ title: 'Set MCP Secret', prompt: 'The URL of the MCP server it is for (or "stdio" for servers this extension starts)', validateInput: (text) => (text === 'stdio' || URL.canParse(text) ? undefined : 'A URL, or stdio.') });
    if (!url) return;
    use = { name, server: '', target: url === 'stdio' ? 'stdio' : new URL(url).origin };
  }
  const value = await vscode.window.showInputBox({ title: `Set MCP Secret: ${use.name}`, prompt: `Its value${use.server ? `, for the MCP server ${use.server}` : ''}, sent only to ${use.target}`, password: true, ignoreFocusOut: true });
  if (value === undefined) return;
  await secrets.set(use.name, value, use.target);
  void vscode.window.showInformationMessage(`The secret ${use.name} is set for ${use.target}.`);
}

/** The secret a command argument names (a notice's button passes one), when it is a well-formed `SecretUse`. */
export function secretUseArgument(value: unknown): SecretUse | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, server, target } = value as Record<string, unknown>;
  return typeof name === 'string' && SECRET_NAME.test(name) && typeof server === 'string' && typeof target === 'string' && target.length > 0 ? { name, server, target } : undefined;
}

/**
 * Asks before a repository's assistant file or MCP configuration (`source`) starts (or connects
 * to) a local MCP server: code the repository chose runs with the user's permissions. Modal, so it
 * is not missed; true to start.
 */
export async function confirmMcpStart(server: string, description: string, source: string): Promise<boolean> {
  const start = 'Start Server';
  const answer = await vscode.window.showWarningMessage(
    `This workspace's ${source} wants to start the MCP server "${server}". Start it?`,
    { modal: true, detail: `It ${description}, with your permissions. Start it only if you trust this repository. You are asked again after a window reload or when its definition changes.` },
    start,
  );
  return answer === start;
}
