/**
 * Requests from a webview to the host, answered by a message with the same `requestId`. Every
 * request times out, so a host that never answers leaves a sentence, not a spinner forever.
 */
export class PendingRequests<Reply> {
  private readonly pending = new Map<string, { resolve(reply: Reply): void; reject(error: Error): void; timer: number }>();
  private counter = 0;

  constructor(private readonly timeoutMs: number) {}

  /** Sends a request through `send` with a fresh id; resolves with the reply, rejects after the timeout. */
  start(send: (requestId: string) => void): Promise<Reply> {
    const requestId = `r${Date.now().toString(36)}-${++this.counter}`;
    return new Promise<Reply>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error('The extension did not answer in time. Try again.'));
      }, this.timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      send(requestId);
    });
  }

  /** Settles the request the reply answers; false when it is unknown or timed out already. */
  settle(requestId: string, reply: Reply): boolean {
    const entry = this.pending.get(requestId);
    if (!entry) return false;
    this.pending.delete(requestId);
    window.clearTimeout(entry.timer);
    entry.resolve(reply);
    return true;
  }
}
