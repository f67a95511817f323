/**
 * A virtualized list in a scrolling element: only the entries near the viewport are in the DOM, and
 * two spacers stand in for the rest at their measured (or, until drawn once, estimated) heights, so
 * a list of thousands opens and scrolls like a short one. It knows entries only by key, height and
 * the node its renderer draws: what an entry is, and when its node can be reused, is the renderer's.
 * Heights come from a ResizeObserver after the browser's own layout, never from reading them back in
 * the middle of a render. A reader at the bottom stays there while the last entry grows ("following").
 */
import { h } from './dom';

/** One entry: its key (unique in the list) and its data (a new object when its content changes). */
export interface ListEntry {
  key: string;
  data: object;
}

/** What draws the entries of a `VirtualList`. */
export interface EntryRenderer<E extends ListEntry> {
  /** The entry's node: the one it drew before when nothing it shows changed, else a new one. */
  render(entry: E): HTMLElement;
  /** A guess at the entry's height (px, its margin included) before it is first drawn. */
  estimate(entry: E): number;
  /** The entry left the drawn window (or the list was cleared): its node is out of the DOM. */
  released(key: string): void;
  /** Called at the start of each frame the list draws, before it draws: where changed entries come in (`replace`). */
  beforeFrame?(): void;
}

export interface VirtualListOptions<E extends ListEntry> {
  /** The scrolling element; the list's own element is appended to it. */
  scroller: HTMLElement;
  /** Class names of the list's element and of its two spacers. */
  classes: { list: string; spacer: string };
  /** The margin under each entry (px), which a measured height adds: the stylesheet sets it. */
  entryMarginPx: number;
  /**
   * Told the distance from the bottom (px) when the reader scrolls, and when entries come or go
   * below a reader who does not follow, so a saved position stays true.
   */
  onScroll(fromBottom: number): void;
  renderer: EntryRenderer<E>;
}

/** How close to the bottom counts as "following". */
const STICK_THRESHOLD_PX = 32;
/** Entries drawn beyond each edge of the viewport, in pixels, so a scroll shows no gap. */
const OVERSCAN_PX = 400;

export class VirtualList<E extends ListEntry> {
  /** The element holding the drawn entries between the two spacers. */
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacerAbove: HTMLElement;
  private readonly spacerBelow: HTMLElement;
  private readonly renderer: EntryRenderer<E>;
  /** The entries, once set (the list draws nothing before). */
  private entries: E[] | undefined;
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
  private firstPaintPending = false;
  /** The drawn entries' nodes, by key: exactly those from `start` to `end`. */
  private drawn = new Map<string, HTMLElement>();
  private start = 0;
  private end = 0;
  private frame: number | undefined;
  /** The reader is at the bottom and wants to stay there while the list grows. */
  private following = true;
  /** Whether the reader followed when the list was hidden; restored when it is shown again. */
  private followingWhenHidden: boolean | undefined;
  /** The scroll position (px) the list last moved to, to keep a following reader at the bottom. */
  private pinnedTop = 0;

  constructor(private readonly options: VirtualListOptions<E>) {
    this.scroller = options.scroller;
    this.renderer = options.renderer;
    this.spacerAbove = h('div', { className: options.classes.spacer, attrs: { 'aria-hidden': 'true' } });
    this.spacerBelow = h('div', { className: options.classes.spacer, attrs: { 'aria-hidden': 'true' } });
    this.element = h('div', { className: options.classes.list }, this.spacerAbove, this.spacerBelow);
    this.scroller.append(this.element);
    this.scroller.addEventListener(
      'scroll',
      () => {
        // A hidden view has no viewport: what its scroll position says is not the reader's doing.
        if (this.scroller.clientHeight === 0) return;
        // The echo of the list's own move to the bottom is not the reader's doing, even when the
        // last entry grew or the view shrank before the event came: only a move up from there lets go.
        if (!this.following || this.scroller.scrollTop < this.pinnedTop) this.following = this.fromBottom() <= STICK_THRESHOLD_PX;
        // A reader who follows is saved as at the bottom, wherever the growing entry left the position.
        this.options.onScroll(this.following ? 0 : this.fromBottom());
        this.schedule();
      },
      { passive: true },
    );
    this.scroller.addEventListener('keydown', (event) => this.onKeyDown(event));
    // Entries also grow after a render (components and images lay out late), and a streaming entry
    // grows with each frame: their heights arrive here, and a reader at the bottom stays there.
    if (typeof ResizeObserver !== 'undefined') this.sizes = new ResizeObserver((records) => this.resized(records));
    // The scroller itself: shown again after being hidden (the browser may have lost its scroll
    // position), or resized.
    this.sizes?.observe(this.scroller);
  }

  /**
   * A new set of entries was just given and not yet painted: the list draws only what the viewport
   * shows, and the rest on the next frame (see `setEntries`' `firstPaint`).
   */
  get firstPaint(): boolean {
    return this.firstPaintPending;
  }

  fromBottom(): number {
    const el = this.scroller;
    return Math.max(0, el.scrollHeight - el.scrollTop - el.clientHeight);
  }

  /** Jumps to the bottom, and follows the last entry from there. */
  scrollToBottom(): void {
    this.following = true;
    this.renderWindow();
  }

  /** Puts the reader back where they were (distance from the bottom, px). */
  restoreScroll(fromBottom: number): void {
    this.following = fromBottom <= STICK_THRESHOLD_PX;
    if (this.following) {
      this.scrollToBottom();
      return;
    }
    const el = this.scroller;
    el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom;
    this.renderWindow();
  }

  /** Whether an entry of this key is in the list. */
  has(key: string): boolean {
    return this.entryIndex.has(key);
  }

  /** Throws away every drawn node and measured height (the entries are another list now). */
  clear(): void {
    for (const [key, node] of this.drawn) {
      this.drop(node);
      this.renderer.released(key);
    }
    this.drawn = new Map();
    this.heights.clear();
  }

  /**
   * The list's entries changed (one came or went): lay them out again and draw; entries whose
   * renderer keeps their node keep it. `firstPaint`: a new list not painted yet, of which only what
   * the viewport shows is drawn now, the rest on the next frame.
   */
  setEntries(entries: E[], firstPaint = false): void {
    if (firstPaint) this.firstPaintPending = true;
    this.entries = entries;
    this.entryIndex = new Map(entries.map((entry, i) => [entry.key, i]));
    this.offsetCache = undefined;
    this.renderWindow();
    if (!this.following && this.scroller.clientHeight > 0) this.options.onScroll(this.fromBottom());
  }

  /** Entry `key` has new data (same place in the list); it is drawn with the next `draw`. False when no such entry. */
  replace(entry: E): boolean {
    const index = this.entryIndex.get(entry.key);
    if (index === undefined || !this.entries) return false;
    this.entries[index] = entry;
    this.invalidateOffsets(index);
    return true;
  }

  /** Draws on the next animation frame (once, however often it is asked). */
  schedule(): void {
    if (this.frame === undefined) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = undefined;
    this.firstPaintPending = false;
    if (!this.entries) return;
    this.renderer.beforeFrame?.();
    this.renderWindow();
  }

  /**
   * Draws the entries the viewport (plus overscan) shows, removes the rest, sizes the spacers and
   * keeps a reader who follows at the bottom. It reads layout before it writes, so the browser lays
   * out once; what it drew is measured by the ResizeObserver after that layout (`resized`).
   */
  private renderWindow(): void {
    const entries = this.entries;
    if (!entries) return;
    const el = this.scroller;
    const offsets = this.offsets();
    const total = offsets[entries.length];
    const viewport = Math.max(el.clientHeight, 1);
    const top = this.following ? total - viewport : el.scrollTop - this.element.offsetTop;
    // A page without layout (a hidden view) has no viewport to draw first.
    const overscan = this.firstPaintPending && el.clientHeight > 0 ? 0 : OVERSCAN_PX;
    this.start = Math.max(0, upperBound(offsets, top - overscan) - 1);
    this.end = Math.min(entries.length, Math.max(this.start + 1, upperBound(offsets, top + viewport + overscan)));
    if (entries.length === 0) this.end = 0;

    const wanted = new Set<string>();
    let cursor: ChildNode | null = this.spacerAbove.nextSibling;
    for (let i = this.start; i < this.end; i++) {
      const entry = entries[i];
      wanted.add(entry.key);
      const previous = this.drawn.get(entry.key);
      const node = this.renderer.render(entry);
      this.drawn.set(entry.key, node);
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
      else this.element.insertBefore(node, cursor);
    }
    for (const [key, node] of this.drawn) {
      if (!wanted.has(key)) {
        this.drop(node);
        this.drawn.delete(key);
        this.renderer.released(key);
      }
    }
    this.placeSpacers();
    // A reader following stays at the bottom. All writes are done, so this is the frame's one
    // layout, taken early; the ResizeObserver then finds the layout clean.
    if (this.following) this.pinToBottom();
  }

  /** Scrolls to the bottom, noting where that is (see the scroll listener). */
  private pinToBottom(): void {
    const el = this.scroller;
    el.scrollTop = el.scrollHeight;
    this.pinnedTop = el.scrollTop;
  }

  private drop(node: HTMLElement): void {
    this.sizes?.unobserve(node);
    node.remove();
  }

  /** Sizes the spacers for the entries not drawn (writing only what changed). */
  private placeSpacers(): void {
    const count = this.entries?.length ?? 0;
    const offsets = this.offsets();
    const heights = [offsets[this.start], offsets[count] - offsets[this.end]].map((px) => Math.max(0, Math.round(px)));
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
   * is kept at the bottom; the window is looked at again on the next frame, since real heights may
   * call for other entries.
   */
  private resized(records: ResizeObserverEntry[]): void {
    // A hidden view lays nothing out: keep the heights it had, and whether the reader followed.
    if (this.scroller.clientHeight === 0) {
      this.followingWhenHidden ??= this.following;
      return;
    }
    let changed = false;
    let viewport = false;
    for (const record of records) {
      const node = record.target as HTMLElement;
      if (node === this.scroller) {
        viewport = true;
        continue;
      }
      const key = node.dataset.entryKey;
      if (key === undefined || this.drawn.get(key) !== node) continue;
      const box = record.borderBoxSize[0]?.blockSize ?? node.offsetHeight;
      // An entry drawn as nothing takes no room, not even its margin.
      const height = box === 0 ? 0 : box + this.options.entryMarginPx;
      if (this.heights.get(key) === height) continue;
      this.heights.set(key, height);
      this.invalidateOffsets(this.entryIndex.get(key) ?? 0);
      changed = true;
    }
    if (viewport && this.followingWhenHidden !== undefined) {
      // Shown again: a reader who followed before still does, wherever the browser put the scroll position.
      this.following = this.followingWhenHidden;
      this.followingWhenHidden = undefined;
    }
    if (!changed && !viewport) return;
    if (changed) this.placeSpacers();
    if (this.following) this.pinToBottom();
    this.schedule();
  }

  /**
   * Keyboard: with focus on the scroller or on an entry, ↓/↑ move to the next/previous entry,
   * Home/End to the first/last; Tab then walks the entry's own controls. An entry drawn as nothing
   * (`display: none`, as a run with nothing to show) cannot take focus: the key goes on past it, the
   * way it moves (End to the last entry shown), and stays where it is when none is left.
   */
  private onKeyDown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    const key = target.dataset.entryKey;
    if (target !== this.scroller && key === undefined) return;
    const current = key === undefined ? -1 : (this.entryIndex.get(key) ?? -1);
    const last = (this.entries?.length ?? 0) - 1;
    let next: number;
    let step: 1 | -1;
    switch (event.key) {
      case 'ArrowDown':
        next = current < 0 ? this.start : current + 1;
        step = 1;
        break;
      case 'ArrowUp':
        next = current < 0 ? this.end - 1 : current - 1;
        step = -1;
        break;
      case 'Home':
        next = 0;
        step = 1;
        break;
      case 'End':
        next = last;
        step = -1;
        break;
      default:
        return;
    }
    event.preventDefault();
    for (let i = next; i >= 0 && i <= last && i !== current; i += step) {
      if (this.focusEntry(i)) return;
    }
    // Nothing further can take focus: the focused entry stays in sight.
    if (current >= 0) this.focusEntry(current);
  }

  /**
   * Brings entry `index` into the window (it may not be drawn yet) and focuses it. False, and no
   * focus moved, when the entry is drawn as nothing.
   */
  private focusEntry(index: number): boolean {
    const entries = this.entries ?? [];
    const offsets = this.offsets();
    this.following = index === entries.length - 1;
    this.scroller.scrollTop = offsets[index] + this.element.offsetTop - 8;
    this.renderWindow();
    const node = this.drawn.get(entries[index].key);
    if (!node?.checkVisibility()) return false;
    // The last entry shown is the bottom: a reader there follows what grows after it.
    this.following = entries.slice(index + 1).every((entry) => this.drawn.get(entry.key)?.checkVisibility() === false);
    node.focus();
    return true;
  }

  /**
   * Prefix sums of entry heights: `offsets[i]` is the top of entry `i`, `offsets[n]` the total.
   * Kept between calls and summed again only from the first entry whose height changed (a growing
   * entry is near the end), so a frame does not walk a list of thousands.
   */
  private offsets(): Float64Array {
    const entries = this.entries ?? [];
    const count = entries.length;
    let offsets = this.offsetCache;
    if (!offsets || offsets.length !== count + 1) {
      offsets = this.offsetCache = new Float64Array(count + 1);
      this.validOffsets = 0;
    }
    for (let i = this.validOffsets; i < count; i++) {
      const entry = entries[i];
      offsets[i + 1] = offsets[i] + (this.heights.get(entry.key) ?? this.estimate(entry));
    }
    this.validOffsets = count;
    return offsets;
  }

  /** Entry `index` changed height (or data): the sums after it are stale. */
  private invalidateOffsets(index: number): void {
    this.validOffsets = Math.min(this.validOffsets, index);
  }

  private estimate(entry: E): number {
    let height = this.estimates.get(entry.data);
    if (height === undefined) {
      height = this.renderer.estimate(entry);
      this.estimates.set(entry.data, height);
    }
    return height;
  }
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
