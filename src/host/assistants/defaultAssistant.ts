import type { AssistantDraft, ToolDefinition } from '../../common/model';
import type { RunAdditions } from '../../core/assistants/assistantService';
import type { AssistantsSettings } from '../platform/settings';
import { settingsTools } from '../platform/settings';

/** Told to the model when the workspace is not trusted: workspace functions and functions bound to VS Code commands are off. */
export const UNTRUSTED_NOTE =
  'Workspace functions (reading, searching or editing files of the workspace), functions that run VS Code commands and local MCP servers are off: the user has not trusted this workspace in VS Code. If a request needs them, say so; the user can trust the workspace with "Manage Workspace Trust".';

/**
 * The assistant the `assistants.*` settings describe. It becomes the first assistant a user gets
 * (written to a file when there is none) and backs "Create Assistant from Settings"; after that the
 * file is the truth.
 */
export function settingsAssistantDraft(settings: AssistantsSettings): AssistantDraft {
  return {
    name: 'Default assistant',
    description: 'Made from the assistants.* settings.',
    instructions: settings.instructions || undefined,
    model: settings.model,
    tools: settingsTools(settings),
  };
}

/**
 * What every run adds to the assistant's own definition: the workspace functions (`functionTools`)
 * when the settings and the workspace trust allow them. In an untrusted workspace, a note saying
 * why they, and the assistant's functions bound to commands, are off (whatever the settings say:
 * the bindings are off too).
 */
export function runAdditions(settings: AssistantsSettings, trusted: boolean, functionTools: ToolDefinition[]): RunAdditions {
  if (!trusted) return { tools: [], instructions: UNTRUSTED_NOTE };
  return { tools: settings.tools.workspaceFunctions ? functionTools : [] };
}
