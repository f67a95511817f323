import * as vscode from 'vscode';
import type { AssistantService } from '../core/assistantService';
import type { AssistantEntry, AssistantLocation } from '../core/assistantStore';
import type { ToolDefinition } from '../core/model';
import type { ThreadStore, ThreadSummary } from '../core/threadStore';
import { Disposable } from './lifecycle';

/** The Threads view: this workspace's threads, most recent first; a click opens one in the chat. */
export class ThreadsTreeProvider extends Disposable implements vscode.TreeDataProvider<ThreadSummary> {
  static readonly viewId = 'assistants.threads';
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: ThreadStore, private readonly currentId: () => string | undefined) {
    super();
  }

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: ThreadSummary): Promise<ThreadSummary[]> | ThreadSummary[] {
    return element ? [] : this.store.list();
  }

  getTreeItem(thread: ThreadSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(thread.title, vscode.TreeItemCollapsibleState.None);
    item.id = thread.id;
    item.contextValue = 'thread';
    item.description = new Date(thread.updatedAt * 1000).toLocaleString();
    item.tooltip = `${thread.title}\n${thread.backend === 'responses' ? 'Responses API' : 'Assistants v2'}`;
    item.iconPath = new vscode.ThemeIcon(thread.id === this.currentId() ? 'comment-discussion' : 'comment');
    item.command = { command: 'assistants.openThread', title: 'Open Thread', arguments: [thread.id] };
    return item;
  }
}

/** The Assistants view: every assistant of every store, the active one marked; a click makes one active. */
export class AssistantsTreeProvider extends Disposable implements vscode.TreeDataProvider<AssistantEntry> {
  static readonly viewId = 'assistants.assistants';
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly service: AssistantService, private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(service.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(element?: AssistantEntry): Promise<AssistantEntry[]> {
    if (element) return [];
    try {
      // Ask for the active one first: with no assistant at all, that makes the first from settings.
      await this.service.active();
      return await this.service.list();
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
    item.contextValue = `assistant.${entry.location}${entry.assistant ? '' : '.invalid'}`;
    const where = LOCATION_LABELS[entry.location];
    item.description = [active ? 'active' : undefined, entry.assistant?.model, where].filter(Boolean).join(' · ');
    if (!entry.assistant) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.tooltip = `${entry.name} cannot run: ${(entry.errors ?? []).map((e) => `${e.path || 'file'} ${e.message}`).join('; ')}`;
    } else {
      const assistant = entry.assistant;
      item.iconPath = new vscode.ThemeIcon(active ? 'pass-filled' : 'hubot');
      item.tooltip = new vscode.MarkdownString(`**${assistant.name}** · ${assistant.model} · ${where}\n\nTools: ${toolNames(assistant.tools)}\n\n${assistant.instructions ?? ''}`);
    }
    if (entry.file) item.resourceUri = vscode.Uri.file(entry.file);
    item.command = { command: 'assistants.selectAssistant', title: 'Select Assistant', arguments: [entry] };
    return item;
  }
}

/** Where an assistant lives, as the tree and the QuickPick say it. */
export const LOCATION_LABELS: Record<AssistantLocation, string> = { workspace: 'workspace', user: 'personal', server: 'server' };

/** Tool names for a tooltip or a QuickPick detail. */
export function toolNames(tools: ToolDefinition[]): string {
  return tools.map((t) => (t.type === 'function' ? t.function.name : t.type)).join(', ') || 'no tools';
}
