/**
 * One column of the Compare panel: its thread drawn with the chat's own renderers (answers as
 * Markdown, streamed block by block; each run's steps and outcome line with Retry), what it
 * measured, and its actions. Its state is the chat's view state, fed the chat's own messages.
 */
import type { CompareColumnView } from '../../src/common/compareProtocol';
import type { ColumnMetrics } from '../../src/common/model';
import type { HostToWebview, RunView } from '../../src/common/protocol';
import type { Message } from '../../src/common/model';
import type { Figures } from '../render/figure';
import { MarkdownBlocks } from '../render/markdown';
import { redrawStreamingAnswer, renderMessage } from '../render/message';
import type { OpenState } from '../render/steps';
import { renderRunBlock, runFigureIds, searchedPassage } from '../render/steps';
import type { RunNotices, ViewState } from '../state';
import { applyHostMessage, emptyState } from '../state';
import { formatCost, formatUsage, isRunning } from '../status';
import { codicon, h } from '../ui/dom';
import { actionIcon, button } from '../ui/kit';

/** What a column's buttons ask the host for. */
export interface ColumnActions {
  retry(): void;
  keep(): void;
  /** Opens the kept thread in the chat. */
  openKept(): void;
  saveTest(): void;
}

/**
 * One frame for every column: the columns that changed are first measured (whether each follows
 * its answer's end), then drawn, then scrolled, so a frame lays the page out once, not once a column.
 */
export class Painter {
  private readonly dirty = new Set<Column>();
  private frame: number | undefined;

  request(column: Column): void {
    this.dirty.add(column);
    this.frame ??= requestAnimationFrame(() => this.paint());
  }

  private paint(): void {
    this.frame = undefined;
    const columns = [...this.dirty];
    this.dirty.clear();
    const follows = columns.map((column) => column.follows());
    columns.forEach((column) => column.draw());
    columns.forEach((column, i) => follows[i] && column.toEnd());
  }
}

/** A drawn entry, kept while what it shows is the same object. */
interface Drawn {
  node: HTMLElement;
  data: Message | RunView;
  notices?: RunNotices;
  live?: boolean;
}

/** "0.42 s" from milliseconds. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** The metrics line: time to first token and to completion, tokens (input, cached, output), cost. */
export function metricsText(metrics: ColumnMetrics, running: boolean): string {
  const parts: string[] = [];
  if (metrics.firstTokenMs !== undefined) parts.push(`first token ${seconds(metrics.firstTokenMs)}`);
  else if (running) parts.push('waiting for the first token');
  if (metrics.completedMs !== undefined) parts.push(`done in ${seconds(metrics.completedMs)}`);
  if (metrics.usage) parts.push(formatUsage(metrics.usage));
  if (metrics.cost !== undefined) parts.push(formatCost(metrics.cost));
  else if (metrics.usage && !running) parts.push('no price known for this model');
  return parts.join(' · ');
}

export class Column {
  readonly el: HTMLElement;
  private readonly header: HTMLElement;
  private readonly metricsEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly actionsEl: HTMLElement;
  private readonly list: HTMLElement;
  private state: ViewState = emptyState();
  private metrics: ColumnMetrics = {};
  private error: string | undefined;
  private kept = false;
  private label = '';
  private readonly drawn = new Map<string, Drawn>();
  private readonly blocks = new Map<string, MarkdownBlocks[]>();
  private readonly open: OpenState = { runs: new Map(), items: new Map() };
  /** What the chrome shows now, so a frame that changes nothing of it touches nothing. */
  private chrome = '';
  private readonly keepButton;
  private readonly saveButton;

  constructor(
    readonly index: number,
    setup: HTMLElement,
    private readonly figures: Figures,
    private readonly actions: ColumnActions,
    private readonly painter: Painter,
  ) {
    this.header = h('div', { className: 'column-label' });
    this.metricsEl = h('div', { className: 'column-metrics', attrs: { 'aria-live': 'polite' } });
    this.errorEl = h('div', { className: 'column-error', attrs: { role: 'alert' } });
    this.keepButton = button({ label: 'Keep this thread', icon: 'pinned', secondary: true, onClick: () => this.actions.keep() });
    this.saveButton = button({ label: 'Save as Test Case', icon: 'beaker', secondary: true, onClick: () => this.actions.saveTest() });
    this.actionsEl = h('div', { className: 'column-actions' }, this.keepButton, this.saveButton);
    this.list = h('div', { className: 'column-transcript', attrs: { role: 'log', 'aria-label': `Column ${index + 1} answers` } });
    this.el = h('section', { className: 'compare-column', attrs: { 'data-column': String(index) } }, setup, this.header, this.metricsEl, this.errorEl, this.actionsEl, this.list);
    this.paintChrome();
  }

  /** The column as the host has it (a new comparison, or the panel loaded). */
  reset(view: CompareColumnView | undefined): void {
    this.state = emptyState();
    this.drawn.clear();
    this.blocks.clear();
    this.list.replaceChildren();
    this.label = view?.label ?? '';
    this.metrics = view?.metrics ?? {};
    this.error = view?.error;
    this.kept = view?.kept ?? false;
    if (view) this.thread(view.threadId, view.messages, view.runs, view.activeRunId);
    this.paintChrome();
  }

  /** The column's thread as a whole. */
  thread(threadId: string | undefined, messages: Message[], runs: Record<string, RunView>, activeRunId?: string): void {
    const now = Date.now();
    const state = applyHostMessage(this.state, { type: 'state/full', state: fullState(threadId, messages, runs, activeRunId) }, now).state;
    this.state = state;
    this.schedule();
  }

  /** One of the chat's own messages for this column's thread. */
  chat(message: Extract<HostToWebview, { type: 'message/added' | 'run/event' }>): void {
    // The column's first news names its thread: take it.
    if (!this.state.thread) this.state = { ...this.state, thread: { id: message.threadId, title: '' } };
    const applied = applyHostMessage(this.state, message, Date.now());
    this.state = applied.state;
    if (applied.changes.length) this.schedule();
  }

  setMetrics(metrics: ColumnMetrics): void {
    this.metrics = metrics;
    this.paintChrome();
  }

  setError(message: string | undefined): void {
    this.error = message;
    this.paintChrome();
  }

  setKept(): void {
    this.kept = true;
    this.paintChrome();
  }

  /** Whether this column's run is going on. */
  get running(): boolean {
    return this.state.activeRunId !== undefined;
  }

  /** The comparison ended everywhere (Stop, or the last run ended): runs the host no longer follows stop their clocks. */
  idle(): void {
    this.state = applyHostMessage(this.state, { type: 'run/busy', busy: false }, Date.now()).state;
    this.schedule();
  }

  private schedule(): void {
    this.painter.request(this);
  }

  /** Whether the answers are scrolled to their end (within a line), so a frame keeps them there. */
  follows(): boolean {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
  }

  /** Scrolls the answers to their end. */
  toEnd(): void {
    this.list.scrollTop = this.list.scrollHeight;
  }

  /** Draws what changed since the last frame. */
  draw(): void {
    this.paintChrome();
    this.paintTranscript();
  }

  private paintChrome(): void {
    const running = this.running;
    const answered = !running && this.state.messages.some((m) => m.role === 'assistant');
    const chrome = JSON.stringify([running, answered, this.label, this.kept, this.error, this.metrics]);
    if (chrome === this.chrome) return;
    this.chrome = chrome;
    this.header.replaceChildren(codicon('hubot'), h('span', { text: this.label || `Column ${this.index + 1}` }), ...(this.kept ? [h('span', { className: 'column-kept', text: 'kept in Threads' }), actionIcon({ icon: 'comment-discussion', label: 'Open in Chat', onClick: () => this.actions.openKept() })] : []));
    this.header.hidden = !this.label;
    this.metricsEl.textContent = metricsText(this.metrics, running);
    this.metricsEl.hidden = this.metricsEl.textContent === '';
    this.errorEl.replaceChildren(...(this.error ? [codicon('error'), h('span', { className: 'column-error-text', text: this.error }), button({ label: 'Retry', icon: 'refresh', secondary: true, onClick: () => this.actions.retry() })] : []));
    this.errorEl.hidden = !this.error;
    this.actionsEl.hidden = !answered;
    this.keepButton.disabled = this.kept;
    this.saveButton.disabled = !answered;
  }

  private paintTranscript(): void {
    const state = this.state;
    const nodes: HTMLElement[] = [];
    const lastOfRun = new Map<string, number>();
    state.messages.forEach((m, i) => m.runId && lastOfRun.set(m.runId, i));
    const runsShown = new Set<string>();
    const latestRun = Object.values(state.runs).sort((a, b) => a.run.createdAt - b.run.createdAt).at(-1)?.run.id;
    const runNode = (view: RunView): HTMLElement => {
      runsShown.add(view.run.id);
      const notices = state.runNotices[view.run.id];
      const live = isRunning(view.run, notices);
      const key = `run:${view.run.id}`;
      const cached = this.drawn.get(key);
      if (cached && cached.data === view && cached.notices === notices && cached.live === live) return cached.node;
      const retry = view.run.id === latestRun ? { retry: () => this.actions.retry() } : undefined;
      const node = renderRunBlock(view, notices, this.open, this.figures, retry);
      this.drawn.set(key, { node, data: view, notices, live });
      return node;
    };
    state.messages.forEach((message, i) => {
      nodes.push(this.messageNode(message));
      const view = message.runId !== undefined && lastOfRun.get(message.runId) === i ? state.runs[message.runId] : undefined;
      if (view) nodes.push(runNode(view));
    });
    for (const view of Object.values(state.runs).sort((a, b) => a.run.createdAt - b.run.createdAt)) if (!runsShown.has(view.run.id)) nodes.push(runNode(view));
    const current = Array.from(this.list.children);
    if (current.length !== nodes.length || nodes.some((node, i) => current[i] !== node)) this.list.replaceChildren(...nodes);
    const keep = new Set(nodes);
    for (const [key, drawn] of this.drawn) if (!keep.has(drawn.node)) this.drawn.delete(key);
  }

  private messageNode(message: Message): HTMLElement {
    const state = this.state;
    const key = `msg:${message.id}`;
    const run = message.runId ? state.runs[message.runId] : undefined;
    const runLive = run ? isRunning(run.run, state.runNotices[run.run.id]) : undefined;
    const streaming = message.status === 'in_progress' && runLive !== false;
    if (!streaming) this.blocks.delete(message.id);
    const context = {
      assistantName: run?.assistant?.name ?? this.label.replace(/ · (?![^(]*\)).*$/, '') ?? 'Assistant',
      figures: this.figures,
      runLive,
      runShown: run !== undefined,
      streamingText: streaming ? (index: number) => this.blocksOf(message.id, index) : undefined,
      figuresOfRun: runFigureIds(run),
      passageOf: (filename: string) => searchedPassage(run, filename),
    };
    const cached = this.drawn.get(key);
    if (cached && cached.data === message && cached.live === runLive) return cached.node;
    if (cached && redrawStreamingAnswer(cached.node, cached.data as Message, message, context)) {
      this.drawn.set(key, { node: cached.node, data: message, live: runLive });
      return cached.node;
    }
    const node = renderMessage(message, context);
    this.drawn.set(key, { node, data: message, live: runLive });
    return node;
  }

  private blocksOf(messageId: string, index: number): MarkdownBlocks {
    let parts = this.blocks.get(messageId);
    if (!parts) this.blocks.set(messageId, (parts = []));
    return (parts[index] ??= new MarkdownBlocks());
  }
}

/** The chat's full state for a column's thread: only what the column draws is filled in. */
function fullState(threadId: string | undefined, messages: Message[], runs: Record<string, RunView>, activeRunId?: string): Extract<HostToWebview, { type: 'state/full' }>['state'] {
  return {
    provider: { backend: 'responses', label: '', mock: false, hasKey: true },
    thread: threadId ? { id: threadId, title: '' } : undefined,
    messages,
    runs,
    activeRunId,
    busy: activeRunId !== undefined,
    approvals: [],
    outputRequests: [],
    draft: { text: '', seq: 0 },
    instructions: { text: '', seq: 0 },
    attachments: [],
  };
}
