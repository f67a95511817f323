import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { builtinFunctions } from '../core/functions/builtins';
import { Confinement } from '../core/functions/confinement';
import type { Approver } from '../core/functions/functionToolHandler';
import { functionToolHandler } from '../core/functions/functionToolHandler';
import type { EditProposer } from '../core/functions/proposeEdit';
import { FunctionRegistry } from '../core/functions/registry';
import { nodeWorkspaceFs } from '../core/fileSystem';
import type { ToolHandler } from '../core/toolHandler';
import { vscodeEditorState } from './editorState';
import { readFunctionSettings } from './settings';

/** The workspace functions, wired to this window: its folders, settings, editors and trust. */
export interface WorkspaceFunctions {
  registry: FunctionRegistry;
  confinement: Confinement;
  toolHandler: ToolHandler;
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

export function createWorkspaceFunctions(approver: Approver, proposer: EditProposer): WorkspaceFunctions {
  const confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: workspaceRoots(), deny: readFunctionSettings().deny, exclude: filesExclude() }));
  const registry = new FunctionRegistry(builtinFunctions({ fs: nodeWorkspaceFs, confinement, editor: vscodeEditorState(), proposer }));
  const toolHandler = functionToolHandler({
    registry,
    trusted: () => vscode.workspace.isTrusted,
    policy: (name) => readFunctionSettings().approval[name],
    approver,
    roots: () => workspaceRoots().flatMap((root) => [root, realOrSelf(root)]),
    home: os.homedir(),
  });
  return { registry, confinement, toolHandler };
}

function realOrSelf(root: string): string {
  try {
    return realpathSync.native(root);
  } catch {
    return root;
  }
}
