/** Adaptive polling: fast while things change, backing off to a cap while nothing does. */
export interface PollOptions {
  /** First wait, and the wait after any change. */
  initialMs?: number;
  /** Longest wait while nothing changes. */
  maxMs?: number;
  /** Growth of the wait per unchanged poll. */
  factor?: number;
}

export const DEFAULT_POLL = { initialMs: 100, maxMs: 400, factor: 1.5 } as const;

export class PollSchedule {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private currentMs: number;

  constructor(options: PollOptions = {}) {
    this.initialMs = options.initialMs ?? DEFAULT_POLL.initialMs;
    this.maxMs = Math.max(this.initialMs, options.maxMs ?? DEFAULT_POLL.maxMs);
    this.factor = Math.max(1, options.factor ?? DEFAULT_POLL.factor);
    this.currentMs = this.initialMs;
  }

  /**
   * The wait before the next poll. A server hint (`openai-poll-after-ms`) is obeyed as given: the
   * server knows when it expects news better than our backoff does.
   */
  next(changed: boolean, serverHintMs?: number): number {
    this.currentMs = changed ? this.initialMs : Math.min(this.maxMs, this.currentMs * this.factor);
    return serverHintMs !== undefined && serverHintMs >= 0 ? serverHintMs : Math.round(this.currentMs);
  }
}
