/** Wires the state, the page's parts and the host channel together. */
import type { ApprovalView, ChatRequests, HostToWebview, OutputRequestView } from '../src/common/protocol';
import type { LateReply } from '../src/common/requests';
import { RequestError, Requester } from '../src/common/requests';
import type { Message } from '../src/common/model';
import { Approvals } from './render/approvals';
import { AttachmentChips } from './render/attachments';
import type { HeaderActions } from './render/header';
import { renderHeader } from './render/header';
import type { NoticeActions } from './render/notice';
import { renderNotice } from './render/notice';
import { FILE_TIMEOUT_MS, FileRequests } from './files';
import { Composer } from './render/composer';
import { FunctionOutputs } from './render/functionOutputs';
import { Figures } from './render/figure';
import { StatusLine } from './render/statusLine';
import { Transcript } from './render/transcript';
import type { Change, ViewState } from './state';
import { applyHostMessage, dismissNotice, emptyState, messageById, runActive, scrollKey, scrollToRestore, sendResult, sendStarted, sendTimedOut } from './state';
import { nextSentences } from './announce';
import { DraftSync } from './draft';
import { h } from './ui/dom';
import type { HostChannel, PersistedState } from './vscodeApi';

/** A send the host has not answered by then is given back to the user. */
const SEND_TIMEOUT_MS = 15_000;

export class ChatApp {
  private state: ViewState = emptyState();
  private readonly header = h('header', { className: 'chat-header', attrs: { 'aria-label': 'Chat' } });
  private readonly notice = h('div', { className: 'notice-slot' });
  private readonly transcript: Transcript;
  private readonly status = new StatusLine(() => this.host.post({ type: 'run/retryNow' }));
  private readonly composer: Composer;
  private readonly openText = (code: string, language: string | undefined): void => this.host.post({ type: 'code/open', code, ...(language ? { language } : {}) });
  private readonly approvals = new Approvals((callId, choice) => this.host.post({ type: 'approval/answer', callId, choice }), this.openText);
  private readonly outputs = new FunctionOutputs({
    submit: (callId, output) => this.host.post({ type: 'output/submit', callId, output }),
    draft: (callId, draft) => this.host.post({ type: 'output/draft', callId, draft }),
    cancelRun: () => this.host.post({ type: 'chat/stop' }),
    openText: this.openText,
  });
  /** The calls waiting on the user, as the host last listed them. */
  private waiting: { approvals: readonly ApprovalView[]; outputs: readonly OutputRequestView[] } = { approvals: [], outputs: [] };
  /** Runs with a call waiting on the user (approval or output): their steps redraw when that changes. */
  private pendingRuns = new Set<string>();
  private readonly attachments = new AttachmentChips({
    remove: (id) => this.host.post({ type: 'attachment/remove', id }),
    setTool: (id, tool) => this.host.post({ type: 'attachment/tool', id, tool }),
  });
  /** The requests to the host, each answered once. */
  private readonly requests = new Requester<ChatRequests>({
    send: (message) => this.host.post(message),
    timeoutsMs: { 'chat/send': SEND_TIMEOUT_MS, 'chat/retry': SEND_TIMEOUT_MS, 'file/read': FILE_TIMEOUT_MS },
  });
  private readonly files = new FileRequests(this.requests);
  private persisted: PersistedState;
  private restoredScroll = false;
  private readonly drafts: DraftSync;
  /** The additional instructions, kept in the page and the host as the draft is (never cleared by a send). */
  private readonly instructions: DraftSync;
  /** The draft change each send in flight makes, by request id: applied when the host accepts it. */
  private readonly sendDraftSeqs = new Map<string, number>();
  /** Edit and resend: the id of the last question the composer's text will replace when sent. */
  private editing: string | undefined;
  private ticker: number | undefined;
  private saveTimer: number | undefined;
  /** An off-screen live region: the answer read out by sentence. */
  private readonly liveRegion = h('div', { className: 'sr-only', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' } });
  /** How much of each streamed answer has been read out, by message id. */
  private readonly spoken = new Map<string, number>();
  /** The host's state came in once, and with it the kept draft and instructions were put in the composer. */
  private kept = false;
  /** The additional instructions of the last send, which Retry repeats. */
  private lastInstructions: string | undefined;
  private readonly headerActions: HeaderActions = {
    switchAssistant: () => this.host.post({ type: 'command/run', command: 'assistants.selectAssistant' }),
  };
  private readonly noticeActions: NoticeActions = {
    runCommand: (command) => this.host.post({ type: 'command/run', command }),
    dismiss: () => {
      const { state, changes } = dismissNotice(this.state);
      this.state = state;
      this.apply(changes);
      this.host.post({ type: 'notice/dismiss' });
    },
  };

  constructor(
    root: HTMLElement,
    private readonly host: HostChannel,
  ) {
    this.persisted = host.loadState();
    this.drafts = new DraftSync(
      {
        post: (draft) => this.host.post({ type: 'draft/save', draft: draft.text, seq: draft.seq }),
        // The page is destroyed on hide, before any debounce fires: its own copy is written at once.
        persist: (draft) => this.persist({ draft: draft.text, draftSeq: draft.seq }, true),
        now: () => Date.now(),
      },
      { text: this.persisted.draft, seq: this.persisted.draftSeq },
    );
    this.instructions = new DraftSync(
      {
        post: (kept) => this.host.post({ type: 'instructions/save', instructions: kept.text, seq: kept.seq }),
        persist: (kept) => this.persist({ instructions: kept.text, instructionsSeq: kept.seq }, true),
        now: () => Date.now(),
      },
      { text: this.persisted.instructions, seq: this.persisted.instructionsSeq },
    );
    const figures = new Figures(this.files, (message) => this.host.post(message), () => this.state.thread?.id);
    this.transcript = new Transcript((fromBottom) => this.persist({ scrollFromBottom: fromBottom, scrollKey: scrollKey(this.state) }), figures, {
      insertCode: (code) => this.host.post({ type: 'code/insert', code }),
      openCode: this.openText,
      openFile: (filename, quote) => this.host.post({ type: 'file/open', filename, ...(quote ? { quote } : {}) }),
      editQuestion: (text, messageId) => this.edit(text, messageId),
      forward: (messageId) => {
        const threadId = this.state.thread?.id;
        if (threadId) this.host.post({ type: 'message/forward', threadId, messageId });
      },
      fork: (messageId) => {
        const threadId = this.state.thread?.id;
        if (threadId) this.host.post({ type: 'message/fork', threadId, messageId });
      },
      retry: () => this.retry(),
      pendingCard: (callId) => this.approvals.cardFor(callId) ?? this.outputs.cardFor(callId),
      runCommand: (command) => this.host.post({ type: 'command/run', command }),
    });
    this.composer = new Composer(
      {
        send: (text, instructions) => this.send(text, instructions),
        stop: () => this.host.post({ type: 'chat/stop' }),
        draftChanged: (draft) => this.drafts.changed(draft),
        instructionsChanged: (instructions) => this.instructions.changed(instructions),
        cancelEdit: () => {
          this.edit(undefined);
          this.composer.setText('');
        },
      },
    );
    this.notice.hidden = true;
    root.replaceChildren(this.header, this.notice, this.transcript.element, this.status.element, this.approvals.element, this.outputs.element, this.attachments.element, this.composer.element, this.liveRegion);
    renderHeader(this.header, this.state, this.headerActions);
    this.status.update(this.state, Date.now());
    // The scroll position waits on a debounce; hiding the view must not lose it.
    window.addEventListener('pagehide', () => this.savePersisted());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.savePersisted();
    });
  }

  start(): void {
    this.host.onMessage((message) => this.receive(message));
    this.host.post({ type: 'ready' });
    this.composer.focus();
  }

  private receive(message: HostToWebview): void {
    if (message.type === 'reply') {
      this.requests.receive(message);
      return;
    }
    switch (message.type) {
      case 'approval/show':
        this.approvals.show(message.approvals);
        // The state first: the steps redrawn next, and the status line, say what the run waits on.
        this.applyFromHost(message);
        this.pendingChanged({ ...this.waiting, approvals: message.approvals });
        return;
      case 'output/show':
        this.outputs.show(message.requests);
        this.applyFromHost(message);
        this.pendingChanged({ ...this.waiting, outputs: message.requests });
        return;
      case 'attachments/show':
        this.attachments.show(message.attachments);
        return;
      case 'composer/insert':
        this.composer.insert(message.text);
        return;
      case 'state/full':
        this.waiting = { approvals: message.state.approvals ?? [], outputs: message.state.outputRequests ?? [] };
        this.approvals.show(this.waiting.approvals);
        this.outputs.show(this.waiting.outputs);
        this.pendingRuns = new Set([...this.waiting.approvals, ...this.waiting.outputs].map((call) => call.runId));
        // The full state redraws the transcript, which takes the cards of the steps it draws.
        requestAnimationFrame(() => this.placeStrayCards());
        this.attachments.show(message.state.attachments ?? []);
        break;
    }
    this.applyFromHost(message);
  }

  private applyFromHost(message: HostToWebview): void {
    const { state, changes } = applyHostMessage(this.state, message, Date.now());
    this.state = state;
    this.apply(changes);
  }

  private apply(changes: Change[]): void {
    for (const change of changes) {
      switch (change.kind) {
        case 'all':
          renderHeader(this.header, this.state, this.headerActions);
          renderNotice(this.notice, this.state.notice, this.noticeActions);
          this.transcript.reset(this.state);
          this.refreshStatus();
          // The newer copy of the draft (and of the instructions) wins: after a window reload the
          // host's may be the only one left, and after a send both drafts were cleared with one
          // number no older copy can beat. The page's own copy (in VS Code for the web, maybe
          // seconds old) is not shown before the host's is in: cleared instructions came back on
          // screen until then, and a Send meanwhile ran with them.
          {
            const first = !this.kept;
            this.kept = true;
            const restored = this.drafts.adopt(this.state.hostDraft) ?? (first ? this.drafts.current.text : undefined);
            if (restored !== undefined) this.composer.restore(restored);
            const instructions = this.instructions.adopt(this.state.hostInstructions) ?? (first ? this.instructions.current.text : undefined);
            if (instructions !== undefined) this.composer.restoreInstructions(instructions);
            this.composer.loaded();
          }
          this.composer.setPending(this.state.pendingSendId !== undefined);
          // The question being edited is gone (replaced, or the thread changed): the next send is a new message.
          if (this.editing !== undefined && lastQuestion(this.state)?.id !== this.editing) this.edit(undefined);
          if (!this.restoredScroll) {
            this.restoredScroll = true;
            this.transcript.restoreScroll(scrollToRestore({ fromBottom: this.persisted.scrollFromBottom, key: this.persisted.scrollKey }, this.state));
          }
          break;
        case 'messages':
          this.transcript.sync(this.state);
          break;
        case 'message':
          this.transcript.messageChanged(this.state, change.messageId);
          this.announce(change.messageId);
          break;
        case 'steps':
          this.transcript.stepsChanged(this.state, change.runId);
          break;
        case 'status':
          this.refreshStatus();
          // Edit and Retry are offered only while nothing runs.
          this.transcript.sync(this.state);
          break;
        case 'notice':
          renderNotice(this.notice, this.state.notice, this.noticeActions);
          break;
        case 'send':
          this.composer.setPending(false);
          this.transcript.sync(this.state);
          if (change.ok) {
            this.sendAccepted(change.requestId);
            this.transcript.scrollToBottom();
          }
          else this.composer.showError(this.state.sendError);
          break;
        case 'sendError':
          this.composer.showError(this.state.sendError);
          break;
        case 'sendLate':
          if (!this.sendAccepted(change.requestId)) this.composer.showError(this.state.sendError);
          break;
      }
    }
  }

  /** The calls waiting on the user changed: redraw the runs they belong to, then place cards with no step on screen. */
  private pendingChanged(waiting: ChatApp['waiting']): void {
    this.waiting = waiting;
    const runs = new Set([...waiting.approvals, ...waiting.outputs].map((call) => call.runId));
    for (const runId of new Set([...this.pendingRuns, ...runs])) this.transcript.stepsChanged(this.state, runId);
    this.pendingRuns = runs;
    requestAnimationFrame(() => this.placeStrayCards());
  }

  private placeStrayCards(): void {
    this.approvals.placeStray();
    this.outputs.placeStray();
  }

  private send(text: string, instructions?: string): void {
    const requestId = this.startRequest(instructions);
    const draftSeq = this.drafts.sending();
    this.sendDraftSeqs.set(requestId, draftSeq);
    const replaces = this.editing;
    this.sendRequest(requestId, this.requests.request('chat/send', { text, draftSeq, ...(instructions ? { instructions } : {}), ...(replaces ? { replaces } : {}) }, { late: (reply) => this.sendSettled(requestId, reply) }));
  }

  /** Edit and resend: the question goes into the composer, and sending it replaces the question; `undefined` ends that. */
  private edit(text: string | undefined, messageId?: string): void {
    this.editing = text === undefined ? undefined : messageId;
    this.composer.setEditing(this.editing !== undefined);
    if (text !== undefined) this.composer.setText(text);
  }

  /** A send or a retry goes out: the composer waits for the host's answer. Returns the id the view state knows it by. */
  private startRequest(instructions: string | undefined): string {
    const requestId = newRequestId();
    this.state = sendStarted(this.state, requestId);
    this.lastInstructions = instructions;
    this.composer.setPending(true);
    this.transcript.sync(this.state);
    return requestId;
  }

  /** The host's answer to a send or a retry; one that does not come in time gives the composer back (a late one still counts). */
  private sendRequest(requestId: string, reply: Promise<void>): void {
    reply.then(
      () => this.sendSettled(requestId, { ok: true, value: undefined }),
      (error: unknown) => {
        if (error instanceof RequestError && error.reason === 'timeout') {
          const { state, changes } = sendTimedOut(this.state, requestId);
          this.state = state;
          this.apply(changes);
        } else this.sendSettled(requestId, { ok: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  private sendSettled(requestId: string, reply: LateReply<void>): void {
    const { state, changes } = sendResult(this.state, requestId, reply.ok, reply.ok ? undefined : reply.error);
    this.state = state;
    this.apply(changes);
  }

  /**
   * The send `requestId` was accepted: the draft is empty from its change on, here as in the host,
   * and the composer clears, unless the user has changed its text since (that text is theirs).
   * Returns whether it cleared.
   */
  private sendAccepted(requestId: string): boolean {
    const seq = this.sendDraftSeqs.get(requestId);
    this.sendDraftSeqs.delete(requestId);
    if (seq === undefined || !this.drafts.cleared(seq)) return false;
    this.composer.accepted();
    this.edit(undefined);
    return true;
  }

  /** Tells screen readers the streamed answer's new sentences (not every delta) through the live region. */
  private announce(messageId: string): void {
    const message = messageById(this.state, messageId);
    if (!message || message.role !== 'assistant') return;
    const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n\n');
    const { speech, upTo } = nextSentences(text, this.spoken.get(messageId) ?? 0, message.status !== 'in_progress');
    this.spoken.set(messageId, upTo);
    if (speech) this.liveRegion.textContent = speech;
  }

  /**
   * Retry: the host runs the last question again (not added a second time), with the instructions
   * its run had (from this page) or those set now. The composer and its draft are left alone.
   */
  private retry(): void {
    if (!lastQuestion(this.state)) return;
    const instructions = this.lastInstructions ?? (this.instructions.current.text.trim() || undefined);
    const requestId = this.startRequest(instructions);
    this.sendRequest(requestId, this.requests.request('chat/retry', instructions ? { instructions } : {}, { late: (reply) => this.sendSettled(requestId, reply) }));
  }

  /** Redraws the status line and keeps a one-second tick only while something on it changes by itself. */
  private refreshStatus(): void {
    this.composer.setRunActive(runActive(this.state));
    const ticking = this.status.update(this.state, Date.now());
    if (ticking && this.ticker === undefined) {
      this.ticker = window.setInterval(() => this.refreshStatus(), 1000);
    } else if (!ticking && this.ticker !== undefined) {
      window.clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  /** setState on every scroll frame is wasteful, so scrolling waits on a short debounce; `now` skips it. */
  private persist(patch: Partial<PersistedState>, now = false): void {
    this.persisted = { ...this.persisted, ...patch };
    if (now) {
      this.savePersisted();
      return;
    }
    if (this.saveTimer !== undefined) return;
    this.saveTimer = window.setTimeout(() => this.savePersisted(), 150);
  }

  private savePersisted(): void {
    if (this.saveTimer !== undefined) {
      window.clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    this.host.saveState(this.persisted);
  }
}

/** The thread's last question, if any. */
function lastQuestion(state: ViewState): Message | undefined {
  for (let i = state.messages.length - 1; i >= 0; i--) if (state.messages[i].role === 'user') return state.messages[i];
  return undefined;
}

function newRequestId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
