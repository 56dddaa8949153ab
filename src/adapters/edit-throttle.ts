/**
 * Progress edits of one chat message, paced for the platform's rate limit: at most one edit per
 * interval and one in flight, the first at once and the latest after that (a retry notice that
 * arrives right after a lock timeout is shown, not lost), and none after `close()`, so the
 * final answer, sent after close, is never overwritten by a late progress edit.
 */
export class EditThrottle<T> {
  private pending: { value: T } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly send: (value: T) => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  push(value: T): void {
    if (this.closed) return;
    this.pending = { value };
    if (this.timer) return;
    // Edits queue on `chain`, so one scheduled while another is in flight waits for it.
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Stops further edits and waits for the one in flight. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.chain;
  }

  private flush(): void {
    this.timer = undefined;
    const next = this.pending;
    this.pending = undefined;
    if (!next || this.closed) return;
    this.chain = this.chain
      .then(async () => {
        // Paced from when the edit goes out, so a slow platform is not sent a burst after it recovers.
        this.lastSentAt = Date.now();
        if (!this.closed) await this.send(next.value);
      })
      // Edits are best effort: the send logs its own failures, and the final answer follows anyway.
      .catch(() => undefined);
  }
}
