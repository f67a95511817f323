/**
 * The chat's view state and the pure function that applies host messages to it. No DOM here: the
 * renderer reads the returned `changes` to touch only the parts of the page that moved, and the
 * whole module runs in plain Node for tests.
 */
import type { RunEvent } from '../src/common/events';
import type { Message, Run, RunError } from '../src/common/model';
import { isTerminal } from '../src/common/model';
import type { ChatState, HostToWebview, Notice, ProviderView, RunView } from '../src/common/protocol';
import type { FoldedThread } from '../src/common/runFold';
import { applyRunEvent, MAX_TEXT_PART_CHARS } from '../src/common/runFold';

/** What the driver said about a run besides its status: retries, fallback to polling, errors. */
export interface RunNotices {
  /** A pending retry; `until` is epoch milliseconds (from the `now` given to `applyHostMessage`). */
  retry?: { attempt: number; reason: string; until: number };
  /** Why the driver polls instead of streaming. */
  fallback?: string;
  error?: RunError;
  /**
   * The host stopped following the run while its last known status was still live (`run/busy`
   * false, or a full state that names no active run): it counts as ended, its clock stopped here
   * (epoch ms). Also when the chat saw the run end without an end time of its own.
   */
  endedAt?: number;
}

/** What a run waits on the user for: an approval of a call, a custom function's output, or (`elsewhere`) the window that drives it. */
export type Awaiting = 'approval' | 'output' | 'elsewhere';

export interface ViewState extends FoldedThread<RunView> {
  provider: ProviderView;
  assistant?: ChatState['assistant'];
  thread?: ChatState['thread'];
  /** The thread's messages in order; a streamed delta replaces only its own message (see `applyRunEvent`). */
  messages: Message[];
  /** Position of each message in `messages`, by id; shared by successive states (a message keeps its place). */
  messageIndex: Map<string, number>;
  /** Prices per million tokens by model, for cost estimates. */
  prices?: ChatState['prices'];
  /** The draft the host kept (it outlives a window reload; the page's own state does not always). */
  hostDraft?: ChatState['draft'];
  /** The additional instructions the host kept (as `hostDraft`). */
  hostInstructions?: ChatState['instructions'];
  runs: Record<string, RunView>;
  /** Where the assistants that ran this thread's answers live, for those sharing a name (`ChatState.runAssistantsWhere`). */
  runAssistantsWhere?: ChatState['runAssistantsWhere'];
  activeRunId?: string;
  /**
   * A run refused before it had an id waits to retry its creation; `until` is epoch milliseconds
   * (from the `now` given to `applyHostMessage`). It ends with the first news of the run.
   */
  waiting?: { attempt: number; reason: string; until: number };
  /**
   * The thread's last question when the host said no run answers it (`ChatState.unanswered`); it
   * goes with the first news of a run or message.
   */
  unanswered?: string;
  /** Why `unanswered` never started, when the host saw its start fail (`ChatState.unansweredReason`). */
  unansweredReason?: string;
  /** The command that fixes `unansweredReason` (`ChatState.unansweredFix`). */
  unansweredFix?: Notice['action'];
  /** The run the status line reports on: the active one, else the last one seen. */
  statusRunId?: string;
  /**
   * The host said a run is coming (`run/busy`) and no run has reported yet: the status line says
   * the run is starting rather than how the previous one ended.
   */
  starting?: boolean;
  /**
   * This page's question is on the thread and the host has not said yet that its run is coming
   * (`run/busy` follows the question as a message of its own): the status line says the run is
   * starting already, so a question is never shown above how the previous run ended.
   */
  asked?: boolean;
  /**
   * The last question's run never began: its start was refused for good (retries spent), stopped
   * before the run had an id, or the host says no run answers it (`unanswered`). The status line
   * says so instead of how the run before it ended.
   */
  notStarted?: boolean;
  runNotices: Record<string, RunNotices>;
  /** Runs with a call waiting on the user, by run id: an approval, or (else) a function output. */
  awaitingApproval?: readonly string[];
  awaitingOutput?: readonly string[];
  /** Runs another window drives, with a call waiting on that window (`ApprovalView.elsewhere`). */
  awaitingElsewhere?: readonly string[];
  notice?: Notice;
  /** The `chat/send` or `chat/retry` request awaiting its reply, by the id the page gave the send (see `sendResult`). */
  pendingSendId?: string;
  /** The last send the webview gave up on: a late acceptance still clears the composer. */
  timedOutSend?: { requestId: string };
  sendError?: string;
  /**
   * `sendError` refused a send or a retry because a run was going on: it no longer holds once
   * that run ends, and goes with it.
   */
  sendErrorWhileActive?: boolean;
}

/** The parts of the page a message invalidated. */
export type Change =
  | { kind: 'all' }
  | { kind: 'messages' }
  | { kind: 'message'; messageId: string }
  | { kind: 'steps'; runId: string }
  | { kind: 'status' }
  | { kind: 'notice' }
  | { kind: 'send'; requestId: string; ok: boolean }
  /** A send given up on was accepted after all: the composer clears unless its text changed since. */
  | { kind: 'sendLate'; requestId: string }
  /** The composer's error changed by itself (a refusal that held only while a run went on). */
  | { kind: 'sendError' };

export interface Applied {
  state: ViewState;
  changes: Change[];
}

export function emptyState(): ViewState {
  return {
    provider: { backend: 'responses', label: '', mock: false, hasKey: false },
    messages: [],
    messageIndex: new Map(),
    runs: {},
    runNotices: {},
  };
}

/**
 * Whether a run is under way, the one answer every control reads (Send and Stop, Edit, Retry, the
 * status line): a run reports as live, or a run was asked for and has not reported yet (its
 * creation may be waiting to retry).
 */
export function runActive(state: ViewState): boolean {
  return state.activeRunId !== undefined || state.starting === true || state.waiting !== undefined;
}

export function fromChatState(chat: ChatState): ViewState {
  return {
    provider: chat.provider,
    assistant: chat.assistant,
    thread: chat.thread,
    messages: [...chat.messages],
    messageIndex: new Map(chat.messages.map((m, i) => [m.id, i])),
    runs: chat.runs,
    runAssistantsWhere: chat.runAssistantsWhere,
    activeRunId: chat.activeRunId,
    // The host follows a run that has no id yet (its creation is retrying, say).
    starting: chat.busy === true && chat.activeRunId === undefined ? true : undefined,
    notStarted: chat.unanswered !== undefined ? true : undefined,
    statusRunId: chat.activeRunId ?? latestRunId(chat.runs),
    runNotices: {},
    awaitingApproval: chat.approvals?.filter((call) => !call.elsewhere).map((call) => call.runId),
    awaitingElsewhere: chat.approvals?.filter((call) => call.elsewhere).map((call) => call.runId),
    awaitingOutput: chat.outputRequests?.map((call) => call.runId),
    notice: chat.notice,
    prices: chat.prices,
    hostDraft: chat.draft,
    hostInstructions: chat.instructions,
    unanswered: chat.unanswered,
    unansweredReason: chat.unanswered !== undefined ? chat.unansweredReason : undefined,
    unansweredFix: chat.unanswered !== undefined ? chat.unansweredFix : undefined,
  };
}

/** What run `runId` waits on the user for, if anything (an approval first: the run goes nowhere without it). */
export function awaitingOn(state: ViewState, runId: string): Awaiting | undefined {
  if (state.awaitingApproval?.includes(runId)) return 'approval';
  if (state.awaitingOutput?.includes(runId)) return 'output';
  if (state.awaitingElsewhere?.includes(runId)) return 'elsewhere';
  return undefined;
}

/** Records a `chat/send` just posted, so the composer can wait for its result. */
export function sendStarted(state: ViewState, requestId: string): ViewState {
  return { ...state, pendingSendId: requestId, sendError: undefined };
}

/** The host never answered a send: give the composer back with a sentence the user can act on. */
export function sendTimedOut(state: ViewState, requestId: string): Applied {
  if (state.pendingSendId !== requestId) return { state, changes: [] };
  return {
    state: {
      ...state,
      pendingSendId: undefined,
      // The host may still be busy, not gone: remember the send so a late acceptance is not sent twice.
      timedOutSend: { requestId },
      sendError: 'The extension did not answer. Try sending again.',
    },
    changes: [{ kind: 'send', requestId, ok: false }],
  };
}

/**
 * The host answered the send `requestId` (a refusal with its sentence, `error`). An answer to a
 * send given up on still clears the composer when it accepted; any other is not this page's.
 */
export function sendResult(state: ViewState, requestId: string, ok: boolean, error?: string): Applied {
  if (state.timedOutSend?.requestId === requestId) return lateSendResult(state, requestId, ok);
  if (state.pendingSendId !== requestId) return { state, changes: [] };
  const sendError = ok ? undefined : (error ?? 'The message could not be sent.');
  const sendErrorWhileActive = sendError !== undefined && runActive(state) ? true : undefined;
  // Refused after its question was shown: no run answers that question.
  if (!ok && state.asked) {
    return {
      state: { ...state, pendingSendId: undefined, sendError, sendErrorWhileActive, asked: undefined, notStarted: true },
      changes: [{ kind: 'send', requestId, ok }, { kind: 'status' }],
    };
  }
  return {
    state: { ...state, pendingSendId: undefined, sendError, sendErrorWhileActive },
    changes: [{ kind: 'send', requestId, ok }],
  };
}

/** The user closed the notice; the host is told separately, so it does not come back with the next state. */
export function dismissNotice(state: ViewState): Applied {
  if (!state.notice) return { state, changes: [] };
  return { state: { ...state, notice: undefined }, changes: [{ kind: 'notice' }] };
}

/** Applies one host message. `now` (epoch ms) stamps retry deadlines; it is a parameter to keep this pure. */
export function applyHostMessage(state: ViewState, message: HostToWebview, now: number): Applied {
  switch (message.type) {
    case 'state/full': {
      const { pendingSendId, timedOutSend } = state;
      const waiting = message.state.waiting ? untilFrom(message.state.waiting, now) : undefined;
      const fresh = endUnfollowedRuns({ ...fromChatState(message.state), pendingSendId, timedOutSend, waiting }, now).state;
      return { state: fresh, changes: [{ kind: 'all' }] };
    }
    case 'run/busy': {
      // Busy only says a run is coming; its `run.updated` marks it active.
      // A start under way answers the unanswered question: why an earlier start failed no longer holds (the host says anew if this one fails).
      if (message.busy) return state.activeRunId === undefined ? { state: { ...state, starting: true, asked: undefined, notStarted: undefined, unanswered: undefined, unansweredReason: undefined, unansweredFix: undefined }, changes: [{ kind: 'status' }] } : { state, changes: [] };
      if (!runActive(state) && !state.sendErrorWhileActive) {
        const ended = endUnfollowedRuns(state, now);
        return { state: ended.state, changes: ended.runIds.length === 0 ? [] : [{ kind: 'status' }, ...ended.runIds.map((runId): Change => ({ kind: 'steps', runId }))] };
      }
      // A start that ends before any news of its run never began.
      const notStarted = state.activeRunId === undefined && (state.starting === true || state.asked === true || state.waiting !== undefined) ? true : state.notStarted;
      const idle: ViewState = { ...state, activeRunId: undefined, waiting: undefined, starting: undefined, asked: undefined, notStarted };
      const settled: ViewState = state.sendErrorWhileActive ? { ...idle, sendError: undefined, sendErrorWhileActive: undefined } : idle;
      const ended = endUnfollowedRuns(settled, now);
      const changes: Change[] = [{ kind: 'status' }, ...ended.runIds.map((runId): Change => ({ kind: 'steps', runId }))];
      if (state.sendErrorWhileActive) changes.push({ kind: 'sendError' });
      return { state: ended.state, changes };
    }
    case 'message/added': {
      if (!isCurrentThread(state, message.threadId)) return { state, changes: [] };
      // The question this page sent: its run is coming, whatever the previous one's outcome was.
      const asked = message.message.role === 'user' && state.pendingSendId !== undefined && state.activeRunId === undefined && !state.starting;
      const added = upsertMessage({ ...state, unanswered: undefined, notStarted: undefined, ...(asked ? { asked } : {}) }, message.message);
      return asked ? { state: added.state, changes: [...added.changes, { kind: 'status' }] } : added;
    }
    case 'run/waiting':
      if (!isCurrentThread(state, message.threadId)) return { state, changes: [] };
      return { state: { ...state, waiting: message.waiting ? untilFrom(message.waiting, now) : undefined }, changes: [{ kind: 'status' }] };
    case 'run/event': {
      if (!isCurrentThread(state, message.threadId)) return { state, changes: [] };
      if (state.waiting === undefined) return applyRunMessage(state, message.runId, message.event, now);
      // The run has an id now: the wait for its creation is over.
      const applied = applyRunMessage({ ...state, waiting: undefined }, message.runId, message.event, now);
      return applied.changes.some((c) => c.kind === 'status' || c.kind === 'all') ? applied : { state: applied.state, changes: [...applied.changes, { kind: 'status' }] };
    }
    case 'notice/show':
      return { state: { ...state, notice: message.notice }, changes: [{ kind: 'notice' }] };
    case 'notice/clear':
      return { state: { ...state, notice: undefined }, changes: [{ kind: 'notice' }] };
    case 'approval/show':
      return {
        state: { ...state, awaitingApproval: message.approvals.filter((call) => !call.elsewhere).map((call) => call.runId), awaitingElsewhere: message.approvals.filter((call) => call.elsewhere).map((call) => call.runId) },
        changes: [{ kind: 'status' }],
      };
    case 'output/show':
      return { state: { ...state, awaitingOutput: message.requests.map((call) => call.runId) }, changes: [{ kind: 'status' }] };
    case 'reply':
    case 'attachments/show':
    case 'composer/insert':
      // Replies, attachments and inserts are not view state: the page's parts take them.
      return { state, changes: [] };
  }
}

/** Applies one event of run `runId`: the thread through the one fold (`applyRunEvent`), the status and notices here. */
function applyRunMessage(state: ViewState, runId: string, event: RunEvent, now: number): Applied {
  // Any sign of progress means the announced retry has happened.
  const base = event.type === 'retry' ? state : clearRetry(state, runId);
  const retryCleared = base !== state;
  const withStatus = (applied: Applied): Applied =>
    retryCleared && !applied.changes.some((c) => c.kind === 'status' || c.kind === 'all')
      ? { state: applied.state, changes: [...applied.changes, { kind: 'status' }] }
      : applied;

  switch (event.type) {
    case 'run.updated':
      return withStatus(updateRun(base, event, now));
    case 'step.created':
    case 'step.updated':
    case 'step.completed': {
      const stepRunId = event.step.runId || runId;
      const folded = fold(base, event, runId, now);
      const changes: Change[] = base.runs[stepRunId] ? [{ kind: 'steps', runId: stepRunId }] : [{ kind: 'messages' }, { kind: 'status' }];
      return withStatus({ state: { ...folded, statusRunId: base.statusRunId ?? stepRunId }, changes });
    }
    case 'message.created':
    case 'message.completed':
      return withStatus(messageChanged(base, fold(base, event, runId, now), event.message.id));
    case 'message.delta':
      return withStatus(messageChanged(base, fold(base, event, runId, now), event.messageId));
    case 'usage': {
      if (!base.runs[runId]) return withStatus({ state: base, changes: [] });
      return { state: fold(base, event, runId, now), changes: [{ kind: 'status' }] };
    }
    case 'retry':
      return setNotices(base, runId, { retry: { attempt: event.attempt, reason: event.reason, until: now + event.waitMs } });
    case 'fallback':
      return withStatus(setNotices(base, runId, { fallback: event.reason }));
    case 'error':
      return withStatus(setNotices(base, runId, { error: event.error }));
  }
}

/** `state` after a run event's change to the thread, its message index kept up with the messages. */
function fold(state: ViewState, event: RunEvent, runId: string | undefined, now: number): ViewState {
  const next = applyRunEvent(state, event, { runId, now, maxTextChars: MAX_TEXT_PART_CHARS });
  for (let index = state.messages.length; index < next.messages.length; index++) next.messageIndex.set(next.messages[index].id, index);
  return next;
}

/** What the page redraws after a message event: the list when the message is new, else the message; nothing when it did not change. */
function messageChanged(before: ViewState, after: ViewState, messageId: string): Applied {
  if (after === before) return { state: before, changes: [] };
  return { state: after, changes: [after.messages.length > before.messages.length ? { kind: 'messages' } : { kind: 'message', messageId }] };
}

function untilFrom(waiting: { attempt: number; reason: string; waitMs: number }, now: number): NonNullable<ViewState['waiting']> {
  return { attempt: waiting.attempt, reason: waiting.reason, until: now + Math.max(0, waiting.waitMs) };
}

/** A late refusal changes nothing the user can act on: the composer already has the text back. */
function lateSendResult(state: ViewState, requestId: string, ok: boolean): Applied {
  const settled: ViewState = { ...state, timedOutSend: undefined };
  if (!ok) return { state: settled, changes: [] };
  // The timeout's "try again" is now wrong; an error from a newer send stays.
  const sendError = state.pendingSendId === undefined ? undefined : state.sendError;
  return { state: { ...settled, sendError }, changes: [{ kind: 'sendLate', requestId }] };
}

/**
 * Marks every run that still looks live but is not the active one as ended now: nothing will
 * move it any more, so its clock must not run on.
 */
function endUnfollowedRuns(state: ViewState, now: number): { state: ViewState; runIds: string[] } {
  const runIds = Object.values(state.runs)
    .filter(({ run }) => run.id !== state.activeRunId && !isTerminal(run.status) && state.runNotices[run.id]?.endedAt === undefined)
    .map(({ run }) => run.id);
  if (runIds.length === 0) return { state, runIds };
  const runNotices = { ...state.runNotices };
  for (const runId of runIds) runNotices[runId] = { ...runNotices[runId], endedAt: now };
  return { state: { ...state, runNotices }, runIds };
}

function isCurrentThread(state: ViewState, threadId: string): boolean {
  // Before the first full state there is no thread to compare with; take what comes.
  return !state.thread || state.thread.id === threadId;
}

function latestRunId(runs: Record<string, RunView>): string | undefined {
  let latest: Run | undefined;
  for (const view of Object.values(runs)) {
    if (!latest || view.run.createdAt >= latest.createdAt) latest = view.run;
  }
  return latest?.id;
}

function updateRun(state: ViewState, event: Extract<RunEvent, { type: 'run.updated' }>, now: number): Applied {
  const { run } = event;
  const previous = state.runs[run.id];
  const isNew = !previous;
  const { runs } = applyRunEvent(state, event, { now });
  const terminal = isTerminal(run.status);
  let activeRunId = state.activeRunId;
  if (!terminal) activeRunId = run.id;
  else if (activeRunId === run.id) activeRunId = undefined;
  // Fresh news of a live run means someone follows it again.
  const notices = state.runNotices[run.id];
  const followedAgain = !terminal && notices?.endedAt !== undefined;
  // A run seen to end with no end time of its own (a stop the server never confirmed) ends now: its clock stops here.
  const endsNow = terminal && run.completedAt === undefined && notices?.endedAt === undefined && previous !== undefined && !isTerminal(previous.run.status);
  const runNotices = followedAgain || endsNow ? { ...state.runNotices, [run.id]: { ...notices, endedAt: endsNow ? now : undefined } } : state.runNotices;
  const changes: Change[] = [{ kind: 'status' }];
  // A new run gets a place in the transcript; a known one only changes its steps' header.
  changes.push(isNew ? { kind: 'messages' } : { kind: 'steps', runId: run.id });
  // A new run answers the question the host said had none.
  const unanswered = isNew ? undefined : state.unanswered;
  return { state: { ...state, runs, runNotices, activeRunId, statusRunId: run.id, unanswered, starting: undefined, asked: undefined, notStarted: undefined }, changes };
}

/**
 * What a scroll position is measured against: the thread and its last message, as one string
 * (empty with no thread). A distance from the bottom taken with other messages below points
 * somewhere else.
 */
export function scrollKey(state: ViewState): string {
  const thread = state.thread?.id;
  if (thread === undefined) return '';
  return `${thread}\n${state.messages.at(-1)?.id ?? ''}`;
}

/**
 * The distance from the bottom (px) to open the transcript at: the saved one if it was measured
 * against the thread as it is now (same `scrollKey`), else 0, the end of the thread, following the
 * answer. A webview's saved state can be older than the thread: VS Code for the web writes it to
 * storage lazily, so after a window reload it may be from before the last questions were asked.
 */
export function scrollToRestore(saved: { fromBottom: number; key: string }, state: ViewState): number {
  return saved.key !== '' && saved.key === scrollKey(state) ? saved.fromBottom : 0;
}

/** The message with `id`, found through the index (no scan of a long thread). */
export function messageById(state: ViewState, id: string): Message | undefined {
  const index = state.messageIndex.get(id);
  return index === undefined ? undefined : state.messages[index];
}

/** A message the host sent whole (a question, or a message whose kept files changed): replaces the one with its id, or is added. */
function upsertMessage(state: ViewState, message: Message): Applied {
  const index = state.messageIndex.get(message.id);
  const messages = state.messages.slice();
  if (index === undefined) {
    state.messageIndex.set(message.id, messages.length);
    messages.push(message);
    return { state: { ...state, messages }, changes: [{ kind: 'messages' }] };
  }
  messages[index] = message;
  return { state: { ...state, messages }, changes: [{ kind: 'message', messageId: message.id }] };
}

function setNotices(state: ViewState, runId: string, patch: RunNotices): Applied {
  const runNotices = { ...state.runNotices, [runId]: { ...state.runNotices[runId], ...patch } };
  return { state: { ...state, runNotices }, changes: [{ kind: 'status' }] };
}

function clearRetry(state: ViewState, runId: string): ViewState {
  const notices = state.runNotices[runId];
  if (!notices?.retry) return state;
  const rest: RunNotices = { ...notices, retry: undefined };
  return { ...state, runNotices: { ...state.runNotices, [runId]: rest } };
}
