/** Words for the status line. Pure, so the wording is tested without a browser. */
import type { Run, RunStatus, RunStep, Usage } from '../src/common/model';
import { isTerminal } from '../src/common/model';
import type { HostCommand, ModelPrice } from '../src/common/protocol';
import type { Awaiting, RunNotices } from './state';

const STATUS_LABELS: Record<RunStatus, string> = {
  queued: 'Queued',
  in_progress: 'In progress',
  requires_action: 'Running functions',
  cancelling: 'Cancelling',
  cancelled: 'Cancelled',
  failed: 'Failed',
  completed: 'Completed',
  incomplete: 'Incomplete',
  expired: 'Expired',
};

export function statusLabel(status: RunStatus): string {
  return STATUS_LABELS[status];
}

/** Every way a run can be, as the chat tells it: the statuses, and a run nobody follows any more. */
export type OutcomeKind = RunStatus | 'interrupted';

/** A run's outcome as the user reads it. */
export interface Outcome {
  kind: OutcomeKind;
  /** A word or two for the status line ("Cancelled", "Incomplete: …"). */
  label: string;
  /**
   * One sentence under the answer saying what happened (and, where it helps, what to do next);
   * none while the run is live or when it completed.
   */
  sentence?: string;
  /** Whether Retry (the same question, run again) is offered: the run ended without a full answer the user did not stop. */
  retry: boolean;
  /** The codicon beside it. */
  icon: string;
  /** The command that fixes the failure (Set API Key for a key refused or missing), offered as a button. */
  fix?: OutcomeFix;
}

/** A button that runs a host command. */
export interface OutcomeFix {
  label: string;
  command: HostCommand;
}

const SET_KEY: OutcomeFix = { label: 'Set API Key', command: 'assistants.setApiKey' };

/**
 * `sentence` without its advice to run the command `label` names ('Run "Assistants: Set API Key"
 * to enter a valid key.'): said where that command is offered as a button, the advice is noise.
 */
export function withoutCommandHint(sentence: string, label: string): string {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return sentence.replace(new RegExp(`\\s*Run "Assistants: ${escaped}"[^.]*\\.`, 'g'), '').trim();
}

const OUTCOME_ICONS: Record<OutcomeKind, string> = {
  queued: 'clock',
  in_progress: 'loading',
  requires_action: 'bell',
  cancelling: 'circle-slash',
  cancelled: 'circle-slash',
  failed: 'error',
  completed: 'pass',
  incomplete: 'warning',
  expired: 'watch',
  interrupted: 'debug-disconnect',
};

/**
 * The run's outcome: its status, except that a run the host stopped following while it still
 * looked live is interrupted, an incomplete run says why, a failure says what the server said, and
 * a run waiting on its function calls says whether on the user (`awaiting`) or on the functions.
 * Retry is offered for failed, expired, cut-off and interrupted runs; not for a run the user
 * cancelled (Stop was their choice; Edit and resend asks again).
 */
export function runOutcome(run: Run, notices: RunNotices | undefined, awaiting?: Awaiting): Outcome {
  // A failure without words (a thread saved from a server that sent `message: null`) says nothing.
  const error = [run.lastError, notices?.error].find((e) => e !== undefined && hasWords(e));
  // A key the server refused (or none) is fixed with Set API Key, offered beside the sentence.
  const fix = error && (error.code === 'auth' || error.code === 'no_api_key') ? SET_KEY : undefined;
  const said = error ? errorSentence(fix ? withoutCommandHint(error.message, fix.label) : error.message) : undefined;
  const kind: OutcomeKind = !isTerminal(run.status) && notices?.endedAt !== undefined ? 'interrupted' : run.status;
  const outcome = (label: string, sentence: string | undefined, retry: boolean): Outcome => ({ kind, label, sentence, retry, icon: OUTCOME_ICONS[kind], ...(fix && sentence === said ? { fix } : {}) });
  switch (kind) {
    case 'requires_action':
      // The run waits for its calls' outputs: on the user when a card asks them, else on the functions running here.
      return outcome(awaiting === 'approval' ? 'Waiting for your approval' : awaiting === 'output' ? 'Waiting for your output' : awaiting === 'elsewhere' ? 'Waiting for the window that asked' : statusLabel(kind), undefined, false);
    case 'queued':
    case 'in_progress':
    case 'cancelling':
    case 'completed':
      return outcome(statusLabel(kind), undefined, false);
    case 'failed':
      return outcome('Failed', said ?? 'The run failed before the answer was finished.', true);
    case 'cancelled':
      // The run's own note only (Stop the server never confirmed); a notice of an earlier error is stale.
      return outcome('Cancelled', run.lastError && hasWords(run.lastError) ? errorSentence(run.lastError.message) : 'The run was stopped before it finished; what had arrived is kept.', false);
    case 'expired':
      return outcome('Expired', 'The run expired on the server before it finished.', true);
    case 'incomplete': {
      const reason = run.incompleteReason && run.incompleteReason !== 'unknown' ? incompleteReasonText(run.incompleteReason) : undefined;
      return outcome(reason ? `Incomplete: ${reason}` : 'Incomplete', reason ? `The answer was cut off: ${reason}.` : 'The answer was cut off before it finished.', true);
    }
    case 'interrupted':
      return outcome('Interrupted', said ?? 'The chat stopped following this run before it ended, so the answer may be incomplete.', true);
  }
}

/** The status line's words for the run (see `runOutcome`). */
export function outcomeLabel(run: Run, notices: RunNotices | undefined): string {
  return runOutcome(run, notices).label;
}

const INCOMPLETE_REASONS: Record<string, string> = {
  max_output_tokens: 'the output token limit was reached',
  max_completion_tokens: 'the output token limit was reached',
  max_prompt_tokens: 'the input token limit was reached',
  content_filter: 'the content filter stopped it',
  connection_lost: 'the connection was lost and this server cannot resume it',
};

function incompleteReasonText(reason: string): string {
  return INCOMPLETE_REASONS[reason] ?? reason.replace(/_/g, ' ');
}

/** Whether the run still moves: live by its status, and not given up on by the host. */
export function isRunning(run: Run, notices: RunNotices | undefined): boolean {
  return !isTerminal(run.status) && notices?.endedAt === undefined;
}

/** What says when a run ended, besides its own `completedAt`. */
export interface RunEnd {
  /** When the chat saw it end, or the host stopped following it (epoch ms; `RunNotices.endedAt`). */
  endedAtMs?: number;
  /** Its steps: an ended run whose end nothing else records ended no earlier than the last of them moved. */
  steps?: readonly RunStep[];
}

/**
 * Seconds the run has taken so far (or took), from its start, else its creation. A live run's
 * clock reads `nowMs`, unless the host stopped following it (`endedAtMs`). An ended run's is fixed
 * at its end: its completion, else when the chat saw it end, else its last step's time; never
 * `nowMs`, so a run stopped before the server confirmed it does not grow after it. Undefined for an
 * ended run whose end nothing records.
 */
export function elapsedSeconds(run: Run, nowMs: number, known: RunEnd = {}): number | undefined {
  const start = run.startedAt ?? run.createdAt;
  const end = !isTerminal(run.status) ? (known.endedAtMs ?? nowMs) / 1000 : (run.completedAt ?? (known.endedAtMs === undefined ? lastMoved(known.steps) : known.endedAtMs / 1000));
  return end === undefined ? undefined : Math.max(0, Math.floor(end - start));
}

/** When the last of the steps moved (Unix seconds), or undefined without steps. */
function lastMoved(steps: readonly RunStep[] | undefined): number | undefined {
  let last: number | undefined;
  for (const step of steps ?? []) last = Math.max(last ?? 0, step.completedAt ?? step.createdAt);
  return last;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

/** "1,200 input (800 cached) · 350 output tokens", and the cost when the model's price is known. */
export function formatUsage(usage: Usage, price?: ModelPrice): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const cached = usage.cachedTokens ? ` (${n(usage.cachedTokens)} cached)` : '';
  const cost = price ? ` · ${formatCost(costOf(usage, price))}` : '';
  return `${n(usage.promptTokens)} input${cached} · ${n(usage.completionTokens)} output tokens${cost}`;
}

/** US dollars for `usage` at `price` (per million tokens); cached input at its own price when given. */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedTokens ?? 0, usage.promptTokens);
  const fresh = usage.promptTokens - cached;
  return (fresh * price.input + cached * (price.cachedInput ?? price.input) + usage.completionTokens * price.output) / 1_000_000;
}

/** "≈ $0.0123"; small sums keep two significant digits, so a cheap run does not read as free. */
export function formatCost(dollars: number): string {
  if (dollars === 0) return '≈ $0';
  const digits = dollars >= 1 ? 2 : Math.max(2, 1 - Math.floor(Math.log10(dollars)));
  return `≈ $${dollars.toFixed(Math.min(digits, 6))}`;
}

/** The price for `model`: an exact entry, else the longest entry the name starts with (dated snapshots). */
export function priceFor(model: string | undefined, prices: Record<string, ModelPrice> | undefined): ModelPrice | undefined {
  if (!model || !prices) return undefined;
  if (prices[model]) return prices[model];
  const prefix = Object.keys(prices)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? prices[prefix] : undefined;
}

/**
 * "Rate limited, retrying in 3 s"; never negative, never below one second while pending. A wait of
 * more than a minute (the server's `Retry-After`) says until when instead, in local time: "Rate
 * limited until 14:05, then retrying" (another reason: "…; retrying at 14:05"); the last minute
 * counts down again.
 */
export function retryText(retry: NonNullable<RunNotices['retry']>, nowMs: number): string {
  const attempt = retry.attempt > 1 ? ` (attempt ${retry.attempt})` : '';
  const reason = retry.reason.trim() || 'Request failed';
  const sentence = reason.charAt(0).toUpperCase() + reason.slice(1).replace(/[.\s]+$/, '');
  if (retry.until - nowMs > 60_000) {
    const at = clockTime(retry.until, nowMs);
    return /rate limit/i.test(reason) ? `Rate limited until ${at}, then retrying${attempt}` : `${sentence}; retrying at ${at}${attempt}`;
  }
  const seconds = Math.max(1, Math.ceil((retry.until - nowMs) / 1000));
  return `${sentence}, retrying in ${seconds} s${attempt}`;
}

/** "14:05" in local time; "tomorrow 14:05" or "Mon 14:05" when `atMs` is on another day than `nowMs`. */
export function clockTime(atMs: number, nowMs: number): string {
  const at = new Date(atMs);
  const time = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  const today = new Date(nowMs);
  const days = Math.round((startOfDay(at) - startOfDay(today)) / 86_400_000);
  if (days === 0) return time;
  if (days === 1) return `tomorrow ${time}`;
  return `${at.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })} ${time}`;
}

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

export const FALLBACK_TEXT = 'Streaming unavailable, polling';

/** Whether a failure carries words to show (a thread saved from an older version may hold `message: null`). */
function hasWords(error: { message: unknown }): error is { message: string } {
  return typeof error.message === 'string' && error.message.trim() !== '';
}

/** Server error messages become one readable sentence; a stack trace never reaches the chat. */
export function errorSentence(message: string): string {
  const firstLine = message.split('\n')[0].trim();
  if (!firstLine) return 'The run failed.';
  return /[.!?]$/.test(firstLine) ? firstLine : `${firstLine}.`;
}
