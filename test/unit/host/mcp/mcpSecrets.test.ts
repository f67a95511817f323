import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { MissingSecretError } from '../../../../src/core/mcp/secretRefs';
import type { Assistant, McpServerTool } from '../../../../src/common/model';
import { McpSecrets, secretTarget, secretUses } from '../../../../src/host/mcp/mcpSecrets';

function memorySecrets(): vscode.SecretStorage & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: async (key: string) => values.get(key),
    store: async (key: string, value: string) => void values.set(key, value),
    delete: async (key: string) => void values.delete(key),
    onDidChange: (() => ({ dispose() {} })) as unknown as vscode.Event<vscode.SecretStorageChangeEvent>,
  };
}

const github: McpServerTool = { type: 'mcp', serverLabel: 'github', serverUrl: 'https://api.github.test/mcp/', headers: { Authorization: 'Bearer ${secret:gh}' } };
const assistant = (id: string, ...tools: McpServerTool[]): Assistant => ({ id, name: 'a', model: 'm', createdAt: 0, tools });

describe('MCP secrets: kept in SecretStorage, sent only where they were set for', () => {
  it('puts a secret in place for the server it was set for, never into the file or the stored assistant', async () => {
    const storage = memorySecrets();
    const secrets = new McpSecrets(storage);
    await secrets.set('gh', 'ghp_secret', secretTarget(github));
    const original = assistant('user:dev', github);
    const prepared = await secrets.prepare(original);
    assert.deepEqual((prepared.tools[0] as McpServerTool).headers, { Authorization: 'Bearer ghp_secret' });
    assert.deepEqual(original.tools[0], github, 'the assistant itself keeps the reference');
    assert.equal((prepared.tools[0] as McpServerTool).requireApproval, undefined, 'a personal file decides its approvals');
  });

  it('gives nothing to a file that names the secret beside another server, and says how to set it', async () => {
    const secrets = new McpSecrets(memorySecrets());
    await secrets.set('gh', 'ghp_secret', secretTarget(github));
    for (const elsewhere of ['https://attacker.test/mcp', 'http://api.github.test/mcp/', 'https://api.github.test:8443/mcp/']) {
      await assert.rejects(secrets.prepare(assistant('workspace:repo', { ...github, serverUrl: elsewhere })), (error: unknown) => {
        assert.ok(error instanceof MissingSecretError);
        assert.equal(error.message, 'The secret "gh" that the MCP server github uses is not set for it: click Set MCP Secret (or run "Assistants: Set MCP Secret") and enter it.');
        assert.deepEqual(error.secret, { name: 'gh', server: 'github', target: new URL(elsewhere).origin }, 'the button sets it for the server that asked, not the one it was set for');
        return true;
      });
    }
  });

  it('asks the server to ask for every call of a repository\'s hosted tools, whatever its file says', async () => {
    const secrets = new McpSecrets(memorySecrets());
    const open: McpServerTool = { type: 'mcp', serverLabel: 'docs', serverUrl: 'https://docs.test/mcp', requireApproval: 'never' };
    assert.equal(((await secrets.prepare(assistant('workspace:repo', open))).tools[0] as McpServerTool).requireApproval, 'always');
    assert.equal(((await secrets.prepare(assistant('user:me', open))).tools[0] as McpServerTool).requireApproval, 'never');
  });

  it('lists the secrets an assistant names, with the server and target each is for', () => {
    const local: McpServerTool = { type: 'mcp', serverLabel: 'notes', local: { transport: 'stdio', command: 'node', env: { NOTES_TOKEN: '${secret:notes}' } } };
    assert.deepEqual(secretUses(assistant('user:a', github, local)), [
      { name: 'gh', server: 'github', target: 'https://api.github.test' },
      { name: 'notes', server: 'notes', target: 'stdio' },
    ]);
  });
});
