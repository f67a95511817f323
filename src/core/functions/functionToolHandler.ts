import * as path from 'node:path';
import type { FunctionCallRequest, ToolOutput } from '../model';
import type { ToolHandler } from '../toolHandler';
import type { ApprovalPolicy, FunctionRegistry } from './registry';
import { FunctionRegistry as Registry } from './registry';

/** The user's answer to "may the assistant run this?". */
export type ApprovalAnswer = 'once' | 'thread' | 'deny';

/** A call waiting for the user's approval, as the chat shows it. */
export interface ApprovalRequest {
  callId: string;
  name: string;
  /** The arguments as the model wrote them (JSON). */
  arguments: string;
  writes: boolean;
  runId: string;
}

/** Asks the user (the chat shows the call with its arguments and three buttons). */
export interface Approver {
  /** Resolves with the answer, or `deny` when `signal` aborts first (the run was stopped). */
  ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer>;
}

export interface FunctionToolHandlerOptions {
  registry: FunctionRegistry;
  /** False in an untrusted workspace: every call is refused and the model is told why. */
  trusted(): boolean;
  /** The policy the user set for a function (`assistants.functions.approval`), if any. */
  policy(name: string): ApprovalPolicy | undefined;
  approver: Approver;
  /** Workspace folders: their paths are taken out of error outputs. */
  roots(): string[];
  /** The user's home folder, shown as `~` in outputs. */
  home?: string;
}

export const UNTRUSTED_OUTPUT = 'Error: workspace functions are off because the user has not trusted this workspace in VS Code. Tell the user; they can trust it with "Manage Workspace Trust".';

/**
 * Answers a run's function calls from the registry: checks trust, the arguments (against the JSON
 * Schema), the approval policy, then runs the handler. Every call gets an output, whatever happens:
 * a refusal, a denial or a failure becomes a sentence the model can read, with no local absolute
 * path in it. Calls are answered one after another, so at most one approval is asked at a time.
 * "Allow for this thread" is remembered per thread for as long as the window lives.
 */
export function functionToolHandler(options: FunctionToolHandlerOptions): ToolHandler {
  const threadGrants = new Map<string, Set<string>>();
  return {
    async handle(calls, { run, signal }) {
      if (!options.trusted()) return calls.map((call) => ({ callId: call.callId, output: UNTRUSTED_OUTPUT }));
      const outputs: ToolOutput[] = [];
      for (const call of calls) {
        if (signal.aborted) {
          outputs.push({ callId: call.callId, output: 'Error: the run was stopped before this call ran.' });
          continue;
        }
        outputs.push({ callId: call.callId, output: scrubPaths(await answer(call), options.roots(), options.home) });
      }
      return outputs;

      async function answer(call: FunctionCallRequest): Promise<string> {
        const fn = options.registry.get(call.name);
        const parsed = options.registry.parse(call.name, call.arguments);
        if (!fn || !parsed.ok) return `Error: ${parsed.ok ? `no workspace function named ${call.name} is available.` : parsed.error}`;
        const policy = options.policy(call.name) ?? Registry.defaultPolicy(fn);
        if (policy === 'never') return `Error: the user does not allow ${call.name} (its approval setting is "never").`;
        const grants = threadGrants.get(run.threadId) ?? new Set<string>();
        if (policy === 'ask' && !grants.has(call.name)) {
          const decision = await options.approver.ask({ callId: call.callId, name: call.name, arguments: call.arguments, writes: fn.writes, runId: run.id }, signal);
          if (decision === 'deny') return `Error: the user denied this call to ${call.name}.`;
          if (decision === 'thread') threadGrants.set(run.threadId, grants.add(call.name));
        }
        try {
          return await fn.handle(parsed.args, { signal, run });
        } catch (error) {
          if (signal.aborted) return `Error: ${call.name} was stopped.`;
          const reason = error instanceof Error ? error.message : String(error);
          return `Error: ${reason}`;
        }
      }
    },
  };
}

/**
 * Takes local absolute paths out of a text the model will read: a workspace folder becomes its
 * relative form, the home folder becomes `~`.
 */
export function scrubPaths(text: string, roots: string[], home?: string): string {
  let result = text;
  for (const root of [...roots].sort((a, b) => b.length - a.length)) {
    result = result.split(`${root}${path.sep}`).join('').split(root).join('.');
  }
  return home && home.length > 1 ? result.split(home).join('~') : result;
}
