import type { ValidateFunction } from 'ajv';
import type { AssistantEntry, AssistantLocation } from '../assistants/assistantStore';
import { deeperThan, MAX_SCHEMA_DEPTH } from '../text/jsonDepth';
import { boundedAjv, SchemaTooLargeError } from '../text/boundedAjv';
import { PatternError } from '../text/linearRegExp';
import type { KeyValueState } from '../assistants/assistantService';
import type { Assistant, FunctionDefinition, Run, ToolDefinition } from '../../common/model';
import type { ApprovalPolicy, ParsedArguments } from './registry';
import { parseArguments } from './registry';

/**
 * A function the assistant's own definition offers (a `function` tool of its file that is not a
 * workspace function). Without `command` the user answers it in the chat, as the Playground does;
 * with `command` the VS Code command of that id runs with the call's arguments.
 */
export interface CustomFunction {
  definition: FunctionDefinition;
  /** The VS Code command id the assistant file binds it to (`x-vscode.command`), if any. */
  command?: string;
}

/** The custom functions of the assistant a run uses, and where its definition lives. */
export interface CustomFunctions {
  /**
   * `workspace`: a file in the repository, written by whoever wrote the repository: its command
   * bindings always ask. `user` (personal storage) and `server` follow the approval policy. Every
   * binding is off in an untrusted workspace.
   */
  location: AssistantLocation;
  functions: ReadonlyMap<string, CustomFunction>;
}

/** The custom functions among an assistant's tools: every function tool whose name `isBuiltin` does not claim. */
export function customFunctionsOf(tools: readonly ToolDefinition[], location: AssistantLocation, isBuiltin: (name: string) => boolean): CustomFunctions {
  const functions = new Map<string, CustomFunction>();
  for (const tool of tools) {
    if (tool.type !== 'function' || isBuiltin(tool.function.name)) continue;
    functions.set(tool.function.name, { definition: tool.function, ...(tool.command ? { command: tool.command } : {}) });
  }
  return { location, functions };
}

/** The assistants a run's custom functions are looked up in (`AssistantService` fits). */
export interface AssistantLookup {
  list(): Promise<AssistantEntry[]>;
  active(): Promise<AssistantEntry>;
  /** The file this user published a server assistant from, if they did (see `AssistantService.linkedFile`). */
  linkedFile(assistant: Assistant): string | undefined;
  /** Whether this user published the file `fileId` to the server assistant `serverId`. */
  publishedFrom(serverId: string, fileId: string): boolean;
}

/**
 * The custom functions of the assistant a run uses, from its file: the run's assistant by id, or,
 * for a server assistant this user published a file to (Assistants v2), that file (the server does
 * not keep command bindings); when the run's assistant is not listed, the active one if it is that
 * assistant (see `standIn`), else none. Only a server assistant's link is followed, and only when
 * it was recorded here at publishing (`linkedFile`): a file's own metadata is text its author
 * wrote, and a teammate's server assistant published from their own `user:helper` names yours
 * too; either would otherwise run with your file's bindings and trust.
 */
export async function customFunctionsForRun(assistants: AssistantLookup, run: Run, isBuiltin: (name: string) => boolean): Promise<CustomFunctions | undefined> {
  const entry = await assistantEntryForRun(assistants, run);
  return entry?.assistant ? customFunctionsOf(entry.assistant.tools, entry.location, isBuiltin) : undefined;
}

/**
 * The assistant (with where it lives) whose file defines what a run's calls do, found as
 * `customFunctionsForRun` says; undefined when there is none to trust.
 */
export async function assistantEntryForRun(assistants: AssistantLookup, run: Run): Promise<AssistantEntry | undefined> {
  const entries = await assistants.list();
  const byId = entries.find((entry) => entry.id === run.assistantId);
  const linked = byId?.location === 'server' && byId.assistant ? assistants.linkedFile(byId.assistant) : undefined;
  return (linked ? entries.find((candidate) => candidate.id === linked && candidate.location !== 'server') : undefined) ?? byId ?? (await standIn());

  // The run's assistant is not listed: the active one stands in only when it is that assistant, or
  // its published file (the server's list out of reach), or the run does not say (a server that
  // does not echo metadata). Another file never lends its bindings and trust to the run.
  async function standIn(): Promise<AssistantEntry | undefined> {
    const active = await assistants.active();
    const same = !run.assistantId || active.id === run.assistantId || assistants.publishedFrom(run.assistantId, active.id);
    return same ? active : undefined;
  }
}

const ajv = boundedAjv();
/** Compiled parameter schemas, by their JSON text (an assistant's definition is read anew for each run). */
const compiled = new Map<string, ValidateFunction>();

/**
 * A call's arguments checked against the custom function's parameters (no parameters: any object),
 * in bounded time: the schema's patterns and `uniqueItems` run in linear time (`boundedAjv`), a schema nesting deeper
 * than MAX_SCHEMA_DEPTH is refused before anything recurses into it. A schema ajv cannot compile
 * (or a pattern RE2 cannot take) is reported as such, not thrown.
 */
export function parseCustomArguments(fn: CustomFunction, json: string): ParsedArguments {
  const unusable = `the parameters of ${fn.definition.name} in the assistant's definition are not a usable JSON Schema`;
  if (deeperThan(fn.definition.parameters, MAX_SCHEMA_DEPTH)) return { ok: false, error: `${unusable} (they nest deeper than ${MAX_SCHEMA_DEPTH} levels).` };
  const key = JSON.stringify(fn.definition.parameters ?? { type: 'object' });
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(JSON.parse(key) as object);
    } catch (error) {
      return { ok: false, error: error instanceof PatternError || error instanceof SchemaTooLargeError ? `${unusable}: ${error.message}.`.replace(/\.\.$/, '.') : `${unusable}.` };
    }
    compiled.set(key, validate);
  }
  return parseArguments(json, validate);
}

/** What happens to a call of a command-bound function before anything runs. */
export type CommandDecision =
  | { kind: 'refuse'; output: string }
  | { kind: 'run' }
  /** `thread`: whether "Allow for this thread" may be offered (never for a repository's bindings). */
  | { kind: 'ask'; thread: boolean };

export const UNTRUSTED_COMMAND_OUTPUT =
  'Error: this function runs a VS Code command, and such commands (like every workspace function) are off because the user has not trusted this workspace in VS Code. Tell the user; they can trust it with "Manage Workspace Trust".';

/**
 * The key of `assistants.functions.approval` that allows a bound function without asking: what
 * runs, the command id (`command:editor.action.formatDocument`), not the function's name, which
 * any assistant file may bind to another command. A function name cannot hold `:`, so the two
 * kinds of key never meet.
 */
export function commandPolicyKey(command: string): string {
  return `command:${command}`;
}

/**
 * The approval decision for a call of `name`, bound to `command`. In an untrusted workspace every
 * binding is off. `never` for the function's name or for the command refuses it. A repository's
 * binding then always asks, once at a time. A personal (or published) one runs without asking
 * only when the command's key (`commandPolicyKey`) is `allow` and the name is not set to `ask`,
 * or when the user allowed it for the thread (`granted`); else it asks. An `allow` for the name
 * alone is not enough: it says nothing of the command the name is bound to today.
 */
export function commandDecision(input: { name: string; command: string; location: AssistantLocation; trusted: boolean; policy(key: string): ApprovalPolicy | undefined; granted: boolean }): CommandDecision {
  if (!input.trusted) return { kind: 'refuse', output: UNTRUSTED_COMMAND_OUTPUT };
  const byName = input.policy(input.name);
  const byCommand = input.policy(commandPolicyKey(input.command));
  if (byName === 'never') return { kind: 'refuse', output: `Error: the user does not allow ${input.name} (its approval setting is "never").` };
  if (byCommand === 'never') return { kind: 'refuse', output: `Error: the user does not allow the VS Code command ${input.command} (its approval setting is "never").` };
  if (input.location === 'workspace') return { kind: 'ask', thread: false };
  if (input.granted || (byCommand === 'allow' && byName !== 'ask')) return { kind: 'run' };
  return { kind: 'ask', thread: true };
}

/** The most of a command's result the model reads, in characters. */
export const COMMAND_OUTPUT_LIMIT = 20_000;

/**
 * A command's result as the text the model reads: JSON (strings as they are), `undefined` as a
 * sentence, cut at `limit` characters with a note saying so. A result JSON cannot hold (a cycle, a
 * BigInt) is described, not thrown.
 */
export function commandResultText(command: string, result: unknown, limit = COMMAND_OUTPUT_LIMIT): string {
  let text: string;
  if (result === undefined || result === null) {
    text = `The command ${command} ran and returned nothing.`;
  } else if (typeof result === 'string') {
    text = result;
  } else {
    try {
      text = JSON.stringify(result, null, 2) ?? `The command ${command} ran; its result cannot be shown as JSON.`;
    } catch {
      text = `The command ${command} ran; its result cannot be shown as JSON.`;
    }
  }
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n[Cut: the result has ${text.length} characters; the first ${limit} are shown.]`;
}

const GRANTS_KEY = 'assistants.functions.threadGrants';
/** Threads whose grants are kept; the oldest go first. */
const MAX_GRANT_THREADS = 200;

/**
 * "Allow for this thread", remembered in a key-value state (the workspace's, in VS Code) so it
 * outlives a window reload. A grant is for one function of one thread, by `key` (the function's
 * name, with the command for a bound one, so a changed binding asks again).
 */
export class ThreadGrants {
  constructor(private readonly state: KeyValueState) {}

  has(threadId: string, key: string): boolean {
    const keys = this.all()[threadId];
    return Array.isArray(keys) && keys.includes(key);
  }

  async add(threadId: string, key: string): Promise<void> {
    const all = this.all();
    const { [threadId]: current = [], ...others } = all;
    const kept = Object.entries(others).slice(-(MAX_GRANT_THREADS - 1));
    await this.state.update(GRANTS_KEY, { ...Object.fromEntries(kept), [threadId]: [...new Set([...current, key])] });
  }

  /** Drops every grant of a thread (it was cleared or deleted: what was allowed in it no longer holds). */
  async forget(threadId: string): Promise<void> {
    const { [threadId]: dropped, ...others } = this.all();
    if (dropped !== undefined) await this.state.update(GRANTS_KEY, others);
  }

  private all(): Record<string, string[]> {
    const value = this.state.get<unknown>(GRANTS_KEY);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string[]>) : {};
  }
}

/** In memory only: for tests and callers with no state to keep. */
export function memoryState(): KeyValueState {
  const values = new Map<string, unknown>();
  return {
    get: <T>(key: string) => values.get(key) as T | undefined,
    update: async (key, value) => void values.set(key, value),
  };
}
