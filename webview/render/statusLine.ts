/**
 * The active run's status line. The clock ticks outside the live region so screen readers hear
 * status changes, not every second.
 */
import type { RunNotices, ViewState } from '../state';
import { awaitingOn } from '../state';
import type { OutcomeKind } from '../status';
import type { Usage } from '../../src/common/model';
import { FALLBACK_TEXT, costOf, elapsedSeconds, formatCost, formatDuration, formatUsage, isRunning, priceFor, retryText, runOutcome } from '../status';
import { clear, codicon, h } from '../ui/dom';
import { actionIcon } from '../ui/kit';

/** Outcomes whose icon turns: the run is working. */
const SPINNING: ReadonlySet<OutcomeKind> = new Set(['in_progress', 'cancelling']);

export class StatusLine {
  readonly element: HTMLElement;
  private readonly live: HTMLElement;
  private readonly clock: HTMLElement;
  private readonly extra: HTMLElement;
  private lastLiveText = '';
  private lastExtraText = '';
  /** The retry line's text, whose countdown changes every second without redrawing (or re-announcing) the lines. */
  private retryLine: HTMLElement | undefined;

  /** `retryNow`: ends the countdown before a retry, so the request goes out now. */
  constructor(private readonly retryNow?: () => void) {
    this.live = h('div', { className: 'status-main', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.clock = h('span', { className: 'status-clock', attrs: { 'aria-hidden': 'true' } });
    this.extra = h('div', { className: 'status-extra', attrs: { 'aria-live': 'polite' } });
    this.element = h('div', { className: 'status-line', attrs: { id: 'status' } }, h('div', { className: 'status-row' }, this.live, this.clock), this.extra);
  }

  /** Redraws from the state; cheap enough to call every second. Returns whether the clock should keep ticking. */
  update(state: ViewState, nowMs: number): boolean {
    // A question was sent and its run has not reported yet (the previous run's outcome is old news),
    // or a run refused before it had an id (a 429 on its creation) waits to be created again.
    if (state.activeRunId === undefined && (state.waiting || state.starting || state.asked)) {
      const { waiting } = state;
      this.element.hidden = false;
      this.drawLabel('Starting the run', waiting ? 'clock' : 'loading', !waiting, 'starting');
      this.clock.textContent = '';
      this.drawLines(waiting ? [{ icon: 'sync', text: retryText(waiting, nowMs), retry: true }] : [], waiting, nowMs);
      // Only a countdown ticks.
      return waiting !== undefined;
    }
    // The last question's run never began: how the run before it ended (and what it cost) is not its news.
    if (state.notStarted && state.activeRunId === undefined) {
      this.element.hidden = false;
      this.drawLabel('Not started', 'debug-disconnect', false, 'not-started');
      this.clock.textContent = '';
      this.drawLines(threadLines(state), undefined, nowMs);
      return false;
    }
    const view = state.statusRunId ? state.runs[state.statusRunId] : undefined;
    this.element.hidden = !view;
    if (!view) return false;
    const { run } = view;
    const notices = state.runNotices[run.id];
    const live = isRunning(run, notices);

    // The error's sentence sits under the answer; here the code keeps the line short.
    const error = run.lastError ?? notices?.error;
    const outcome = runOutcome(run, notices, awaitingOn(state, run.id));
    this.drawLabel(`${outcome.label}${error && !live ? ` (${error.code})` : ''}`, outcome.icon, SPINNING.has(outcome.kind), outcome.kind);
    // A live run's clock reads now; an ended run's is fixed at its end (none shown when nothing records it).
    const elapsed = elapsedSeconds(run, nowMs, { endedAtMs: notices?.endedAt, steps: view.steps });
    this.clock.textContent = elapsed === undefined ? '' : formatDuration(elapsed);

    const lines: StatusNote[] = [];
    if (notices?.retry) lines.push({ icon: 'sync', text: retryText(notices.retry, nowMs), retry: true });
    if (notices?.fallback && live) lines.push({ icon: 'debug-disconnect', text: FALLBACK_TEXT, title: notices.fallback });
    const model = run.model ?? state.assistant?.model;
    if (run.usage) lines.push({ icon: 'symbol-numeric', text: `This run: ${formatUsage(run.usage, priceFor(model, state.prices))}` });
    lines.push(...threadLines(state));
    this.drawLines(lines, notices?.retry, nowMs);
    return live || notices?.retry !== undefined;
  }

  /** The status and its icon; redrawn (and so announced) only when they change. */
  private drawLabel(text: string, icon: string, spin: boolean, kind: string): void {
    // The spinner is part of the key: a run the host gave up on keeps its label but stops spinning.
    const drawn = `${text}|${spin}`;
    if (drawn === this.lastLiveText) return;
    this.lastLiveText = drawn;
    clear(this.live);
    this.live.append(codicon(icon, { spin }), h('span', { className: 'status-label', text }));
    this.element.dataset.status = kind;
  }

  /** The notes under the status; a pending retry's countdown moves every second without a redraw. */
  private drawLines(lines: StatusNote[], retry: RetryNotice | undefined, nowMs: number): void {
    // The countdown is left out of the key: the line is drawn (and announced) once per retry.
    const extraText = lines.map((l) => (l.retry && retry ? `retry ${retry.attempt} ${retry.until}` : l.text)).join('\n');
    if (extraText === this.lastExtraText) {
      if (this.retryLine && retry) this.retryLine.textContent = retryText(retry, nowMs);
      return;
    }
    this.lastExtraText = extraText;
    this.retryLine = undefined;
    clear(this.extra);
    for (const line of lines) {
      const text = h('span', { text: line.text });
      const note = h('div', { className: 'status-note', attrs: { title: line.title } }, codicon(line.icon), text);
      const retryNow = this.retryNow;
      if (line.retry) {
        // Later countdown updates are not read out: only the first sentence is.
        text.setAttribute('aria-live', 'off');
        this.retryLine = text;
      }
      if (line.retry && retryNow) {
        const now = actionIcon({ label: 'Retry now', icon: 'debug-rerun', onClick: () => retryNow() });
        now.classList.add('status-retry-now');
        note.append(now);
      }
      this.extra.append(note);
    }
  }
}

interface StatusNote {
  icon: string;
  text: string;
  title?: string;
  /** The line of a pending retry: it counts down and offers Retry now. */
  retry?: boolean;
}

type RetryNotice = NonNullable<RunNotices['retry']>;

/** The thread's tokens and cost, once more than one run used some. */
function threadLines(state: ViewState): StatusNote[] {
  const total = threadTotal(state);
  if (total.runs < 2 || !total.usage) return [];
  const cost = total.cost === undefined ? '' : ` · ${formatCost(total.cost)}${total.priced < total.runs ? ' (runs of unpriced models left out)' : ''}`;
  return [{ icon: 'comment-discussion', text: `Thread: ${formatUsage(total.usage)}${cost}` }];
}

/** Tokens of every run of the thread, and their cost where the model's price is known. */
function threadTotal(state: ViewState): { usage?: Usage; cost?: number; runs: number; priced: number } {
  let usage: Usage | undefined;
  let cost: number | undefined;
  let runs = 0;
  let priced = 0;
  for (const { run } of Object.values(state.runs)) {
    if (!run.usage) continue;
    runs++;
    const u = run.usage;
    usage = {
      promptTokens: (usage?.promptTokens ?? 0) + u.promptTokens,
      completionTokens: (usage?.completionTokens ?? 0) + u.completionTokens,
      totalTokens: (usage?.totalTokens ?? 0) + u.totalTokens,
      ...(usage?.cachedTokens !== undefined || u.cachedTokens !== undefined ? { cachedTokens: (usage?.cachedTokens ?? 0) + (u.cachedTokens ?? 0) } : {}),
    };
    const price = priceFor(run.model ?? state.assistant?.model, state.prices);
    if (price) {
      cost = (cost ?? 0) + costOf(u, price);
      priced++;
    }
  }
  return { usage, cost, runs, priced };
}
