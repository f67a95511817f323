import * as vscode from 'vscode';
import type { AssistantService } from '../../core/assistants/assistantService';
import type { FileOperations, VectorStore } from '../../core/files';
import { formatBytes } from '../../core/attachments/uploads';
import { asAssistantsError } from '../../core/errors';
import { knowledgeStoresOf } from '../../core/knowledge/assistantKnowledge';
import type { KnowledgeFile, Recognise } from '../../core/knowledge/plan';
import { knowledgeFile } from '../../core/knowledge/plan';
import { oneLine } from '../../common/showable';
import { PollSchedule } from '../../core/runs/pollSchedule';
import { Disposable } from '../platform/lifecycle';

/** A node of the Knowledge view: a vector store, one of its files, or a sentence (an error, an empty store). */
export type KnowledgeNode =
  | { kind: 'store'; vectorStoreId: string; store?: VectorStore; missing?: string }
  | { kind: 'file'; vectorStoreId: string; entry: KnowledgeFile }
  | { kind: 'note'; text: string; detail?: string };

/** How often files still being indexed are looked at again: soon at first, then less and less. */
const POLL = { initialMs: 500, maxMs: 10_000, factor: 2, maxPerSecond: 2 };

/**
 * The Knowledge view: the active assistant's vector stores and their files with the processing
 * status the server reports (a failure with its reason). It follows the active assistant, and
 * while files are still being indexed and the view is on screen it looks again on its own, less
 * often as time passes, until none is left.
 */
export class KnowledgeTreeProvider extends Disposable implements vscode.TreeDataProvider<KnowledgeNode> {
  static readonly viewId = 'assistants.knowledge';
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private view: vscode.TreeView<KnowledgeNode> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private schedule: PollSchedule | undefined;
  /** Files still being indexed, per vector store, as last listed. */
  private readonly indexing = new Map<string, number>();

  constructor(
    private readonly deps: {
      assistants: AssistantService;
      files(): Promise<FileOperations>;
      /** Tells the files this extension added to a store from the others (`recogniser`). */
      recognise(vectorStoreId: string): Promise<Recognise>;
      log: vscode.LogOutputChannel;
    },
  ) {
    super();
    this.register(deps.assistants.onDidChange(() => this.refresh()));
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  /** Shows the tree in its view; polling runs only while the view is visible. */
  attach(view: vscode.TreeView<KnowledgeNode>): void {
    this.view = view;
    this.register(view.onDidChangeVisibility(() => (view.visible ? this.refresh() : this.stopPolling())));
  }

  refresh(): void {
    this.schedule = undefined;
    this.changed.fire();
  }

  async getChildren(node?: KnowledgeNode): Promise<KnowledgeNode[]> {
    try {
      if (!node) return await this.stores();
      if (node.kind === 'store' && !node.missing) return await this.files(node.vectorStoreId);
      return [];
    } catch (error) {
      const message = asAssistantsError(error).message;
      this.deps.log.warn(`Knowledge view: ${message}`);
      return [{ kind: 'note', text: message }];
    }
  }

  getTreeItem(node: KnowledgeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'note': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.detail ?? node.text;
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
      case 'store':
        return storeItem(node);
      case 'file':
        return fileItem(node);
    }
  }

  private async stores(): Promise<KnowledgeNode[]> {
    const entry = await this.deps.assistants.active();
    const ids = knowledgeStoresOf(entry.assistant);
    if (ids.length === 0) return [];
    const files = await this.deps.files();
    return Promise.all(
      ids.map(async (vectorStoreId): Promise<KnowledgeNode> => {
        try {
          return { kind: 'store', vectorStoreId, store: await files.retrieveVectorStore(vectorStoreId) };
        } catch (error) {
          const failure = asAssistantsError(error);
          if (failure.kind !== 'not_found') throw failure;
          return { kind: 'store', vectorStoreId, missing: 'gone from the server' };
        }
      }),
    );
  }

  private async files(vectorStoreId: string): Promise<KnowledgeNode[]> {
    const recognise = await this.deps.recognise(vectorStoreId);
    const listed = (await (await this.deps.files()).listVectorStoreFiles(vectorStoreId)).map((file) => knowledgeFile(file, recognise));
    this.indexing.set(vectorStoreId, listed.filter((e) => e.file.status === 'in_progress').length);
    this.pollIfIndexing();
    if (listed.length === 0) return [{ kind: 'note', text: 'No files yet: right-click files in the Explorer → Add to Assistant Knowledge.' }];
    return listed.sort((a, b) => (a.path ?? a.file.id).localeCompare(b.path ?? b.file.id)).map((entry) => ({ kind: 'file', vectorStoreId, entry }));
  }

  private pollIfIndexing(): void {
    const pending = [...this.indexing.values()].some((count) => count > 0);
    if (!pending || this.view?.visible === false) return this.stopPolling();
    if (this.timer) return;
    this.schedule ??= new PollSchedule(POLL);
    const schedule = this.schedule;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Not refresh(): the schedule goes on, so each look waits longer than the one before.
      this.changed.fire();
    }, schedule.next(false));
  }

  private stopPolling(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule = undefined;
  }
}

function storeItem(node: Extract<KnowledgeNode, { kind: 'store' }>): vscode.TreeItem {
  // The store's name and its files' paths and failures are whatever the server (or whoever wrote to the store) says: shown on one line.
  const name = oneLine(node.store?.name || node.vectorStoreId);
  const item = new vscode.TreeItem(name, node.missing ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded);
  item.id = `store:${node.vectorStoreId}`;
  item.contextValue = node.missing ? 'knowledgeStore.missing' : 'knowledgeStore';
  item.iconPath = new vscode.ThemeIcon(node.missing ? 'warning' : 'database');
  if (node.missing) {
    item.description = node.missing;
  } else if (node.store) {
    const counts = node.store.fileCounts;
    item.description = `${counts.total} file${counts.total === 1 ? '' : 's'}${counts.inProgress ? `, ${counts.inProgress} indexing` : ''}${counts.failed ? `, ${counts.failed} failed` : ''}`;
  }
  // The row is narrow: the description says what happened, the tooltip how to fix it too.
  const fix = node.missing ? '\nThe server no longer has this vector store (it was deleted, or expired). Remove from Assistant takes it out of the assistant; Add to Knowledge then makes a new one.' : '';
  item.tooltip = `${name}\n${node.vectorStoreId}${item.description ? `\n${String(item.description)}` : ''}${fix}`;
  return item;
}

const STATUS_WORDS: Record<KnowledgeFile['file']['status'], string> = {
  in_progress: 'indexing…',
  completed: 'ready',
  failed: 'failed',
  cancelled: 'cancelled',
};

function fileItem(node: Extract<KnowledgeNode, { kind: 'file' }>): vscode.TreeItem {
  const { entry } = node;
  const file = entry.file;
  const label = oneLine(entry.path ?? file.id);
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `file:${node.vectorStoreId}:${file.id}`;
  const failure = file.status === 'failed' || file.status === 'cancelled' ? `${STATUS_WORDS[file.status]}: ${oneLine(file.lastError ?? 'the server gave no reason')}` : undefined;
  // Files anyone else put in the store (whatever path their attributes name) are shown, and can be removed from it, nothing more.
  const source = entry.ours && entry.path !== undefined;
  item.description = source ? (failure ?? STATUS_WORDS[file.status]) : `${failure ?? STATUS_WORDS[file.status]}, added elsewhere`;
  item.iconPath = new vscode.ThemeIcon(file.status === 'in_progress' ? 'loading~spin' : failure ? 'error' : 'file');
  // An unchanged file that failed is not sent again on each sync: the tooltip says how to try again.
  const retry = failure && source ? ['Sync leaves it as it is until the file changes; Retry Indexing adds it again now.'] : [];
  const elsewhere = source ? [] : ['Not added from this workspace with this key: Sync leaves it alone, and Remove from Knowledge only takes it out of the store.'];
  item.tooltip = [label, `Status: ${failure ?? STATUS_WORDS[file.status]}`, ...retry, ...elsewhere, `In the vector store: ${formatBytes(file.usageBytes)}`, `File id: ${file.id}`, ...(entry.sha256 ? [`SHA-256: ${entry.sha256}`] : [])].join('\n');
  item.contextValue = source ? (failure ? 'knowledgeFile.source.failed' : 'knowledgeFile.source') : 'knowledgeFile';
  if (source) item.command = { command: 'assistants.openKnowledgeSource', title: 'Open Source File', arguments: [node] };
  return item;
}
