import type { ValidateFunction } from 'ajv';
import { deeperThan, jsonObjectWiderThan, MAX_ARGUMENTS_DEPTH, MAX_OBJECT_KEYS } from '../text/jsonDepth';
import { boundedAjv } from '../text/boundedAjv';
import type { FunctionDefinition, Run, ToolDefinition } from '../../common/model';

/**
 * Whether a call runs without asking: `allow` runs it, `ask` asks in the chat every time (unless the
 * user allowed it for the thread), `never` refuses it and tells the model so.
 */
export type ApprovalPolicy = 'allow' | 'ask' | 'never';

/** What a handler gets besides its arguments. */
export interface FunctionContext {
  /** Aborted when the run is stopped or the call's time is up: handlers stop reading and return. */
  signal: AbortSignal;
  run: Run;
}

/**
 * One function the assistant may call. The handler answers with the text the model reads; it may
 * throw, and the throw becomes an output the model can read (see `functionToolHandler`).
 */
export interface WorkspaceFunction {
  definition: FunctionDefinition & { parameters: { type: 'object'; [key: string]: unknown } };
  /** True when the function changes something (a file): such functions ask before running by default. */
  writes: boolean;
  /** The policy when the user has set none; default `allow` for read-only functions and `ask` for writing ones. */
  approval?: ApprovalPolicy;
  /** The label of the MCP server that answers it, for a tool of a local MCP server (the approval card names it). */
  server?: string;
  /** The name of the VS Code tool (`vscode.lm.tools`) that answers it, for a tool another extension registered (the approval card names it). */
  vscodeTool?: string;
  /**
   * This function's own time limit per call, in milliseconds, for one answered by a process of its
   * own (an MCP server's tool: `MCP_CALL_TIMEOUT_MS`); others get the handler's limit (30 s).
   */
  timeoutMs?: number;
  handle(args: Record<string, unknown>, context: FunctionContext): Promise<string>;
}

/** A call's arguments, checked against the function's JSON Schema; or why they are not usable. */
export type ParsedArguments = { ok: true; args: Record<string, unknown> } | { ok: false; error: string };

/**
 * The functions an assistant may call, by name: their definitions go to the model as tools, their
 * arguments are checked against their JSON Schema (ajv) before any handler runs.
 */
export class FunctionRegistry {
  private readonly functions = new Map<string, { fn: WorkspaceFunction; validate: ValidateFunction }>();
  private readonly ajv = boundedAjv();

  constructor(functions: readonly WorkspaceFunction[] = []) {
    for (const fn of functions) this.register(fn);
  }

  /** Adds a function; throws when the name is taken (two handlers for one name is a bug). */
  register(fn: WorkspaceFunction): void {
    const name = fn.definition.name;
    if (this.functions.has(name)) throw new Error(`A function named ${name} is already registered.`);
    this.functions.set(name, { fn, validate: this.ajv.compile(fn.definition.parameters) });
  }

  get(name: string): WorkspaceFunction | undefined {
    return this.functions.get(name)?.fn;
  }

  list(): WorkspaceFunction[] {
    return [...this.functions.values()].map((entry) => entry.fn);
  }

  /** The definitions as tools for a run. */
  tools(): ToolDefinition[] {
    return this.list().map((fn) => ({ type: 'function', function: fn.definition }));
  }

  /** The policy a function has when the user set none. */
  static defaultPolicy(fn: WorkspaceFunction): ApprovalPolicy {
    return fn.approval ?? (fn.writes ? 'ask' : 'allow');
  }

  /** Parses the model's JSON and checks it against the function's schema. */
  parse(name: string, json: string): ParsedArguments {
    const entry = this.functions.get(name);
    if (!entry) return { ok: false, error: `no workspace function named ${name} is available.` };
    return parseArguments(json, entry.validate);
  }
}

/**
 * Parses a call's JSON arguments (empty text is `{}`) and checks them with `validate`, a JSON Schema
 * compiled with linear-time checks (`boundedAjv`). Arguments nesting deeper than
 * MAX_ARGUMENTS_DEPTH are refused before validation, which recurses, and arguments with an object
 * of more than MAX_OBJECT_KEYS keys before they are parsed.
 */
export function parseArguments(json: string, validate: ValidateFunction): ParsedArguments {
  if (jsonObjectWiderThan(json, MAX_OBJECT_KEYS)) return { ok: false, error: `the arguments hold an object of more than ${MAX_OBJECT_KEYS.toLocaleString('en-US')} keys.` };
  let args: unknown;
  try {
    args = json.trim() ? JSON.parse(json) : {};
  } catch {
    return { ok: false, error: 'the arguments were not valid JSON.' };
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return { ok: false, error: 'the arguments must be a JSON object.' };
  if (deeperThan(args, MAX_ARGUMENTS_DEPTH)) return { ok: false, error: `the arguments nest deeper than ${MAX_ARGUMENTS_DEPTH} levels.` };
  if (!validate(args)) {
    const first = validate.errors?.[0];
    const where = first?.instancePath ? `"${first.instancePath.slice(1)}" ` : '';
    return { ok: false, error: `the arguments do not match the parameters: ${where}${first?.message ?? 'invalid'}.` };
  }
  return { ok: true, args: args as Record<string, unknown> };
}
