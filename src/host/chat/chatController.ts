import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WindowIdentity } from '../../core/chat/windowIdentity';
import { describeErrors } from '../../core/assistants/assistantFile';
import { distinctNames, whereLabel } from '../../core/assistants/assistantPicks';
import type { AssistantService } from '../../core/assistants/assistantService';
import type { AssistantEntry } from '../../core/assistants/assistantStore';
import type { ToolHandler } from '../../core/toolHandler';
import { ChatSession } from '../../core/chat/chatSession';
import type { ChatUpdate } from '../../core/chat/chatSession';
import { AssistantsError, asAssistantsError } from '../../core/errors';
import type { MissingObject } from '../../core/errors';
import type { DraftStore } from '../../core/threads/draftStore';
import type { OutputFileRef } from '../../core/files';
import { MissingSecretError } from '../../core/mcp/secretRefs';
import type { Assistant, AttachmentTool, BackendKind, KeptFile } from '../../common/model';
import type { ThreadStore } from '../../core/threads/threadStore';
import type { ApprovalChoice, ApprovalView, ChatState, HostCommand, HostToWebview, Notice, WaitingView } from '../../common/protocol';
import type { ApiKeyStore } from '../platform/apiKey';
import type { ChatApprover } from './approvals';
import type { ComposerAttachments } from './attachments';
import type { ChatOutputAsker } from './functionOutputs';
import type { ChatController, ChatSendOptions } from './chatViewProvider';
import type { Connections } from '../platform/connections';
import { Disposable } from '../platform/lifecycle';
import { providerLabel, readPrices, readSettings } from '../platform/settings';

export interface ChatControllerDeps {
  store: ThreadStore;
  /**
   * The thread store's folder, watched: another window's writes to the open thread (a question, a
   * run it started or ended) reach this chat, and the Threads view lists what it added.
   */
  threadsDir?: string;
  /** This window among those sharing the thread store: only the window that drives a run answers its function calls. */
  window?: WindowIdentity;
  apiKeys: ApiKeyStore;
  toolHandler: ToolHandler;
  /** Function calls waiting for the user's answer in the chat. */
  approver: ChatApprover;
  /** Custom function calls waiting for the user's output in the chat. */
  outputs: ChatOutputAsker;
  /** Files attached to the next message. */
  attachments: ComposerAttachments;
  /** Keeps the composer's draft of this workspace across window reloads. */
  drafts: DraftStore;
  /** Keeps the additional instructions for the next runs of this workspace, likewise. */
  instructions: DraftStore;
  /** The connection to the server (the settings' provider and the stored key). */
  connections: Connections;
  assistants: AssistantService;
  /** The assistant as a run sends it (hosted MCP servers' secrets put in place); as it is when absent. */
  prepare?(assistant: Assistant): Promise<Assistant>;
  log: vscode.LogOutputChannel;
  /** True when `npm start -- --mock` pointed the extension at the project's fake server. */
  mock: boolean;
}

/** The fix for each kind of vanished server object, as the notice's action. */
const MISSING_ACTIONS: Record<MissingObject['object'], NonNullable<Notice['action']>> = {
  thread: { label: 'Continue in New Thread', command: 'assistants.continueInNewThread' },
  vector_store: { label: 'Remove from Assistant', command: 'assistants.removeKnowledgeStore' },
  file: { label: 'Re-upload', command: 'assistants.reuploadAttachments' },
};

function missingNotice(error: AssistantsError, missing: MissingObject): Notice {
  return { severity: 'error', message: error.message, action: MISSING_ACTIONS[missing.object] };
}

/** Keys are per provider and server: the notice names whose key is missing. */
function noKeyNotice(label: string): Notice {
  return {
    severity: 'warning',
    message: `No API key is set for ${label}. Set one to start chatting (it is kept in VS Code's secret storage).`,
    action: { label: 'Set API Key', command: 'assistants.setApiKey' },
  };
}

/**
 * The active assistant's file cannot run (it was broken while active, or is found so after a
 * reload): the chat says so before a question is asked, with its problems and the button that
 * opens them. The choice stays: switching to another assistant without a word would be worse.
 */
export function cannotRunNotice(entry: AssistantEntry, where?: string): Notice {
  return {
    severity: 'warning',
    message: `The active assistant, "${entry.name}"${where ? ` (${where})` : ''}, cannot run until its file is fixed: ${describeErrors(entry.errors ?? [])}. Fix it, or pick another assistant above.`,
    action: { label: 'Show Problems', command: 'assistants.editAssistant' },
  };
}

/** Of `clashing` (where each assistant sharing a name lives, by id), those of the assistants that ran `runs`; undefined when none. */
function whereOfRuns(runs: Readonly<Record<string, { assistant?: { id: string } }>>, clashing: ReadonlyMap<string, string>): Record<string, string> | undefined {
  const wheres = Object.values(runs).flatMap((record) => {
    const where = record.assistant && clashing.get(record.assistant.id);
    return record.assistant && where ? [[record.assistant.id, where] as const] : [];
  });
  return wheres.length ? Object.fromEntries(wheres) : undefined;
}

const PROTOCOL_NAMES: Record<BackendKind, string> = { responses: 'Responses', assistantsV2: 'Assistants v2' };

/**
 * The open thread was made under another protocol than the one set now: the next question cannot go
 * on it (each protocol keeps its own server-side thread), so it will start a new thread. Said before
 * the user asks, with where to switch back; undefined when the protocols agree.
 */
export function protocolSwitchNotice(threadBackend: BackendKind, protocol: BackendKind): Notice | undefined {
  if (threadBackend === protocol) return undefined;
  return {
    severity: 'info',
    message: `This thread was made with the ${PROTOCOL_NAMES[threadBackend]} API, and the "assistants.protocol" setting is now ${PROTOCOL_NAMES[protocol]}: your next question starts a new thread (this one stays in the Threads view). Set the protocol back to ${PROTOCOL_NAMES[threadBackend]} to go on with this one.`,
    action: { label: 'Open Settings', command: 'assistants.openSettings' },
  };
}

/**
 * Connects the chat view to a ChatSession on the server `Connections` reaches: turns session
 * updates into webview messages, says what went wrong in the chat's notice, and keeps the
 * `assistants.runActive` context key.
 */
export class HostChatController extends Disposable implements ChatController {
  private readonly updates = this.register(new vscode.EventEmitter<HostToWebview>());
  readonly onDidUpdate = this.updates.event;
  private readonly threadsChanged = this.register(new vscode.EventEmitter<void>());
  /** Fires when the thread list may have changed (for the Threads view). */
  readonly onDidChangeThreads = this.threadsChanged.event;

  readonly session: ChatSession;
  private notice: Notice | undefined;
  /** The server object the notice says is gone, for the fix its action runs. */
  private missing: MissingObject | undefined;
  /** The last failure a run of the chat reported as its own (its outcome line under the answer says it). */
  private runFailure: string | undefined;
  /** The MCP secret the notice says is not set. */
  private missingSecret: MissingSecretError['secret'] | undefined;
  /** The thread and protocol whose switch notice the user closed (`thread protocol`): it does not come back for them. */
  private dismissedSwitch: string | undefined;
  /** Why the open thread's last question never started, as this window saw its start fail (its outcome line says it). */
  private startFailure: { threadId: string; message: string; fix?: Notice['action'] } | undefined;
  /** The active assistant when its file cannot run (the chat's notice says so, its Show Problems opens it). */
  private cannotRun: string | undefined;
  /** The run being started waits to retry its creation (no run id yet); `until` is epoch ms. */
  private waiting: { attempt: number; reason: string; until: number } | undefined;
  /** Calls of a run another window drives, shown read-only with this window's own approvals. */
  private elsewhere: ApprovalView[] = [];

  constructor(private readonly deps: ChatControllerDeps) {
    super();
    this.session = new ChatSession({
      store: deps.store,
      connect: () => deps.connections.backend(),
      assistant: () => this.assistant(),
      linkedFile: (assistant) => deps.assistants.linkedFile(assistant),
      toolHandler: deps.toolHandler,
      driver: () => {
        const settings = readSettings();
        return { preferStreaming: settings.streaming, streamIdleMs: settings.streamIdleTimeoutSeconds * 1000 };
      },
      onUpdate: (update) => this.onSessionUpdate(update),
      onError: (error) => this.showError(error),
      ...(deps.window ? { window: deps.window } : {}),
      keeping: { log: (line) => deps.log.warn(line) },
    });
    this.register({ dispose: () => this.session.dispose() });
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('assistants')) this.providerChanged();
    }));
    this.register(deps.apiKeys.onDidChange(() => this.providerChanged()));
    this.register(deps.approver.onDidChange((approvals) => this.updates.fire({ type: 'approval/show', approvals: [...approvals, ...this.elsewhere] })));
    this.register(deps.outputs.onDidChange((requests) => this.updates.fire({ type: 'output/show', requests })));
    this.register(deps.attachments.onDidChange((list) => this.updates.fire({ type: 'attachments/show', attachments: list })));
    if (deps.threadsDir) this.watchThreads(deps.threadsDir);
  }

  /** Follows writes to the thread files (`threadsDir`), this window's own among them: the open thread's are synced after a short pause. */
  private watchThreads(dir: string): void {
    try {
      // A folder that does not exist yet is not watched: made now, before the first thread.
      fs.mkdirSync(dir, { recursive: true });
    } catch (error) {
      this.deps.log.warn(`Threads written by other windows will not show here: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const watcher = this.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), 'thread-*.json')));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let openChanged = false;
    const changed = (uri: vscode.Uri) => {
      // While this chat runs, the writes are its own: the view and the chat follow the run already.
      if (this.session.busy) return;
      openChanged ||= path.basename(uri.fsPath) === `thread-${this.session.thread?.thread.id}.json`;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        this.threadsChanged.fire();
        if (!openChanged) return;
        openChanged = false;
        this.session.syncWithFile().catch((error: unknown) => this.deps.log.warn(`Could not read the open thread again: ${asAssistantsError(error).message}`));
      }, 150);
    };
    this.register(watcher.onDidChange(changed));
    this.register(watcher.onDidCreate(changed));
    this.register({ dispose: () => clearTimeout(timer) });
  }

  async state(): Promise<ChatState> {
    // Everything awaited comes first: the thread and its run (messages, runs, the run followed, busy)
    // are read after, all at once. Read before an await, they were older than the run's events sent
    // meanwhile, and this state, coming after those, put the chat back: a run resumed after a reload
    // that ended during the wait showed 'Not started', its answer missing, though it had completed.
    const hasKey = (await this.deps.apiKeys.get()) !== undefined;
    const active = await this.deps.assistants.active().catch((error: unknown) => {
      this.deps.log.warn(`No active assistant: ${asAssistantsError(error).message}`);
      return undefined;
    });
    const clashing = await this.wheresOfClashing();
    const where = active && clashing.get(active.id);
    const draft = await this.deps.drafts.current();
    const instructions = await this.deps.instructions.current();
    const settings = readSettings();
    const stored = this.session.thread;
    const switchKey = stored ? `${stored.thread.id} ${settings.protocol}` : undefined;
    const switched = stored && switchKey !== this.dismissedSwitch ? protocolSwitchNotice(stored.thread.backend, settings.protocol) : undefined;
    // The active assistant's file cannot run (broken while active, or found so after a reload): said before a question is typed.
    this.cannotRun = active && !active.assistant ? active.id : undefined;
    const cannotRun = active && !active.assistant ? cannotRunNotice(active, where) : undefined;
    const notice = this.notice ?? (hasKey ? undefined : noKeyNotice(this.deps.apiKeys.scope().label)) ?? cannotRun ?? switched;
    const unanswered = this.session.unansweredQuestion();
    return {
      provider: { backend: settings.protocol, label: providerLabel(settings, this.deps.mock), mock: this.deps.mock, hasKey },
      assistant: active ? { id: active.id, name: active.name, model: (active.assistant && stored?.thread.model) ?? active.assistant?.model ?? 'not valid', where } : undefined,
      thread: stored ? { id: stored.thread.id, title: stored.thread.title } : undefined,
      messages: stored?.messages ?? [],
      runs: stored?.runs ?? {},
      runAssistantsWhere: stored ? whereOfRuns(stored.runs, clashing) : undefined,
      activeRunId: this.session.activeRunId,
      busy: this.session.busy,
      notice,
      approvals: [...this.deps.approver.list(), ...this.elsewhere],
      outputRequests: this.deps.outputs.list(),
      draft,
      instructions,
      waiting: this.waitingView(),
      unanswered,
      ...(unanswered !== undefined && stored && this.startFailure?.threadId === stored.thread.id ? { unansweredReason: this.startFailure.message, unansweredFix: this.startFailure.fix } : {}),
      prices: readPrices(),
      attachments: this.deps.attachments.list(),
    };
  }

  /** Where each assistant lives ("helper.assistant.json · workspace"), by id, for those another assistant shares a name with (`distinctNames`). */
  private async wheresOfClashing(): Promise<Map<string, string>> {
    const entries = await this.deps.assistants.list().catch(() => []);
    const names = distinctNames(entries, (assistant) => this.deps.assistants.linkedFile(assistant));
    return new Map(entries.filter((entry) => names.get(entry.id) !== entry.name).map((entry) => [entry.id, whereLabel(entry, { placeFirst: true })]));
  }

  /** The composer's unsent text (change `seq`), kept for the next window. */
  saveDraft(draft: string, seq: number): void {
    void this.deps.drafts.save({ text: draft, seq });
  }

  /** The additional instructions (change `seq`), kept for the next window. */
  saveInstructions(instructions: string, seq: number): void {
    void this.deps.instructions.save({ text: instructions, seq });
  }

  async send(text: string, options: ChatSendOptions = {}): Promise<void> {
    const { instructions, draftSeq, replaces } = options;
    await this.refusing('Send', async () => {
      const attachments = this.deps.attachments.ready();
      // The kept draft is cleared on disk before the question shows: a reload right after finds no draft.
      const accepted = draftSeq === undefined ? undefined : () => this.deps.drafts.clear(draftSeq);
      await this.session.send(text, { instructions, attachments, accepted, replaces });
      this.deps.attachments.sent();
    });
  }

  async retry(instructions?: string): Promise<void> {
    await this.refusing('Retry', () => this.session.retry({ instructions }));
  }

  /** Runs a send or a retry; a refusal is logged and rethrown as the sentence the composer shows. */
  private async refusing(what: string, act: () => Promise<void>): Promise<void> {
    try {
      this.clearNotice();
      this.startFailure = undefined;
      await act();
      this.threadsChanged.fire();
    } catch (error) {
      const typed = asAssistantsError(error);
      this.deps.log.error(`${what} failed: ${typed.kind}: ${typed.message}`);
      // No key: the notice says so with Set API Key; the composer keeps the question and only points there.
      if (typed.kind === 'no_api_key') {
        this.setNotice(noKeyNotice(this.deps.apiKeys.scope().label));
        throw new AssistantsError(typed.kind, 'Not sent: the notice above says why, with the fix.', typed.options);
      }
      // A server object that vanished: the notice says it, with the fix; the composer keeps the question and only points there.
      if (typed.options.missing) {
        this.setNotice(missingNotice(typed, (this.missing = typed.options.missing)));
        throw new AssistantsError(typed.kind, 'Not sent: the notice above says why, with the fix.', typed.options);
      }
      if (typed instanceof MissingSecretError) {
        this.setSecretNotice(typed);
        throw new AssistantsError(typed.kind, 'Not sent: the notice above says why, with the fix.', typed.options);
      }
      throw typed;
    }
  }

  stop(): void {
    // Stopped before the run had an id (its start in flight, or waiting to retry): the question's outcome line says so, not a guess.
    const starting = this.startingThread();
    if (starting) this.startFailure = { threadId: starting, message: 'You stopped it before its run began.' };
    this.session.stop();
  }

  removeAttachment(id: string): void {
    this.deps.attachments.remove(id);
  }

  async setAttachmentTool(id: string, tool: AttachmentTool): Promise<void> {
    await this.deps.attachments.setTool(id, tool);
  }

  retryNow(): void {
    this.session.retryNow();
  }

  answerApproval(callId: string, choice: ApprovalChoice): void {
    this.deps.approver.answer(callId, choice);
  }

  submitOutput(callId: string, output: string): void {
    this.deps.outputs.submit(callId, output);
  }

  saveOutputDraft(callId: string, draft: string): void {
    this.deps.outputs.saveDraft(callId, draft);
  }

  dismissNotice(): void {
    // Whatever notice was shown, the one about a protocol switch is not shown again for this thread and protocol.
    if (!this.notice && this.session.thread) this.dismissedSwitch = `${this.session.thread.thread.id} ${readSettings().protocol}`;
    this.notice = undefined;
  }

  keptFile(threadId: string, ref: OutputFileRef): Promise<KeptFile | undefined> {
    return this.session.keptFile(threadId, ref);
  }

  openThreadId(): string | undefined {
    return this.session.thread?.thread.id;
  }

  storedOutput(threadId: string, url: string): Promise<Uint8Array | undefined> {
    return this.deps.store.readOutput(threadId, url);
  }

  /** The assistant changed (switched, edited): the chat header shows it. */
  assistantChanged(): void {
    this.fireState();
  }

  async newThread(): Promise<void> {
    await this.session.newThread();
  }

  /** The open thread's conversation is gone from the server: go on in a new thread carrying its messages. */
  async continueInNewThread(): Promise<void> {
    await this.session.continueInNewThread();
    this.clearNotice();
    this.threadsChanged.fire();
  }

  /** Takes a file the server lost off the open thread's earlier messages (see `ChatSession.dropAttachment`). */
  async dropAttachment(fileId: string): Promise<number> {
    const count = await this.session.dropAttachment(fileId);
    if (count > 0) this.settled();
    return count;
  }

  /** The server object the chat's notice says is gone (its action fixes it); undefined when the notice says nothing of the kind. */
  vanished(): MissingObject | undefined {
    return this.notice ? this.missing : undefined;
  }

  /** The vanished object's fix was applied: the notice about it goes. */
  settled(): void {
    this.missing = undefined;
    this.clearNotice();
  }

  async openThread(id: string): Promise<void> {
    await this.session.openThread(id);
  }

  /** The active assistant; under Assistants v2 a file assistant is published to the server first. */
  private async assistant(): Promise<Assistant> {
    const { serverAssistants } = await this.deps.connections.connect();
    const assistant = await this.deps.assistants.forRun(serverAssistants);
    return this.deps.prepare ? this.deps.prepare(assistant) : assistant;
  }

  private onSessionUpdate(update: ChatUpdate): void {
    switch (update.type) {
      case 'thread':
        // A notice about the thread left behind does not belong to the one opened now.
        this.notice = undefined;
        this.fireState();
        this.threadsChanged.fire();
        return;
      case 'message':
        this.updates.fire({ type: 'message/added', threadId: update.threadId, message: update.message });
        return;
      case 'waiting':
        if (update.event.type === 'retry') {
          const { attempt, reason, waitMs } = update.event;
          this.deps.log.warn(`Starting the run: retry ${attempt} in ${waitMs < 1000 ? `${Math.round(waitMs)} ms` : `${Math.round(waitMs / 1000)} s`}: ${reason}`);
          // Shown with its countdown and Retry now, as a run's own retries are.
          this.waiting = { attempt, reason, until: Date.now() + waitMs };
          this.updates.fire({ type: 'run/waiting', threadId: update.threadId, waiting: this.waitingView() });
        }
        return;
      case 'run':
        this.waiting = undefined;
        if (update.event.type === 'error') {
          this.deps.log.warn(`Run ${update.runId}: ${update.event.error.code}: ${update.event.error.message}`);
          this.runFailure = update.event.error.message;
        }
        this.updates.fire({ type: 'run/event', threadId: update.threadId, runId: update.runId, event: update.event });
        return;
      case 'busy':
        if (!update.busy) this.waiting = undefined;
        void vscode.commands.executeCommand('setContext', 'assistants.runActive', update.busy);
        this.updates.fire({ type: 'run/busy', busy: update.busy });
        if (!update.busy) this.threadsChanged.fire();
        // A run refused before it had an id leaves its question unanswered: the chat says so, with Retry.
        if (!update.busy && this.session.unansweredQuestion()) this.fireState();
        return;
      case 'elsewhere':
        // Calls of a run another window drives: shown, never answered here.
        this.elsewhere = update.calls.map((call) => ({ callId: call.callId, runId: update.runId, name: call.name, arguments: call.arguments, writes: false, elsewhere: true, ...(call.server ? { server: call.server } : {}) }));
        this.updates.fire({ type: 'approval/show', approvals: [...this.deps.approver.list(), ...this.elsewhere] });
        return;
      default: {
        const exhaustive: never = update;
        return exhaustive;
      }
    }
  }

  private showError(error: AssistantsError): void {
    this.deps.log.error(`${error.kind}: ${error.message}`);
    if (error.options.missing) return this.setNotice(missingNotice(error, (this.missing = error.options.missing)));
    if (error instanceof MissingSecretError) return this.setSecretNotice(error);
    // The run's outcome line says it already (with Set API Key where that fixes it): said once.
    if (error.message === this.runFailure) {
      this.runFailure = undefined;
      return;
    }
    const action = error.kind === 'no_api_key' || error.kind === 'auth' ? { label: 'Set API Key', command: 'assistants.setApiKey' } as const : undefined;
    // A run refused before it had an id (its start's retries spent, its key refused): the question's outcome line says why, with Retry and the fix, once.
    const starting = this.startingThread();
    if (starting) {
      this.startFailure = { threadId: starting, message: error.message, ...(action ? { fix: action } : {}) };
      return;
    }
    this.setNotice({ severity: 'error', message: error.message, action });
  }

  /** The open thread's id while a run of it is being started (busy, no run id yet): its question's outcome line says how that start ends. */
  private startingThread(): string | undefined {
    const thread = this.session.thread;
    return thread && this.session.busy && this.session.activeRunId === undefined ? thread.thread.id : undefined;
  }

  private waitingView(): WaitingView | undefined {
    if (!this.waiting) return undefined;
    const { attempt, reason, until } = this.waiting;
    return { attempt, reason, waitMs: Math.max(0, until - Date.now()) };
  }

  /** An MCP secret is not set: the notice says which, and its button sets that one (see `commandArguments`). */
  private setSecretNotice(error: MissingSecretError): void {
    this.missingSecret = error.secret;
    this.setNotice({ severity: 'error', message: error.message, action: { label: 'Set MCP Secret', command: 'assistants.setMcpSecret' } });
  }

  /**
   * What a notice's button passes to its command: the missing MCP secret the notice names, for Set
   * MCP Secret; the active assistant that cannot run, for Show Problems.
   */
  commandArguments(command: HostCommand): unknown[] {
    if (command === 'assistants.editAssistant') return this.cannotRun ? [this.cannotRun] : [];
    return command === 'assistants.setMcpSecret' && this.notice?.action?.command === command && this.missingSecret ? [this.missingSecret] : [];
  }

  private setNotice(notice: Notice): void {
    this.notice = notice;
    this.updates.fire({ type: 'notice/show', notice });
  }

  private clearNotice(): void {
    if (!this.notice) return;
    this.notice = undefined;
    this.updates.fire({ type: 'notice/clear' });
  }

  /** The settings or the key changed (the connection follows by itself): the notice was about the old ones. */
  private providerChanged(): void {
    this.notice = undefined;
    this.fireState();
  }

  private fireState(): void {
    this.state().then(
      (state) => this.updates.fire({ type: 'state/full', state }),
      (error: unknown) => this.deps.log.error(`Could not build the chat state: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
