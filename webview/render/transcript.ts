/**
 * The scrolling transcript: the thread's messages and run blocks as the entries of a virtual list
 * (ui/virtualList.ts), so a 2,000-message thread opens and scrolls like a short one. Entries are
 * keyed (a message by id, a run's steps by run id) and their nodes reused while their data object
 * is unchanged; a streamed delta or a step update redraws its one entry, at most once per animation
 * frame, and a streaming answer redraws only its last Markdown block.
 */
import type { Message } from '../../src/common/model';
import type { HostCommand, RunView } from '../../src/common/protocol';
import type { ViewState } from '../state';
import { awaitingOn, emptyState, messageById, runActive } from '../state';
import { isRunning, runOutcome, withoutCommandHint } from '../status';
import { codicon, h } from '../ui/dom';
import { VirtualList } from '../ui/virtualList';
import type { Figures } from './figure';
import { MarkdownBlocks } from './markdown';
import type { AnswerActions } from './message';
import { redrawStreamingAnswer, renderMessage } from './message';
import type { OpenState } from './steps';
import { outcomeLine, renderRunBlock, runFigureIds, searchedPassage } from './steps';

/** Under a question no run answers (see `ViewState.unanswered`). */
const UNANSWERED_SENTENCE = 'This question was saved, but its answer never started: the window closed, or the request failed, before the run began. Retry asks it again.';

/** Under a question whose start this window saw fail: why, in the server's words (`ViewState.unansweredReason`). */
function unansweredSentence(reason: string | undefined): string {
  return reason === undefined ? UNANSWERED_SENTENCE : `Not started: ${reason} Retry asks it again.`;
}

type Entry = { key: string; kind: 'message'; data: Message } | { key: string; kind: 'run'; data: RunView };

interface Rendered {
  node: HTMLElement;
  data: Entry['data'];
  notices: unknown;
  /** What else the drawing depends on (run live, last question, Retry offered), as a key. */
  flags: string;
}

/** What the transcript's entries let the user do. */
export interface TranscriptActions extends AnswerActions {
  /** Asks the thread's last question again. */
  retry(): void;
  /** The card of a function call waiting on the user (approval or output), drawn under its step. */
  pendingCard?(callId: string): HTMLElement | undefined;
  /** Runs a host command a run's outcome offers as its fix (Set API Key). */
  runCommand?(command: HostCommand): void;
}

/** The margin under each entry (chat.css, `.transcript-list > .msg`). */
const ENTRY_MARGIN_PX = 10;

/**
 * The chat's entries in a `VirtualList`: it knows the messages and run blocks, which of them a
 * change redraws, and how each is drawn; the list does the windowing, the heights and the scrolling.
 */
export class Transcript {
  readonly element: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly list: VirtualList<Entry>;
  /** The kept drawings of streaming answers' text parts, by message id. */
  private readonly streamingText = new Map<string, MarkdownBlocks[]>();
  /** What each drawn entry was drawn from, by key: exactly the entries the list has drawn. */
  private rendered = new Map<string, Rendered>();
  private readonly open: OpenState = { runs: new Map(), items: new Map() };
  private readonly dirtyMessages = new Set<string>();
  private readonly dirtyRuns = new Set<string>();
  private state: ViewState = emptyState();

  /**
   * @param onScroll Told the distance from the bottom (px) when the reader scrolls, and when entries
   *   come or go below a reader who does not follow the answer, so a saved position stays true.
   */
  constructor(
    onScroll: (fromBottom: number) => void,
    private readonly figures: Figures,
    private readonly actions?: TranscriptActions,
  ) {
    this.empty = h(
      'div',
      { className: 'transcript-empty' },
      codicon('comment-discussion'),
      h('p', { text: 'Ask a question to start. Answers stream here, with every step the assistant takes.' }),
    );
    this.element = h('main', { className: 'transcript', attrs: { 'aria-label': 'Conversation', tabindex: '0' } }, this.empty);
    this.list = new VirtualList<Entry>({
      scroller: this.element,
      classes: { list: 'transcript-list', spacer: 'transcript-spacer' },
      entryMarginPx: ENTRY_MARGIN_PX,
      onScroll,
      renderer: {
        render: (entry) => this.nodeFor(entry),
        estimate: (entry) => estimateHeight(entry),
        released: (key) => this.rendered.delete(key),
        beforeFrame: () => this.takeChanges(),
      },
    });
  }

  fromBottom(): number {
    return this.list.fromBottom();
  }

  /** After the user sends, the answer is what they want to see: jump to it, and follow it from there. */
  scrollToBottom(): void {
    this.list.scrollToBottom();
  }

  /** Puts the reader back where they were (distance from the bottom), once the first state is drawn. */
  restoreScroll(fromBottom: number): void {
    this.list.restoreScroll(fromBottom);
  }

  /**
   * Draws a new full state anew. Another thread throws away every node and height; the same thread
   * (a full state comes when a run ends, say) keeps the measured heights and the nodes until their
   * replacements take their place, so a reader who scrolled up stays where they were.
   */
  reset(state: ViewState): void {
    if (state.thread === undefined || state.thread.id !== this.state?.thread?.id) {
      this.list.clear();
      this.rendered = new Map();
      this.figures.forgetPlaces();
    } else {
      // Each drawn entry is drawn anew in place (never redrawn in part from what it was).
      for (const rendered of this.rendered.values()) rendered.flags = 'reset';
    }
    this.streamingText.clear();
    this.dirtyMessages.clear();
    this.dirtyRuns.clear();
    // The entries around the viewport (overscan) come a frame after the first paint.
    this.layOut(state, true);
    this.list.schedule();
  }

  /** The list's structure changed (an entry came or went): lay it out again; unchanged entries keep their nodes. */
  sync(state: ViewState): void {
    this.layOut(state, false);
  }

  /** A streamed message changed: redraw just it, on the next frame. */
  messageChanged(state: ViewState, messageId: string): void {
    this.state = state;
    this.dirtyMessages.add(messageId);
    this.list.schedule();
  }

  /**
   * A run's steps changed: redraw its block only, on the next frame, since a busy run sends many
   * step updates in a burst. A run not in the layout yet needs its place now.
   */
  stepsChanged(state: ViewState, runId: string): void {
    this.state = state;
    if (!state.runs[runId] || !this.list.has(`r:${runId}`)) {
      this.sync(state);
      return;
    }
    this.dirtyRuns.add(runId);
    this.list.schedule();
  }

  private layOut(state: ViewState, firstPaint: boolean): void {
    this.state = state;
    const entries = layout(state);
    // Before the list draws: the empty-thread text above it moves it.
    this.empty.hidden = entries.length > 0;
    this.list.setEntries(entries, firstPaint);
  }

  /** At the start of a frame: the messages and runs that changed since take their new data. */
  private takeChanges(): void {
    const state = this.state;
    for (const id of this.dirtyMessages) {
      const message = messageById(state, id);
      if (message) this.list.replace({ key: `m:${id}`, kind: 'message', data: message } satisfies Entry);
    }
    for (const runId of this.dirtyRuns) {
      const view = state.runs[runId];
      if (view) this.list.replace(runEntry(view));
    }
    this.dirtyMessages.clear();
    this.dirtyRuns.clear();
  }

  private blocksOf(messageId: string, index: number): MarkdownBlocks {
    let parts = this.streamingText.get(messageId);
    if (!parts) this.streamingText.set(messageId, (parts = []));
    return (parts[index] ??= new MarkdownBlocks());
  }

  /** The button that fixes why the unanswered question never started (Set API Key), when the host names one. */
  private unansweredFix(state: ViewState): { label: string; run(): void } | undefined {
    const fix = state.unansweredFix;
    const runCommand = this.actions?.runCommand?.bind(this.actions);
    return fix && runCommand ? { label: fix.label, run: () => runCommand(fix.command) } : undefined;
  }

  private nodeFor(entry: Entry): HTMLElement {
    const state = this.state;
    const notices = entry.kind === 'run' ? state.runNotices[entry.data.run.id] : entry.data.runId ? state.runNotices[entry.data.runId] : undefined;
    const idle = !runActive(state) && state.pendingSendId === undefined;
    let flags: string;
    let node: HTMLElement | undefined;
    const cached = this.rendered.get(entry.key);
    if (entry.kind === 'message') {
      const message = entry.data;
      const runView = message.runId ? state.runs[message.runId] : undefined;
      const run = runView?.run;
      const runLive = run ? isRunning(run, notices) : true;
      const editable = idle && message.role === 'user' && message.id === lastQuestionId(state);
      // A first paint leaves code unhighlighted; the next frame draws such answers again, highlighted.
      const plainCode = this.list.firstPaint && hasCodeFence(message);
      const unanswered = idle && this.actions !== undefined && message.id === state.unanswered;
      const figuresOfRun = runFigureIds(runView);
      // An answer is signed by the assistant that ran it (the active one while the host has not said), with where it lives when another shares its name.
      const ranBy = runView?.assistant;
      const assistantName = ranBy?.name ?? state.assistant?.name ?? 'Assistant';
      const assistantWhere = ranBy ? state.runAssistantsWhere?.[ranBy.id] : state.assistant?.where;
      flags = `${runLive}|${editable}|${plainCode}|${unanswered}|${unanswered ? `${state.unansweredReason ?? ''}|${state.unansweredFix?.command ?? ''}` : ''}|${[...figuresOfRun].join(',')}|${assistantName}|${assistantWhere ?? ''}`;
      if (cached && cached.data === entry.data && cached.notices === notices && cached.flags === flags) return cached.node;
      const streaming = message.status === 'in_progress' && runLive;
      if (!streaming) this.streamingText.delete(message.id);
      const streamingText = streaming ? (index: number) => this.blocksOf(message.id, index) : undefined;
      const context = { assistantName, assistantWhere, figures: this.figures, actions: this.actions, runLive, editable, runShown: run !== undefined, streamingText, plainCode, figuresOfRun, passageOf: (filename: string) => searchedPassage(message.runId ? this.state.runs[message.runId] : undefined, filename) };
      // A delta to a streaming answer redraws its changed blocks in place; anything else draws anew.
      if (cached && cached.notices === notices && cached.flags === flags && redrawStreamingAnswer(cached.node, cached.data as Message, message, context)) {
        cached.data = message;
        return cached.node;
      }
      node = renderMessage(message, context);
      if (unanswered && this.actions) {
        const fix = this.unansweredFix(state);
        // The button runs the command: the sentence does not also tell the user to run it.
        const reason = fix && state.unansweredReason !== undefined ? withoutCommandHint(state.unansweredReason, fix.label) : state.unansweredReason;
        node.append(outcomeLine('unanswered', 'debug-disconnect', unansweredSentence(reason), this.actions, fix));
      }
    } else {
      const { run } = entry.data;
      const retry = idle && this.actions !== undefined && run.id === state.statusRunId && runOutcome(run, notices).retry && lastQuestionId(state) !== undefined;
      const pendingCard = this.actions?.pendingCard?.bind(this.actions);
      const awaiting = awaitingOn(state, run.id);
      flags = `${retry}|${awaiting}|${pendingCallIds(entry.data, pendingCard)}`;
      if (cached && cached.data === entry.data && cached.notices === notices && cached.flags === flags) return cached.node;
      const openText = this.actions ? (text: string, language: string | undefined) => this.actions?.openCode(text, language) : undefined;
      node = renderRunBlock(entry.data, notices, this.open, this.figures, retry && this.actions ? this.actions : undefined, pendingCard, { openText, awaiting, runCommand: this.actions?.runCommand?.bind(this.actions) });
    }
    this.rendered.set(entry.key, { node, data: entry.data, notices, flags });
    return node;
  }
}

/** The function calls of a run that wait on the user, as a key: a run redraws when they change. */
function pendingCallIds(view: RunView, pendingCard: ((callId: string) => HTMLElement | undefined) | undefined): string {
  if (!pendingCard) return '';
  return view.steps
    .flatMap((step) => (step.details.type === 'tool_calls' ? step.details.toolCalls : []))
    .filter((call) => call.type === 'function' && pendingCard(call.id) !== undefined)
    .map((call) => call.id)
    .join(',');
}

/** Whether an answer's text has a fenced code block, which the highlighter works on. */
function hasCodeFence(message: Message): boolean {
  return message.role === 'assistant' && message.content.some((part) => part.type === 'text' && (part.text.includes('```') || part.text.includes('~~~')));
}

/** The id of the thread's last user message. */
function lastQuestionId(state: ViewState): string | undefined {
  for (let i = state.messages.length - 1; i >= 0; i--) if (state.messages[i].role === 'user') return state.messages[i].id;
  return undefined;
}

/** A guess at an entry's height before it is first drawn: a line per ~60 characters, plus chrome. */
function estimateHeight(entry: Entry): number {
  if (entry.kind === 'run') return entry.data.steps.length ? 44 : 10;
  let chars = 0;
  for (const part of entry.data.content) chars += part.type === 'text' ? part.text.length : 2000;
  return 46 + 20 * Math.ceil(Math.max(1, chars) / 60);
}

/**
 * Messages in order; each run's steps after the last message it produced, or, for a run with no
 * message yet, where its creation time falls among the messages.
 */
function layout(state: ViewState): Entry[] {
  const lastIndexOfRun = new Map<string, number>();
  state.messages.forEach((message, index) => {
    if (message.runId && state.runs[message.runId]) lastIndexOfRun.set(message.runId, index);
  });
  const orphans = Object.values(state.runs)
    .filter((view) => !lastIndexOfRun.has(view.run.id))
    .sort((a, b) => a.run.createdAt - b.run.createdAt);
  const entries: Entry[] = [];
  let next = 0;
  state.messages.forEach((message, index) => {
    while (next < orphans.length && orphans[next].run.createdAt < message.createdAt) {
      entries.push(runEntry(orphans[next++]));
    }
    entries.push({ key: `m:${message.id}`, kind: 'message', data: message });
    const runId = message.runId;
    if (runId && lastIndexOfRun.get(runId) === index) entries.push(runEntry(state.runs[runId]));
  });
  while (next < orphans.length) entries.push(runEntry(orphans[next++]));
  return entries;
}

function runEntry(view: RunView): Entry {
  return { key: `r:${view.run.id}`, kind: 'run', data: view };
}
