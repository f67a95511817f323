/**
 * The scrolling transcript. Nodes are keyed (a message by id, a run's steps by run id) and reused
 * while their data object is unchanged, so a structural change moves nodes instead of redrawing,
 * and a streamed delta or a step update redraws one entry, at most once per animation frame.
 */
import type { Message } from '../../src/core/model';
import type { RunView } from '../../src/shared/protocol';
import type { ViewState } from '../state';
import { codicon, h } from '../ui/dom';
import type { Figures } from './figure';
import { renderMessage } from './message';
import type { OpenState } from './steps';
import { renderRunBlock } from './steps';

type Entry = { key: string; kind: 'message'; data: Message } | { key: string; kind: 'run'; data: RunView };

interface Rendered {
  node: HTMLElement;
  data: unknown;
  notices: unknown;
}

/** How close to the bottom counts as "following the answer". */
const STICK_THRESHOLD_PX = 32;

export class Transcript {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private rendered = new Map<string, Rendered>();
  private readonly open: OpenState = { runs: new Map(), items: new Map() };
  private dirtyMessages = new Set<string>();
  private dirtyRuns = new Set<string>();
  private frame: number | undefined;
  private state: ViewState | undefined;
  /** The reader is at the bottom and wants to stay there while the answer grows. */
  private following = true;

  constructor(
    onScroll: (fromBottom: number) => void,
    private readonly figures: Figures,
  ) {
    this.list = h('div', { className: 'transcript-list' });
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
        this.following = this.fromBottom() <= STICK_THRESHOLD_PX;
        onScroll(this.fromBottom());
      },
      { passive: true },
    );
    // Content also grows after a render (components and images lay out late): a reader at the bottom stays there.
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(() => {
        if (this.following) this.scrollToBottom();
      }).observe(this.list);
    }
  }

  fromBottom(): number {
    const el = this.element;
    return Math.max(0, el.scrollHeight - el.scrollTop - el.clientHeight);
  }

  /** After the user sends, the answer is what they want to see: jump to it, and follow it from there. */
  scrollToBottom(): void {
    this.element.scrollTop = this.element.scrollHeight;
  }

  /** Waits a frame: the kit's components lay themselves out after they are connected. */
  restoreScroll(fromBottom: number): void {
    requestAnimationFrame(() => {
      this.element.scrollTop = this.element.scrollHeight - this.element.clientHeight - fromBottom;
    });
  }

  /** Throws away every node: for a new full state. */
  reset(state: ViewState): void {
    this.rendered = new Map();
    this.dirtyMessages.clear();
    this.dirtyRuns.clear();
    this.list.replaceChildren();
    this.sync(state);
  }

  /** Reconciles the list's structure; unchanged entries keep their nodes. */
  sync(state: ViewState): void {
    this.keepingBottom(() => {
      this.state = state;
      const entries = layout(state);
      const seen = new Set<string>();
      let cursor: ChildNode | null = this.list.firstChild;
      for (const entry of entries) {
        seen.add(entry.key);
        const previous = this.rendered.get(entry.key)?.node;
        const node = this.nodeFor(entry, state);
        if (previous && previous !== node) {
          // The entry was redrawn: its old node goes, or it would linger in the list as a stray copy.
          if (cursor === previous) cursor = previous.nextSibling;
          previous.remove();
        }
        if (node === cursor) {
          cursor = cursor.nextSibling;
        } else {
          this.list.insertBefore(node, cursor);
        }
      }
      for (const [key, rendered] of this.rendered) {
        if (!seen.has(key)) {
          rendered.node.remove();
          this.rendered.delete(key);
        }
      }
      this.empty.hidden = entries.length > 0;
    });
  }

  /** A streamed message changed: redraw just it, on the next frame. */
  messageChanged(state: ViewState, messageId: string): void {
    this.state = state;
    this.dirtyMessages.add(messageId);
    this.schedule();
  }

  /**
   * A run's steps changed: redraw its block only, on the next frame, since a busy run sends many
   * step updates in a burst. A run not on the page yet needs its place now.
   */
  stepsChanged(state: ViewState, runId: string): void {
    this.state = state;
    if (!this.rendered.has(`r:${runId}`) || !state.runs[runId]) {
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
    const state = this.state;
    if (!state) return;
    const ids = [...this.dirtyMessages];
    const runIds = [...this.dirtyRuns];
    this.dirtyMessages.clear();
    this.dirtyRuns.clear();
    this.keepingBottom(() => {
      for (const id of ids) {
        const message = state.messages.find((m) => m.id === id);
        if (message && this.rendered.has(`m:${id}`)) this.replace(`m:${id}`, { key: `m:${id}`, kind: 'message', data: message }, state);
      }
      for (const runId of runIds) {
        const view = state.runs[runId];
        // A sync since the mark may have redrawn or dropped the block; replace() skips a dropped one.
        if (view) this.replace(`r:${runId}`, runEntry(view), state);
      }
    });
  }

  private replace(key: string, entry: Entry, state: ViewState): void {
    const old = this.rendered.get(key);
    if (!old) return;
    const next = this.nodeFor(entry, state);
    if (next !== old.node) old.node.replaceWith(next);
  }

  private nodeFor(entry: Entry, state: ViewState): HTMLElement {
    const notices = entry.kind === 'run' ? state.runNotices[entry.data.run.id] : undefined;
    const cached = this.rendered.get(entry.key);
    if (cached && cached.data === entry.data && cached.notices === notices) return cached.node;
    const node =
      entry.kind === 'message'
        ? renderMessage(entry.data, { assistantName: state.assistant?.name ?? 'Assistant', figures: this.figures })
        : renderRunBlock(entry.data, notices, this.open, this.figures);
    this.rendered.set(entry.key, { node, data: entry.data, notices });
    return node;
  }

  /** Follows new content only when the reader was already at the bottom. */
  private keepingBottom(update: () => void): void {
    const atBottom = this.fromBottom() <= STICK_THRESHOLD_PX;
    update();
    if (atBottom) this.element.scrollTop = this.element.scrollHeight;
  }
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
