/**
 * Watches a run for progress: a new status, step, message or text. A run that shows none for
 * `limitMs` (a poll that answers `in_progress` unchanged forever, a stream that sends only
 * keep-alives, a status nobody knows) is reported once through `onStall`. A wait the run itself
 * announced (a retry told by the server, however long) counts as progress until it ends.
 */
export class ProgressWatch {
  /** The run was given up for showing no progress. */
  stalled = false;
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly limitMs: number,
    private readonly now: () => number,
    private readonly onStall: () => void,
  ) {}

  start(): void {
    this.last = this.now();
    this.arm(this.limitMs);
  }

  /** The run moved on; `untilMs` later when it waits that long by its own account. */
  progressed(untilMs = 0): void {
    this.last = Math.max(this.last, this.now() + untilMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  /** One timer at a time, set again only when it runs out: progress costs no timer. */
  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      const quiet = this.now() - this.last;
      if (quiet < this.limitMs) {
        this.arm(this.limitMs - quiet);
        return;
      }
      this.stalled = true;
      this.onStall();
    }, ms);
  }
}

/** "30 min", "2 h", "45 s", "400 ms": how long a run showed no progress. */
export function formatQuiet(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}
