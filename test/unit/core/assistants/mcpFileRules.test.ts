import * as assert from 'node:assert/strict';
import { draftFromFile, fileFromDraft, parseAssistantFile, validateAssistantFile } from '../../../../src/core/assistants/assistantFile';

const base = { version: 1, name: 'With MCP', model: 'gpt-4.1' };
const withTools = (...tools: unknown[]) => ({ ...base, tools });
const errorsOf = (...tools: unknown[]) => validateAssistantFile(withTools(...tools)).map((e) => `${e.path}: ${e.message}`);

describe('assistant files: MCP servers', () => {
  const hosted = {
    type: 'mcp',
    server_label: 'github',
    server_url: 'https://api.githubcopilot.com/mcp/',
    server_description: 'Issues and pull requests.',
    allowed_tools: { read_only: true },
    require_approval: { never: { tool_names: ['search_issues'] } },
    headers: { Authorization: 'Bearer ${secret:github}' },
  };
  const stdio = { type: 'mcp', server_label: 'notes', require_approval: 'always', allowed_tools: ['read_note'], 'x-vscode': { transport: 'stdio', command: 'node', args: ['server.js'], env: { NOTES_TOKEN: '${secret:notes}', MODE: 'ro' }, cwd: 'tools' } };
  const http = { type: 'mcp', server_label: 'local', server_url: 'http://127.0.0.1:3001/mcp', headers: { 'X-Api-Key': '${secret:local}' }, 'x-vscode': { transport: 'http' } };

  it('accepts the Responses mcp tool, a local stdio server and a local HTTP one, and keeps every field through the domain', () => {
    const parsed = parseAssistantFile(JSON.stringify(withTools(hosted, stdio, http, { type: 'mcp', server_label: 'drive', connector_id: 'connector_googledrive', authorization: '${secret:drive}' })));
    assert.deepEqual(parsed.errors, []);
    const draft = draftFromFile(parsed.file!);
    assert.deepEqual(draft.tools[0], {
      type: 'mcp',
      serverLabel: 'github',
      serverUrl: 'https://api.githubcopilot.com/mcp/',
      serverDescription: 'Issues and pull requests.',
      allowedTools: { readOnly: true },
      requireApproval: { never: { toolNames: ['search_issues'] } },
      headers: { Authorization: 'Bearer ${secret:github}' },
    });
    assert.deepEqual(draft.tools[1], { type: 'mcp', serverLabel: 'notes', allowedTools: ['read_note'], requireApproval: 'always', local: stdio['x-vscode'] });
    assert.deepEqual(fileFromDraft(draft).tools, parsed.file!.tools);
  });

  it('refuses a credential written into the file, in a header, the authorization or a server\'s environment', () => {
    assert.deepEqual(errorsOf({ ...hosted, headers: { Authorization: 'Bearer ghp_0123456789' } }), [
      '/tools/0/headers/Authorization: holds a credential in the file, where anyone with the repository can read it; store it with "Assistants: Set MCP Secret" and write ${secret:NAME} here',
    ]);
    assert.equal(errorsOf({ ...http, headers: { 'x-api-key': 'abc123' } }).length, 1);
    assert.equal(errorsOf({ ...http, headers: { Cookie: 'session=1' } }).length, 1);
    assert.equal(errorsOf({ ...stdio, 'x-vscode': { ...stdio['x-vscode'], env: { GITHUB_TOKEN: 'ghp_x' } } }).length, 1);
    assert.match(errorsOf({ type: 'mcp', server_label: 'd', connector_id: 'connector_gmail', authorization: 'ya29.token' })[0], /^\/tools\/0\/authorization: must match pattern/);
    // A harmless header stays as written.
    assert.deepEqual(errorsOf({ ...hosted, headers: { 'X-Region': 'eu', Authorization: 'Bearer ${secret:github}' } }), []);
  });

  it('refuses references that are not secret references, wherever they are', () => {
    assert.match(errorsOf({ ...hosted, headers: { 'X-Home': '${env:HOME}' } })[0], /\$\{env:HOME\} is not a secret reference/);
    assert.match(errorsOf({ ...stdio, 'x-vscode': { ...stdio['x-vscode'], args: ['--key=${secret:bad name}'] } })[0], /^\/tools\/0\/x-vscode\/args\/0: /);
  });

  it('needs one place for a server, and a label of its own', () => {
    assert.deepEqual(errorsOf({ type: 'mcp', server_label: 'x' }), ['/tools/0: an MCP server needs server_url or connector_id (or x-vscode, for a server this extension starts)']);
    assert.deepEqual(errorsOf({ type: 'mcp', server_label: 'x', server_url: 'https://a.test', connector_id: 'connector_gmail' }), ['/tools/0: give server_url or connector_id, not both']);
    assert.deepEqual(errorsOf({ ...stdio, server_url: 'https://a.test' }), ['/tools/0/server_url: a server this extension starts (x-vscode transport "stdio") has no server_url; remove it']);
    assert.deepEqual(errorsOf({ ...http, server_url: undefined }), ['/tools/0: a local HTTP server (x-vscode transport "http") needs its server_url']);
    assert.deepEqual(errorsOf(hosted, { ...http, server_label: 'GitHub' }), ['/tools/1/server_label: GitHub is already the label of tools/0; give each MCP server its own label']);
    assert.equal(errorsOf({ ...hosted, server_label: 'has space' }).length, 1);
    assert.equal(errorsOf({ ...hosted, server_url: 'file:///etc/passwd' }).length, 1);
    assert.equal(errorsOf({ ...stdio, 'x-vscode': { transport: 'stdio' } }).length, 1, 'stdio needs its command');
  });
});
