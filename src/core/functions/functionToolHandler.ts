import * as path from 'node:path';
import type { FunctionCallRequest, Run, ToolOutput } from '../../common/model';
import type { ToolHandler } from '../toolHandler';
import type { CustomFunction, CustomFunctions } from './customFunctions';
import { commandDecision, commandResultText, memoryState, parseCustomArguments, ThreadGrants } from './customFunctions';
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
  /** The VS Code command the call would run (a function the assistant file binds to one). */
  command?: string;
  /** Only Allow once and Deny are offered: a repository's command binding asks every time. */
  onceOnly?: boolean;
  /** The MCP server the tool `name` belongs to (its label), for a tool of an MCP server. */
  server?: string;
  /** The VS Code tool (`vscode.lm.tools`) the function `name` invokes, for a tool another extension registered. */
  vscodeTool?: string;
}

/** Asks the user (the chat shows the call with its arguments and three buttons). */
export interface Approver {
  /** Resolves with the answer, or `deny` when `signal` aborts first (the run was stopped). */
  ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer>;
}

/** A call of a custom function the user answers, as the chat shows it. */
export interface OutputRequest {
  callId: string;
  runId: string;
  name: string;
  /** The arguments as the model wrote them (JSON). */
  arguments: string;
}

/** Asks the user for a custom function's output (the chat shows the call with a field and Submit). */
export interface OutputAsker {
  /** Resolves with the text the user submitted, or undefined when `signal` aborts first (the run was stopped). */
  ask(request: OutputRequest, signal: AbortSignal): Promise<string | undefined>;
}

/** Runs a VS Code command with one argument; rejects when it throws or does not exist. */
export interface CommandRunner {
  execute(command: string, args: Record<string, unknown>): Promise<unknown>;
}

export interface FunctionToolHandlerOptions {
  registry: FunctionRegistry;
  /** False in an untrusted workspace: every call is refused and the model is told why. */
  trusted(): boolean;
  /**
   * False when the settings switch workspace functions off (`assistants.tools.workspaceFunctions`):
   * every call of one is refused, also when the assistant's own definition declares a function of
   * that name. Default: on.
   */
  enabled?(): boolean;
  /**
   * The policy the user set (`assistants.functions.approval`), if any, by key: a function's name,
   * or for what a bound function runs, `commandPolicyKey(command)`.
   */
  policy(key: string): ApprovalPolicy | undefined;
  approver: Approver;
  /** Workspace folders: their paths are taken out of error outputs. */
  roots(): string[];
  /** The user's home folder, shown as `~` in outputs. */
  home?: string;
  /**
   * Functions the run's assistant brings beyond the workspace's: the tools of its local MCP
   * servers. They go through the same checks as workspace functions (trust, arguments, policy,
   * approval), but not the workspace-functions switch.
   */
  runFunctions?(run: Run): Promise<FunctionRegistry | undefined>;
  /** The functions the run's assistant defines itself (beyond the workspace functions), and where it lives. */
  customFunctions?(run: Run): Promise<CustomFunctions | undefined>;
  /** Asks the user for the output of a custom function with no command. */
  outputs?: OutputAsker;
  /** Runs the command a custom function is bound to. */
  commands?: CommandRunner;
  /** Where "Allow for this thread" is kept; in memory when absent. */
  grants?: ThreadGrants;
  /** How long a bound command may run, in milliseconds (default 60 s); then the model is told it timed out. */
  commandTimeoutMs?: number;
  /**
   * How long a workspace function may run once approved, in milliseconds (default 30 s): then its
   * signal aborts and the model is told it timed out, whether or not the handler has returned.
   */
  functionTimeoutMs?: number;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
const DEFAULT_FUNCTION_TIMEOUT_MS = 30_000;
const TIMED_OUT = Symbol('timed out');
const STOPPED = Symbol('stopped');

export const DISABLED_OUTPUT = 'Error: workspace functions are off in the user\'s settings (assistants.tools.workspaceFunctions). Tell the user if a request needs them.';

export const UNTRUSTED_OUTPUT = 'Error: workspace functions are off because the user has not trusted this workspace in VS Code. Tell the user; they can trust it with "Manage Workspace Trust".';

/**
 * Answers a run's function calls: a workspace function from the registry (trust, arguments checked
 * against its JSON Schema, the approval policy, then its handler); a custom function of the
 * assistant by the user in the chat, or by the VS Code command its file binds it to (see
 * `commandDecision`). Every call gets an output, whatever happens: a refusal, a denial, a timeout
 * or a failure becomes a sentence the model can read, with no local absolute path in it (what the
 * user typed is passed as typed). Calls are answered one after another, so at most one question is
 * asked at a time. "Allow for this thread" is kept in `grants`, by the local thread's id, and
 * dropped by `forget` when the thread is cleared or deleted.
 */
export function functionToolHandler(options: FunctionToolHandlerOptions): ToolHandler {
  const grants = options.grants ?? new ThreadGrants(memoryState());
  const scrub = (text: string) => scrubPaths(text, options.roots(), options.home);
  return {
    forget: (threadId) => grants.forget(threadId),
    async handle(calls, { run, signal, threadId = run.threadId }) {
      const foreign = calls.some((call) => !options.registry.get(call.name));
      const extra = foreign ? await options.runFunctions?.(run) : undefined;
      const custom = calls.some((call) => !options.registry.get(call.name) && !extra?.get(call.name)) ? await options.customFunctions?.(run) : undefined;
      const outputs: ToolOutput[] = [];
      for (const call of calls) {
        if (signal.aborted) {
          outputs.push({ callId: call.callId, output: 'Error: the run was stopped before this call ran.' });
          continue;
        }
        const fn = custom?.functions.get(call.name);
        const registry = !options.registry.get(call.name) && extra?.get(call.name) ? extra : options.registry;
        const output = registry === options.registry && !options.registry.get(call.name) && fn && custom ? await answerCustom(call, fn, custom) : scrub(await answer(call, registry));
        outputs.push({ callId: call.callId, output });
      }
      return outputs;

      async function answer(call: FunctionCallRequest, registry: FunctionRegistry): Promise<string> {
        if (!options.trusted()) return UNTRUSTED_OUTPUT;
        const fn = registry.get(call.name);
        if (fn && registry === options.registry && options.enabled?.() === false) return DISABLED_OUTPUT;
        const parsed = registry.parse(call.name, call.arguments);
        if (!fn || !parsed.ok) return `Error: ${parsed.ok ? `no workspace function named ${call.name} is available.` : parsed.error}`;
        const policy = options.policy(call.name) ?? Registry.defaultPolicy(fn);
        if (policy === 'never') return `Error: the user does not allow ${call.name} (its approval setting is "never").`;
        if (policy === 'ask' && !grants.has(threadId, call.name)) {
          const decision = await options.approver.ask({ callId: call.callId, name: call.name, arguments: call.arguments, writes: fn.writes, runId: run.id, ...(fn.server ? { server: fn.server } : {}), ...(fn.vscodeTool ? { vscodeTool: fn.vscodeTool } : {}) }, signal);
          if (decision === 'deny') return `Error: the user denied this call to ${call.name}.`;
          if (decision === 'thread') await grants.add(threadId, call.name);
        }
        const limitMs = fn.timeoutMs ?? options.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS;
        try {
          const result = await bounded(signal, limitMs, (inner) => fn.handle(parsed.args, { signal: inner, run }));
          if (result === TIMED_OUT) return `Error: ${call.name} did not finish within ${seconds(limitMs)} and was stopped; narrow the request (a folder, a glob, a line range).`;
          if (result === STOPPED) return `Error: ${call.name} was stopped.`;
          return result;
        } catch (error) {
          if (signal.aborted) return `Error: ${call.name} was stopped.`;
          return `Error: ${reasonOf(error)}`;
        }
      }

      async function answerCustom(call: FunctionCallRequest, fn: CustomFunction, custom: CustomFunctions): Promise<string> {
        if (!fn.command) {
          const parsed = parseCustomArguments(fn, call.arguments);
          if (!parsed.ok) return `Error: ${parsed.error}`;
          if (!options.outputs) return `Error: ${call.name} is answered by the user, and no one can answer here.`;
          const typed = await options.outputs.ask({ callId: call.callId, runId: run.id, name: call.name, arguments: call.arguments }, signal);
          return typed ?? 'Error: the run was stopped before the user answered.';
        }
        return scrub(await runCommand(call, fn, fn.command, custom));
      }

      /**
       * The arguments are checked against the file's schema after the user approved the call (the
       * schema is text from whoever wrote the file; its check is bounded, see parseCustomArguments).
       */
      async function runCommand(call: FunctionCallRequest, fn: CustomFunction, command: string, custom: CustomFunctions): Promise<string> {
        const grantKey = `${call.name} -> ${command}`;
        const decision = commandDecision({ name: call.name, command, location: custom.location, trusted: options.trusted(), policy: (key) => options.policy(key), granted: grants.has(threadId, grantKey) });
        if (decision.kind === 'refuse') return decision.output;
        if (decision.kind === 'ask') {
          const request: ApprovalRequest = { callId: call.callId, name: call.name, arguments: call.arguments, writes: true, runId: run.id, command, ...(decision.thread ? {} : { onceOnly: true }) };
          const answer = await options.approver.ask(request, signal);
          if (answer === 'deny') return `Error: the user denied this call to ${call.name} (it runs the VS Code command ${command}).`;
          if (answer === 'thread' && decision.thread) await grants.add(threadId, grantKey);
        }
        const parsed = parseCustomArguments(fn, call.arguments);
        if (!parsed.ok) return `Error: ${parsed.error}`;
        if (!options.commands) return `Error: ${call.name} runs the VS Code command ${command}, which cannot run here.`;
        const commands = options.commands;
        const limitMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
        try {
          const result = await bounded(signal, limitMs, () => commands.execute(command, parsed.args));
          if (result === TIMED_OUT) return `Error: the VS Code command ${command} did not finish within ${seconds(limitMs)}; its result, if any, is lost.`;
          if (result === STOPPED) return `Error: the run was stopped while the VS Code command ${command} ran; its result, if any, is lost.`;
          return commandResultText(command, result);
        } catch (error) {
          const reason = reasonOf(error);
          if (/command '.*' not found/i.test(reason)) return `Error: the VS Code command ${command} does not exist in this window (an extension that provides it may be missing or disabled).`;
          return `Error: the VS Code command ${command} failed: ${reason}`;
        }
      }
    },
  };
}

/**
 * Runs `work` with a signal that aborts when `signal` does (Stop) or after `limitMs`, and settles
 * as soon as either happens, whether or not `work` heeds its signal: TIMED_OUT, STOPPED, or what
 * `work` resolved to. A late result or rejection of `work` is dropped.
 */
async function bounded<T>(signal: AbortSignal, limitMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T | typeof TIMED_OUT | typeof STOPPED> {
  if (signal.aborted) return STOPPED;
  const inner = new AbortController();
  let settle: (value: typeof TIMED_OUT | typeof STOPPED) => void = () => undefined;
  const cut = new Promise<typeof TIMED_OUT | typeof STOPPED>((resolve) => (settle = resolve));
  // Settled before the work's signal aborts, so a handler that answers its abort does not win the race.
  const onStop = () => {
    settle(STOPPED);
    inner.abort(signal.reason);
  };
  const timer = setTimeout(() => {
    settle(TIMED_OUT);
    inner.abort(new Error('timed out'));
  }, limitMs);
  signal.addEventListener('abort', onStop, { once: true });
  const running = work(inner.signal);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, cut]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onStop);
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
