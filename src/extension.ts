import * as path from 'node:path';
import * as vscode from 'vscode';
import { nodeFileSystem } from './core/workspace/fileSystem';
import { DraftStore } from './core/threads/draftStore';
import { registerCompare } from './host/chat/comparePanel';
import { ThreadStore } from './core/threads/threadStore';
import { AssistantService } from './core/assistants/assistantService';
import type { AssistantEntry } from './core/assistants/assistantStore';
import { connect } from './backends/connect';
import { ApiKeyStore } from './host/platform/apiKey';
import { ChatApprover } from './host/chat/approvals';
import { ChatOutputAsker } from './host/chat/functionOutputs';
import { OutputDraftStore } from './core/functions/outputRequests';
import { ComposerAttachments } from './host/chat/attachments';
import { StateUploadIndex } from './core/attachments/uploadIndex';
import { DiffEditProposer } from './host/chat/editProposals';
import { AssistantConflicts } from './host/assistants/assistantConflicts';
import { AssistantEditorProvider } from './host/assistants/assistantEditor';
import { ServerAssistantDocuments } from './host/assistants/serverAssistantDocuments';
import { AssistantFolders } from './host/assistants/assistantFolders';
import { HostChatController } from './host/chat/chatController';
import type { KnowledgeNode } from './host/knowledge/knowledgeTree';
import { KnowledgeTreeProvider } from './host/knowledge/knowledgeTree';
import { recogniser } from './core/knowledge/sync';
import { ChatViewProvider } from './host/chat/chatViewProvider';
import { registerCommands } from './host/commands';
import { runAdditions, settingsAssistantDraft } from './host/assistants/defaultAssistant';
import { showSetAsideThreads } from './host/threads/setAsideThreads';
import { readSettings } from './host/platform/settings';
import { registerAssistantTests } from './host/assistants/assistantTests';
import type { AssistantTests } from './host/assistants/assistantTests';
import { keyScope } from './core/provider';
import { processWindow } from './core/chat/windowIdentity';
import type { ApprovalChoice, ApprovalView, AttachmentView, OutputRequestView } from './common/protocol';
import { textOf } from './common/model';
import { AssistantsTreeProvider, ThreadsTreeProvider } from './host/trees';
import { createWorkspaceFunctions, workspaceRoots, workspaceToolHandler } from './host/platform/workspaceFunctions';
import { Connections } from './host/platform/connections';
import { hostedServersLeftOut, McpServers } from './host/mcp/mcpServers';
import { McpSecrets, secretUses } from './host/mcp/mcpSecrets';
import { confirmMcpStart, secretUseArgument, setMcpSecret } from './host/mcp/mcpCommands';
import { readConfiguredServers } from './host/mcp/mcpConfig';
import { chooseVsCodeTools, pickedToolFunctions } from './host/platform/vscodeTools';

/**
 * What the extension offers other extensions (and its own integration tests): the chat, driven
 * without the UI.
 */
export interface AssistantsApi {
  /** Sends a message on the current thread (starting one if needed); resolves once it is on the thread. */
  sendMessage(text: string): Promise<void>;
  /** Resolves when no run is in progress. */
  whenIdle(): Promise<void>;
  /** The files attached to the next message (the composer's chips). */
  attachments(): AttachmentView[];
  /** Function calls waiting for the user's approval, and the way to answer one (as the chat's buttons do). */
  approvals(): ApprovalView[];
  answerApproval(callId: string, choice: ApprovalChoice): void;
  /** Custom function calls waiting for the user's output, and the way to submit one (as the chat's Submit does). */
  outputRequests(): OutputRequestView[];
  submitOutput(callId: string, output: string): void;
  /**
   * The open thread, if any: its number of messages, the status of its last run, the text of its
   * last message, and the function calls of its runs in order (`arguments` as the model sent them,
   * JSON text; `output` as returned to the model).
   */
  currentThread(): { id: string; title: string; messageCount: number; lastRunStatus?: string; lastMessageText?: string; functionCalls: FunctionCallRecord[] } | undefined;
  /**
   * The Threads view's items as it shows them (newest activity first, its filter applied): the
   * thread's whole title, the row's label, description (assistant and last activity) and tooltip,
   * and the file the thread is kept in.
   */
  threads(): Promise<{ id: string; title: string; label: string; description: string; tooltip: string; file: string }[]>;
  /** Whether the chat view is on screen. */
  chatViewVisible(): boolean;
  /** The Knowledge view as drawn: each item's label, description and context value, stores before their files. */
  knowledgeItems(): Promise<{ label: string; description?: string; contextValue?: string; node: KnowledgeNode }[]>;
  /** Fires when the Knowledge view is told to draw itself again (the tree's `onDidChangeTreeData`). */
  onDidChangeKnowledge: vscode.Event<void>;
  /** The Test Explorer's assistant tests: their tree (the TestController) and a run through its Run profile. */
  assistantTests: Pick<AssistantTests, 'controller' | 'discover' | 'run'>;
  /** Every assistant (files and, under Assistants v2, the server's), most recently used first. */
  assistants(): Promise<{ id: string; name: string; location: string; file?: string; active: boolean; valid: boolean }[]>;
}

/** One function call of a run, as `AssistantsApi.currentThread()` lists it. */
export interface FunctionCallRecord {
  name: string;
  arguments: string;
  output?: string;
}

/** The composer's kept draft and run instructions, written out on deactivation. */
let drafts: DraftStore | undefined;
let instructions: DraftStore | undefined;

export function activate(context: vscode.ExtensionContext): AssistantsApi {
  const log = vscode.window.createOutputChannel('Assistants', { log: true });
  context.subscriptions.push(log);
  // Threads belong to the workspace; with no folder open they go to the extension's global storage.
  const storage = context.storageUri ?? vscode.Uri.joinPath(context.globalStorageUri, 'no-workspace');
  const store = new ThreadStore(nodeFileSystem, path.join(storage.fsPath, 'threads'), { onSetAside: (files) => showSetAsideThreads(files, store.corruptDir, log) });
  const apiKeys = new ApiKeyStore(context.secrets, () => {
    const settings = readSettings();
    return keyScope(settings.provider, settings.baseUrl);
  });
  const mock = process.env.ASSISTANTS_MOCK === '1';
  // One connection to the server for everything that reaches it, made on first use.
  const connections = new Connections({ apiKeys, connect, log, mock });
  const approver = new ChatApprover();
  const proposer = new DiffEditProposer();
  const outputs = new ChatOutputAsker(new OutputDraftStore(nodeFileSystem, path.join(storage.fsPath, 'output-drafts.json'), {
    onError: (error) => log.warn(`A function output you typed was not saved: ${error instanceof Error ? error.message : String(error)}`),
  }));
  const mcpSecrets = new McpSecrets(context.secrets);
  /** Sentences about hosted MCP servers left out under Assistants v2 and about VS Code's MCP configuration, each shown once per window. */
  const warned = new Set<string>();
  const warnOnce = (warning: string) => {
    if (warned.has(warning)) return;
    warned.add(warning);
    log.warn(warning);
    void vscode.window.showWarningMessage(warning);
  };
  // The user's mcp.json sits beside their settings.json, two folders above the extension's global storage.
  const userFolder = context.globalStorageUri.scheme === 'file' ? vscode.Uri.joinPath(context.globalStorageUri, '..', '..') : undefined;
  const configuredServers = async () => {
    if (!vscode.workspace.getConfiguration('assistants.mcp').get<boolean>('vscodeServers', true)) return { servers: [], problems: [] };
    const configured = await readConfiguredServers(userFolder);
    for (const problem of configured.problems) warnOnce(problem);
    return configured;
  };
  const mcpServers = new McpServers({
    log,
    trusted: () => vscode.workspace.isTrusted,
    secrets: mcpSecrets,
    folder: () => workspaceRoots()[0],
    confirmStart: confirmMcpStart,
    warn: (message, secret) => {
      if (!secret) return void vscode.window.showWarningMessage(message);
      const set = 'Set MCP Secret';
      void vscode.window.showWarningMessage(message, set).then((answer) => (answer === set ? vscode.commands.executeCommand('assistants.setMcpSecret', secret) : undefined));
    },
    configured: configuredServers,
  });
  context.subscriptions.push(mcpServers);
  /** The functions a run gets besides the workspace functions: its local MCP servers' (and VS Code's configured ones'), and the VS Code tools the user picked. */
  const toolAdditions = async (entry: AssistantEntry) => {
    const local = await mcpServers.additions(entry);
    for (const fn of pickedToolFunctions()) {
      try {
        local.registry.register(fn);
      } catch (error) {
        log.warn(`VS Code tool ${fn.vscodeTool ?? fn.definition.name} left out: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return local;
  };
  // The functions first: the assistants offer them to a run, and answering their calls needs the assistants.
  const functions = createWorkspaceFunctions(proposer, log);
  const folders = new AssistantFolders(context.globalStorageUri);
  const assistants = new AssistantService({
    stores: async () => {
      const server = await connections.serverAssistants().catch((error: unknown) => {
        log.warn(`Server assistants not listed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
      return server ? [...folders.stores(), server] : folders.stores();
    },
    state: context.workspaceState,
    userState: context.globalState,
    firstAssistant: () => settingsAssistantDraft(readSettings()),
    firstLocation: 'user',
    runAdditions: async (entry) => {
      const settings = readSettings();
      const base = runAdditions(settings, vscode.workspace.isTrusted, functions.registry.tools());
      const local = await toolAdditions(entry);
      const leftOut = settings.protocol === 'assistantsV2' ? hostedServersLeftOut(entry) : [];
      for (const { warning } of leftOut) warnOnce(warning);
      const instructions = [base.instructions, ...local.notes, ...leftOut.map((left) => left.note)].filter(Boolean).join('\n\n');
      return { tools: [...base.tools, ...local.registry.tools()], ...(instructions ? { instructions } : {}) };
    },
  });
  // Custom functions come from the assistant a run uses.
  const toolHandler = workspaceToolHandler(functions, {
    approver,
    outputs,
    workspaceState: context.workspaceState,
    assistants,
    localMcp: async (entry) => (await toolAdditions(entry)).registry,
  });
  drafts = new DraftStore(nodeFileSystem, path.join(storage.fsPath, 'draft.json'), {
    onError: (error) => log.warn(`The draft was not saved: ${error instanceof Error ? error.message : String(error)}`),
  });
  instructions = new DraftStore(nodeFileSystem, path.join(storage.fsPath, 'instructions.json'), {
    onError: (error) => log.warn(`The run instructions were not saved: ${error instanceof Error ? error.message : String(error)}`),
  });
  const uploadIndex = new StateUploadIndex(context.globalState);
  const attachments = new ComposerAttachments({
    target: () => connections.uploadTarget(),
    index: uploadIndex,
    confinement: functions.confinement,
    log,
  });
  const controller = new HostChatController({
    store,
    threadsDir: path.join(storage.fsPath, 'threads'),
    window: processWindow(),
    apiKeys,
    toolHandler,
    approver,
    outputs,
    attachments,
    drafts,
    instructions,
    connections,
    assistants,
    prepare: (assistant) => mcpSecrets.prepare(assistant),
    log,
    mock,
  });
  const chatView = new ChatViewProvider(context.extensionUri, controller, log);
  const threadsTree = new ThreadsTreeProvider(store, () => controller.session.thread?.thread.id, assistants, context.workspaceState, log);
  const assistantsTree = new AssistantsTreeProvider(assistants, log);
  const knowledgeTree = new KnowledgeTreeProvider({
    assistants,
    files: () => connections.backend(),
    recognise: async (vectorStoreId) => {
      const { mark, provider } = await connections.uploadTarget();
      return recogniser(vectorStoreId, { mark, provider, index: uploadIndex });
    },
    log,
  });
  const knowledgeView = vscode.window.createTreeView(KnowledgeTreeProvider.viewId, { treeDataProvider: knowledgeTree });
  knowledgeTree.attach(knowledgeView);
  const serverDocuments = new ServerAssistantDocuments(assistants);
  const conflicts = new AssistantConflicts(assistants);
  const assistantEditor = new AssistantEditorProvider(context.extensionUri, () => connections.backend(), log, serverDocuments.onDidRefuseSave);
  const assistantTests = registerAssistantTests({ backend: () => connections.backend(), log });
  context.subscriptions.push(assistantTests);
  context.subscriptions.push(
    connections,
    approver,
    outputs,
    proposer,
    attachments,
    folders,
    assistantEditor,
    vscode.window.registerCustomEditorProvider(AssistantEditorProvider.viewType, assistantEditor, { webviewOptions: { retainContextWhenHidden: false } }),
    vscode.workspace.registerFileSystemProvider(ServerAssistantDocuments.scheme, serverDocuments, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(AssistantConflicts.scheme, conflicts),
    folders.onDidChange(() => {
      assistants.changed();
      controller.assistantChanged();
    }),
    controller,
    chatView,
    threadsTree,
    assistantsTree,
    knowledgeTree,
    knowledgeView,
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, chatView, { webviewOptions: { retainContextWhenHidden: false } }),
    vscode.window.registerTreeDataProvider(AssistantsTreeProvider.viewId, assistantsTree),
    controller.onDidChangeThreads(() => threadsTree.refresh()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('assistants')) return;
      assistantsTree.refresh();
      knowledgeTree.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => assistantsTree.refresh()),
    vscode.commands.registerCommand('assistants.chooseVsCodeTools', () => chooseVsCodeTools()),
    vscode.commands.registerCommand('assistants.setMcpSecret', (given?: unknown) =>
      setMcpSecret(
        mcpSecrets,
        async () => (await assistants.active()).assistant,
        async () => secretUses({ id: '', name: '', model: '', createdAt: 0, tools: (await configuredServers()).servers.map((server) => server.tool) }),
        secretUseArgument(given),
      ).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        log.error(message);
        void vscode.window.showErrorMessage(message);
      }),
    ),
  );
  const knowledge = {
    assistants,
    target: () => connections.uploadTarget(),
    index: uploadIndex,
    confinement: functions.confinement,
    tree: knowledgeTree,
    log,
    vanished: () => controller.vanished(),
    settled: () => controller.settled(),
  };
  registerCommands(context, { controller, connections, apiKeys, store, threadsTree, assistantsTree, assistants, knowledge, log, proposer, attachments, chatView, conflicts });
  // The Compare panel's columns keep their threads apart from the Threads view's until one is kept.
  const compareScratch = new ThreadStore(nodeFileSystem, path.join(storage.fsPath, 'compare'));
  registerCompare(
    context,
    {
      extensionUri: context.extensionUri,
      assistants,
      backend: () => connections.backend(),
      serverAssistants: () => connections.serverAssistants(),
      prepare: (assistant) => mcpSecrets.prepare(assistant),
      threads: store,
      threadsChanged: () => threadsTree.refresh(),
      log,
    },
    compareScratch,
  );
  const opened = controller.session.open().catch((error: unknown) => log.error(`Could not open the last thread: ${String(error)}`));
  return {
    sendMessage: async (text) => {
      await opened;
      await controller.send(text);
    },
    whenIdle: () => controller.session.whenIdle(),
    attachments: () => attachments.list(),
    approvals: () => approver.list(),
    answerApproval: (callId, choice) => approver.answer(callId, choice),
    outputRequests: () => outputs.list(),
    submitOutput: (callId, output) => outputs.submit(callId, output),
    currentThread: () => {
      const stored = controller.session.thread;
      if (!stored) return undefined;
      const runs = Object.values(stored.runs);
      const functionCalls = runs.flatMap(({ steps }) =>
        steps.flatMap((step) => (step.details.type === 'tool_calls' ? step.details.toolCalls : [])).flatMap((call) => (call.type === 'function' ? [{ name: call.name, arguments: call.arguments, output: call.output }] : [])),
      );
      const last = stored.messages[stored.messages.length - 1];
      return {
        id: stored.thread.id,
        title: stored.thread.title,
        messageCount: stored.messages.length,
        lastRunStatus: runs[runs.length - 1]?.run.status,
        lastMessageText: last ? textOf(last.content) : undefined,
        functionCalls,
      };
    },
    assistants: async () => {
      const activeId = (await assistants.active()).id;
      return (await assistants.list()).map((e) => ({ id: e.id, name: e.name, location: e.location, file: e.file, active: e.id === activeId, valid: e.assistant !== undefined }));
    },
    threads: async () => (await threadsTree.items()).map((item) => ({ ...item, file: store.fileOf(item.id) })),
    chatViewVisible: () => chatView.visible,
    assistantTests,
    onDidChangeKnowledge: knowledgeTree.onDidChangeTreeData,
    knowledgeItems: async () => {
      const items = [];
      for (const store of await knowledgeTree.getChildren()) {
        for (const node of [store, ...(await knowledgeTree.getChildren(store))]) {
          const item = knowledgeTree.getTreeItem(node);
          items.push({ label: String(item.label), description: item.description === undefined ? undefined : String(item.description), contextValue: item.contextValue, node });
        }
      }
      return items;
    },
  };
}

/**
 * The window is closing or reloading: the composer's last keystrokes, which wait on a pause in
 * typing, are written before VS Code lets the extension host go. Everything else is disposed
 * through context.subscriptions.
 */
export async function deactivate(): Promise<void> {
  await Promise.all([drafts?.flush(), instructions?.flush()]);
}
