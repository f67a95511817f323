import * as assert from 'node:assert/strict';
import { functionToolHandler } from '../../../../src/core/functions/functionToolHandler';
import { FunctionRegistry } from '../../../../src/core/functions/registry';
import { allowedTools, defaultToolPolicy, localToolFunctions, mcpFunctionName, resultText } from '../../../../src/core/mcp/localTools';
import type { McpToolInfo } from '../../../../src/core/mcp/localTools';
import type { McpServerTool, Run } from '../../../../src/common/model';

const read: McpToolInfo = { name: 'read_note', description: 'Reads.', inputSchema: { type: 'object', properties: { title: { type: 'string' } } }, annotations: { readOnlyHint: true } };
const write: McpToolInfo = { name: 'write_note', inputSchema: { type: 'object' } };
const odd: McpToolInfo = { name: 'get.weather/today', inputSchema: { type: 'string' } as Record<string, unknown> };
const server = (extra: Partial<McpServerTool> = {}): McpServerTool => ({ type: 'mcp', serverLabel: 'notes', local: { transport: 'stdio', command: 'node' }, ...extra });
const run = { id: 'run_1' } as Run;

describe('local MCP tools as functions', () => {
  it('names each tool mcp_<server>_<tool> within the 64 characters a function name may have, long names kept apart', () => {
    assert.equal(mcpFunctionName('notes', 'read_note'), 'mcp_notes_read_note');
    assert.equal(mcpFunctionName('notes', 'get.weather/today'), 'mcp_notes_get_weather_today');
    const a = mcpFunctionName('a-long-server-label-of-thirty-two', `${'x'.repeat(40)}_one`);
    const b = mcpFunctionName('a-long-server-label-of-thirty-two', `${'x'.repeat(40)}_two`);
    assert.equal(a.length, 64);
    assert.notEqual(a, b);
    assert.match(a, /^[a-zA-Z0-9_-]{1,64}$/);
  });

  it('offers only the tools allowed_tools lets through, by name or by read-only mark', () => {
    assert.deepEqual(allowedTools(server({ allowedTools: ['write_note'] }), [read, write]).map((t) => t.name), ['write_note']);
    assert.deepEqual(allowedTools(server({ allowedTools: { readOnly: true } }), [read, write]).map((t) => t.name), ['read_note']);
    assert.deepEqual(allowedTools(server(), [read, write]).map((t) => t.name), ['read_note', 'write_note']);
  });

  it('asks before writing tools and reads without asking by default; require_approval raises or lowers that, but a repository\'s file cannot lower it', () => {
    assert.equal(defaultToolPolicy(server(), read, 'user'), 'allow');
    assert.equal(defaultToolPolicy(server(), write, 'user'), 'ask');
    assert.equal(defaultToolPolicy(server({ requireApproval: 'always' }), read, 'workspace'), 'ask');
    assert.equal(defaultToolPolicy(server({ requireApproval: 'never' }), write, 'user'), 'allow');
    assert.equal(defaultToolPolicy(server({ requireApproval: 'never' }), write, 'workspace'), 'ask');
    assert.equal(defaultToolPolicy(server({ requireApproval: { never: { toolNames: ['write_note'] } } }), write, 'workspace'), 'ask');
    assert.equal(defaultToolPolicy(server({ requireApproval: { never: { toolNames: ['write_note'] } } }), write, 'server'), 'allow');
    assert.equal(defaultToolPolicy(server({ requireApproval: { always: { readOnly: true } } }), read, 'user'), 'ask');
  });

  it('maps tools to functions: an object schema, the server named, a result as text, a flagged error thrown as a sentence', async () => {
    const answers: Record<string, { content: { type: string; text?: string; mimeType?: string }[]; isError?: boolean }> = {
      read_note: { content: [{ type: 'text', text: 'one' }, { type: 'image', mimeType: 'image/png' }] },
      write_note: { content: [{ type: 'text', text: 'disk full' }], isError: true },
      'get.weather/today': { content: [] },
    };
    const called: string[] = [];
    const fns = localToolFunctions(server({ serverDescription: 'Team notes' }), [read, write, odd], 'user', async (name) => (called.push(name), answers[name]));
    assert.deepEqual(fns.map((f) => [f.definition.name, f.writes, f.approval, f.server]), [
      ['mcp_notes_read_note', false, 'allow', 'notes'],
      ['mcp_notes_write_note', true, 'ask', 'notes'],
      ['mcp_notes_get_weather_today', true, 'ask', 'notes'],
    ]);
    assert.equal(fns[0].definition.description, 'Reads. (tool read_note of the MCP server notes: Team notes)');
    assert.deepEqual(fns[2].definition.parameters, { type: 'object', properties: {} }, 'a schema that is not an object becomes an empty object schema');
    const context = { signal: new AbortController().signal, run };
    assert.equal(await fns[0].handle({ title: 'a' }, context), 'one\n[image image/png, not shown]');
    await assert.rejects(fns[1].handle({}, context), /^Error: write_note on the MCP server notes failed: disk full$/);
    assert.equal(await fns[2].handle({}, context), 'get.weather/today ran and returned nothing.');
    assert.deepEqual(called, ['read_note', 'write_note', 'get.weather/today'], 'each function calls the server by the tool\'s own name');
  });

  it('cuts a long result with a note, and shows structured content when there is no text', () => {
    const text = resultText({ content: [{ type: 'text', text: 'y'.repeat(50) }] }, 20);
    assert.equal(text, `${'y'.repeat(20)}\n[Cut: the result has 50 characters; the first 20 are shown.]`);
    assert.equal(resultText({ content: [], structuredContent: { a: 1 } }), '{\n  "a": 1\n}');
  });
});

describe('local MCP functions in the tool handler, beside the workspace functions', () => {
  const answer = (name: string) => async () => ({ content: [{ type: 'text', text: `${name} answered` }] });
  const mcpRegistry = (name: string) => new FunctionRegistry(localToolFunctions(server(), [{ ...read, name }], 'user', answer(`mcp ${name}`)));
  const handler = (enabled: boolean, extra: FunctionRegistry, workspace: FunctionRegistry = new FunctionRegistry()) =>
    functionToolHandler({ registry: workspace, trusted: () => true, enabled: () => enabled, policy: () => undefined, approver: { ask: async () => 'deny' }, roots: () => [], runFunctions: async () => extra });
  const call = async (h: ReturnType<typeof handler>, name: string) => (await h.handle([{ callId: 'c', name, arguments: '{"title":"t"}' }], { run, signal: new AbortController().signal }))[0].output;

  it('answers an MCP function though the settings switch workspace functions off', async () => {
    assert.equal(await call(handler(false, mcpRegistry('read_note')), 'mcp_notes_read_note'), 'mcp read_note answered');
  });

  it('a workspace function keeps its name: the MCP registry cannot answer for it', async () => {
    const workspace = new FunctionRegistry([{ definition: { name: 'mcp_notes_read_note', parameters: { type: 'object' } }, writes: false, handle: async () => 'workspace answered' }]);
    assert.equal(await call(handler(true, mcpRegistry('read_note'), workspace), 'mcp_notes_read_note'), 'workspace answered');
  });

  it("an MCP call gets the server's own time limit (60 s by default), not the 30 s of a workspace function", async () => {
    const slowly = (ms: number) => async () => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { content: [{ type: 'text' as const, text: 'late but kept' }] };
    };
    const [fn] = localToolFunctions(server(), [read], 'user', slowly(0));
    assert.equal(fn.timeoutMs, 61_000, 'a second after the 60 s the call itself waits');
    // Workspace functions limited to 50 ms; the MCP tool waits 1 s for its server, so a 150 ms answer arrives.
    const mcp = new FunctionRegistry(localToolFunctions(server(), [read], 'user', slowly(150), 1000));
    const hung = new FunctionRegistry([{ definition: { name: 'hung', parameters: { type: 'object' } }, writes: false, handle: () => new Promise<string>(() => undefined) }]);
    const limited = functionToolHandler({ registry: hung, trusted: () => true, policy: () => undefined, approver: { ask: async () => 'once' }, roots: () => [], runFunctions: async () => mcp, functionTimeoutMs: 50 });
    const outputs = await limited.handle([{ callId: 'a', name: 'mcp_notes_read_note', arguments: '{}' }, { callId: 'b', name: 'hung', arguments: '{}' }], { run, signal: new AbortController().signal });
    assert.deepEqual(outputs.map((o) => o.output), ['late but kept', 'Error: hung did not finish within 0 s and was stopped; narrow the request (a folder, a glob, a line range).']);
  });
});
