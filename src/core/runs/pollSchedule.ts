/** Adaptive polling: fast while things change, backing off to a cap while nothing does. */
export interface PollOptions {
  /** First wait, and the wait after the run moved on. */
  initialMs?: number;
  /** Longest wait while nothing changes. */
  maxMs?: number;
  /** Growth of the wait per unchanged poll. */
  factor?: number;
  /** On average at most this many requests a second since the schedule began, however often the run changes. */
  maxPerSecond?: number;
}

/**
 * Sees a finished run about 20 times sooner than the SDK's own poller (5 s between polls) on a budget
 * of four requests a second, plus the two quick polls at the start (bench/run-latency.ts).
 */
export const DEFAULT_POLL = { initialMs: 100, maxMs: 270, factor: 1.5, maxPerSecond: 4 } as const;

/** The shortest wait a server hint can ask for. */
const MIN_HINT_MS = 20;

/** Polls that may come quicker than the average allows: most of a short run's lag is at its start. */
const FAST_START_POLLS = 2;

export class PollSchedule {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly maxPerSecond: number;
  private currentMs: number;
  private readonly startedAt: number;
  /** Requests so far, counting the one that started the run. */
  private requests = 1;

  constructor(options: PollOptions = {}, private readonly now: () => number = Date.now) {
    this.initialMs = options.initialMs ?? DEFAULT_POLL.initialMs;
    this.maxMs = Math.max(this.initialMs, options.maxMs ?? DEFAULT_POLL.maxMs);
    this.factor = Math.max(1, options.factor ?? DEFAULT_POLL.factor);
    this.maxPerSecond = Math.max(1, options.maxPerSecond ?? DEFAULT_POLL.maxPerSecond);
    this.currentMs = this.initialMs;
    this.startedAt = now();
  }

  /**
   * The wait before the next poll. A server hint (`openai-poll-after-ms`) is obeyed as given: the
   * server knows when it expects news better than our backoff does.
   */
  next(changed: boolean, serverHintMs?: number): number {
    this.currentMs = changed ? this.initialMs : Math.min(this.maxMs, this.currentMs * this.factor);
    this.requests += 1;
    // A hint of 0 would poll in a tight loop: a few milliseconds are the least we wait.
    if (serverHintMs !== undefined && serverHintMs >= 0) return Math.max(MIN_HINT_MS, serverHintMs);
    const now = this.now();
    // A run that changes at every poll would otherwise be polled at the fastest rate throughout: the
    // next request waits until the average since the start is back within the budget.
    const earliest = this.startedAt + ((this.requests - 1 - FAST_START_POLLS) / this.maxPerSecond) * 1000;
    return Math.max(Math.round(this.currentMs), Math.ceil(earliest - now));
  }
}
