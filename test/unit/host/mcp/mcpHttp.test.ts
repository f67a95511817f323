import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type * as vscode from 'vscode';
import type { AssistantEntry } from '../../../../src/core/assistants/assistantStore';
import type { McpServerTool, Run } from '../../../../src/common/model';
import { McpSecrets, secretTarget } from '../../../../src/host/mcp/mcpSecrets';
import { McpServers } from '../../../../src/host/mcp/mcpServers';

/** A Streamable HTTP MCP server (stateless) with one read tool, that refuses requests without `x-api-key: <key>`. */
async function httpServer(key: string): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(String(req.headers['x-api-key']));
    if (req.headers['x-api-key'] !== key) {
      res.writeHead(401).end('Unauthorized');
      return;
    }
    const mcp = new Server({ name: 'remote-notes', version: '1.0.0' }, { capabilities: { tools: {} } });
    mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'read_note', inputSchema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } }] }));
    mcp.setRequestHandler(CallToolRequestSchema, async () => ({ content: [{ type: 'text', text: 'over HTTP' }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close());
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return { url, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function memorySecrets(): vscode.SecretStorage {
  const values = new Map<string, string>();
  return { get: async (k: string) => values.get(k), store: async (k: string, v: string) => void values.set(k, v), delete: async (k: string) => void values.delete(k), onDidChange: (() => ({ dispose() {} })) as unknown as vscode.Event<vscode.SecretStorageChangeEvent> };
}

describe('a local MCP server over Streamable HTTP (x-vscode transport "http")', function () {
  this.timeout(20_000);

  it('connects with the headers, the secret put in place for that origin only, and calls its tools', async () => {
    const remote = await httpServer('k-123');
    const lines: string[] = [];
    const warnings: string[] = [];
    const secrets = new McpSecrets(memorySecrets());
    const servers = new McpServers({
      log: { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l), error: (l: string) => lines.push(l) } as unknown as vscode.LogOutputChannel,
      trusted: () => true,
      secrets,
      folder: () => undefined,
      confirmStart: async () => true,
      warn: (message) => warnings.push(message),
    });
    try {
      const tool: McpServerTool = { type: 'mcp', serverLabel: 'remote', serverUrl: remote.url, headers: { 'X-Api-Key': '${secret:remote}' }, local: { transport: 'http' } };
      const entry: AssistantEntry = { id: 'user:a', name: 'A', location: 'user', assistant: { id: 'user:a', name: 'A', model: 'm', createdAt: 0, tools: [tool] } };
      const missing = await servers.additions(entry);
      assert.equal(missing.registry.list().length, 0);
      assert.match(missing.notes[0], /The secret "remote" that the MCP server remote uses is not set for it/);
      await secrets.set('remote', 'k-123', 'http://elsewhere.test');
      assert.match((await servers.additions(entry)).notes[0] ?? '', /not set for it/, 'a secret set for another origin is not sent');
      await secrets.set('remote', 'k-123', secretTarget(tool));
      const { registry } = await servers.additions(entry);
      const fn = registry.get('mcp_remote_read_note');
      assert.ok(fn);
      assert.equal(await fn.handle({}, { signal: new AbortController().signal, run: {} as Run }), 'over HTTP');
      assert.ok(remote.seen.length > 0 && remote.seen.every((key) => key === 'k-123'), 'every request carried the secret, and no request went out without it');
      assert.ok(!lines.some((line) => line.includes('k-123')), 'the secret is not in the log');
    } finally {
      servers.dispose();
      await remote.close();
    }
  });

  it('a server that floods an answer is cut at 4 MB and said at once, not waited for until the start gives up', async () => {
    for (const type of ['text/event-stream', 'application/json']) {
      let sent = 0;
      const flood = http.createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': type });
        const chunk = type === 'text/event-stream' ? `data: ${'x'.repeat(65_536)}` : 'x'.repeat(65_536);
        const more = () => {
          while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
          if (sent < 64 * 1024 * 1024) res.once('drain', more);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        more();
      });
      await new Promise<void>((resolve) => flood.listen(0, '127.0.0.1', resolve));
      const warnings: string[] = [];
      const servers = new McpServers({
        log: { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as vscode.LogOutputChannel,
        trusted: () => true,
        secrets: new McpSecrets(memorySecrets()),
        folder: () => undefined,
        confirmStart: async () => true,
        warn: (message) => warnings.push(message),
      });
      try {
        const tool: McpServerTool = { type: 'mcp', serverLabel: 'flood', serverUrl: `http://127.0.0.1:${(flood.address() as AddressInfo).port}/mcp`, local: { transport: 'http' } };
        const started = Date.now();
        const { notes } = await servers.additions({ id: 'user:a', name: 'A', location: 'user', assistant: { id: 'user:a', name: 'A', model: 'm', createdAt: 0, tools: [tool] } });
        assert.ok(Date.now() - started < 5_000, `${type}: said after ${Date.now() - started} ms (the start waits 20 s)`);
        assert.match(notes[0] ?? '', /not available/);
        assert.deepEqual(warnings, ['The MCP server flood could not start: it sent a message of more than 4 MB, so it was not read. Its tools are left out; "Assistants: Show Log" has its output.'], type);
        assert.ok(sent < 32 * 1024 * 1024, `${type}: ${sent} bytes sent before the connection closed`);
      } finally {
        servers.dispose();
        flood.closeAllConnections();
        await new Promise((resolve) => flood.close(resolve));
      }
    }
  });
});
