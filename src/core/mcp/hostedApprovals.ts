import type { ThreadGrants } from '../functions/customFunctions';
import type { Approver } from '../functions/functionToolHandler';
import type { ApprovalPolicy } from '../functions/registry';
import type { FunctionCallRequest, Run, ToolOutput } from '../../common/model';
import { mcpApprovalRequestId } from '../../common/model';
import type { ToolHandler } from '../toolHandler';

/** What answering a hosted MCP server's approval requests needs: the chat's card, the user's policy, the thread's grants. */
export interface HostedApprovalOptions {
  approver: Approver;
  /** The user's `assistants.functions.approval`, by key: `never` for `mcpPolicyKey(server, tool)` denies without asking. */
  policy(key: string): ApprovalPolicy | undefined;
  /** Where "Allow for this thread" is kept (shared with the workspace functions, so Clear Thread drops both). */
  grants: ThreadGrants;
}

/**
 * The key of a tool of an MCP server in `assistants.functions.approval` and in a thread's grants:
 * `mcp:<server label>/<tool>`. A function name cannot hold `:` or `/`, so it meets no function's key.
 */
export function mcpPolicyKey(server: string, tool: string): string {
  return `mcp:${server}/${tool}`;
}

export const APPROVED_OUTPUT = 'The user approved this call.';

/**
 * A tool handler that also answers the approval requests of hosted MCP servers (Responses
 * `mcp_approval_request`), passing every other call to `inner`. A request is asked on the same card
 * as a workspace function (Allow once, Allow for this thread, Deny) unless the thread already
 * allows that tool or the user's policy for it is `never`. An `allow` policy does not skip the
 * card: whether a hosted tool asks at all is its assistant file's `require_approval`, which a
 * repository's file cannot lower (the host asks the server to ask for those). Stop denies what
 * waits. Outputs come back in the order of `calls`.
 */
export function withHostedMcpApprovals(inner: ToolHandler, options: HostedApprovalOptions): ToolHandler {
  return {
    forget: inner.forget ? (threadId) => inner.forget?.(threadId) ?? Promise.resolve() : undefined,
    async handle(calls, context) {
      const isApproval = (call: FunctionCallRequest) => mcpApprovalRequestId(call.callId) !== undefined;
      const others = calls.filter((call) => !isApproval(call));
      const answered = new Map<string, ToolOutput>();
      if (others.length > 0) for (const output of await inner.handle(others, context)) answered.set(output.callId, output);
      const threadId = context.threadId ?? context.run.threadId;
      for (const call of calls.filter(isApproval)) answered.set(call.callId, await decide(call, context.run, threadId, context.signal));
      return calls.flatMap((call) => {
        const output = answered.get(call.callId);
        return output ? [output] : [];
      });
    },
  };

  async function decide(call: FunctionCallRequest, run: Run, threadId: string, signal: AbortSignal): Promise<ToolOutput> {
    const server = call.server ?? 'unknown';
    const key = mcpPolicyKey(server, call.name);
    const deny = (output: string): ToolOutput => ({ callId: call.callId, output, approve: false });
    if (signal.aborted) return deny('The run was stopped before the user answered.');
    if (options.policy(key) === 'never') return deny(`The user does not allow ${call.name} of the MCP server ${server} (its approval setting is "never").`);
    if (!options.grants.has(threadId, key)) {
      const answer = await options.approver.ask({ callId: call.callId, name: call.name, server, arguments: call.arguments, writes: true, runId: run.id }, signal);
      if (answer === 'deny') return deny(signal.aborted ? 'The run was stopped before the user answered.' : `The user denied this call to ${call.name}.`);
      if (answer === 'thread') await options.grants.add(threadId, key);
    }
    return { callId: call.callId, output: APPROVED_OUTPUT, approve: true };
  }
}
