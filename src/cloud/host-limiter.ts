import { sleep } from './retry.js';

/**
 * Bounds requests in flight per API host, shared by every (target, source) pair that talks to it,
 * so that many projects on one endpoint do not burst into its rate limit. After a 429 the host is
 * paused: no request to it starts until the pause is over (a 429 is not a reason to send more).
 */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    readonly perHost: number,
    private readonly now: () => number = Date.now,
  ) {}

  async run<T>(host: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.whilePaused(host, signal);
    await this.acquire(host);
    try {
      // The pause may have begun while this request waited for its slot.
      await this.whilePaused(host, signal);
      return await task();
    } finally {
      this.release(host);
    }
  }

  /** Holds every request to `host` back until `untilMs` (epoch ms); a longer pause already set stays. */
  pause(host: string, untilMs: number): void {
    if (untilMs > (this.pausedUntil.get(host) ?? 0)) this.pausedUntil.set(host, untilMs);
  }

  private async whilePaused(host: string, signal?: AbortSignal): Promise<void> {
    for (let until = this.pausedUntil.get(host) ?? 0; until > this.now(); until = this.pausedUntil.get(host) ?? 0) {
      await sleep(until - this.now(), signal);
    }
    this.pausedUntil.delete(host);
  }

  private acquire(host: string): Promise<void> {
    const inFlight = this.active.get(host) ?? 0;
    if (inFlight < this.perHost) {
      this.active.set(host, inFlight + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(host) ?? [];
      queue.push(resolve);
      this.waiting.set(host, queue);
    });
  }

  private release(host: string): void {
    const next = this.waiting.get(host)?.shift();
    if (next) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    const inFlight = (this.active.get(host) ?? 1) - 1;
    if (inFlight === 0) this.active.delete(host);
    else this.active.set(host, inFlight);
  }
}
