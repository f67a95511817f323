/**
 * The scrolling transcript, virtualized: only the entries near the viewport are in the DOM, and two
 * spacers stand in for the rest at their measured (or, until drawn once, estimated) heights, so a
 * 2,000-message thread opens and scrolls like a short one. Entries are keyed (a message by id, a
 * run's steps by run id) and their nodes reused while their data object is unchanged; a streamed
 * delta or a step update redraws its one entry, at most once per animation frame, and a streaming
 * answer redraws only its last Markdown block. Heights come from a ResizeObserver after the
 * browser's own layout, never from reading them back in the middle of a render.
 */
import type { Message } from '../../src/common/model';
import type { HostCommand, RunView } from '../../src/common/protocol';
import type { ViewState } from '../state';
import { awaitingOn, messageById, runActive } from '../state';
import { isRunning, runOutcome } from '../status';
import { codicon, h } from '../ui/dom';
import type { Figures } from './figure';
import { MarkdownBlocks } from './markdown';
import type { AnswerActions } from './message';
import { redrawStreamingAnswer, renderMessage } from './message';
import type { OpenState } from './steps';
import { outcomeLine, renderRunBlock, runFigureIds, searchedPassage } from './steps';

/** Under a question no run answers (see `ViewState.unanswered`). */
const UNANSWERED_SENTENCE = 'This question was saved, but its answer never started: the window closed, or the request failed, before the run began. Retry asks it again.';

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

/** How close to the bottom counts as "following the answer". */
const STICK_THRESHOLD_PX = 32;
/** Entries drawn beyond each edge of the viewport, in pixels, so a scroll shows no gap. */
const OVERSCAN_PX = 400;
/** The margin under each entry (chat.css, `.transcript-list > .msg`). */
const ENTRY_MARGIN_PX = 10;

export class Transcript {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly spacerAbove: HTMLElement;
  private readonly spacerBelow: HTMLElement;
  private entries: Entry[] = [];
  /** Position of each entry in `entries`, by key. */
  private entryIndex = new Map<string, number>();
  /** Heights (px, with the margin under the entry) of entries drawn at least once, by key. */
  private readonly heights = new Map<string, number>();
  /** Estimated heights, by entry data (an entry's data object changes when its content does). */
  private readonly estimates = new WeakMap<object, number>();
  /** Prefix sums of the entries' heights (see `offsets`), valid up to index `validOffsets`. */
  private offsetCache: Float64Array | undefined;
  private validOffsets = 0;
  /** The spacers' heights as last set, px. */
  private spacerHeights = [-1, -1];
  /** Reports each drawn entry's height after layout (none in a page without layout). */
  private readonly sizes: ResizeObserver | undefined;
  /** A new full state is drawn and not yet painted: draw only what the viewport shows. */
  private firstPaint = false;
  /** The kept drawings of streaming answers' text parts, by message id. */
  private readonly streamingText = new Map<string, MarkdownBlocks[]>();
  /** The drawn entries, by key: exactly those from `start` to `end`. */
  private rendered = new Map<string, Rendered>();
  private start = 0;
  private end = 0;
  private readonly open: OpenState = { runs: new Map(), items: new Map() };
  private readonly dirtyMessages = new Set<string>();
  private readonly dirtyRuns = new Set<string>();
  private frame: number | undefined;
  private state: ViewState | undefined;
  /** The reader is at the bottom and wants to stay there while the answer grows. */
  private following = true;
  /** Whether the reader followed the answer when the view was hidden; restored when it is shown again. */
  private followingWhenHidden: boolean | undefined;
  /** The scroll position (px) the transcript last moved to, to keep a following reader at the bottom. */
  private pinnedTop = 0;

  /**
   * @param onScroll Told the distance from the bottom (px) when the reader scrolls, and when entries
   *   come or go below a reader who does not follow the answer, so a saved position stays true.
   */
  constructor(
    private readonly onScroll: (fromBottom: number) => void,
    private readonly figures: Figures,
    private readonly actions?: TranscriptActions,
  ) {
    this.spacerAbove = h('div', { className: 'transcript-spacer', attrs: { 'aria-hidden': 'true' } });
    this.spacerBelow = h('div', { className: 'transcript-spacer', attrs: { 'aria-hidden': 'true' } });
    this.list = h('div', { className: 'transcript-list' }, this.spacerAbove, this.spacerBelow);
    this.empty = h(
      'div',
      { className: 'transcript-empty' },
      codicon('comment-discussion'),
      h('p', { text: 'Ask a question to start. Answers stream here, with every step the assistant takes.' }),
    );
    this.element = h('main', { className: 'transcript', attrs: { 'aria-label': 'Conversation', tabindex: '0' } }, this.empty, this.list);
    this.element.addEventListener(
      'scroll',
      () => {
        // A hidden view has no viewport: what its scroll position says is not the reader's doing.
        if (this.element.clientHeight === 0) return;
        // The echo of the transcript's own move to the bottom is not the reader's doing, even when the
        // answer grew or the view shrank before the event came: only a move up from there lets go.
        if (!this.following || this.element.scrollTop < this.pinnedTop) this.following = this.fromBottom() <= STICK_THRESHOLD_PX;
        // A reader who follows is saved as at the bottom, wherever the growing answer left the position.
        this.onScroll(this.following ? 0 : this.fromBottom());
        this.schedule();
      },
      { passive: true },
    );
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    // Entries also grow after a render (components and images lay out late), and a streaming answer
    // grows with each frame: their heights arrive here, and a reader at the bottom stays there.
    if (typeof ResizeObserver !== 'undefined') this.sizes = new ResizeObserver((records) => this.resized(records));
    // The transcript itself: shown again after being hidden (the browser may have lost its scroll
    // position), or the side bar resized.
    this.sizes?.observe(this.element);
  }

  fromBottom(): number {
    const el = this.element;
    return Math.max(0, el.scrollHeight - el.scrollTop - el.clientHeight);
  }

  /** After the user sends, the answer is what they want to see: jump to it, and follow it from there. */
  scrollToBottom(): void {
    this.following = true;
    this.renderWindow();
  }

  /** Puts the reader back where they were (distance from the bottom), once the first state is drawn. */
  restoreScroll(fromBottom: number): void {
    this.following = fromBottom <= STICK_THRESHOLD_PX;
    if (this.following) {
      this.scrollToBottom();
      return;
    }
    const el = this.element;
    el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom;
    this.renderWindow();
  }

  /**
   * Draws a new full state anew. Another thread throws away every node and height; the same thread
   * (a full state comes when a run ends, say) keeps the measured heights and the nodes until their
   * replacements take their place, so a reader who scrolled up stays where they were.
   */
  reset(state: ViewState): void {
    if (state.thread === undefined || state.thread.id !== this.state?.thread?.id) {
      for (const rendered of this.rendered.values()) this.drop(rendered.node);
      this.rendered = new Map();
      this.heights.clear();
    } else {
      // Each drawn entry is drawn anew in place (never redrawn in part from what it was).
      for (const rendered of this.rendered.values()) rendered.flags = 'reset';
    }
    this.streamingText.clear();
    this.dirtyMessages.clear();
    this.dirtyRuns.clear();
    // The entries around the viewport (overscan) come a frame after the first paint.
    this.firstPaint = true;
    this.sync(state);
    this.schedule();
  }

  /** The list's structure changed (an entry came or went): lay it out again; unchanged entries keep their nodes. */
  sync(state: ViewState): void {
    this.state = state;
    this.entries = layout(state);
    this.entryIndex = new Map(this.entries.map((entry, i) => [entry.key, i]));
    this.offsetCache = undefined;
    this.empty.hidden = this.entries.length > 0;
    this.renderWindow();
    if (!this.following && this.element.clientHeight > 0) this.onScroll(this.fromBottom());
  }

  /** A streamed message changed: redraw just it, on the next frame. */
  messageChanged(state: ViewState, messageId: string): void {
    this.state = state;
    this.dirtyMessages.add(messageId);
    this.schedule();
  }

  /**
   * A run's steps changed: redraw its block only, on the next frame, since a busy run sends many
   * step updates in a burst. A run not in the layout yet needs its place now.
   */
  stepsChanged(state: ViewState, runId: string): void {
    this.state = state;
    if (!state.runs[runId] || !this.entryIndex.has(`r:${runId}`)) {
      this.sync(state);
      return;
    }
    this.dirtyRuns.add(runId);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame === undefined) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = undefined;
    this.firstPaint = false;
    const state = this.state;
    if (!state) return;
    for (const id of this.dirtyMessages) {
      const index = this.entryIndex.get(`m:${id}`);
      const message = messageById(state, id);
      if (index !== undefined && message) {
        this.entries[index] = { key: `m:${id}`, kind: 'message', data: message };
        this.invalidateOffsets(index);
      }
    }
    for (const runId of this.dirtyRuns) {
      const index = this.entryIndex.get(`r:${runId}`);
      const view = state.runs[runId];
      if (index !== undefined && view) {
        this.entries[index] = runEntry(view);
        this.invalidateOffsets(index);
      }
    }
    this.dirtyMessages.clear();
    this.dirtyRuns.clear();
    this.renderWindow();
  }

  /**
   * Draws the entries the viewport (plus overscan) shows, removes the rest, sizes the spacers and
   * keeps a reader who follows the answer at the bottom. It reads layout before it writes, so the
   * browser lays out once; what it drew is measured by the ResizeObserver after that layout
   * (`resized`).
   */
  private renderWindow(): void {
    const state = this.state;
    if (!state) return;
    const el = this.element;
    const offsets = this.offsets();
    const total = offsets[this.entries.length];
    const viewport = Math.max(el.clientHeight, 1);
    const top = this.following ? total - viewport : el.scrollTop - this.list.offsetTop;
    // A page without layout (a hidden view) has no viewport to draw first.
    const overscan = this.firstPaint && el.clientHeight > 0 ? 0 : OVERSCAN_PX;
    this.start = Math.max(0, upperBound(offsets, top - overscan) - 1);
    this.end = Math.min(this.entries.length, Math.max(this.start + 1, upperBound(offsets, top + viewport + overscan)));
    if (this.entries.length === 0) this.end = 0;

    const wanted = new Set<string>();
    let cursor: ChildNode | null = this.spacerAbove.nextSibling;
    for (let i = this.start; i < this.end; i++) {
      const entry = this.entries[i];
      wanted.add(entry.key);
      const previous = this.rendered.get(entry.key)?.node;
      const node = this.nodeFor(entry, state);
      if (previous && previous !== node) {
        // The entry was redrawn: its old node goes, or it would linger in the list as a stray copy.
        if (cursor === previous) cursor = previous.nextSibling;
        this.drop(previous);
      }
      if (node !== previous) {
        // Each entry takes focus from the keyboard (arrows move between them, see onKeyDown).
        node.tabIndex = -1;
        node.dataset.entryKey = entry.key;
        this.sizes?.observe(node);
      }
      if (node === cursor) cursor = cursor.nextSibling;
      else this.list.insertBefore(node, cursor);
    }
    for (const [key, rendered] of this.rendered) {
      if (!wanted.has(key)) {
        this.drop(rendered.node);
        this.rendered.delete(key);
      }
    }
    this.placeSpacers();
    // A reader following the answer stays at the bottom. All writes are done, so this is the frame's
    // one layout, taken early; the ResizeObserver then finds the layout clean.
    if (this.following) this.pinToBottom();
  }

  /** Scrolls to the bottom, noting where that is (see the scroll listener). */
  private pinToBottom(): void {
    const el = this.element;
    el.scrollTop = el.scrollHeight;
    this.pinnedTop = el.scrollTop;
  }

  private drop(node: HTMLElement): void {
    this.sizes?.unobserve(node);
    node.remove();
  }

  /** Sizes the spacers for the entries not drawn (writing only what changed). */
  private placeSpacers(): void {
    const offsets = this.offsets();
    const heights = [offsets[this.start], offsets[this.entries.length] - offsets[this.end]].map((px) => Math.max(0, Math.round(px)));
    [this.spacerAbove, this.spacerBelow].forEach((spacer, i) => {
      if (this.spacerHeights[i] === heights[i]) return;
      this.spacerHeights[i] = heights[i];
      spacer.hidden = heights[i] === 0;
      // CSSOM, not an attribute written as text: the page's CSP allows it, and no markup carries it.
      spacer.style.height = `${heights[i]}px`;
    });
  }

  /**
   * Heights of drawn entries, after the browser's layout (so reading them costs no layout of its
   * own). Spacers change only when an entry outside the drawn window changed; a reader following
   * the answer is kept at the bottom; the window is looked at again on the next frame, since real
   * heights may call for other entries.
   */
  private resized(records: ResizeObserverEntry[]): void {
    // A hidden view lays nothing out: keep the heights it had, and whether the reader followed.
    if (this.element.clientHeight === 0) {
      this.followingWhenHidden ??= this.following;
      return;
    }
    let changed = false;
    let viewport = false;
    for (const record of records) {
      const node = record.target as HTMLElement;
      if (node === this.element) {
        viewport = true;
        continue;
      }
      const key = node.dataset.entryKey;
      if (key === undefined || this.rendered.get(key)?.node !== node) continue;
      const box = record.borderBoxSize[0]?.blockSize ?? node.offsetHeight;
      // An entry drawn as nothing (a run with no steps to show) takes no room, not even its margin.
      const height = box === 0 ? 0 : box + ENTRY_MARGIN_PX;
      if (this.heights.get(key) === height) continue;
      this.heights.set(key, height);
      this.invalidateOffsets(this.entryIndex.get(key) ?? 0);
      changed = true;
    }
    if (viewport && this.followingWhenHidden !== undefined) {
      // Shown again: a reader who followed the answer before still does, wherever the browser put the scroll position.
      this.following = this.followingWhenHidden;
      this.followingWhenHidden = undefined;
    }
    if (!changed && !viewport) return;
    if (changed) this.placeSpacers();
    if (this.following) this.pinToBottom();
    this.schedule();
  }

  /**
   * Keyboard: with focus on the transcript or on an entry, ↓/↑ move to the next/previous message or
   * run, Home/End to the first/last; Tab then walks the entry's own controls (steps, buttons, links).
   */
  private onKeyDown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    const key = target.dataset.entryKey;
    if (target !== this.element && key === undefined) return;
    const current = key === undefined ? -1 : (this.entryIndex.get(key) ?? -1);
    const last = this.entries.length - 1;
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = current < 0 ? this.start : Math.min(last, current + 1);
        break;
      case 'ArrowUp':
        next = current < 0 ? Math.max(0, this.end - 1) : Math.max(0, current - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = last;
        break;
      default:
        return;
    }
    if (next < 0) return;
    event.preventDefault();
    this.focusEntry(next);
  }

  /** Brings entry `index` into the window (it may not be drawn yet) and focuses it. */
  private focusEntry(index: number): void {
    const offsets = this.offsets();
    this.following = index === this.entries.length - 1;
    this.element.scrollTop = offsets[index] + this.list.offsetTop - 8;
    this.renderWindow();
    this.rendered.get(this.entries[index].key)?.node.focus();
  }

  /**
   * Prefix sums of entry heights: `offsets[i]` is the top of entry `i`, `offsets[n]` the total.
   * Kept between calls and summed again only from the first entry whose height changed (a
   * streaming answer is near the end), so a frame does not walk a 2,000-entry thread.
   */
  private offsets(): Float64Array {
    const count = this.entries.length;
    let offsets = this.offsetCache;
    if (!offsets || offsets.length !== count + 1) {
      offsets = this.offsetCache = new Float64Array(count + 1);
      this.validOffsets = 0;
    }
    for (let i = this.validOffsets; i < count; i++) {
      const entry = this.entries[i];
      offsets[i + 1] = offsets[i] + (this.heights.get(entry.key) ?? this.estimate(entry));
    }
    this.validOffsets = count;
    return offsets;
  }

  /** Entry `index` changed height (or data): the sums after it are stale. */
  private invalidateOffsets(index: number): void {
    this.validOffsets = Math.min(this.validOffsets, index);
  }

  private estimate(entry: Entry): number {
    let height = this.estimates.get(entry.data);
    if (height === undefined) {
      height = estimateHeight(entry);
      this.estimates.set(entry.data, height);
    }
    return height;
  }

  private blocksOf(messageId: string, index: number): MarkdownBlocks {
    let parts = this.streamingText.get(messageId);
    if (!parts) this.streamingText.set(messageId, (parts = []));
    return (parts[index] ??= new MarkdownBlocks());
  }

  private nodeFor(entry: Entry, state: ViewState): HTMLElement {
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
      const plainCode = this.firstPaint && hasCodeFence(message);
      const unanswered = idle && this.actions !== undefined && message.id === state.unanswered;
      const figuresOfRun = runFigureIds(runView);
      flags = `${runLive}|${editable}|${plainCode}|${unanswered}|${[...figuresOfRun].join(',')}`;
      if (cached && cached.data === entry.data && cached.notices === notices && cached.flags === flags) return cached.node;
      const streaming = message.status === 'in_progress' && runLive;
      if (!streaming) this.streamingText.delete(message.id);
      const streamingText = streaming ? (index: number) => this.blocksOf(message.id, index) : undefined;
      // An answer is signed by the assistant that ran it; the active one only while the host has not said.
      const context = { assistantName: runView?.assistant?.name ?? state.assistant?.name ?? 'Assistant', figures: this.figures, actions: this.actions, runLive, editable, runShown: run !== undefined, streamingText, plainCode, figuresOfRun, passageOf: (filename: string) => searchedPassage(message.runId ? this.state?.runs[message.runId] : undefined, filename) };
      // A delta to a streaming answer redraws its changed blocks in place; anything else draws anew.
      if (cached && cached.notices === notices && cached.flags === flags && redrawStreamingAnswer(cached.node, cached.data as Message, message, context)) {
        cached.data = message;
        return cached.node;
      }
      node = renderMessage(message, context);
      if (unanswered && this.actions) node.append(outcomeLine('unanswered', 'debug-disconnect', UNANSWERED_SENTENCE, this.actions));
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

/** The first index whose offset is greater than `value` (offsets ascend). */
function upperBound(offsets: Float64Array, value: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
