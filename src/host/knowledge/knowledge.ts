import * as vscode from 'vscode';
import type { UploadIndex } from '../../core/attachments/uploads';
import { formatBytes } from '../../core/attachments/uploads';
import type { AssistantService } from '../../core/assistants/assistantService';
import { AssistantsError } from '../../core/errors';
import { nodeWorkspaceFs } from '../../core/workspace/fileSystem';
import type { Confinement } from '../../core/workspace/confinement';
import type { GitignoreCache } from '../../core/workspace/walk';
import { deadlineIn } from '../../core/workspace/walk';
import type { MissingObject } from '../../core/errors';
import { ensureKnowledgeStore, knowledgeStoresOf, removeKnowledgeStore } from '../../core/knowledge/assistantKnowledge';
import { knowledgeLogLines, skipReasons } from '../../core/knowledge/reportText';
import { knowledgeCandidates, locateKnowledgeSource } from '../../core/knowledge/sources';
import { oneLine } from '../../common/showable';
import type { KnowledgeDeps, KnowledgeReport, KnowledgeSource } from '../../core/knowledge/sync';
import { addToKnowledge, emptyReport, mergeReports, removeFromKnowledge, syncKnowledge } from '../../core/knowledge/sync';
import type { UploadTarget } from '../platform/connections';
import { expandSelection } from '../chat/attachments';
import type { KnowledgeNode, KnowledgeTreeProvider } from './knowledgeTree';

export interface KnowledgeCommandDeps {
  assistants: AssistantService;
  target(): Promise<UploadTarget>;
  index: UploadIndex;
  confinement: Confinement;
  tree: KnowledgeTreeProvider;
  log: vscode.LogOutputChannel;
  /** The server object the chat says is gone, if any: *Remove from Assistant* from the chat names the store so. */
  vanished(): MissingObject | undefined;
  /** The chat's notice about it goes, once fixed. */
  settled(): void;
}

/** What *Add to Assistant Knowledge* returns: the report, and the files a folder left out before any upload. */
export interface AddKnowledgeResult extends KnowledgeReport {
  skipped: Array<{ path: string; reason: string }>;
}

type Register = (id: string, body: (...args: never[]) => unknown) => void;

/** What *Sync Knowledge* may be told (keybindings, tests, the notification's *Retry Failed*). */
export interface SyncKnowledgeOptions {
  /** Answers the question about files deleted from the workspace. */
  removeDeleted?: boolean;
  /** Adds again the unchanged files whose indexing failed (otherwise they are left, and reported). */
  retryFailed?: boolean;
}

/**
 * The knowledge commands: *Add to Assistant Knowledge* (Explorer, multi-select, or the Command
 * Palette with a picker of the workspace files Add would take), *Sync Knowledge*, and on the Knowledge view's files *Remove from
 * Knowledge*, *Open Source File* and, on a file whose indexing failed, *Retry Indexing*. Every one
 * says what it did, file by file in the log.
 */
export function registerKnowledgeCommands(register: Register, deps: KnowledgeCommandDeps): void {
  register('assistants.addToKnowledge', async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
    if (!trusted()) return undefined;
    const uris = selected?.length ? selected : clicked instanceof vscode.Uri ? [clicked] : await pickFiles(deps.confinement);
    if (!uris?.length) return undefined;
    return addUris(uris, deps);
  });
  register('assistants.syncKnowledge', async (options?: SyncKnowledgeOptions) => (trusted() ? syncAll(deps, options ?? {}) : undefined));
  register('assistants.retryKnowledgeFile', async (node?: KnowledgeNode) => {
    if (node?.kind !== 'file' || !node.entry.path || !node.entry.ours || !trusted()) return undefined;
    const located = await locateKnowledgeSource(deps.confinement, nodeWorkspaceFs, node.entry.path);
    if ('gone' in located) {
      void vscode.window.showWarningMessage(`${node.entry.path} is no longer in the workspace, so it cannot be indexed again. Remove it from knowledge, or restore the file and retry.`);
      return undefined;
    }
    if ('refused' in located) {
      void vscode.window.showWarningMessage(`${node.entry.path} is not sent again: ${located.refused} Remove it from knowledge.`);
      return undefined;
    }
    return retryOne(node.vectorStoreId, { absolute: located.absolute, path: node.entry.path }, deps);
  });
  register('assistants.removeFromKnowledge', async (node?: KnowledgeNode) => {
    if (node?.kind !== 'file') return;
    const { backend, provider } = await deps.target();
    await refreshingAfter(deps, () => removeFromKnowledge(node.vectorStoreId, node.entry, { files: backend, index: deps.index, provider }));
    deps.log.info(`Knowledge: removed ${node.entry.path ?? node.entry.file.id} from ${node.vectorStoreId}.`);
  });
  register('assistants.openKnowledgeSource', async (node?: KnowledgeNode) => {
    if (node?.kind !== 'file' || !node.entry.path) return;
    const confined = await deps.confinement.resolve(node.entry.path);
    const exists = confined.ok && (await nodeWorkspaceFs.stat(confined.absolute))?.type === 'file';
    if (!confined.ok || !exists) return void vscode.window.showWarningMessage(`${node.entry.path} is no longer in the workspace. Run "Assistants: Sync Knowledge" to remove its copy, or Remove from Knowledge.`);
    await vscode.window.showTextDocument(vscode.Uri.file(confined.absolute), { preview: true });
  });
  register('assistants.refreshKnowledge', () => deps.tree.refresh());
  // On a store row the server no longer has (the Knowledge view), or from the chat's notice that a run named it.
  register('assistants.removeKnowledgeStore', async (node?: KnowledgeNode) => {
    const missing = deps.vanished();
    const vectorStoreId = node?.kind === 'store' ? node.vectorStoreId : missing?.object === 'vector_store' ? missing.id : undefined;
    if (!vectorStoreId) return;
    const entry = await deps.assistants.active();
    if (!knowledgeStoresOf(entry.assistant).includes(vectorStoreId)) {
      // Not the assistant's knowledge: a store the server made for files attached in the thread (Assistants v2).
      const choice = await vscode.window.showWarningMessage(
        `The vector store ${vectorStoreId} is not one of "${entry.name}"'s knowledge stores: it held files attached in this thread. Continue in a new thread, which carries the messages without it.`,
        'Continue in New Thread',
      );
      if (choice) await vscode.commands.executeCommand('assistants.continueInNewThread');
      return;
    }
    await refreshingAfter(deps, () => removeKnowledgeStore(deps.assistants, entry, vectorStoreId));
    if (missing?.object === 'vector_store' && missing.id === vectorStoreId) deps.settled();
    deps.log.info(`Knowledge: removed vector store ${vectorStoreId} from "${entry.name}".`);
    void vscode.window.showInformationMessage(`Removed the vector store ${vectorStoreId} from "${entry.name}". Add to Knowledge makes a new one.`);
  });
}

/**
 * Knowledge uploads workspace files, and in an untrusted workspace the files (and the assistant
 * file naming the store) come from whoever wrote the repository: Add, Sync and Retry Indexing are
 * off there (their menus are disabled; a command run anyway says why).
 */
function trusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage('Knowledge uploads workspace files, so Add to Knowledge and Sync Knowledge are off until you trust this workspace ("Manage Workspace Trust").');
  return false;
}

/** Files the picker lists at most, and how long it looks for them, so a huge workspace opens it promptly. */
const PICKER_FILES = 5_000;
const PICKER_MS = 3_000;

/**
 * The workspace files to add, picked from those Add would take (the deny list, files.exclude and
 * `.gitignore` leave theirs out, so a secret such as `.env-local` is never offered); a folder is
 * added from the Explorer's menu.
 */
async function pickFiles(confinement: Confinement): Promise<vscode.Uri[] | undefined> {
  const abort = new AbortController();
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath);
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { uri: vscode.Uri }>();
  pick.title = 'Add to Assistant Knowledge';
  pick.canSelectMany = true;
  pick.busy = true;
  pick.placeholder = 'Listing the workspace files…';
  const picked = new Promise<vscode.Uri[] | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems.map((item) => item.uri));
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      abort.abort();
      pick.dispose();
    });
  });
  pick.show();
  knowledgeCandidates(confinement, nodeWorkspaceFs, roots, { limit: PICKER_FILES, deadline: deadlineIn(PICKER_MS), signal: abort.signal }).then(
    ({ files, more }) => {
      pick.items = files.map((file) => ({ label: file.display, uri: vscode.Uri.file(file.absolute) }));
      pick.placeholder = more
        ? `The first ${files.length} workspace files; add a folder from the Explorer's menu for the rest`
        : 'Workspace files to add (the deny list, files.exclude and .gitignore leave theirs out)';
      pick.busy = false;
    },
    (error: unknown) => {
      pick.placeholder = `The workspace files could not be listed: ${error instanceof Error ? error.message : String(error)}`;
      pick.busy = false;
    },
  );
  return picked;
}

async function addUris(uris: readonly vscode.Uri[], deps: KnowledgeCommandDeps): Promise<AddKnowledgeResult> {
  const entry = await deps.assistants.active();
  const target = await deps.target();
  const { vectorStoreId, created } = await ensureKnowledgeStore(deps.assistants, target.backend, entry);
  if (created) deps.log.info(`Knowledge: made vector store ${vectorStoreId} for "${entry.name}" and wrote it into the assistant.`);
  const result = await refreshingAfter(deps, () =>
    withProgress(`Adding to ${entry.name}'s knowledge`, async (knowledge) => {
      if (!created && (await storeGone(target, vectorStoreId))) {
        offerRemoval(vectorStoreId);
        throw new AssistantsError('not_found', `Nothing was added: the vector store ${vectorStoreId} of "${entry.name}" is no longer on the server.`, { missing: { object: 'vector_store', id: vectorStoreId } });
      }
      const expanded = await expandSelection(uris, deps.confinement, knowledge.signal);
      const skipped = expanded.skipped.map((s) => ({ path: s.display, reason: s.reason }));
      // Through the filters Sync applies too: a file picked on its own that .gitignore ignores is not taken either.
      const sources: KnowledgeSource[] = [];
      const gitignores: GitignoreCache = new Map();
      for (const item of expanded.items) {
        const located = await locateKnowledgeSource(deps.confinement, nodeWorkspaceFs, item.display, gitignores);
        if ('absolute' in located) sources.push({ absolute: located.absolute, path: item.display });
        else skipped.push({ path: item.display, reason: 'refused' in located ? located.refused.replace(/\.$/, '') : 'it no longer exists' });
      }
      const report = await addToKnowledge(vectorStoreId, sources, { ...knowledge, ...serverDeps(target, deps) });
      return { ...report, skipped };
    }),
  );
  tell('Add to Knowledge', result, result.skipped, deps.log);
  return result;
}

/** *Retry Indexing* on one file: the same bytes are added again (from the file already uploaded when the server still has it). */
async function retryOne(vectorStoreId: string, source: KnowledgeSource, deps: KnowledgeCommandDeps): Promise<KnowledgeReport> {
  const target = await deps.target();
  const report = await refreshingAfter(deps, () =>
    withProgress(`Retrying ${source.path}`, (knowledge) => addToKnowledge(vectorStoreId, [source], { ...knowledge, ...serverDeps(target, deps) })),
  );
  tell('Retry Indexing', report, [], deps.log);
  return report;
}

/** Whether a failure is the server saying it no longer has `vectorStoreId`. */
function isGone(error: unknown, vectorStoreId: string): boolean {
  const missing = error instanceof AssistantsError ? error.options.missing : undefined;
  return missing?.object === 'vector_store' && missing.id === vectorStoreId;
}

/** Whether the server no longer has `vectorStoreId` (asked before anything is uploaded for it). */
async function storeGone(target: UploadTarget, vectorStoreId: string): Promise<boolean> {
  try {
    await target.backend.retrieveVectorStore(vectorStoreId);
    return false;
  } catch (error) {
    return isGone(error, vectorStoreId);
  }
}

/** Says a store of the assistant is gone from the server, with the fix: *Remove from Assistant* (then Add makes a new one). */
function offerRemoval(vectorStoreId: string): void {
  void vscode.window
    .showWarningMessage(`The vector store ${vectorStoreId} is no longer on the server (it was deleted, or expired). Remove it from the assistant; Add to Knowledge then makes a new one.`, 'Remove from Assistant')
    .then((choice) => choice && vscode.commands.executeCommand('assistants.removeKnowledgeStore', { kind: 'store', vectorStoreId } satisfies KnowledgeNode));
}

/** Runs a change to knowledge, then refreshes the Knowledge view, also when it failed or was cancelled part way. */
async function refreshingAfter<T>(deps: KnowledgeCommandDeps, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    deps.tree.refresh();
  }
}

async function syncAll(deps: KnowledgeCommandDeps, options: SyncKnowledgeOptions): Promise<KnowledgeReport | undefined> {
  const { removeDeleted, retryFailed = false } = options;
  const entry = await deps.assistants.active();
  const stores = knowledgeStoresOf(entry.assistant);
  if (stores.length === 0) {
    void vscode.window.showInformationMessage(`"${entry.name}" has no knowledge yet: right-click files in the Explorer → Add to Assistant Knowledge.`);
    return undefined;
  }
  const target = await deps.target();
  const confirm = async (paths: string[]): Promise<boolean> => {
    if (removeDeleted !== undefined) return removeDeleted;
    const listed = paths.slice(0, 10).join(', ') + (paths.length > 10 ? ` and ${paths.length - 10} more` : '');
    const choice = await vscode.window.showWarningMessage(
      `${paths.length} knowledge file${paths.length === 1 ? ' is' : 's are'} no longer in the workspace: ${listed}. Remove ${paths.length === 1 ? 'it' : 'them'} from the vector store too?`,
      { modal: true },
      'Remove',
      'Keep',
    );
    return choice === 'Remove';
  };
  const report = await refreshingAfter(deps, () =>
    withProgress(`Syncing ${entry.name}'s knowledge`, async (knowledge) => {
      const total = emptyReport();
      const gitignores: GitignoreCache = new Map();
      for (const vectorStoreId of stores) {
        try {
          const one = await syncKnowledge(vectorStoreId, (path) => locateKnowledgeSource(deps.confinement, nodeWorkspaceFs, path, gitignores), { ...knowledge, ...serverDeps(target, deps) }, confirm, retryFailed);
          mergeReports(total, one);
        } catch (error) {
          // A store the server no longer has: the others are still synced, and this one can be taken out of the assistant.
          if (!isGone(error, vectorStoreId)) throw error;
          offerRemoval(vectorStoreId);
        }
      }
      return total;
    }),
  );
  tell('Sync Knowledge', report, [], deps.log);
  return report;
}

/** Runs `body` under a cancellable progress notification; its lines become the notification's message. */
async function withProgress<T>(title: string, body: (knowledge: Pick<KnowledgeDeps, 'signal' | 'onProgress'>) => Promise<T>): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const cancelled = token.onCancellationRequested(() => abort.abort());
    try {
      return await body({ signal: abort.signal, onProgress: (message) => progress.report({ message }) });
    } catch (error) {
      if (!abort.signal.aborted) throw error;
      throw new AssistantsError('cancelled', `${title}: cancelled. Files already added stay; run "Assistants: Sync Knowledge" to finish.`);
    } finally {
      cancelled.dispose();
    }
  });
}

/** The server's files, the disk and the upload index, for one upload target. */
function serverDeps(target: UploadTarget, deps: KnowledgeCommandDeps): Pick<KnowledgeDeps, 'files' | 'fs' | 'index' | 'provider' | 'mark'> {
  return { files: target.backend, fs: nodeWorkspaceFs, index: deps.index, provider: target.provider, mark: target.mark };
}

/** One sentence for the notification, every file in the log. */
function tell(what: string, report: KnowledgeReport, skipped: Array<{ path: string; reason: string }>, log: vscode.LogOutputChannel): void {
  const parts = [
    report.added.length && `${report.added.length} added`,
    report.replaced.length && `${report.replaced.length} replaced`,
    report.retried.length && `${report.retried.length} added again after failed indexing`,
    report.unchanged.length && `${report.unchanged.length} unchanged`,
    report.removed.length && `${report.removed.length} removed`,
    report.keptMissing.length && `${report.keptMissing.length} deleted in the workspace but kept`,
    report.leftAlone.length && `${report.leftAlone.length} added elsewhere left alone`,
  ].filter(Boolean);
  const left = [...skipped, ...report.refused];
  const summary = `${what}: ${parts.length ? parts.join(', ') : 'nothing to do'}; ${formatBytes(report.uploadedBytes)} uploaded.`;
  for (const line of knowledgeLogLines(what, report, skipped, summary)) log.info(line);
  if (report.failed.length > 0) return void offerRetry(summary, report.failed, left.length, log);
  if (left.length === 0) return void vscode.window.showInformationMessage(summary);
  const reasons = skipReasons(left);
  void vscode.window.showWarningMessage(`${summary} Skipped ${reasons}. The Assistants log lists each.`, 'Show Log').then((choice) => choice && log.show());
}

/**
 * Unchanged files whose indexing failed are not sent again on every sync (the same bytes would most
 * likely fail again): the warning names them with the server's reason and offers *Retry Failed*.
 */
async function offerRetry(summary: string, failed: Array<{ path: string; reason: string }>, skipped: number, log: vscode.LogOutputChannel): Promise<void> {
  const first = failed[0];
  const which =
    failed.length === 1
      ? `${oneLine(first.path)} is unchanged since its indexing failed: ${oneLine(first.reason).replace(/\.$/, '')}. It was not sent again; edit it and sync, or retry it now.`
      : `${failed.length} files are unchanged since their indexing failed (${skipReasons(failed)}). They were not sent again; edit them and sync, or retry them now.`;
  const skippedNote = skipped ? ` Skipped ${skipped}; the Assistants log lists each.` : '';
  const choice = await vscode.window.showWarningMessage(`${summary} ${which}${skippedNote}`, 'Retry Failed', 'Show Log');
  if (choice === 'Retry Failed') await vscode.commands.executeCommand('assistants.syncKnowledge', { retryFailed: true } satisfies SyncKnowledgeOptions);
  else if (choice === 'Show Log') log.show();
}

