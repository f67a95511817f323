import * as assert from 'node:assert/strict';
import { MissingSecretError, resolveRecord } from '../../../../src/core/mcp/secretRefs';

describe('MCP secrets', () => {
  it('puts the values of secret references in place, or says which one is missing', async () => {
    const secrets: Record<string, string> = { a: 'one' };
    assert.deepEqual(await resolveRecord({ Authorization: 'Bearer ${secret:a}', 'X-Id': '7' }, async (name) => secrets[name], { server: 's', target: 'stdio' }), { Authorization: 'Bearer one', 'X-Id': '7' });
    await assert.rejects(resolveRecord({ Authorization: '${secret:b}' }, async (name) => secrets[name], { server: 's', target: 'https://s.example.com' }), (error: unknown) => {
      assert.ok(error instanceof MissingSecretError);
      assert.deepEqual(error.secret, { name: 'b', server: 's', target: 'https://s.example.com' });
      assert.match(error.message, /^The secret "b" that the MCP server s uses is not set for it: click Set MCP Secret \(or run "Assistants: Set MCP Secret"\)/);
      return true;
    });
    const inputs = new Map([['b', 'Your token for s']]);
    await assert.rejects(resolveRecord({ K: 'x ${secret:b}' }, async (name) => secrets[name], { server: 's', target: 'stdio', config: { label: '.vscode/mcp.json', inputs } }), /^MissingSecretError: The MCP server s of \.vscode\/mcp\.json needs the input "b" \(Your token for s\), which is not set: click Set MCP Secret/);
  });
});
