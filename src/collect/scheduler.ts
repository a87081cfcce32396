import cron, { type ScheduledTask } from 'node-cron';
import type { VaultCollector } from './vault-collector.js';

/**
 * Runs a refresh at start (unless a reload carried every pair's state over) and then on the cron schedule.
 * A tick that finds the previous refresh still running is skipped (and counted by the collector). Stale
 * snapshots are expired between ticks too, so a source that died just after a tick does not outlive max
 * staleness by a whole interval.
 */
export class RefreshScheduler {
  private task: ScheduledTask | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly collector: VaultCollector,
    private readonly schedule: string,
    private readonly expiryCheckMs: number,
    /** Told when a refresh starts and when it has finished (publication follows it). */
    private readonly hooks: { started?(): void; finished?(): void } = {},
  ) {}

  /** A refresh now, as a tick would start it (false when one is still running). */
  refreshNow(): { started: boolean; done: Promise<void> } {
    const refresh = this.collector.refresh(this.stop.signal);
    if (refresh.started) {
      this.hooks.started?.();
      void refresh.done.then(() => this.hooks.finished?.());
    }
    return refresh;
  }

  private run(): Promise<void> {
    return this.refreshNow().done;
  }

  /** Starts the schedule; returns the first refresh, which runs at once unless `atOnce` is false. */
  start(atOnce = true): Promise<void> {
    this.task = cron.createTask(this.schedule, () => {
      void this.run();
    });
    void this.task.start();
    this.expiry = setInterval(() => this.collector.expireStale(), this.expiryCheckMs);
    this.expiry.unref();
    return atOnce ? this.run() : Promise.resolve();
  }

  /** Stops scheduling and aborts a running refresh; resolves when it has wound down. */
  async shutdown(): Promise<void> {
    if (this.expiry) clearInterval(this.expiry);
    if (this.task) await this.task.destroy();
    this.stop.abort(new Error('the refresh schedule stopped (shutdown or config reload)'));
    await this.collector.whenIdle();
  }
}
