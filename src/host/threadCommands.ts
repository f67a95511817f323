import * as path from 'node:path';
import * as vscode from 'vscode';
import { withoutPublishedCopies } from '../core/assistantPicks';
import type { AssistantService } from '../core/assistantService';
import { AssistantsError } from '../core/errors';
import { textOf } from '../core/model';
import { threadToJson, threadToMarkdown } from '../core/threadExport';
import { assistantLabel, lastActivityLabel, listThreads, titleProblem } from '../core/threadList';
import type { StoredThread, ThreadStore, ThreadSummary } from '../core/threadStore';
import { assistantItem } from './assistantCommands';
import type { HostChatController } from './chatController';
import type { ChatViewProvider } from './chatViewProvider';
import type { ThreadsTreeProvider } from './trees';
import { assistantNames } from './trees';

export interface ThreadCommandDeps {
  controller: HostChatController;
  store: ThreadStore;
  service: AssistantService;
  threadsTree: ThreadsTreeProvider;
  chatView: ChatViewProvider;
  log: vscode.LogOutputChannel;
}

/**
 * The thread a command acts on: a Threads view item, a thread id, or nothing (then the thread open
 * in the chat, else the user's pick).
 */
export type ThreadArg = ThreadSummary | string | undefined;

/** Optional arguments of Send to Another Assistant; without them it asks. */
export interface SendToAssistantArgs {
  /** The message to forward (default: the thread's last answer). */
  messageId?: string;
  /** The text to forward instead of a message's. */
  text?: string;
  /** The assistant to forward to. */
  assistant?: string;
  /** `new`, or the id of one of that assistant's threads. */
  thread?: string;
  /** Send at once instead of putting the text in the composer. */
  send?: boolean;
}

type Register = (id: string, body: (...args: never[]) => unknown) => void;

/**
 * Registers the thread commands (category Assistants; also the Threads view's menus): open,
 * switch, rename, clear, delete, export to Markdown or JSON, send to another assistant, and the
 * view's filter by assistant. Optional arguments answer their questions, for keybindings, other
 * extensions and tests.
 */
export function registerThreadCommands(register: Register, deps: ThreadCommandDeps): void {
  const { controller, store, service, threadsTree } = deps;
  /** A file's own published copy is listed once, as the file (threads record the file). */
  const listedOnce = (entries: Parameters<typeof withoutPublishedCopies>[0]) => withoutPublishedCopies(entries, (assistant) => service.linkedFile(assistant));
  const session = controller.session;

  /** Opens a thread in the chat, with its assistant made active (when it still exists). */
  const open = async (id: string) => {
    await controller.openThread(id);
    const assistantId = session.thread?.thread.assistantId;
    if (assistantId && assistantId !== service.activeId() && (await assistantNames(service, deps.log))?.has(assistantId)) {
      await service.select(assistantId);
      controller.assistantChanged();
    }
    threadsTree.refresh();
    await vscode.commands.executeCommand('assistants.chat.focus');
  };

  const load = async (id: string): Promise<StoredThread> => {
    const stored = session.thread?.thread.id === id ? session.thread : await store.load(id);
    if (!stored) throw new AssistantsError('not_found', 'That thread no longer exists in this workspace.');
    return stored;
  };

  /** The user's pick of the workspace's threads (of one assistant when `assistantId` is set), `new` for "New thread" when `offerNew` labels it. */
  const pickThread = async (title: string, options: { assistantId?: string; offerNew?: string } = {}): Promise<ThreadSummary | 'new' | undefined> => {
    const [threads, names] = await Promise.all([store.list(), assistantNames(service, deps.log)]);
    const listed = listThreads(threads, options.assistantId);
    if (listed.length === 0 && !options.offerNew) {
      void vscode.window.showInformationMessage('There are no threads in this workspace yet.');
      return undefined;
    }
    const now = Date.now() / 1000;
    const currentId = session.thread?.thread.id;
    const items: (vscode.QuickPickItem & { thread: ThreadSummary | 'new' })[] = listed.map((thread) => ({
      label: `${thread.id === currentId ? '$(comment-discussion) ' : ''}${thread.title}`,
      description: assistantLabel(thread.assistantId, names),
      detail: lastActivityLabel(thread.updatedAt, now),
      thread,
    }));
    if (options.offerNew) items.unshift({ label: '$(add) New thread', description: options.offerNew, thread: 'new' });
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Threads, most recent activity first', matchOnDescription: true });
    return picked?.thread;
  };

  /** The thread's summary (from its item, the open thread or a pick); undefined when the user cancelled. */
  const target = async (item: ThreadArg, title: string): Promise<ThreadSummary | undefined> => {
    if (typeof item === 'object') return item;
    const id = item ?? session.thread?.thread.id;
    if (!id) {
      const picked = await pickThread(title);
      return picked === 'new' ? undefined : picked;
    }
    const found = (await store.list()).find((thread) => thread.id === id);
    if (!found) throw new AssistantsError('not_found', 'That thread no longer exists in this workspace.');
    return found;
  };

  /** The text to forward: the message `messageId`, else the thread's last answer with text. */
  const forwardedText = async (item: ThreadArg, messageId: string | undefined): Promise<{ text: string; assistantId?: string } | undefined> => {
    const thread = await target(item, 'Send to Another Assistant');
    if (!thread) return undefined;
    const stored = await load(thread.id);
    const message = messageId
      ? stored.messages.find((m) => m.id === messageId)
      : [...stored.messages].reverse().find((m) => m.role === 'assistant' && textOf(m.content).trim());
    const text = message && textOf(message.content).trim();
    if (!text) {
      void vscode.window.showInformationMessage(messageId ? 'That message has no text to send.' : `"${thread.title}" has no answer to send yet.`);
      return undefined;
    }
    return { text, assistantId: stored.thread.assistantId };
  };

  const pickOtherAssistant = async (exclude: string | undefined): Promise<string | undefined> => {
    const entries = listedOnce(await service.list()).filter((entry) => entry.assistant && entry.id !== exclude);
    if (entries.length === 0) {
      void vscode.window.showInformationMessage('There is no other assistant to send to. Run "Assistants: Create Assistant" first.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      entries.map((entry) => assistantItem(entry)),
      { title: 'Send to Another Assistant', placeHolder: 'The assistant to send the text to', matchOnDescription: true },
    );
    return picked?.entry.id;
  };

  register('assistants.openThread', (id: string) => open(id));

  register('assistants.switchThread', async (id?: string) => {
    const picked = id ?? (await pickThread('Switch Thread'));
    if (picked && picked !== 'new') await open(typeof picked === 'string' ? picked : picked.id);
  });

  register('assistants.renameThread', async (item?: ThreadArg, args: { title?: string } = {}) => {
    const thread = await target(item, 'Rename Thread');
    if (!thread) return;
    const title =
      args.title ??
      (await vscode.window.showInputBox({ title: 'Rename Thread', value: thread.title, prompt: 'The thread\'s new title', validateInput: (text) => titleProblem(text) }));
    if (title === undefined) return;
    await session.renameThread(thread.id, title);
    threadsTree.refresh();
  });

  register('assistants.clearThread', async (item?: ThreadArg, args: { confirmed?: boolean } = {}) => {
    const thread = await target(item, 'Clear Thread');
    if (!thread) return;
    if (!args.confirmed) {
      const detail = 'Its messages, runs and images are removed; the thread, its title and its assistant stay. The assistant will not remember the cleared messages.';
      const choice = await vscode.window.showWarningMessage(`Clear the thread "${thread.title}"?`, { modal: true, detail }, 'Clear');
      if (choice !== 'Clear') return;
    }
    await session.clearThread(thread.id);
    threadsTree.refresh();
  });

  register('assistants.deleteThread', async (item?: ThreadArg, args: { confirmed?: boolean } = {}) => {
    const thread = await target(item, 'Delete Thread');
    if (!thread) return;
    if (!args.confirmed) {
      const choice = await vscode.window.showWarningMessage(`Delete the thread "${thread.title}" from this workspace?`, { modal: true }, 'Delete');
      if (choice !== 'Delete') return;
    }
    await session.deleteThread(thread.id);
    threadsTree.refresh();
  });

  register('assistants.exportThreadMarkdown', async (item?: ThreadArg, args: { file?: string } = {}) => {
    const thread = await target(item, 'Export Thread to Markdown');
    if (!thread) return;
    const stored = await load(thread.id);
    const file = await saveTarget(args.file, stored, 'Export Thread to Markdown', { Markdown: ['md'] });
    if (!file) return;
    const stem = path.basename(file.fsPath, path.extname(file.fsPath));
    const names = await assistantNames(service, deps.log);
    const { markdown, images } = await threadToMarkdown(stored, {
      assistantName: assistantLabel(stored.thread.assistantId, names),
      readImage: (url) => store.readOutput(stored.thread.id, url),
      imageFolder: `${stem}-images`,
    });
    const folder = vscode.Uri.joinPath(file, '..');
    for (const image of images) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, ...image.path.split('/')), image.bytes);
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(markdown));
    const beside = images.length ? ` (and ${images.length} file${images.length === 1 ? '' : 's'} in ${stem}-images)` : '';
    void vscode.window.showInformationMessage(`Exported "${stored.thread.title}" to ${vscode.workspace.asRelativePath(file)}${beside}.`);
  });

  register('assistants.exportThreadJson', async (item?: ThreadArg, args: { file?: string } = {}) => {
    const thread = await target(item, 'Export Thread to JSON');
    if (!thread) return;
    const stored = await load(thread.id);
    const file = await saveTarget(args.file, stored, 'Export Thread to JSON', { JSON: ['json'] });
    if (!file) return;
    const json = await threadToJson(stored, (url) => store.readOutput(stored.thread.id, url));
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(json));
    void vscode.window.showInformationMessage(`Exported "${stored.thread.title}" to ${vscode.workspace.asRelativePath(file)}.`);
  });

  register('assistants.sendToAssistant', async (item?: ThreadArg, args: SendToAssistantArgs = {}) => {
    const source = args.text !== undefined ? { text: args.text } : await forwardedText(item, args.messageId);
    if (!source) return;
    const assistantId = args.assistant ?? (await pickOtherAssistant(source.assistantId));
    if (!assistantId) return;
    const entry = await service.get(assistantId);
    if (!entry.assistant) throw new AssistantsError('bad_request', `"${entry.name}" cannot run until its file is fixed.`);
    const picked = args.thread ?? (await pickThread(`Send to ${entry.name}`, { assistantId, offerNew: `a new thread of ${entry.name}` }));
    if (!picked) return;
    await service.select(assistantId);
    controller.assistantChanged();
    if (picked === 'new') await controller.newThread();
    else await controller.openThread(typeof picked === 'string' ? picked : picked.id);
    threadsTree.refresh();
    await vscode.commands.executeCommand('assistants.chat.focus');
    if (!args.send) return deps.chatView.insert(source.text);
    try {
      await controller.send(source.text);
    } catch (error) {
      // Not sent: the text waits in the composer.
      await deps.chatView.insert(source.text);
      throw error;
    }
  });

  const filter = async (args: { assistant?: string } = {}) => {
    let choice = args.assistant;
    if (choice === undefined) {
      const entries = listedOnce(await service.list());
      const current = threadsTree.filter;
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'All assistants', description: current === undefined ? 'shown now' : undefined, id: 'all' },
          ...entries.map((entry) => ({ ...assistantItem(entry, { note: entry.id === current ? 'shown now' : undefined }), id: entry.id })),
        ],
        { title: 'Show the threads of', placeHolder: 'An assistant, or all', matchOnDescription: true },
      );
      choice = picked?.id;
    }
    if (choice === undefined) return;
    await threadsTree.setFilter(choice === 'all' ? undefined : choice);
  };
  register('assistants.filterThreads', filter);
  register('assistants.filterThreadsActive', filter);
}

/** Where an export goes: `file` when given, else a save dialog in the workspace, named after the thread. */
async function saveTarget(file: string | undefined, stored: StoredThread, title: string, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
  if (file) return vscode.Uri.file(file);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stem = stored.thread.title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'thread';
  const extension = Object.values(filters)[0][0];
  return vscode.window.showSaveDialog({ title, filters, defaultUri: root ? vscode.Uri.joinPath(root, `${stem}.${extension}`) : undefined });
}
