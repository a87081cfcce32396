/**
 * Bounds requests in flight per API host, shared by every (target, source) pair that talks to it,
 * so that many projects on one endpoint do not burst into its rate limit.
 */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly perHost: number) {}

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(host);
    try {
      return await task();
    } finally {
      this.release(host);
    }
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
