import type * as vscode from 'vscode';
import type { Backend } from '../core/backend';
import type { Assistant, AssistantDraft, ToolDefinition } from '../core/model';
import type { AssistantsSettings } from './settings';
import { settingsTools } from './settings';

const DEFAULT_MARK = 'assistants-vscode-default';
const DEFAULT_ID = 'default';

/** Told to the model when workspace functions are on in the settings but the workspace is not trusted. */
export const UNTRUSTED_NOTE =
  'Workspace functions (reading, searching or editing files of the workspace) are off: the user has not trusted this workspace in VS Code. If a request needs them, say so; the user can trust the workspace with "Manage Workspace Trust".';

/**
 * The assistant built from settings, used until assistants are managed in the Assistants view.
 * `functionTools` are the workspace functions, given when the settings and the workspace trust allow them.
 */
export function defaultAssistantDraft(settings: AssistantsSettings, trusted: boolean, functionTools: ToolDefinition[] = []): AssistantDraft {
  const tools = settingsTools(settings);
  const functionsWanted = settings.tools.workspaceFunctions;
  if (functionsWanted && trusted) tools.push(...functionTools);
  const untrustedNote = functionsWanted && !trusted ? `\n\n${UNTRUSTED_NOTE}` : '';
  return {
    name: 'Default assistant',
    description: 'Built from the assistants.* settings.',
    instructions: `${settings.instructions}${untrustedNote}`,
    model: settings.model,
    tools,
    metadata: { source: DEFAULT_MARK },
  };
}

/** The default assistant as the extension keeps it (Responses; and the Assistants view). */
export function localDefaultAssistant(settings: AssistantsSettings, trusted: boolean, functionTools: ToolDefinition[] = []): Assistant {
  return { ...defaultAssistantDraft(settings, trusted, functionTools), id: DEFAULT_ID, createdAt: 0 };
}

/**
 * With Responses the assistant is ours, a plain object. With Assistants v2 it must be a server
 * object: find the one we made before (by its metadata), bring it up to date, or create it.
 */
export async function resolveDefaultAssistant(backend: Backend, draft: AssistantDraft, state: vscode.Memento): Promise<Assistant> {
  if (backend.kind === 'responses') return { ...draft, id: DEFAULT_ID, createdAt: 0 };
  const known = (await backend.listAssistants()).find((a) => a.metadata?.source === DEFAULT_MARK);
  const fingerprint = JSON.stringify(draft);
  const stateKey = `assistants.defaultAssistant.${known?.id ?? 'none'}`;
  if (known && state.get<string>(stateKey) === fingerprint) return known;
  const assistant = known ? await backend.updateAssistant(known.id, draft) : await backend.createAssistant(draft);
  await state.update(`assistants.defaultAssistant.${assistant.id}`, fingerprint);
  return assistant;
}
