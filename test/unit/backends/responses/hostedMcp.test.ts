import * as assert from 'node:assert/strict';
import { ThreadGrants, memoryState } from '../../../../src/core/functions/customFunctions';
import type { ApprovalAnswer, ApprovalRequest } from '../../../../src/core/functions/functionToolHandler';
import { withHostedMcpApprovals } from '../../../../src/core/mcp/hostedApprovals';
import type { Assistant, McpServerTool, RunStep, ToolCall } from '../../../../src/common/model';
import { DEMO_MCP_URL } from '../../../fakes/hostedMcp';
import { contractErrors } from '../../../contract/recorded';
import { bodyOf, echoTools, startHarness, textOf } from './harness';
import type { Harness } from './harness';

function calls(steps: RunStep[]): ToolCall[] {
  return steps.flatMap((step) => (step.details.type === 'tool_calls' ? step.details.toolCalls : []));
}

/** An approver that answers from a list, and remembers what it was asked. */
function scriptedApprover(...answers: ApprovalAnswer[]) {
  const asked: ApprovalRequest[] = [];
  return { asked, ask: async (request: ApprovalRequest) => (asked.push(request), answers.shift() ?? 'deny') };
}

const NOTES: McpServerTool = { type: 'mcp', serverLabel: 'notes', serverUrl: DEMO_MCP_URL, requireApproval: { never: { readOnly: true } } };

describe('Hosted MCP servers on Responses: the mcp tool, its items as steps, approvals', function () {
  // The contract checks compile schemas out of a 3 MB document on first use.
  this.timeout(60_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function harness(answers: ApprovalAnswer[], tool: McpServerTool = NOTES, preferStreaming = true) {
    const approver = scriptedApprover(...answers);
    h = await startHarness({ driver: { preferStreaming, toolHandler: withHostedMcpApprovals(echoTools, { approver, policy: () => undefined, grants: new ThreadGrants(memoryState()) }) } });
    const assistant: Assistant = { ...h.assistant, tools: [tool] };
    return { h, approver, assistant };
  }

  for (const preferStreaming of [true, false]) {
    it(`asks before a writing tool, answers with mcp_approval_response, and shows list, request and call as steps (${preferStreaming ? 'streamed' : 'polled'})`, async () => {
      const { h, approver, assistant } = await harness(['once'], NOTES, preferStreaming);
      const start = await h.startWith('call write_note with {"title":"plan","text":"Ship it."}');
      const done = await h.driver.run({ ...start, assistant }, h.onEvent);
      assert.equal(done.run.status, 'completed');
      assert.deepEqual(
        approver.asked.map((a) => [a.name, a.server, a.arguments]),
        [['write_note', 'notes', '{"title":"plan","text":"Ship it."}']],
      );
      const [first, second] = h.requests('POST', '/responses').map(bodyOf);
      assert.deepEqual(first.tools, [{ type: 'mcp', server_label: 'notes', server_url: DEMO_MCP_URL, require_approval: { never: { read_only: true } } }]);
      const input = second.input as Record<string, unknown>[];
      assert.equal(input.length, 1);
      assert.equal(input[0].type, 'mcp_approval_response');
      assert.equal(input[0].approve, true);
      assert.match(String(input[0].approval_request_id), /^mcpr_/);
      assert.deepEqual(h.fake.mcp.calls.map((c) => [c.name, c.args]), [['write_note', { title: 'plan', text: 'Ship it.' }]]);
      const all = calls(done.steps);
      const list = all.find((c) => c.type === 'mcp_list_tools');
      assert.ok(list?.type === 'mcp_list_tools');
      assert.deepEqual(list.tools.map((t) => t.name), ['read_note', 'write_note', 'fail']);
      const request = all.find((c) => c.type === 'mcp' && c.approval);
      assert.ok(request?.type === 'mcp');
      assert.equal(request.output, 'The user approved this call.', 'the request step shows the answer');
      const call = all.find((c) => c.type === 'mcp' && !c.approval);
      assert.ok(call?.type === 'mcp');
      assert.equal(call.output, 'Saved the note "plan".');
      assert.equal(call.error, undefined);
      assert.equal(textOf(done.messages.at(-1)), 'write_note returned: Saved the note "plan".');
      assert.deepEqual(contractErrors(h.fake.requests), []);
    });
  }

  it('a denied call is never run, and the model hears the denial', async () => {
    const { h, approver, assistant } = await harness(['deny']);
    const start = await h.startWith('call write_note with {"title":"x","text":"y"}');
    const done = await h.driver.run({ ...start, assistant }, h.onEvent);
    assert.equal(approver.asked.length, 1);
    const input = bodyOf(h.requests('POST', '/responses')[1]).input as Record<string, unknown>[];
    assert.equal(input[0].approve, false);
    assert.equal(input[0].reason, 'The user denied this call to write_note.');
    assert.deepEqual(h.fake.mcp.calls, []);
    assert.equal(textOf(done.messages.at(-1)), 'You did not allow write_note on notes, so I did not run it.');
    assert.deepEqual(contractErrors(h.fake.requests), []);
  });

  it('a read-only tool the file lets through runs without a card', async () => {
    const { h, approver, assistant } = await harness([]);
    const start = await h.startWith('call read_note with {"title":"launch"}');
    const done = await h.driver.run({ ...start, assistant }, h.onEvent);
    assert.equal(approver.asked.length, 0);
    const call = calls(done.steps).find((c) => c.type === 'mcp');
    assert.ok(call?.type === 'mcp');
    assert.equal(call.output, 'The launch is on March 3.');
  });

  it('"Allow for this thread" answers the next request of that tool without a card', async () => {
    const { h, approver, assistant } = await harness(['thread']);
    const start = await h.startWith('call write_note with {"title":"a","text":"t"}');
    await h.driver.run({ ...start, assistant }, h.onEvent);
    const next = await h.backend.addMessage(start.thread, { content: [{ type: 'text', text: 'call write_note with {"title":"b","text":"t"}', annotations: [] }] });
    await h.driver.run({ ...start, assistant, history: [...start.history, next] }, h.onEvent);
    assert.equal(approver.asked.length, 1);
    assert.deepEqual(h.fake.mcp.calls.map((c) => c.args.title), ['a', 'b']);
  });

  it('tool execution and protocol errors read as sentences', async () => {
    const { h, assistant } = await harness([]);
    h.fake.model.enqueue({
      steps: [
        { type: 'mcp_call', server: 'notes', name: 'fail', arguments: {} },
        { type: 'mcp_call', server: 'notes', name: 'read_note', arguments: { title: 'missing' } },
        { type: 'text', text: 'Both failed.' },
      ],
    });
    const start = await h.startWith('try');
    const done = await h.driver.run({ ...start, assistant }, h.onEvent);
    const errors = calls(done.steps).flatMap((c) => (c.type === 'mcp' ? [c.error] : []));
    assert.deepEqual(errors, ['fail on the MCP server notes failed: This tool always fails.', 'read_note on the MCP server notes failed: No note is titled "missing".']);
    assert.ok(done.steps.filter((s) => calls([s]).some((c) => c.type === 'mcp')).every((s) => s.status === 'failed'));
  });

  it('a server that refuses the request (no token) says which secret to set', async () => {
    const { h, assistant } = await harness([], { type: 'mcp', serverLabel: 'private', serverUrl: 'https://private.fake.test/mcp', headers: { Authorization: 'Bearer wrong' } });
    h.fake.mcp.add('https://private.fake.test/mcp', { tools: [], call: () => ({ output: '' }), requiredHeaders: { authorization: 'Bearer right' } });
    h.fake.model.enqueue({ steps: [{ type: 'mcp_call', server: 'private', name: 'anything', arguments: {} }] });
    const start = await h.startWith('try');
    const done = await h.driver.run({ ...start, assistant }, h.onEvent);
    const list = calls(done.steps).find((c) => c.type === 'mcp_list_tools');
    assert.ok(list?.type === 'mcp_list_tools');
    assert.match(list.error ?? '', /^The MCP server private refused the request \(HTTP 401\).*"Assistants: Set MCP Secret"/);
    assert.equal(done.steps.find((s) => calls([s]).includes(list))?.status, 'failed');
    const sent = (bodyOf(h.requests('POST', '/responses')[0]).tools as Record<string, unknown>[])[0];
    assert.deepEqual(sent.headers, { Authorization: 'Bearer wrong' });
    assert.deepEqual(contractErrors(h.fake.requests), []);
  });

  it('Stop while a request waits denies it and sends nothing more', async () => {
    const stop = new AbortController();
    const approver = { asked: 0, ask: (_r: ApprovalRequest, signal: AbortSignal) => new Promise<ApprovalAnswer>((resolve) => { approver.asked++; stop.abort(); signal.addEventListener('abort', () => resolve('deny')); }) };
    h = await startHarness({ driver: { toolHandler: withHostedMcpApprovals(echoTools, { approver, policy: () => undefined, grants: new ThreadGrants(memoryState()) }) } });
    const start = await h.startWith('call write_note with {"title":"x","text":"y"}');
    const done = await h.driver.run({ ...start, assistant: { ...h.assistant, tools: [NOTES] } }, h.onEvent, stop.signal);
    assert.equal(approver.asked, 1);
    assert.notEqual(done.run.status, 'requires_action');
    assert.equal(h.requests('POST', '/responses').length, 1, 'no approval was sent');
    assert.deepEqual(h.fake.mcp.calls, []);
  });
});
