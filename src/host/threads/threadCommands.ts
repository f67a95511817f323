import * as path from 'node:path';
import * as vscode from 'vscode';
import { withoutPublishedCopies } from '../../core/assistants/assistantPicks';
import { describeErrors } from '../../core/assistants/assistantFile';
import type { AssistantService } from '../../core/assistants/assistantService';
import type { AssistantEntry } from '../../core/assistants/assistantStore';
import { modelProblem } from '../../core/chat/chatSession';
import { AssistantsError } from '../../core/errors';
import { textOf } from '../../common/model';
import { answersMarkdown, questionsOf, replayQuestions } from '../../core/chat/replay';
import type { ReplayResult } from '../../core/chat/replay';
import { EXPORT_NAME_TRIES, threadToJson, threadToMarkdown } from '../../core/threads/threadExport';
import { createNewFile, folderNameFree, plainFileOrNone, slotFor } from '../../core/workspace/fileSystem';
import { assistantLabel, lastActivityLabel, listThreads, shortTitle, titleProblem, titleWithSuffix } from '../../core/threads/threadList';
import type { StoredThread, ThreadStore, ThreadSummary } from '../../core/threads/threadStore';
import { assistantItem } from '../assistants/assistantCommands';
import type { HostChatController } from '../chat/chatController';
import type { ChatViewProvider } from '../chat/chatViewProvider';
import type { CompareDocuments } from '../platform/compareDocuments';
import type { ThreadsTreeProvider } from '../trees';
import { assistantNames } from '../trees';

export interface ThreadCommandDeps {
  controller: HostChatController;
  store: ThreadStore;
  service: AssistantService;
  threadsTree: ThreadsTreeProvider;
  chatView: ChatViewProvider;
  /** Where Replay's side-by-side view reads its two documents from. */
  compare: CompareDocuments;
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

/** Optional arguments of Fork Thread; without them it asks. */
export interface ForkThreadArgs {
  /** The last message the fork keeps (default: asked; the thread's last message when it has one only). */
  messageId?: string;
  /** The assistant the fork is for (default: asked, the thread's own first). */
  assistant?: string;
  /** The model the fork's runs use; empty: the assistant's own (default: asked). */
  model?: string;
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
  /** What a title calls `entry`: its name, with where it lives when another assistant has that name (`assistantNames`). */
  const shownName = async (entry: AssistantEntry) => (await assistantNames(service, deps.log))?.get(entry.id) ?? entry.name;

  /** Opens a thread in the chat, with its assistant made active (when it still exists). */
  const open = async (id: string) => {
    await controller.openThread(id);
    const assistantId = session.thread?.thread.assistantId;
    const entry = assistantId && assistantId !== service.activeId() ? await service.get(assistantId).catch(() => undefined) : undefined;
    if (entry?.assistant) {
      await service.select(entry.id);
      controller.assistantChanged();
    } else if (entry) {
      // Made active, it could only refuse every question: the chat keeps the active one, and says so.
      void vscode.window.showWarningMessage(`This thread's assistant, "${await shownName(entry)}", cannot run until its file is fixed: ${describeErrors(entry.errors ?? [])}. The chat keeps the active assistant.`);
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
      // A run going on in it is stopped with it: the question says so.
      const running = session.thread?.thread.id === thread.id ? session.busy : (await store.load(thread.id))?.pendingRun !== undefined;
      const choice = await vscode.window.showWarningMessage(`Delete the thread "${thread.title}" from this workspace?`, { modal: true, detail: running ? 'Its answer is still being written: deleting the thread stops it.' : undefined }, 'Delete');
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
    const onDisk = file.scheme === 'file';
    const base = path.dirname(file.fsPath);
    if (onDisk) await refuseLink(file, 'Export Thread to Markdown');
    const { markdown, images } = await threadToMarkdown(stored, {
      assistantName: assistantLabel(stored.thread.assistantId, names),
      assistantNames: names,
      readImage: (url) => store.readOutput(stored.thread.id, url),
      imageFolder: onDisk ? await exportFolder(base, `${stem}-images`) : `${stem}-images`,
      // A file of the user's (or a link a repository committed) where an image would go is kept; the image takes another name.
      ...(onDisk ? { occupied: async (relative: string, bytes: Uint8Array) => (await slotFor(base, relative, bytes)) === 'taken' } : {}),
    });
    for (const image of images) {
      if (!onDisk) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(file, '..', ...image.path.split('/')), image.bytes);
      else if ((await slotFor(base, image.path, image.bytes)) !== 'same' && !(await createNewFile(base, image.path, image.bytes))) {
        throw new AssistantsError('file_system', `${image.path} appeared while the thread was exported, so it was left as it is and the export stopped; export again.`);
      }
    }
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(markdown));
    const folders = [...new Set(images.map((image) => image.path.split('/')[0]))];
    const beside = images.length ? ` (and ${images.length} file${images.length === 1 ? '' : 's'} in ${folders.join(', ')})` : '';
    void vscode.window.showInformationMessage(`Exported "${stored.thread.title}" to ${vscode.workspace.asRelativePath(file)}${beside}.`);
  });

  register('assistants.exportThreadJson', async (item?: ThreadArg, args: { file?: string } = {}) => {
    const thread = await target(item, 'Export Thread to JSON');
    if (!thread) return;
    const stored = await load(thread.id);
    const file = await saveTarget(args.file, stored, 'Export Thread to JSON', { JSON: ['json'] });
    if (!file) return;
    if (file.scheme === 'file') await refuseLink(file, 'Export Thread to JSON');
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
    const shown = await shownName(entry);
    const picked = args.thread ?? (await pickThread(`Send to ${shown}`, { assistantId, offerNew: `a new thread of ${shown}` }));
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

  /** The user's pick of an assistant that can run, `preferred` first and marked as the thread's own. */
  const pickAssistant = async (title: string, placeHolder: string, preferred: string | undefined): Promise<string | undefined> => {
    const entries = listedOnce(await service.list()).filter((entry) => entry.assistant);
    if (entries.length === 0) {
      void vscode.window.showInformationMessage('There is no assistant that can run. Run "Assistants: Create Assistant" first.');
      return undefined;
    }
    entries.sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred));
    const items = entries.map((entry) => assistantItem(entry, { note: entry.id === preferred ? "the thread's assistant" : undefined }));
    return (await vscode.window.showQuickPick(items, { title, placeHolder, matchOnDescription: true }))?.entry.id;
  };

  /** The user's pick of a message of `stored` (the last one first chosen); undefined when cancelled. */
  const pickMessage = async (stored: StoredThread): Promise<string | undefined> => {
    const items = stored.messages.map((message, index) => ({
      label: `${index + 1}. ${message.role === 'user' ? '$(account) You' : '$(hubot) Answer'}`,
      description: shortTitle(textOf(message.content).replace(/\s+/g, ' ').trim() || '(no text)', 100),
      id: message.id,
    }));
    const quickPick = vscode.window.createQuickPick<(typeof items)[number]>();
    quickPick.title = `Fork "${shortTitle(stored.thread.title)}"`;
    quickPick.placeholder = 'The last message the new thread keeps';
    quickPick.matchOnDescription = true;
    quickPick.items = items;
    quickPick.activeItems = items.slice(-1);
    const picked = await new Promise<string | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]?.id));
      quickPick.onDidHide(() => resolve(undefined));
      quickPick.show();
    });
    quickPick.dispose();
    return picked;
  };

  register('assistants.forkThread', async (item?: ThreadArg, args: ForkThreadArgs = {}) => {
    const thread = await target(item, 'Fork Thread');
    if (!thread) return;
    const stored = await load(thread.id);
    if (stored.messages.length === 0) {
      void vscode.window.showInformationMessage(`"${thread.title}" has no messages to fork.`);
      return;
    }
    const messageId = args.messageId ?? (stored.messages.length === 1 ? stored.messages[0].id : await pickMessage(stored));
    if (!messageId) return;
    const assistantId = args.assistant ?? (await pickAssistant('Fork Thread', 'The assistant the new thread is for', stored.thread.assistantId));
    if (!assistantId) return;
    const entry = await service.get(assistantId);
    if (!entry.assistant) throw new AssistantsError('bad_request', `"${entry.name}" cannot run until its file is fixed.`);
    const own = entry.assistant.model;
    const model =
      args.model ??
      (await vscode.window.showInputBox({
        title: `Fork Thread for ${await shownName(entry)}`,
        value: assistantId === stored.thread.assistantId ? (stored.thread.model ?? own) : own,
        prompt: `The model the new thread's runs use (${own} is the assistant's own)`,
        validateInput: (text) => modelProblem(text),
      }));
    if (model === undefined) return;
    const fork = await session.forkThread(thread.id, { upTo: messageId, assistantId, model: model.trim() === own ? '' : model });
    await open(fork.thread.id);
  });

  register('assistants.replayThread', async (item?: ThreadArg, args: { assistant?: string } = {}) => {
    const thread = await target(item, 'Replay Questions on Another Assistant');
    if (!thread) return;
    const original = structuredClone(await load(thread.id));
    const questions = questionsOf(original);
    if (questions.length === 0) {
      void vscode.window.showInformationMessage(`"${thread.title}" has no questions to replay.`);
      return;
    }
    const assistantId = args.assistant ?? (await pickAssistant('Replay Questions on Another Assistant', `The assistant that answers the ${questions.length} question${questions.length === 1 ? '' : 's'} again`, original.thread.assistantId));
    if (!assistantId) return;
    const entry = await service.get(assistantId);
    if (!entry.assistant) throw new AssistantsError('bad_request', `"${entry.name}" cannot run until its file is fixed.`);
    if (session.busy) throw new AssistantsError('bad_request', 'A run is still in progress in the chat. Stop it or wait for it to finish, then replay.');
    await service.select(assistantId);
    controller.assistantChanged();
    await controller.newThread();
    await vscode.commands.executeCommand('assistants.chat.focus');
    const title = titleWithSuffix(original.thread.title, ` (replay on ${shortTitle(entry.name, 40)})`);
    const shown = await shownName(entry);
    const result: ReplayResult = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Replaying ${questions.length} question${questions.length === 1 ? '' : 's'} on ${shown}`, cancellable: true },
      async (progress, token) => {
        const stop = new AbortController();
        const cancelled = token.onCancellationRequested(() => stop.abort());
        try {
          return await replayQuestions(session, questions, {
            signal: stop.signal,
            title,
            onAnswered: (answered) => {
              threadsTree.refresh();
              progress.report({ message: `${answered} of ${questions.length} answered`, increment: 100 / questions.length });
            },
          });
        } finally {
          cancelled.dispose();
          threadsTree.refresh();
        }
      },
    );
    const replay = session.thread;
    if (result.stopped) void vscode.window.showWarningMessage(replayStopped(result));
    if (!replay || result.answered === 0 || result.stopped === 'left') return;
    const names = await assistantNames(service, deps.log);
    const left = deps.compare.add(original.thread.title, answersMarkdown(original, assistantLabel(original.thread.assistantId, names) ?? 'Assistant'));
    const right = deps.compare.add(replay.thread.title, answersMarkdown(replay, shown));
    await vscode.commands.executeCommand('vscode.diff', left, right, `${shortTitle(original.thread.title, 40)} ↔ ${shown}`, { preview: false, viewColumn: vscode.ViewColumn.Active });
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

/** What the user is told when a replay stopped short: what happened and what to do next. */
function replayStopped(result: ReplayResult): string {
  const done = `${result.answered} of ${result.total} questions were answered`;
  switch (result.stopped) {
    case 'cancelled':
      return `Replay cancelled: ${done}.`;
    case 'left':
      return `Replay stopped because another thread was opened in the chat: ${done}. Open the replay's thread from the Threads view to go on.`;
    default:
      return `Replay stopped: question ${result.answered + 1} was not answered (the chat shows why). ${done}; the comparison shows them.`;
  }
}

/** Where an export goes: `file` when given, else a save dialog in the workspace, named after the thread. */
/** Refuses an export target that is a link (a repository may commit one under a thread's likely name, pointing anywhere) or no regular file. */
async function refuseLink(file: vscode.Uri, command: string): Promise<void> {
  if (!(await plainFileOrNone(file.fsPath))) throw new AssistantsError('permission', `${path.basename(file.fsPath)} is a link or not a regular file, so ${command} does not write it; choose another name.`);
}

/** The folder beside an exported Markdown file its images go into (see `folderNameFree`). */
async function exportFolder(base: string, name: string): Promise<string> {
  const folder = await folderNameFree(base, name, EXPORT_NAME_TRIES);
  if (folder === undefined) throw new AssistantsError('file_system', `${EXPORT_NAME_TRIES} names like ${name} beside the file are taken by files or links, so the thread was not exported; choose another file name or folder.`);
  return folder;
}

async function saveTarget(file: string | undefined, stored: StoredThread, title: string, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
  if (file) return vscode.Uri.file(file);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stem = stored.thread.title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'thread';
  const extension = Object.values(filters)[0][0];
  return vscode.window.showSaveDialog({ title, filters, defaultUri: root ? vscode.Uri.joinPath(root, `${stem}.${extension}`) : undefined });
}
