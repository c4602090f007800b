/** Exponential back-off for reconnecting to a daemon that went away (restarting, upgraded). */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 500,
    private readonly maxMs = 15_000,
  ) {}

  /** The next delay: initial, ×2 each failure, capped. */
  next(): number {
    const delay = Math.min(this.initialMs * 2 ** this.attempt, this.maxMs);
    this.attempt++;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
