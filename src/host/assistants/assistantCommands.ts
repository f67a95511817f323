import * as vscode from 'vscode';
import { describeErrors, fileFromDraft, importAssistantFiles, draftFromFile, serializeAssistantFile } from '../../core/assistants/assistantFile';
import { byValidity, freeName, sameName, whereLabel, withoutPublishedCopies } from '../../core/assistants/assistantPicks';
import type { AssistantService } from '../../core/assistants/assistantService';
import type { AssistantEntry, AssistantLocation } from '../../core/assistants/assistantStore';
import { ASSISTANT_TEMPLATES } from '../../core/assistants/assistantTemplates';
import { AssistantsError } from '../../core/errors';
import { plainFileOrNone } from '../../core/workspace/fileSystem';
import type { AssistantDraft } from '../../common/model';
import { AssistantEditorProvider } from './assistantEditor';
import { settingsAssistantDraft } from './defaultAssistant';
import { ServerAssistantDocuments } from './serverAssistantDocuments';
import type { HostChatController } from '../chat/chatController';
import type { Connections } from '../platform/connections';
import { readSettings } from '../platform/settings';
import { toolNames } from '../trees';

export interface AssistantCommandDeps {
  service: AssistantService;
  controller: HostChatController;
  /** The connection to the server, whose assistant store Push and Pull reach. */
  connections: Connections;
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
    const draft = template.draft(readSettings().model);
    const name = args.name ?? (await askName(draft.name));
    if (!name) return undefined;
    const location = args.location ?? (await askLocation(deps.hasWorkspace()));
    if (!location) return undefined;
    return created(await service.create(location, { ...draft, name }), args.open);
  });

  register('assistants.createAssistantFromSettings', async (args: CreateArgs = {}) => {
    const name = args.name ?? (await askName('Assistant from settings'));
    if (!name) return undefined;
    const location = args.location ?? (await askLocation(deps.hasWorkspace()));
    if (!location) return undefined;
    const draft = settingsAssistantDraft(readSettings());
    return created(await service.create(location, { ...draft, name }), args.open);
  });

  register('assistants.editAssistant', async (item?: AssistantEntry | string) => {
    const entry = await pickEntry(service, item, 'Edit Assistant');
    if (entry) await openEntry(entry);
  });

  register('assistants.cloneAssistant', async (item?: AssistantEntry | string, args: CreateArgs = {}) => {
    const entry = await pickEntry(service, item, 'Clone Assistant');
    if (!entry) return undefined;
    const name = args.name ?? (await askName(`${entry.name} (copy)`));
    if (!name) return undefined;
    const copy = await service.clone(entry.id, args.location, name);
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
    const entry = item === undefined ? await pickToRun(service) : await pickEntry(service, item, 'Select Assistant');
    if (!entry) return;
    // Made active, an assistant that cannot run would only refuse every question: show what to fix.
    if (!entry.assistant) {
      await openEntry(entry);
      void vscode.window.showWarningMessage(`"${entry.name}" (${whereLabel(entry)}) cannot run until its file is fixed: ${describeErrors(entry.errors ?? [])}. The active assistant is unchanged.`);
      return;
    }
    await service.select(entry.id);
    controller.assistantChanged();
  });

  /**
   * Creates `draft` in `location` as an import: when an assistant there has its name, the user
   * chooses (or `onClash` answers) to replace it, keep both (the import takes a free name), or skip
   * it. Returns the id written, or undefined when skipped; `stop` when the user cancelled.
   */
  const importOne = async (location: AssistantLocation, draft: AssistantDraft, onClash: ClashChoice | undefined): Promise<string | undefined | 'stop'> => {
    const there = (await service.list()).filter((entry) => entry.location === location);
    const clash = sameName(there, draft.name);
    if (!clash) return (await service.create(location, draft)).id;
    const choice = onClash ?? (await askClash(draft.name, clash));
    if (choice === undefined) return 'stop';
    if (choice === 'skip') return undefined;
    if (choice === 'replace') return (await service.update(clash.id, draft)).id;
    return (await service.create(location, { ...draft, name: freeName(there, draft.name) })).id;
  };

  /** Imports `drafts` one by one (see `importOne`); says how many were written, and returns their ids. */
  const importAll = async (location: AssistantLocation, drafts: AssistantDraft[], onClash: ClashChoice | undefined, from: string): Promise<string[]> => {
    const ids: string[] = [];
    let skipped = 0;
    for (const draft of drafts) {
      const id = await importOne(location, draft, onClash);
      if (id === 'stop') break;
      if (id === undefined) skipped++;
      else ids.push(id);
    }
    const left = drafts.length - ids.length - skipped;
    const notes = [skipped ? `${skipped} skipped` : '', left ? `${left} not imported (cancelled)` : ''].filter(Boolean).join(', ');
    void vscode.window.showInformationMessage(`Imported ${ids.length} assistant${ids.length === 1 ? '' : 's'}${from}${notes ? ` (${notes})` : ''}.`);
    return ids;
  };

  register('assistants.importAssistants', async (args: { file?: string; location?: AssistantLocation; onClash?: ClashChoice } = {}) => {
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
    return importAll(location, files.map((file) => draftFromFile(file)), args.onClash, '');
  });

  const server = async () => {
    const store = await deps.connections.serverAssistants();
    if (!store) throw new AssistantsError('unsupported', 'This needs an Assistants v2 server: set "assistants.protocol" to assistantsV2 and an API key.');
    return store;
  };

  register('assistants.pushAssistant', async (item?: AssistantEntry | string) => {
    const entry = await pickEntry(service, item, 'Push Assistant to Server', IN_FILES);
    if (!entry) return undefined;
    const pushed = await service.push(entry.id, await server());
    void vscode.window.showInformationMessage(`Pushed "${entry.name}" to the server as ${pushed.id}.`);
    return pushed.id;
  });

  register('assistants.pullAssistant', async (item?: AssistantEntry | string) => {
    const entry = await pickEntry(service, item, 'Pull Assistant from Server', IN_FILES);
    if (!entry) return;
    await service.pull(entry.id, await server());
    void vscode.window.showInformationMessage(`Pulled the server's "${entry.name}" into its file.`);
  });

  register('assistants.importServerAssistants', async (args: { location?: AssistantLocation; onClash?: ClashChoice } = {}) => {
    const entries = (await (await server()).list()).filter((entry) => entry.assistant);
    if (entries.length === 0) return void vscode.window.showInformationMessage('The server has no assistants.');
    const location = args.location ?? (await askLocation(deps.hasWorkspace()));
    if (!location) return [];
    const drafts = entries.map((entry) => {
      const { id: _id, createdAt: _createdAt, ...draft } = entry.assistant!;
      return { ...draft, name: draft.name || entry.id };
    });
    return importAll(location, drafts, args.onClash, ' from the server into files');
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
    // A repository may commit a link under the name suggested (the assistant's), pointing anywhere: a write would follow it.
    if (target.scheme === 'file' && !(await plainFileOrNone(target.fsPath))) {
      throw new AssistantsError('permission', `${target.path.split('/').pop() ?? 'The file'} is a link or not a regular file, so Export Assistant does not write it; choose another name.`);
    }
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

/** What an import does with an assistant whose name one in its place already has. */
export type ClashChoice = 'replace' | 'keepBoth' | 'skip';

async function askClash(name: string, existing: AssistantEntry): Promise<ClashChoice | undefined> {
  const choices: Record<string, ClashChoice> = { Replace: 'replace', 'Keep Both': 'keepBoth', Skip: 'skip' };
  const picked = await vscode.window.showWarningMessage(
    `An assistant named "${existing.name}" already exists (${whereLabel(existing)}). Replace it with the imported one?`,
    { modal: true, detail: `Keep Both imports it as "${name} (2)" or the next free name; Skip leaves it out. Cancel stops the import.` },
    ...Object.keys(choices),
  );
  return picked === undefined ? undefined : choices[picked];
}

/** A QuickPick row for an assistant: its name, model and where it lives (so two of one name differ), its tools or problems. */
export function assistantItem(entry: AssistantEntry, options: { active?: boolean; note?: string } = {}): vscode.QuickPickItem & { entry: AssistantEntry } {
  return {
    label: `${options.active ? '$(pass-filled) ' : entry.assistant ? '' : '$(warning) '}${entry.name}`,
    description: [options.note, entry.assistant?.model ?? 'not valid', whereLabel(entry)].filter(Boolean).join(' · '),
    detail: entry.assistant ? toolNames(entry.assistant.tools) : describeErrors(entry.errors ?? []),
    entry,
  };
}

/** Which assistants a command's pick offers (`offered`), and the sentence said when there is none (`none`). */
export interface PickFilter {
  offered(entry: AssistantEntry): boolean;
  none: string;
}

/** Push and Pull act on an assistant kept in a file: a server's own (a file's published copy among them) is not offered. */
const IN_FILES: PickFilter = {
  offered: (entry) => entry.location !== 'server',
  none: 'There is no assistant in a file to push or pull. Run "Assistants: Create Assistant" first.',
};

/** The entry a command acts on: its argument (a tree item or an id), else the user's pick. */
export async function pickEntry(service: AssistantService, item: AssistantEntry | string | undefined, title: string, only?: PickFilter): Promise<AssistantEntry | undefined> {
  if (typeof item === 'string') return service.get(item);
  if (item) return service.get(item.id);
  const entries = (await service.list()).filter((entry) => !only || only.offered(entry));
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(only?.none ?? 'There are no assistants yet. Run "Assistants: Create Assistant" first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(entries.map((entry) => assistantItem(entry)), { title, placeHolder: 'Assistants, most recently used first', matchOnDescription: true, matchOnDetail: true });
  return picked?.entry;
}

/**
 * Select Assistant's pick: the assistants that can run (a file's own published copy once, as the
 * file), the active one marked; below a separator, those that cannot, whose pick shows their
 * problems rather than making them active.
 */
async function pickToRun(service: AssistantService): Promise<AssistantEntry | undefined> {
  const entries = withoutPublishedCopies(await service.list(), (assistant) => service.linkedFile(assistant));
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('There are no assistants yet. Run "Assistants: Create Assistant" first.');
    return undefined;
  }
  const { valid, invalid } = byValidity(entries);
  const activeId = service.activeId();
  const items: (vscode.QuickPickItem & { entry?: AssistantEntry })[] = valid.map((entry) => assistantItem(entry, { active: entry.id === activeId }));
  if (invalid.length > 0) {
    items.push({ label: 'Cannot run: pick one to see its problems', kind: vscode.QuickPickItemKind.Separator });
    items.push(...invalid.map((entry) => assistantItem(entry)));
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Select Assistant', placeHolder: 'Assistants, most recently used first', matchOnDescription: true, matchOnDetail: true });
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
