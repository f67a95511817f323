import * as vscode from 'vscode';
import { describeErrors, fileFromDraft, importAssistantFiles, draftFromFile, serializeAssistantFile } from '../core/assistantFile';
import type { AssistantService } from '../core/assistantService';
import type { AssistantEntry, AssistantLocation } from '../core/assistantStore';
import { ASSISTANT_TEMPLATES } from '../core/assistantTemplates';
import { AssistantsError } from '../core/errors';
import type { AssistantDraft } from '../core/model';
import { AssistantEditorProvider } from './assistantEditor';
import { settingsAssistantDraft } from './defaultAssistant';
import { ServerAssistantDocuments } from './serverAssistantDocuments';
import type { HostChatController } from './chatController';
import { readSettings } from './settings';
import { LOCATION_LABELS, toolNames } from './trees';

export interface AssistantCommandDeps {
  service: AssistantService;
  controller: HostChatController;
  /** Whether a workspace folder is open (workspace assistants need one). */
  hasWorkspace(): boolean;
}

/**
 * Optional arguments that answer a command's questions, for keybindings, other extensions and
 * tests; without them the command asks.
 */
export interface CreateArgs {
  name?: string;
  location?: AssistantLocation;
  /** A template's label (Create from Template). */
  template?: string;
  /** Leave the new assistant closed instead of opening it in the editor. */
  open?: boolean;
}

type Register = (id: string, body: (...args: never[]) => unknown) => void;

/** Registers the assistant commands (category Assistants; also the Assistants view's menus). */
export function registerAssistantCommands(register: Register, deps: AssistantCommandDeps): void {
  const { service, controller } = deps;

  const created = async (entry: AssistantEntry, open: boolean | undefined) => {
    await service.select(entry.id);
    controller.assistantChanged();
    if (open !== false) await openEntry(entry);
    return entry.id;
  };

  register('assistants.createAssistant', async (args: CreateArgs = {}) => {
    const name = args.name ?? (await askName('New assistant'));
    if (!name) return undefined;
    const location = args.location ?? (await askLocation(deps.hasWorkspace()));
    if (!location) return undefined;
    const draft: AssistantDraft = { name, model: readSettings().model, instructions: 'You are a helpful assistant.', tools: [] };
    return created(await service.create(location, draft), args.open);
  });

  register('assistants.createAssistantFromTemplate', async (args: CreateArgs = {}) => {
    const template = args.template
      ? ASSISTANT_TEMPLATES.find((t) => t.label === args.template)
      : (await vscode.window.showQuickPick(ASSISTANT_TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t })), { title: 'Create Assistant from Template' }))?.template;
    if (!template) return undefined;
    const location = args.location ?? (await askLocation(deps.hasWorkspace()));
    if (!location) return undefined;
    const draft = template.draft(readSettings().model);
    return created(await service.create(location, { ...draft, name: args.name ?? draft.name }), args.open);
  });

  register('assistants.createAssistantFromSettings', async (args: CreateArgs = {}) => {
    const location = args.location ?? (await askLocation(deps.hasWorkspace()));
    if (!location) return undefined;
    const draft = settingsAssistantDraft(readSettings());
    return created(await service.create(location, { ...draft, name: args.name ?? 'Assistant from settings' }), args.open);
  });

  register('assistants.editAssistant', async (item?: AssistantEntry | string) => {
    const entry = await pickEntry(service, item, 'Edit Assistant');
    if (entry) await openEntry(entry);
  });

  register('assistants.cloneAssistant', async (item?: AssistantEntry | string, args: CreateArgs = {}) => {
    const entry = await pickEntry(service, item, 'Clone Assistant');
    if (!entry) return undefined;
    const copy = await service.clone(entry.id, args.location);
    return created(copy, args.open);
  });

  register('assistants.deleteAssistant', async (item?: AssistantEntry | string, args: { confirmed?: boolean } = {}) => {
    const entry = await pickEntry(service, item, 'Delete Assistant');
    if (!entry) return;
    if (!args.confirmed) {
      const where = entry.location === 'server' ? 'from the server' : `(${entry.file ? vscode.workspace.asRelativePath(entry.file) : 'its file'})`;
      const choice = await vscode.window.showWarningMessage(`Delete the assistant "${entry.name}" ${where}?`, { modal: true, detail: 'Threads that used it stay.' }, 'Delete');
      if (choice !== 'Delete') return;
    }
    await service.delete(entry.id);
    await closeEditorsOf(entry);
    controller.assistantChanged();
  });

  register('assistants.selectAssistant', async (item?: AssistantEntry | string) => {
    const entry = await pickEntry(service, item, 'Select Assistant', true);
    if (!entry) return;
    if (!entry.assistant) void vscode.window.showWarningMessage(`"${entry.name}" cannot run until its file is fixed: ${describeErrors(entry.errors ?? [])}.`);
    await service.select(entry.id);
    controller.assistantChanged();
  });

  register('assistants.importAssistants', async (args: { file?: string; location?: AssistantLocation } = {}) => {
    const uri = args.file
      ? vscode.Uri.file(args.file)
      : (await vscode.window.showOpenDialog({ title: 'Import Assistants', canSelectMany: false, filters: { 'Assistant JSON': ['json'] } }))?.[0];
    if (!uri) return [];
    let files;
    try {
      files = importAssistantFiles(JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))));
    } catch (error) {
      throw new AssistantsError('bad_request', `${vscode.workspace.asRelativePath(uri)} cannot be imported: ${error instanceof Error ? error.message : String(error)}`);
    }
    const location = args.location ?? (await askLocation(deps.hasWorkspace()));
    if (!location) return [];
    const entries = [];
    for (const file of files) entries.push(await service.create(location, draftFromFile(file)));
    void vscode.window.showInformationMessage(`Imported ${entries.length === 1 ? `"${entries[0].name}"` : `${entries.length} assistants`}.`);
    return entries.map((entry) => entry.id);
  });

  const server = async () => {
    const store = await controller.serverAssistants();
    if (!store) throw new AssistantsError('unsupported', 'This needs an Assistants v2 server: set "assistants.protocol" to assistantsV2 and an API key.');
    return store;
  };

  register('assistants.pushAssistant', async (item?: AssistantEntry | string) => {
    const entry = await pickEntry(service, item, 'Push Assistant to Server');
    if (!entry) return undefined;
    const pushed = await service.push(entry.id, await server());
    void vscode.window.showInformationMessage(`Pushed "${entry.name}" to the server as ${pushed.id}.`);
    return pushed.id;
  });

  register('assistants.pullAssistant', async (item?: AssistantEntry | string) => {
    const entry = await pickEntry(service, item, 'Pull Assistant from Server');
    if (!entry) return;
    await service.pull(entry.id, await server());
    void vscode.window.showInformationMessage(`Pulled the server's "${entry.name}" into its file.`);
  });

  register('assistants.importServerAssistants', async (args: { location?: AssistantLocation } = {}) => {
    const entries = (await (await server()).list()).filter((entry) => entry.assistant);
    if (entries.length === 0) return void vscode.window.showInformationMessage('The server has no assistants.');
    const location = args.location ?? (await askLocation(deps.hasWorkspace()));
    if (!location) return [];
    const ids = [];
    for (const entry of entries) {
      const { id: _id, createdAt: _createdAt, ...draft } = entry.assistant!;
      ids.push((await service.create(location, { ...draft, name: draft.name || entry.id })).id);
    }
    void vscode.window.showInformationMessage(`Imported ${ids.length} assistant${ids.length === 1 ? '' : 's'} from the server into files.`);
    return ids;
  });

  register('assistants.exportAssistant', async (item?: AssistantEntry | string, args: { file?: string } = {}) => {
    const entry = await pickEntry(service, item, 'Export Assistant');
    if (!entry?.assistant) {
      if (entry) throw new AssistantsError('bad_request', `"${entry.name}" cannot be exported until its file is fixed.`);
      return;
    }
    const { id: _id, createdAt: _createdAt, ...draft } = entry.assistant;
    const target = args.file
      ? vscode.Uri.file(args.file)
      : await vscode.window.showSaveDialog({ title: 'Export Assistant', filters: { 'Assistant JSON': ['json'] }, defaultUri: defaultExportUri(entry) });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(serializeAssistantFile(fileFromDraft(draft))));
    void vscode.window.showInformationMessage(`Exported "${entry.name}" to ${vscode.workspace.asRelativePath(target)}.`);
  });
}

/** Opens an assistant in the form editor: its file, or the server's object as a document whose save updates it. */
async function openEntry(entry: AssistantEntry): Promise<void> {
  // A refused file leads out of the workspace: opening it would show what it points at.
  if (entry.refused) return void vscode.window.showWarningMessage(`"${entry.name}" was not opened: ${describeErrors(entry.errors ?? [])}`);
  const uri = entry.file ? vscode.Uri.file(entry.file) : ServerAssistantDocuments.uri(entry.id, entry.name);
  await vscode.commands.executeCommand('vscode.openWith', uri, AssistantEditorProvider.viewType);
}

/** Closes the editors still showing a deleted assistant (its form or its JSON), which would show what no longer exists. */
async function closeEditorsOf(entry: AssistantEntry): Promise<void> {
  // A server assistant's documents are matched by id: they carry the name it had when opened.
  const shows = (uri: vscode.Uri) => (entry.file ? uri.toString() === vscode.Uri.file(entry.file).toString() : ServerAssistantDocuments.idOf(uri) === entry.id);
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => (tab.input instanceof vscode.TabInputCustom || tab.input instanceof vscode.TabInputText) && shows(tab.input.uri));
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}

/** The entry a command acts on: its argument (a tree item or an id), else the user's pick. */
export async function pickEntry(service: AssistantService, item: AssistantEntry | string | undefined, title: string, markActive = false): Promise<AssistantEntry | undefined> {
  if (typeof item === 'string') return service.get(item);
  if (item) return service.get(item.id);
  const entries = await service.list();
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('There are no assistants yet. Run "Assistants: Create Assistant" first.');
    return undefined;
  }
  const activeId = service.activeId();
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => ({
      label: `${markActive && entry.id === activeId ? '$(pass-filled) ' : ''}${entry.name}`,
      description: [entry.assistant?.model ?? 'not valid', LOCATION_LABELS[entry.location]].join(' · '),
      detail: entry.assistant ? toolNames(entry.assistant.tools) : describeErrors(entry.errors ?? []),
      entry,
    })),
    { title, placeHolder: 'Assistants, most recently used first', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.entry;
}

async function askName(value: string): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title: 'Assistant name',
    value,
    validateInput: (text) => (!text.trim() ? 'Give the assistant a name.' : text.length > 256 ? 'At most 256 characters.' : undefined),
  });
  return name?.trim() || undefined;
}

async function askLocation(hasWorkspace: boolean): Promise<AssistantLocation | undefined> {
  if (!hasWorkspace) return 'user';
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'In this workspace', detail: 'A file in the repository, shared with your team through version control.', location: 'workspace' as const },
      { label: 'Personal', detail: 'Kept in your own VS Code storage, for every workspace.', location: 'user' as const },
    ],
    { title: 'Where should the assistant live?' },
  );
  return picked?.location;
}

function defaultExportUri(entry: AssistantEntry): vscode.Uri | undefined {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stem = entry.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'assistant';
  return root ? vscode.Uri.joinPath(root, `${stem}.json`) : undefined;
}
