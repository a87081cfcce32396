import type { Logger } from 'pino';
import { startDeadline } from '../cloud/deadline.js';
import type { ListablePair, PairListing } from './listable-pair.js';
import { carriedStatus, summaryOf, type PairStatus, type VaultSnapshot } from './snapshot.js';

export interface CollectorOptions {
  sources: readonly ListablePair[];
  /** Pairs listed at once. */
  parallelPairs: number;
  /** A whole refresh is abandoned after this long. */
  timeoutMs: number;
  /** A failed pair's last snapshot is served until it is this old. */
  maxStalenessMs: number;
  log: Logger;
  now?: () => number;
  /** What each pair showed under the config this one replaces (reload), by pair key: plain data, no objects of the old runtime. */
  carried?: ReadonlyMap<string, PairStatus>;
  /** Counters that outlive a reload; default: new ones. */
  counters?: CollectorCounters;
  /** Ids for new snapshots, unique in the process (across reloads); default 1, 2, 3 ... */
  nextSnapshotId?: () => number;
  /** Told after a counter grew. */
  onCount?: (counters: CollectorCounters) => void;
}

/** Counters that only grow, for the exporter's own metrics; owned by the daemon so that reloads keep them. */
export interface CollectorCounters {
  refreshes: number;
  skippedRefreshes: number;
}

export function newCounters(): CollectorCounters {
  return { refreshes: 0, skippedRefreshes: 0 };
}

/** Told every new status; `listed` is the snapshot a successful listing just took (its series are to be rendered). */
type Listener = (status: PairStatus, listed?: VaultSnapshot) => void;

function snapshotOf(id: number, listing: PairListing, status: PairStatus, takenAt: number): VaultSnapshot {
  // The same correlation as PairListing's: the vaults are the listing's, of its source.
  return { id, pair: status.pair, source: listing.source, vaults: listing.listing.vaults, takenAt } as VaultSnapshot;
}

/**
 * Refreshes every (target, source) pair and holds the last complete snapshot of each. A pair's new
 * snapshot replaces the old one only when its listing completed; a failure keeps the old one (up = 0)
 * until it is older than max staleness. Refreshes never overlap. Every change is a new PairStatus, told to
 * the listeners: the exposition publishes it once its series are rendered.
 */
export class VaultCollector {
  readonly counters: CollectorCounters;
  private readonly status: PairStatus[];
  /** Pairs whose listing is in flight: their staleness is judged when it ends. */
  private readonly listing = new Set<number>();
  private readonly listeners: Listener[] = [];
  private running: Promise<void> | undefined;
  private interrupted = false;
  private readonly now: () => number;
  private readonly nextSnapshotId: () => number;

  constructor(private readonly options: CollectorOptions) {
    this.now = options.now ?? Date.now;
    let serial = 0;
    this.nextSnapshotId = options.nextSnapshotId ?? (() => ++serial);
    this.counters = options.counters ?? newCounters();
    this.status = options.sources.map((source) => carriedStatus(options.carried?.get(source.pair.key), source.pair));
  }

  statuses(): readonly PairStatus[] {
    return this.status;
  }

  /** Every pair has finished its first refresh attempt, successful or not. */
  ready(): boolean {
    return this.status.every((status) => status.attempted);
  }

  /** The last refresh was stopped (shutdown, reload) before every pair finished: a successor should refresh at once. */
  wasInterrupted(): boolean {
    return this.interrupted;
  }

  /** Called whenever a pair's status or snapshot changes. */
  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Resolves when no refresh is running (shutdown and reload wait on it). */
  whenIdle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /**
   * Starts a refresh of every pair, or returns false (and counts a skip) when one is still running.
   * `stop` aborts the refresh (shutdown, reload) and leaves the unfinished pairs as they were; the refresh's
   * own deadline aborts it too, and fails the unfinished pairs.
   */
  refresh(stop?: AbortSignal): { started: boolean; done: Promise<void> } {
    if (this.running) {
      this.counters.skippedRefreshes++;
      this.options.onCount?.(this.counters);
      this.options.log.warn('previous refresh still running; skipping this scheduled refresh');
      return { started: false, done: this.running };
    }
    this.counters.refreshes++;
    this.options.onCount?.(this.counters);
    this.interrupted = false;
    const deadline = startDeadline(this.options.timeoutMs, stop, 'refresh.timeout');
    this.running = this.refreshAll(deadline.signal, stop).finally(() => {
      deadline.clear();
      this.running = undefined;
    });
    return { started: true, done: this.running };
  }

  /**
   * Drops snapshots older than max staleness, counted from the end of the refresh that took them, so a dead
   * source cannot look alive forever. A pair whose listing is in flight is judged when it ends.
   */
  expireStale(): void {
    const oldest = this.now() - this.options.maxStalenessMs;
    this.status.forEach((status, index) => {
      if (!status.snapshot || status.snapshot.takenAt >= oldest || this.listing.has(index)) return;
      this.options.log.warn({ pair: status.pair.key }, 'last snapshot is older than max staleness; its vault series are dropped');
      this.set(index, { ...status, snapshot: undefined });
    });
  }

  private async refreshAll(signal: AbortSignal, stop: AbortSignal | undefined): Promise<void> {
    let next = 0;
    const sources = this.options.sources;
    const worker = async () => {
      while (next < sources.length && !stop?.aborted) {
        const index = next++;
        await this.refreshPair(index, signal, stop);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.parallelPairs, sources.length) }, worker));
    if (stop?.aborted) this.interrupted = true;
    this.expireStale();
  }

  private async refreshPair(index: number, signal: AbortSignal, stop: AbortSignal | undefined): Promise<void> {
    const source = this.options.sources[index] as ListablePair;
    const started = this.now();
    const log = this.options.log.child({ pair: source.pair.key });
    this.listing.add(index);
    try {
      const listing = await source.list(signal);
      const { invalidFields, invalidRecords, unreachable, reportedTotal, inconsistencies } = listing.listing;
      const status = this.status[index] as PairStatus;
      const takenAt = this.now();
      const listed = snapshotOf(this.nextSnapshotId(), listing, status, takenAt);
      this.set(index, {
        pair: status.pair,
        attempted: true,
        up: true,
        lastSuccess: takenAt,
        lastDurationMs: takenAt - started,
        snapshot: summaryOf(listed),
        unreachable,
        invalidFields: status.invalidFields + invalidFields,
        invalidRecords: status.invalidRecords + invalidRecords,
        listingInconsistencies: status.listingInconsistencies + inconsistencies,
      }, listed);
      if (inconsistencies > 0) {
        log.warn({ inconsistencies }, 'listing pages contradicted each other, but no vault is missing; published');
      }
      if (invalidFields > 0 || invalidRecords > 0) {
        log.warn({ invalid_fields: invalidFields, invalid_records: invalidRecords }, 'API records did not match the documented shape; affected series left out');
      }
      if (unreachable > 0) {
        log.warn({ reported_total: reportedTotal, unreachable }, 'more vaults than the API offset cap lets us page through; the rest are not exported');
      }
      log.info({ vaults: listing.listing.vaults.length, pages: listing.listing.pages, duration_ms: takenAt - started }, 'refresh complete');
    } catch (err) {
      if (stop?.aborted) {
        // Shutdown or reload, not the pair's fault (and no error): it keeps what it showed, and a successor refreshes it.
        log.info({ reason: (stop.reason as Error | undefined)?.message }, 'refresh stopped before this pair finished; keeping what it showed');
        return;
      }
      const lastError = signal.aborted && signal.reason instanceof Error ? `refresh aborted: ${signal.reason.message}` : (err as Error).message;
      log.error({ err_msg: lastError }, 'refresh failed; keeping the previous snapshot');
      const status = this.status[index] as PairStatus;
      this.set(index, { ...status, attempted: true, up: false, lastError, lastDurationMs: this.now() - started });
    } finally {
      this.listing.delete(index);
    }
  }

  private set(index: number, status: PairStatus, listed?: VaultSnapshot): void {
    this.status[index] = status;
    for (const listener of this.listeners) listener(status, listed);
  }
}
