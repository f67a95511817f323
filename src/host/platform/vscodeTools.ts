import * as vscode from 'vscode';
import type { WorkspaceFunction } from '../../core/functions/registry';
import type { VsCodeToolInfo } from '../../core/functions/vscodeTools';
import { pickedVsCodeTools, toolResultText, vscodeToolFunctions } from '../../core/functions/vscodeTools';

/** The part of `vscode.lm` this reads: the tools other extensions registered, and how to invoke one. */
interface ToolsApi {
  tools: readonly VsCodeToolInfo[];
  invokeTool(name: string, options: { input: object; toolInvocationToken: undefined }, token: vscode.CancellationToken): Thenable<{ content: readonly unknown[] }>;
}

/**
 * `vscode.lm`'s tools API when this VS Code has it (1.95 and later, code-server too), else
 * undefined: then no VS Code tool is offered and nothing else changes.
 */
export function toolsApi(): ToolsApi | undefined {
  const lm = (vscode as { lm?: Partial<ToolsApi> }).lm;
  return lm && Array.isArray(lm.tools) && typeof lm.invokeTool === 'function' ? (lm as ToolsApi) : undefined;
}

/** The names (or globs) of the VS Code tools the user picked (`assistants.vscodeTools`, user settings only); none by default. */
export function readToolPicks(): string[] {
  const inspected = vscode.workspace.getConfiguration('assistants').inspect<unknown>('vscodeTools');
  const value = inspected?.globalValue;
  return Array.isArray(value) ? value.filter((pick): pick is string => typeof pick === 'string' && pick.length > 0) : [];
}

/**
 * The VS Code tools the user picked, as functions (see `vscodeToolFunctions`), invoked with
 * `vscode.lm.invokeTool` outside any chat request; none when the API is absent or nothing is picked.
 */
export function pickedToolFunctions(): WorkspaceFunction[] {
  const api = toolsApi();
  const picks = readToolPicks();
  if (!api || picks.length === 0) return [];
  return vscodeToolFunctions(pickedVsCodeTools(api.tools, picks), (name, input, signal) => invokeTool(api, name, input, signal));
}

/** Invokes a tool; Stop (or the time limit) cancels its token. A failure becomes a sentence the model reads. */
async function invokeTool(api: ToolsApi, name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<string> {
  const source = new vscode.CancellationTokenSource();
  const cancel = () => source.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return toolResultText(await api.invokeTool(name, { input, toolInvocationToken: undefined }, source.token));
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(`the VS Code tool ${name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    signal.removeEventListener('abort', cancel);
    source.dispose();
  }
}

/**
 * "Assistants: Choose VS Code Tools": the tools other extensions registered, those picked now
 * checked; the names left checked become `assistants.vscodeTools` in the user's settings (a glob
 * written there by hand is replaced by the names it picked).
 */
export async function chooseVsCodeTools(): Promise<void> {
  const api = toolsApi();
  if (!api) {
    void vscode.window.showInformationMessage('This VS Code has no tools API (vscode.lm.tools), so there are no VS Code tools to offer; assistants keep their own tools.');
    return;
  }
  if (api.tools.length === 0) {
    void vscode.window.showInformationMessage('No extension has registered a tool with VS Code yet (VS Code\'s own MCP servers register theirs once started).');
    return;
  }
  const picked = new Set(pickedVsCodeTools(api.tools, readToolPicks()).map((tool) => tool.name));
  const items = [...api.tools]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((tool) => ({ label: tool.name, description: tool.tags.join(', '), detail: tool.description.slice(0, 300), picked: picked.has(tool.name) }));
  const chosen = await vscode.window.showQuickPick(items, {
    title: 'Choose VS Code Tools',
    placeHolder: 'The tools of other extensions every assistant may call (each asks before it runs)',
    canPickMany: true,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!chosen) return;
  await vscode.workspace.getConfiguration('assistants').update('vscodeTools', chosen.map((item) => item.label), vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(chosen.length === 0 ? 'No VS Code tool is offered to assistants.' : `${chosen.length} VS Code tool${chosen.length === 1 ? ' is' : 's are'} offered to every assistant from the next question.`);
}
