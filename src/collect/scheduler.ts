import cron, { type ScheduledTask } from 'node-cron';
import { ShutdownError } from './shutdown.js';
import type { VaultCollector } from './vault-collector.js';

/**
 * Runs a refresh at start and then on the cron schedule. A tick that finds the previous refresh still
 * running is skipped (and counted by the collector). Stale snapshots are expired between ticks too,
 * so a source that died just after a tick does not outlive max staleness by a whole interval.
 */
export class RefreshScheduler {
  private task: ScheduledTask | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly collector: VaultCollector,
    private readonly schedule: string,
    private readonly expiryCheckMs: number,
    /** Runs after each refresh that started has finished (publication follows it). */
    private readonly afterRefresh: () => void = () => undefined,
  ) {}

  /** A refresh now, as a tick would start it (false when one is still running). */
  refreshNow(): { started: boolean; done: Promise<void> } {
    const refresh = this.collector.refresh(this.stop.signal);
    if (refresh.started) void refresh.done.then(this.afterRefresh);
    return refresh;
  }

  private run(): Promise<void> {
    return this.refreshNow().done;
  }

  /** Starts the schedule; returns the first refresh. */
  start(): Promise<void> {
    this.task = cron.createTask(this.schedule, () => {
      void this.run();
    });
    void this.task.start();
    this.expiry = setInterval(() => this.collector.expireStale(), this.expiryCheckMs);
    this.expiry.unref();
    return this.run();
  }

  /** Stops scheduling and aborts a running refresh; resolves when it has wound down. */
  async shutdown(): Promise<void> {
    if (this.expiry) clearInterval(this.expiry);
    if (this.task) await this.task.destroy();
    this.stop.abort(new ShutdownError());
    await this.collector.whenIdle();
  }
}
