import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { builtinFunctions } from '../../core/functions/builtins';
import type { UnusableGlob } from '../../core/workspace/glob';
import { Confinement } from '../../core/workspace/confinement';
import type { AssistantService } from '../../core/assistants/assistantService';
import { assistantEntryForRun, customFunctionsForRun, ThreadGrants } from '../../core/functions/customFunctions';
import type { AssistantEntry } from '../../core/assistants/assistantStore';
import type { Approver, OutputAsker } from '../../core/functions/functionToolHandler';
import { functionToolHandler } from '../../core/functions/functionToolHandler';
import type { EditProposer } from '../../core/functions/proposeEdit';
import { FunctionRegistry } from '../../core/functions/registry';
import { withHostedMcpApprovals } from '../../core/mcp/hostedApprovals';
import { nodeWorkspaceFs } from '../../core/workspace/fileSystem';
import type { ToolHandler } from '../../core/toolHandler';
import { vscodeEditorState } from './editorState';
import { readFunctionSettings, readSettings } from './settings';

/** The workspace functions of this window: the registry, and the confinement every file access goes through. */
export interface WorkspaceFunctions {
  registry: FunctionRegistry;
  confinement: Confinement;
}

/** Workspace folders on disk, as absolute paths (virtual folders have no files to read). */
export function workspaceRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath);
}

/** `files.exclude` globs set to true (a `when` clause counts as hidden: hiding too much is the safe side). */
export function filesExclude(): string[] {
  const exclude = vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude', {});
  return Object.entries(exclude)
    .filter(([, value]) => value === true || (typeof value === 'object' && value !== null))
    .map(([glob]) => glob);
}

/**
 * The built-in functions over this window's folders, settings and editors. Made before the
 * assistants (which offer their tools to a run); answering calls comes after (`workspaceToolHandler`).
 */
export function createWorkspaceFunctions(proposer: EditProposer, log: Pick<vscode.LogOutputChannel, 'warn'>): WorkspaceFunctions {
  // files.exclude may come from a repository's settings: globs it cannot use are left out (said in the log), the rest still hide.
  const leftOut = (unusable: readonly UnusableGlob[]) =>
    log.warn(`files.exclude: ${unusable.length} pattern${unusable.length === 1 ? ' is' : 's are'} left out, so what ${unusable.length === 1 ? 'it matches' : 'they match'} is not hidden from the assistant: ${unusable.slice(0, 3).map(({ pattern, reason }) => `${JSON.stringify(pattern.slice(0, 80))} ${reason}`).join('; ')}${unusable.length > 3 ? '; …' : ''}.`);
  const confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: workspaceRoots(), deny: readFunctionSettings().deny, exclude: filesExclude() }), undefined, undefined, leftOut);
  const registry = new FunctionRegistry(builtinFunctions({ fs: nodeWorkspaceFs, confinement, editor: vscodeEditorState(), proposer }));
  return { registry, confinement };
}

/** What answering function calls needs besides the functions: who answers, and where grants and assistants are. */
export interface WorkspaceToolDeps {
  approver: Approver;
  /** Asks the user for the output of a custom function with no command binding. */
  outputs: OutputAsker;
  /** The workspace's state: "Allow for this thread" is kept there, by thread. */
  workspaceState: vscode.Memento;
  /** The assistants, to find the custom functions of the one a run uses. */
  assistants: AssistantService;
  /** The functions of an assistant's local MCP servers (started if they are not running). */
  localMcp?(entry: AssistantEntry): Promise<FunctionRegistry>;
}

/** Answers a run's function calls with the workspace functions, the assistant's custom ones and its MCP servers' (trust, policy, approvals). */
export function workspaceToolHandler({ registry }: WorkspaceFunctions, deps: WorkspaceToolDeps): ToolHandler {
  const { approver } = deps;
  const grants = new ThreadGrants(deps.workspaceState);
  const policy = (key: string) => readFunctionSettings().approval[key];
  const functions = functionToolHandler({
    registry,
    trusted: () => vscode.workspace.isTrusted,
    enabled: () => readSettings().tools.workspaceFunctions,
    policy,
    approver,
    roots: () => workspaceRoots().flatMap((root) => [root, realOrSelf(root)]),
    home: os.homedir(),
    runFunctions: async (run) => {
      const entry = deps.localMcp ? await assistantEntryForRun(deps.assistants, run) : undefined;
      return entry ? deps.localMcp?.(entry) : undefined;
    },
    customFunctions: (run) => customFunctionsForRun(deps.assistants, run, (name) => registry.get(name) !== undefined),
    outputs: deps.outputs,
    commands: { execute: (command, args) => Promise.resolve(vscode.commands.executeCommand<unknown>(command, args)) },
    grants,
  });
  // Hosted MCP servers' approval requests get the same card, policy and thread grants.
  return withHostedMcpApprovals(functions, { approver, policy, grants });
}

function realOrSelf(root: string): string {
  try {
    return realpathSync.native(root);
  } catch {
    return root;
  }
}
