import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileAssistantStore } from '../../core/assistants/assistantStore';
import { ASSISTANT_FILE_SUFFIX } from '../../core/assistants/assistantFile';
import { nodeFileSystem, nodeWorkspaceFs } from '../../core/workspace/fileSystem';
import { Confinement } from '../../core/workspace/confinement';
import { Disposable } from '../platform/lifecycle';
import { workspaceRoots } from '../platform/workspaceFunctions';

/**
 * The two folders of assistant files: the workspace's (`assistants.folder`, default `.assistants`
 * in the first workspace folder) and the user's (the extension's global storage). Watches both, so
 * files changed on disk (git pull, another editor) show up at once.
 */
export class AssistantFolders extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when an assistant file was created, changed or deleted on disk, or the folder setting changed. */
  readonly onDidChange = this.changed.event;
  private watchers: vscode.Disposable[] = [];
  /**
   * Keeps the workspace's assistant files inside the workspace folders (links resolved). Only
   * where a file is counts here: the functions' deny list and `files.exclude` are about what the
   * model may read, not about assistant files the user keeps.
   */
  private readonly confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: workspaceRoots(), deny: [], exclude: [] }));

  constructor(private readonly globalStorage: vscode.Uri) {
    super();
    this.watch();
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('assistants.folder')) return;
      this.watch();
      this.changed.fire();
    }));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => {
      this.watch();
      this.changed.fire();
    }));
    this.register({ dispose: () => this.watchers.forEach((w) => w.dispose()) });
  }

  /** The workspace's folder of assistant files, when a folder is open. */
  workspaceDir(): string | undefined {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!root || root.scheme !== 'file') return undefined;
    const setting = vscode.workspace.getConfiguration('assistants').get<string>('folder', '.assistants').trim() || '.assistants';
    const dir = path.resolve(root.fsPath, setting);
    // The folder stays inside the workspace: a workspace setting cannot point elsewhere.
    return dir === root.fsPath || dir.startsWith(root.fsPath + path.sep) ? dir : path.join(root.fsPath, '.assistants');
  }

  userDir(): string {
    return path.join(this.globalStorage.fsPath, 'assistants');
  }

  /** The file stores, workspace first. */
  stores(): FileAssistantStore[] {
    const stores: FileAssistantStore[] = [];
    const workspace = this.workspaceDir();
    if (workspace) stores.push(new FileAssistantStore(nodeFileSystem, workspace, 'workspace', this.confinement));
    stores.push(new FileAssistantStore(nodeFileSystem, this.userDir(), 'user'));
    return stores;
  }

  private watch(): void {
    this.watchers.forEach((w) => w.dispose());
    this.watchers = [];
    for (const dir of [this.workspaceDir(), this.userDir()]) {
      if (!dir) continue;
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), `*${ASSISTANT_FILE_SUFFIX}`));
      const fire = () => this.changed.fire();
      this.watchers.push(watcher, watcher.onDidCreate(fire), watcher.onDidChange(fire), watcher.onDidDelete(fire));
    }
  }
}
