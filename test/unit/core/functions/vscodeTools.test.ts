import * as assert from 'node:assert/strict';
import type { ApprovalAnswer, ApprovalRequest } from '../../../../src/core/functions/functionToolHandler';
import { functionToolHandler, UNTRUSTED_OUTPUT } from '../../../../src/core/functions/functionToolHandler';
import type { ApprovalPolicy } from '../../../../src/core/functions/registry';
import { FunctionRegistry } from '../../../../src/core/functions/registry';
import type { VsCodeToolInfo } from '../../../../src/core/functions/vscodeTools';
import { MAX_VSCODE_TOOLS, pickedVsCodeTools, toolResultText, vscodeToolFunctionName, vscodeToolFunctions } from '../../../../src/core/functions/vscodeTools';
import type { Run } from '../../../../src/common/model';

const run = { id: 'run_1', threadId: 'thread_1', assistantId: 'user:a', status: 'requires_action', createdAt: 0 } as Run;
const tool = (name: string, inputSchema?: object): VsCodeToolInfo => ({ name, description: `Does ${name}.`, inputSchema, tags: [] });
const tools = [
  tool('mcp_github_get_issue', { type: 'object', properties: { number: { type: 'number' } }, required: ['number'] }),
  tool('mcp_github_create_issue', { type: 'object', properties: { title: { type: 'string' } } }),
  tool('copilot_readFile', { type: 'object', properties: { path: { type: 'string' } } }),
  tool('weird.tool name', undefined),
];

describe('VS Code tools (vscode.lm.tools) as functions: picked by the user, approved like workspace functions', () => {
  it('offers only what the user picked, by exact name or glob, at most MAX_VSCODE_TOOLS; nothing by default', () => {
    assert.deepEqual(pickedVsCodeTools(tools, []), []);
    assert.deepEqual(pickedVsCodeTools(tools, ['copilot_readFile']).map((t) => t.name), ['copilot_readFile']);
    assert.deepEqual(pickedVsCodeTools(tools, ['mcp_github_*']).map((t) => t.name), ['mcp_github_get_issue', 'mcp_github_create_issue']);
    assert.deepEqual(pickedVsCodeTools(tools, ['weird.tool name', 'no_such_tool']).map((t) => t.name), ['weird.tool name']);
    assert.deepEqual(pickedVsCodeTools(tools, ['!copilot_readFile']), [], 'a negated pattern picks nothing rather than everything else');
    const many = Array.from({ length: MAX_VSCODE_TOOLS + 5 }, (_, i) => tool(`t${i}`));
    assert.equal(pickedVsCodeTools(many, ['*']).length, MAX_VSCODE_TOOLS);
  });

  it('names each function vscode_<name> a model accepts, an object schema whatever the tool declared, writing (so it asks)', () => {
    assert.equal(vscodeToolFunctionName('copilot_readFile'), 'vscode_copilot_readFile');
    assert.equal(vscodeToolFunctionName('weird.tool name'), 'vscode_weird_tool_name');
    const long = vscodeToolFunctionName(`x${'y'.repeat(80)}`);
    assert.equal(long.length, 64);
    assert.notEqual(long, vscodeToolFunctionName(`x${'y'.repeat(79)}z`));
    const fns = vscodeToolFunctions(tools, async () => '');
    assert.deepEqual(fns.map((fn) => [fn.definition.name, fn.writes, fn.vscodeTool]), [
      ['vscode_mcp_github_get_issue', true, 'mcp_github_get_issue'],
      ['vscode_mcp_github_create_issue', true, 'mcp_github_create_issue'],
      ['vscode_copilot_readFile', true, 'copilot_readFile'],
      ['vscode_weird_tool_name', true, 'weird.tool name'],
    ]);
    assert.deepEqual(fns[3].definition.parameters, { type: 'object', properties: {} });
    assert.equal(fns[0].definition.description, 'Does mcp_github_get_issue. (the VS Code tool mcp_github_get_issue)');
    assert.equal(vscodeToolFunctions([tool('a.b'), tool('a b')], async () => '').length, 1, 'two tools that come to one function name: the first is offered');
  });

  describe('through the chat\'s tool handler', () => {
    const invoked: { name: string; input: Record<string, unknown> }[] = [];
    const setup = (answers: ApprovalAnswer[], options: { policy?: Record<string, ApprovalPolicy>; trusted?: boolean; invoke?: (signal: AbortSignal) => Promise<string>; functionTimeoutMs?: number } = {}) => {
      invoked.length = 0;
      const registry = new FunctionRegistry(
        vscodeToolFunctions(tools, async (name, input, signal) => {
          invoked.push({ name, input });
          return options.invoke ? options.invoke(signal) : `${name} answered`;
        }),
      );
      const asked: ApprovalRequest[] = [];
      const handler = functionToolHandler({
        registry: new FunctionRegistry(),
        trusted: () => options.trusted ?? true,
        policy: (name) => options.policy?.[name],
        approver: { ask: async (request) => (asked.push(request), answers.shift() ?? 'deny') },
        roots: () => [],
        runFunctions: async () => registry,
        ...(options.functionTimeoutMs !== undefined ? { functionTimeoutMs: options.functionTimeoutMs } : {}),
      });
      const call = async (name: string, args: object, signal = new AbortController().signal) => (await handler.handle([{ callId: `c_${name}`, name, arguments: JSON.stringify(args) }], { run, signal }))[0].output;
      return { asked, call };
    };

    it('asks on the card naming the VS Code tool, and invokes it only once allowed, with the checked arguments', async () => {
      const { asked, call } = setup(['deny', 'once']);
      assert.equal(await call('vscode_mcp_github_get_issue', { number: 7 }), 'Error: the user denied this call to vscode_mcp_github_get_issue.');
      assert.deepEqual(invoked, []);
      assert.equal(await call('vscode_mcp_github_get_issue', { number: 7 }), 'mcp_github_get_issue answered');
      assert.deepEqual(invoked, [{ name: 'mcp_github_get_issue', input: { number: 7 } }]);
      assert.deepEqual(asked.map((a) => [a.name, a.vscodeTool, a.writes]), [['vscode_mcp_github_get_issue', 'mcp_github_get_issue', true], ['vscode_mcp_github_get_issue', 'mcp_github_get_issue', true]]);
      assert.match(await call('vscode_mcp_github_get_issue', { number: 'seven' }), /^Error: the arguments do not match the parameters/);
      assert.equal(invoked.length, 1, 'bad arguments never reach the tool');
    });

    it('runs without asking when the user allows its function name, never when it says never, and not at all in an untrusted workspace', async () => {
      const allowed = setup([], { policy: { vscode_copilot_readFile: 'allow', vscode_mcp_github_create_issue: 'never' } });
      assert.equal(await allowed.call('vscode_copilot_readFile', { path: 'a' }), 'copilot_readFile answered');
      assert.equal(await allowed.call('vscode_mcp_github_create_issue', { title: 't' }), 'Error: the user does not allow vscode_mcp_github_create_issue (its approval setting is "never").');
      assert.deepEqual(allowed.asked, []);
      const untrusted = setup(['once'], { trusted: false });
      assert.equal(await untrusted.call('vscode_copilot_readFile', { path: 'a' }), UNTRUSTED_OUTPUT);
      assert.deepEqual(invoked, []);
    });

    it('Stop and the time limit abort the tool\'s signal (its cancellation token) and end the call with a sentence', async () => {
      const seen: AbortSignal[] = [];
      const hang = (signal: AbortSignal) => (seen.push(signal), new Promise<string>(() => undefined));
      const stopped = setup([], { policy: { vscode_copilot_readFile: 'allow' }, invoke: hang });
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 50);
      assert.equal(await stopped.call('vscode_copilot_readFile', { path: 'a' }, stop.signal), 'Error: vscode_copilot_readFile was stopped.');
      assert.equal(seen[0].aborted, true);
      const slow = setup([], { policy: { vscode_copilot_readFile: 'allow' }, invoke: hang, functionTimeoutMs: 50 });
      assert.match(await slow.call('vscode_copilot_readFile', { path: 'a' }), /^Error: vscode_copilot_readFile did not finish within/);
      assert.equal(seen[1].aborted, true);
      const failing = setup([], { policy: { vscode_copilot_readFile: 'allow' }, invoke: async () => Promise.reject(new Error('the VS Code tool copilot_readFile failed: no such file.')) });
      assert.match(await failing.call('vscode_copilot_readFile', { path: 'a' }), /the VS Code tool copilot_readFile failed: no such file\./);
    });
  });

  it('reads a tool result as text: text parts, text or JSON data decoded, other parts named, cut at the limit', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    assert.equal(
      toolResultText({ content: [{ value: 'Issue 7: crash on start' }, { mimeType: 'application/json', data: bytes('{"n":7}') }, { mimeType: 'image/png', data: new Uint8Array([137, 80]) }, { value: { ctor: 'tsx' } }, null] }),
      'Issue 7: crash on start\n{"n":7}\n[image/png data, not shown]\n[a part that is not text, not shown]\n[a part that is not text, not shown]',
    );
    assert.equal(toolResultText({ content: [] }), '');
    assert.equal(toolResultText({ content: [{ value: 'abcdef' }] }, 4), 'abcd\n[Cut: the result has 6 characters; the first 4 are shown.]');
  });
});
