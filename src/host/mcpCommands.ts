import * as vscode from 'vscode';
import { SECRET_NAME } from '../core/mcp/secretRefs';
import type { Assistant } from '../core/model';
import type { McpSecrets, SecretUse } from './mcpSecrets';
import { secretUses } from './mcpSecrets';

/**
 * "Assistants: Set MCP Secret": picks one of the secrets the active assistant's MCP servers name
 * (or asks for a name), then its value in a password box, and stores it for that server's target.
 */
export async function setMcpSecret(secrets: McpSecrets, active: () => Promise<Assistant | undefined>): Promise<void> {
  const uses = secretUses((await active()) ?? { id: '', name: '', model: '', tools: [], createdAt: 0 });
  let use: SecretUse | undefined;
  if (uses.length > 0) {
    const picked = await vscode.window.showQuickPick(
      uses.map((candidate) => ({ label: candidate.name, description: `${candidate.server} · ${candidate.target}`, use: candidate })),
      { title: 'Set MCP Secret', placeHolder: 'The secret to set (named by the active assistant\'s MCP servers)' },
    );
    if (!picked) return;
    use = picked.use;
  } else {
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
  const value = await vscode.window.showInputBox({ title: `Set MCP Secret: ${use.name}`, prompt: `Its value, sent only to ${use.target}`, password: true, ignoreFocusOut: true });
  if (value === undefined) return;
  await secrets.set(use.name, value, use.target);
  void vscode.window.showInformationMessage(`The secret ${use.name} is set for ${use.target}.`);
}

/**
 * Asks before a repository's assistant file starts (or connects to) a local MCP server: code the
 * repository chose runs with the user's permissions. Modal, so it is not missed; true to start.
 */
export async function confirmMcpStart(server: string, description: string): Promise<boolean> {
  const start = 'Start Server';
  const answer = await vscode.window.showWarningMessage(
    `This workspace's assistant file wants to start the MCP server "${server}". Start it?`,
    { modal: true, detail: `It ${description}, with your permissions. Start it only if you trust this repository. You are asked again after a window reload or when its definition changes.` },
    start,
  );
  return answer === start;
}
