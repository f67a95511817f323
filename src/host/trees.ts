import * as vscode from 'vscode';
import type { Assistant } from '../core/model';
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

/** The Assistants view: the assistants runs can use (for now the default one built from settings). */
export class AssistantsTreeProvider extends Disposable implements vscode.TreeDataProvider<Assistant> {
  static readonly viewId = 'assistants.assistants';
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly assistants: () => Promise<Assistant[]>) {
    super();
  }

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: Assistant): Promise<Assistant[]> | Assistant[] {
    return element ? [] : this.assistants();
  }

  getTreeItem(assistant: Assistant): vscode.TreeItem {
    const item = new vscode.TreeItem(assistant.name, vscode.TreeItemCollapsibleState.None);
    item.id = assistant.id;
    item.description = assistant.model;
    item.iconPath = new vscode.ThemeIcon('hubot');
    const tools = assistant.tools.map((t) => (t.type === 'function' ? t.function.name : t.type)).join(', ') || 'none';
    item.tooltip = new vscode.MarkdownString(`**${assistant.name}** · ${assistant.model}\n\nTools: ${tools}\n\n${assistant.instructions ?? ''}`);
    return item;
  }
}
