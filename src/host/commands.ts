import * as vscode from 'vscode';
import type { AssistantService } from '../core/assistants/assistantService';
import type { ThreadStore } from '../core/threads/threadStore';
import { registerAssistantCommands } from './assistants/assistantCommands';
import { registerThreadCommands } from './threads/threadCommands';
import { CompareDocuments } from './platform/compareDocuments';
import { checkConnection } from '../core/connectionCheck';
import { AssistantConflictError, asAssistantsError } from '../core/errors';
import type { AssistantConflicts } from './assistants/assistantConflicts';
import type { ApiKeyStore } from './platform/apiKey';
import type { HostChatController } from './chat/chatController';
import type { Connections } from './platform/connections';
import type { ComposerAttachments } from './chat/attachments';
import type { ChatViewProvider } from './chat/chatViewProvider';
import type { DiffEditProposer } from './chat/editProposals';
import type { KnowledgeCommandDeps } from './knowledge/knowledge';
import { registerKnowledgeCommands } from './knowledge/knowledge';
import type { AssistantsTreeProvider, ThreadsTreeProvider } from './trees';

export interface CommandDeps {
  controller: HostChatController;
  /** The connection to the server (Test Connection, pushing assistants). */
  connections: Connections;
  apiKeys: ApiKeyStore;
  store: ThreadStore;
  threadsTree: ThreadsTreeProvider;
  assistantsTree: AssistantsTreeProvider;
  proposer: DiffEditProposer;
  attachments: ComposerAttachments;
  chatView: ChatViewProvider;
  assistants: AssistantService;
  knowledge: KnowledgeCommandDeps;
  log: vscode.LogOutputChannel;
  /** Where a command's update met another change of the same assistant fields: Compare / Overwrite. */
  conflicts: AssistantConflicts;
}

/**
 * Runs a command body and returns its result; a failure becomes a sentence in a notification, the details go to the log.
 * With `rejects` the failure is also thrown on, so that `executeCommand` rejects: the integration
 * tests run with it (ExtensionMode.Test) to see a command fail. For a user it stays off, since VS
 * Code answers a rejected command from the Command Palette with a modal "Command … resulted in an
 * error" on top of the sentence.
 */
function guarded<A extends unknown[]>(log: vscode.LogOutputChannel, rejects: boolean, conflicts: AssistantConflicts, body: (...args: A) => Promise<unknown> | unknown) {
  return async (...args: A) => {
    try {
      return await body(...args);
    } catch (error) {
      if (error instanceof AssistantConflictError) {
        log.warn(`${error.message} (${error.where.assistantId})`);
        void conflicts.offer(error).catch((failed: unknown) => {
          log.error(`Overwrite failed: ${failed instanceof Error ? failed.message : String(failed)}`);
          void vscode.window.showErrorMessage(asAssistantsError(failed).message);
        });
        if (rejects) throw error;
        return undefined;
      }
      // A sentence for the user (a full disk, say, not Node's message with the file's path); the log keeps the original.
      const original = error instanceof Error ? error.message : String(error);
      const mapped = asAssistantsError(error);
      const message = mapped.kind === 'file_system' ? mapped.message : original;
      log.error(message === original ? message : `${message} (${original})`);
      void vscode.window.showErrorMessage(message);
      if (rejects) throw error;
    }
  };
}

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { controller, connections, apiKeys, log, conflicts } = deps;
  const rejects = context.extensionMode === vscode.ExtensionMode.Test;
  const register = (id: string, body: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, guarded(log, rejects, conflicts, body)));

  register('assistants.setApiKey', async () => {
    const scope = apiKeys.scope();
    const key = await vscode.window.showInputBox({
      title: `Assistants: Set API Key for ${scope.label}`,
      prompt: `The key for ${scope.label} (the current "assistants.provider" and "assistants.baseUrl"), kept in VS Code's secret storage, never in settings.`,
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-...',
      validateInput: (value) => (value.trim() ? undefined : 'Enter a key, or press Escape to cancel.'),
    });
    if (key === undefined) return;
    const saved = await apiKeys.set(key);
    void vscode.window.showInformationMessage(`API key for ${saved.label} saved in secret storage.`);
  });
  register('assistants.clearApiKey', async () => {
    const { scope, removed, environment } = await apiKeys.clear();
    const said = removed ? `API key for ${scope.label} removed from secret storage.` : `No API key for ${scope.label} was stored.`;
    const still = environment ? ' Requests still carry the key in the OPENAI_API_KEY environment variable; unset it and restart VS Code to stop that.' : '';
    void vscode.window.showInformationMessage(`${said}${still}`);
  });
  register('assistants.newThread', async () => {
    await controller.newThread();
    await vscode.commands.executeCommand('assistants.chat.focus');
  });
  register('assistants.continueInNewThread', async () => {
    await controller.continueInNewThread();
    await vscode.commands.executeCommand('assistants.chat.focus');
  });
  register('assistants.reuploadAttachments', async () => {
    const missing = controller.vanished();
    const fileId = missing?.object === 'file' ? missing.id : undefined;
    const count = await deps.attachments.reupload(fileId);
    if (count > 0) {
      controller.settled();
      return void vscode.window.showInformationMessage(`Uploaded ${count === 1 ? 'the attached file' : `${count} attached files`} again; send your message again.`);
    }
    if (fileId === undefined) return void vscode.window.showInformationMessage('Every attached file is on the server.');
    // Not in the composer: an earlier message of the thread holds it, and no run of the thread can start while it does.
    const choice = await vscode.window.showWarningMessage(
      `${fileId} was attached to an earlier message of this thread, and the server no longer has it. Go on without it (the messages stay; attach the file again to send it), or start a new thread.`,
      'Go On Without It',
      'New Thread',
    );
    if (choice === 'New Thread') return void (await vscode.commands.executeCommand('assistants.newThread'));
    if (choice !== 'Go On Without It') return;
    const dropped = await controller.dropAttachment(fileId);
    void vscode.window.showInformationMessage(dropped ? `${fileId} taken off ${dropped === 1 ? 'the message' : `${dropped} messages`} that held it: Retry, or send again.` : `No message of this thread holds ${fileId}.`);
  });
  register('assistants.stopRun', () => controller.stop());
  register('assistants.focusChat', () => vscode.commands.executeCommand('assistants.chat.focus'));
  register('assistants.refresh', () => {
    deps.threadsTree.refresh();
    deps.assistantsTree.refresh();
  });
  register('assistants.showLog', () => log.show());
  // Explorer: (clicked, all selected); without a selection, the clicked one.
  register('assistants.attachToMessage', async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
    const uris = selected?.length ? selected : clicked ? [clicked] : [];
    if (uris.length === 0) return void vscode.window.showInformationMessage('Pick files or folders in the Explorer to attach them.');
    await vscode.commands.executeCommand('assistants.chat.focus');
    await deps.attachments.add(uris);
  });
  register('assistants.attachActiveFile', async () => {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.uri.scheme !== 'file') return void vscode.window.showInformationMessage('Open a file from the workspace to attach it.');
    if (document.isDirty) await document.save();
    await vscode.commands.executeCommand('assistants.chat.focus');
    await deps.attachments.add([document.uri]);
  });
  register('assistants.askAboutSelection', async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) return void vscode.window.showInformationMessage('Select some text in an editor first.');
    await vscode.commands.executeCommand('assistants.chat.focus');
    await deps.chatView.insert(selectionQuote(editor));
  });
  register('assistants.applyProposedEdit', (uri?: vscode.Uri) => deps.proposer.settle('apply', uri));
  register('assistants.discardProposedEdit', (uri?: vscode.Uri) => deps.proposer.settle('discard', uri));
  register('assistants.testConnection', async () => {
    const lines = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Testing the connection…' }, async () =>
      checkConnection(await connections.backend(), await connections.serverAssistants(), AbortSignal.timeout(20_000)),
    );
    const text = lines.map((l) => `${l.ok ? '✓' : '✗'} ${l.what}: ${l.detail}`).join('\n');
    log.info(`Test Connection:\n${text}`);
    const show = lines.every((l) => l.ok) ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show('Test Connection', { modal: true, detail: `${text}\n\nBackground runs and the code interpreter are not tried: they would start a paid run.` });
    return lines;
  });
  registerAssistantCommands(register, {
    service: deps.assistants,
    controller,
    connections,
    hasWorkspace: () => (vscode.workspace.workspaceFolders?.length ?? 0) > 0,
  });
  const compare = new CompareDocuments();
  context.subscriptions.push(compare);
  registerThreadCommands(register, { controller, store: deps.store, service: deps.assistants, threadsTree: deps.threadsTree, chatView: deps.chatView, compare, log });
  registerKnowledgeCommands(register, deps.knowledge);
  register('assistants.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:assistants-vscode.assistants-vscode'));
}

/** The selection as the composer gets it: file name, line range, and the text in a fenced block. */
export function selectionQuote(editor: vscode.TextEditor): string {
  const { start, end } = editor.selection;
  const endLine = end.character === 0 && end.line > start.line ? end.line : end.line + 1;
  const where = vscode.workspace.asRelativePath(editor.document.uri);
  const text = editor.document.getText(editor.selection);
  const fence = text.includes('```') ? '````' : '```';
  const lines = start.line + 1 === endLine ? `line ${endLine}` : `lines ${start.line + 1}-${endLine}`;
  return `In ${where}, ${lines}:\n${fence}${editor.document.languageId}\n${text.replace(/\n$/, '')}\n${fence}\n`;
}
