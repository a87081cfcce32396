/**
 * A token bucket as Go's golang.org/x/time/rate has it (what exporter-toolkit's `rate_limit` uses): one token
 * every `intervalMs`, at most `burst` saved up, starting full. A burst of 0 refuses everything, as in Go.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly intervalMs: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token if one is there. */
  take(): boolean {
    const time = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (time - this.last) / this.intervalMs);
    this.last = time;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whole seconds until the next token (for Retry-After), at least 1. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) * this.intervalMs) / 1000));
  }
}
