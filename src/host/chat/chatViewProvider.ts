import * as vscode from 'vscode';
import type { OutputFileRef } from '../../core/files';
import type { AttachmentTool, KeptFile } from '../../common/model';
import type { ApprovalChoice, ChatRequests, ChatState, HostCommand, HostToWebview, WebviewToHost } from '../../common/protocol';
import { isWebviewToHost } from '../../common/protocol';
import type { RequestHandlers } from '../../common/requests';
import { answerRequest } from '../../common/requests';
import { ChatFiles } from './chatFiles';
import { insertAtCursor, openCitedFile, openInNewEditor } from './codeActions';
import { Disposable } from '../platform/lifecycle';
import { CHAT_PAGE, webviewHtml, webviewResourceRoots } from '../platform/webviewHtml';

/** What a send from the chat carries besides its text. */
export interface ChatSendOptions {
  /** Additional instructions for this run only. */
  instructions?: string;
  /** The draft change the send makes: the kept draft is cleared with it once the message is accepted. */
  draftSeq?: number;
  /** Edit and resend: the id of the last question, which this message replaces (it and its answer go). */
  replaces?: string;
}

/** What the chat view needs from the rest of the host. */
export interface ChatController {
  /** The whole view state, re-sent on every `ready`. */
  state(): Promise<ChatState>;
  /** Resolves once the message is accepted; rejects with a sentence when it is not. */
  send(text: string, options?: ChatSendOptions): Promise<void>;
  /**
   * Runs the thread's last question again without adding it twice (what answered it goes);
   * rejects with a sentence when it cannot. `instructions` as for `send`.
   */
  retry(instructions?: string): Promise<void>;
  /** Keeps the composer's unsent text (change `seq`) for the next window. */
  saveDraft(draft: string, seq: number): void;
  /** Keeps the additional instructions (change `seq`) for the next window. */
  saveInstructions(instructions: string, seq: number): void;
  stop(): void;
  /** Ends the wait before a retry, so the request goes out now. */
  retryNow(): void;
  /** The user closed the notice: forget it. */
  /** The arguments a notice's button gives its command (the missing MCP secret, for Set MCP Secret). */
  commandArguments(command: HostCommand): unknown[];
  dismissNotice(): void;
  /** A file a run of the open thread `threadId` made, as the thread keeps it (waiting for its download when it is on its way). */
  keptFile(threadId: string, ref: OutputFileRef): Promise<KeptFile | undefined>;
  /** The bytes of an image kept beside a thread (`url` a stored output), or undefined when it is not there. */
  storedOutput(threadId: string, url: string): Promise<Uint8Array | undefined>;
  /** The id of the thread open in the chat, if any (a file the page asks for without one is of that thread). */
  openThreadId(): string | undefined;
  /** The user removed an attached file, or switched its tool. */
  removeAttachment(id: string): void;
  setAttachmentTool(id: string, tool: AttachmentTool): Promise<void>;
  /** The user's answer to a function call waiting for approval. */
  answerApproval(callId: string, choice: ApprovalChoice): void;
  /** The output the user typed for a custom function call, and what they have typed so far. */
  submitOutput(callId: string, output: string): void;
  saveOutputDraft(callId: string, draft: string): void;
  /** Updates to push to the view while it is open. */
  readonly onDidUpdate: vscode.Event<HostToWebview>;
}

/**
 * The sidebar chat. Holds posts until the page says `ready` (a hidden view loses its DOM and says
 * `ready` again when shown), then sends the whole state and streams updates.
 */
export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewType = 'assistants.chat';

  private view: vscode.WebviewView | undefined;
  private ready = false;
  private queuedInsert: string | undefined;
  private readonly files: ChatFiles;
  /** The page's requests, each answered once. */
  private readonly requests: RequestHandlers<ChatRequests> = {
    'chat/send': ({ text, instructions, draftSeq, replaces }) => this.controller.send(text, { instructions, draftSeq, replaces }),
    'chat/retry': ({ instructions }) => this.controller.retry(instructions),
    'file/read': (ref) => this.files.image(ref),
  };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly controller: ChatController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.files = new ChatFiles(
      (threadId, ref) => controller.keptFile(threadId, ref),
      (threadId, url) => controller.storedOutput(threadId, url),
      log,
      () => controller.openThreadId(),
    );
    this.register(controller.onDidUpdate((message) => this.post(message)));
  }

  /** Whether the chat view is on screen (its webview view resolved and visible). */
  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri) };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, CHAT_PAGE);
    const subscriptions = [
      view.webview.onDidReceiveMessage((message: unknown) =>
        this.receive(message).catch((error: unknown) => this.log.error(`Chat view message failed: ${error instanceof Error ? error.message : String(error)}`)),
      ),
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready = false;
      }),
    ];
    view.onDidDispose(() => {
      subscriptions.forEach((s) => s.dispose());
      if (this.view === view) this.view = undefined;
    });
  }

  /** Re-sends the whole state (after the thread or the provider changed). */
  async refresh(): Promise<void> {
    if (!this.ready) return;
    await this.post({ type: 'state/full', state: await this.controller.state() });
    if (this.queuedInsert !== undefined) {
      const text = this.queuedInsert;
      this.queuedInsert = undefined;
      await this.post({ type: 'composer/insert', text });
    }
  }

  /** Puts text into the composer, once the view is there to take it (it may still be opening). */
  async insert(text: string): Promise<void> {
    if (this.ready) await this.post({ type: 'composer/insert', text });
    else this.queuedInsert = (this.queuedInsert ?? '') + text;
  }

  private async receive(message: unknown): Promise<void> {
    if (!isWebviewToHost(message)) {
      this.log.warn('Chat view sent an unknown message; ignored.');
      return;
    }
    const typed: WebviewToHost = message;
    switch (typed.type) {
      case 'ready':
        this.ready = true;
        await this.refresh();
        return;
      case 'request':
        await this.post(await answerRequest(this.requests, typed));
        return;
      case 'chat/stop':
        this.controller.stop();
        return;
      case 'run/retryNow':
        this.controller.retryNow();
        return;
      case 'command/run':
        // The guard let only HOST_COMMANDS through.
        await vscode.commands.executeCommand(typed.command, ...this.controller.commandArguments(typed.command));
        return;
      case 'notice/dismiss':
        this.controller.dismissNotice();
        return;
      case 'file/save':
        await this.files.save(typed);
        return;
      case 'approval/answer':
        this.controller.answerApproval(typed.callId, typed.choice);
        return;
      case 'output/submit':
        this.controller.submitOutput(typed.callId, typed.output);
        return;
      case 'output/draft':
        this.controller.saveOutputDraft(typed.callId, typed.draft);
        return;
      case 'code/insert':
        await insertAtCursor(typed.code);
        return;
      case 'code/open':
        await openInNewEditor(typed.code, typed.language);
        return;
      case 'file/open':
        await openCitedFile(typed.filename, typed.quote);
        return;
      case 'draft/save':
        this.controller.saveDraft(typed.draft, typed.seq);
        return;
      case 'instructions/save':
        this.controller.saveInstructions(typed.instructions, typed.seq);
        return;
      case 'message/forward':
        await vscode.commands.executeCommand('assistants.sendToAssistant', typed.threadId, { messageId: typed.messageId });
        return;
      case 'message/fork':
        await vscode.commands.executeCommand('assistants.forkThread', typed.threadId, { messageId: typed.messageId });
        return;
      case 'attachment/remove':
        this.controller.removeAttachment(typed.id);
        return;
      case 'attachment/tool':
        await this.controller.setAttachmentTool(typed.id, typed.tool);
        return;
      default: {
        const exhaustive: never = typed;
        return exhaustive;
      }
    }
  }

  private async post(message: HostToWebview): Promise<void> {
    if (!this.view || !this.ready) return;
    await this.view.webview.postMessage(message);
  }
}
