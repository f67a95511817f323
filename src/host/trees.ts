import * as vscode from 'vscode';
import { describeErrors } from '../core/assistants/assistantFile';
import type { AssistantService } from '../core/assistants/assistantService';
import { distinctNames, viewOrder, whereLabel } from '../core/assistants/assistantPicks';
import type { AssistantEntry } from '../core/assistants/assistantStore';
import type { ToolDefinition } from '../common/model';
import { assistantLabel, lastActivityLabel, listThreads, shortTitle } from '../core/threads/threadList';
import type { ThreadStore, ThreadSummary } from '../core/threads/threadStore';
import { Disposable } from './platform/lifecycle';
import { LoadedRows } from './platform/loadedRows';

/** Per-workspace state key of the Threads view's filter: the assistant id it shows, absent for all. */
const FILTER_KEY = 'assistants.threads.filter';
/** Context key: true while the Threads view shows one assistant's threads (its filter button shows it). */
const FILTERED_CONTEXT = 'assistants.threadsFiltered';

/**
 * The Threads view: this workspace's threads, newest activity first, each with its assistant and
 * last activity; optionally only one assistant's (the filter is kept per workspace). A click opens
 * one in the chat.
 */
export class ThreadsTreeProvider extends Disposable implements vscode.TreeDataProvider<ThreadSummary> {
  static readonly viewId = 'assistants.threads';
  /** Rows redrawn in place, or undefined: every row read again. */
  private readonly changed = this.register(new vscode.EventEmitter<ThreadSummary[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<ThreadSummary>;
  /** Assistant names by id, as of the last listing (undefined when they could not be listed). */
  private names: ReadonlyMap<string, string> | undefined;
  /** The rows shown, read before the view is told of a change (see `LoadedRows`). */
  private readonly rows = new LoadedRows(() => this.list(), (thread) => thread.id, (changed) => this.changed.fire(changed), (thread) => shownAs(this.getTreeItem(thread)));

  constructor(
    private readonly store: ThreadStore,
    private readonly currentId: () => string | undefined,
    private readonly assistants: AssistantService,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(ThreadsTreeProvider.viewId, { treeDataProvider: this }));
    this.register(assistants.onDidChange(() => this.refresh()));
    void this.showFilter();
  }

  /** The assistant whose threads the view shows; undefined: every thread. */
  get filter(): string | undefined {
    return this.state.get<string>(FILTER_KEY);
  }

  async setFilter(assistantId: string | undefined): Promise<void> {
    await this.state.update(FILTER_KEY, assistantId);
    await this.showFilter();
    this.refresh();
  }

  /** Reads the threads again, then shows them. */
  refresh(): void {
    this.rows.reload().catch((error: unknown) => this.log.error(`Could not list threads: ${error instanceof Error ? error.message : String(error)}`));
  }

  getChildren(element?: ThreadSummary): ThreadSummary[] | Promise<ThreadSummary[]> {
    return element ? [] : this.rows.get();
  }

  /** The threads the view lists (filter applied), newest activity first; sets the view's description and message to match. */
  private async list(): Promise<ThreadSummary[]> {
    const [threads, names] = await Promise.all([this.store.list(), assistantNames(this.assistants, this.log)]);
    this.names = names;
    const filter = this.filter;
    const listed = listThreads(threads, filter);
    // The title names the assistant shown as its rows do (a second of its name may have come or gone since).
    this.view.description = filter === undefined ? undefined : (assistantLabel(filter, names) ?? 'one assistant');
    // Filtered to nothing, the view says by what and how to see all, not that the workspace has no threads.
    this.view.message = filter !== undefined && listed.length === 0 ? await this.emptyFilterMessage(filter) : undefined;
    return listed;
  }

  /** What a filtered view with no thread says: the assistant it shows (and where it lives), and how to show all. */
  private async emptyFilterMessage(filter: string): Promise<string> {
    const entry = await this.assistants.get(filter).catch(() => undefined);
    const shown = entry ? `"${entry.name}" (${whereLabel(entry)})` : 'an assistant that no longer exists';
    return `No threads of ${shown}: this view shows only its threads. To see every thread, click the filter button in this view's title bar and pick All assistants.`;
  }

  /**
   * A thread as a row: the title, short enough that the assistant and last activity (the
   * description) still show in a narrow side bar; the whole title and the details in the tooltip
   * and for screen readers.
   */
  getTreeItem(thread: ThreadSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(shortTitle(thread.title), vscode.TreeItemCollapsibleState.None);
    item.id = thread.id;
    item.contextValue = 'thread';
    const assistant = assistantLabel(thread.assistantId, this.names);
    const activity = lastActivityLabel(thread.updatedAt, Date.now() / 1000);
    item.description = [assistant, activity].filter(Boolean).join(' · ');
    const when = new Date(thread.updatedAt * 1000).toLocaleString();
    item.tooltip = `${thread.title}\n${assistant ? `Assistant: ${assistant}\n` : ''}Last activity: ${when}\n${thread.backend === 'responses' ? 'Responses API' : 'Assistants v2'}`;
    item.accessibilityInformation = { label: [thread.title, assistant, `last activity ${activity}`].filter(Boolean).join(', ') };
    item.iconPath = new vscode.ThemeIcon(thread.id === this.currentId() ? 'comment-discussion' : 'comment');
    item.command = { command: 'assistants.openThread', title: 'Open Thread', arguments: [thread.id] };
    return item;
  }

  /** The view's items as it shows them now (filter applied): id, the thread's whole title, and the row's label, description and tooltip. */
  async items(): Promise<{ id: string; title: string; label: string; description: string; tooltip: string }[]> {
    return (await this.list()).map((thread) => {
      const item = this.getTreeItem(thread);
      return { id: thread.id, title: thread.title, label: String(item.label), description: String(item.description ?? ''), tooltip: String(item.tooltip ?? '') };
    });
  }

  /** The filter on screen: the context key (the title button), and the view's description. */
  private async showFilter(): Promise<void> {
    const filter = this.filter;
    await vscode.commands.executeCommand('setContext', FILTERED_CONTEXT, filter !== undefined);
    this.view.description = filter === undefined ? undefined : assistantLabel(filter, await assistantNames(this.assistants, this.log)) ?? 'one assistant';
  }
}

/**
 * Assistant names by id, each with where it lives when another has its name (`distinctNames`), so
 * two threads of two "Helper"s read apart; undefined (and a line in the log) when they cannot be listed.
 */
export async function assistantNames(service: AssistantService, log: vscode.LogOutputChannel): Promise<Map<string, string> | undefined> {
  try {
    return distinctNames(await service.list(), (assistant) => service.linkedFile(assistant));
  } catch (error) {
    log.warn(`Could not list assistants: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/**
 * The Assistants view: every assistant of every store, the active one marked, each with where it
 * lives, in an order use does not change (`viewOrder`); a click makes one active, or, for one that
 * cannot run, opens it at its problems.
 */
export class AssistantsTreeProvider extends Disposable implements vscode.TreeDataProvider<AssistantEntry> {
  static readonly viewId = 'assistants.assistants';
  /** Rows redrawn in place, or undefined: every row read again. */
  private readonly changed = this.register(new vscode.EventEmitter<AssistantEntry[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  /** What each assistant is called where only a name fits, as of the last listing (`distinctNames`): tells which share a name. */
  private names: ReadonlyMap<string, string> | undefined;
  /** The rows shown, read before the view is told of a change (see `LoadedRows`). */
  private readonly rows = new LoadedRows(() => this.list(), (entry) => entry.id, (changed) => this.changed.fire(changed), (entry) => shownAs(this.getTreeItem(entry)));

  constructor(private readonly service: AssistantService, private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(service.onDidChange(() => this.refresh()));
  }

  /** Reads the assistants again, then shows them. */
  refresh(): void {
    void this.rows.reload();
  }

  getChildren(element?: AssistantEntry): AssistantEntry[] | Promise<AssistantEntry[]> {
    return element ? [] : this.rows.get();
  }

  /** Every assistant in the view's order; none (and a warning) when they cannot be listed. */
  private async list(): Promise<AssistantEntry[]> {
    try {
      // Ask for the active one first: with no assistant at all, that makes the first from settings.
      await this.service.active();
      const entries = await this.service.list();
      this.names = distinctNames(entries, (assistant) => this.service.linkedFile(assistant));
      return viewOrder(entries);
    } catch (error) {
      this.log.error(`Could not list assistants: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showWarningMessage(`Could not list assistants: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  getTreeItem(entry: AssistantEntry): vscode.TreeItem {
    const active = entry.id === this.service.activeId();
    const item = new vscode.TreeItem(entry.name, vscode.TreeItemCollapsibleState.None);
    item.id = entry.id;
    item.contextValue = `assistant.${entry.location}${entry.assistant ? '' : entry.refused ? '.refused' : '.invalid'}`;
    const where = whereLabel(entry);
    // Two of one name: their files come first, so a narrow side bar still tells them apart.
    const clash = this.names !== undefined && this.names.get(entry.id) !== entry.name;
    const model = entry.assistant?.model ?? 'not valid';
    item.description = (clash ? [active ? 'active' : undefined, whereLabel(entry, { placeFirst: true }), model] : [active ? 'active' : undefined, model, where]).filter(Boolean).join(' · ');
    if (!entry.assistant) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.tooltip = `${entry.name} (${where}) cannot run: ${describeErrors(entry.errors ?? [])}. Click to see its problems.`;
      // Made active it could only refuse to send: a click shows what to fix instead.
      item.command = { command: 'assistants.editAssistant', title: 'Show Problems', arguments: [entry] };
    } else {
      const assistant = entry.assistant;
      item.iconPath = new vscode.ThemeIcon(active ? 'pass-filled' : 'hubot');
      item.tooltip = new vscode.MarkdownString(`**${assistant.name}** · ${assistant.model} · ${where}\n\nTools: ${toolNames(assistant.tools)}\n\n${assistant.instructions ?? ''}`);
    }
    if (entry.file) item.resourceUri = vscode.Uri.file(entry.file);
    item.command ??= { command: 'assistants.selectAssistant', title: 'Select Assistant', arguments: [entry] };
    return item;
  }
}

/** What a tree item shows and does, as one string: two equal strings draw the same row. */
function shownAs(item: vscode.TreeItem): string {
  const { label, description, tooltip, iconPath, contextValue, command, accessibilityInformation, resourceUri } = item;
  return JSON.stringify([label, description, tooltip, iconPath, contextValue, command, accessibilityInformation, resourceUri?.toString()]);
}

/** Tool names for a tooltip or a QuickPick detail. */
export function toolNames(tools: ToolDefinition[]): string {
  return tools.map((t) => (t.type === 'function' ? t.function.name : t.type === 'mcp' ? `MCP ${t.serverLabel}` : t.type)).join(', ') || 'no tools';
}
