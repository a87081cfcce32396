import type { Logger } from 'pino';
import { startDeadline } from '../cloud/deadline.js';
import type { PairListing, PairSource } from './pair-source.js';
import { isShutdown } from './shutdown.js';
import type { PairStatus, VaultSnapshot } from './snapshot.js';

export interface CollectorOptions {
  sources: readonly PairSource[];
  /** Pairs listed at once. */
  parallelPairs: number;
  /** A whole refresh is abandoned after this long. */
  timeoutMs: number;
  /** A failed pair's last snapshot is served until it is this old. */
  maxStalenessMs: number;
  log: Logger;
  now?: () => number;
  /**
   * The collector this one replaces (config reload): pairs that stay keep their snapshot, and the counters
   * are shared, so that counts of the old one's last refresh land too and no counter goes down.
   */
  replaces?: VaultCollector;
}

/** Counters that only grow, for the exporter's own metrics. */
export interface CollectorCounters {
  refreshes: number;
  skippedRefreshes: number;
  invalidFields: Map<string, number>;
  invalidRecords: Map<string, number>;
  listingInconsistencies: Map<string, number>;
}

type Listener = (status: PairStatus) => void;

function snapshotOf(listing: PairListing, status: PairStatus, takenAt: number): VaultSnapshot {
  return listing.source === 'cbr'
    ? { pair: status.pair, source: 'cbr', vaults: listing.listing.vaults, takenAt }
    : { pair: status.pair, source: 'hss', vaults: listing.listing.vaults, takenAt };
}

/**
 * Refreshes every (target, source) pair and holds the last complete snapshot of each. A pair's new
 * snapshot replaces the old one only when its listing completed; a failure keeps the old one (up = 0)
 * until it is older than max staleness. Refreshes never overlap.
 */
export class VaultCollector {
  readonly counters: CollectorCounters;
  private readonly status: PairStatus[];
  private readonly listeners: Listener[] = [];
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: CollectorOptions) {
    this.now = options.now ?? Date.now;
    this.counters = options.replaces?.counters ?? { refreshes: 0, skippedRefreshes: 0, invalidFields: new Map(), invalidRecords: new Map(), listingInconsistencies: new Map() };
    const carried = new Map((options.replaces?.statuses() ?? []).map((status) => [status.pair.key, status]));
    this.status = options.sources.map((source) => {
      const old = carried.get(source.pair.key);
      const same = old !== undefined && old.pair.endpoint === source.pair.endpoint;
      return same ? { ...old, pair: source.pair } : { pair: source.pair, attempted: false, up: false, unreachable: 0 };
    });
  }

  statuses(): readonly PairStatus[] {
    return this.status;
  }

  /** Every pair has finished its first refresh attempt, successful or not. */
  ready(): boolean {
    return this.status.every((status) => status.attempted);
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
   * `stop` aborts the refresh (shutdown); the refresh's own deadline aborts it too.
   */
  refresh(stop?: AbortSignal): { started: boolean; done: Promise<void> } {
    if (this.running) {
      this.counters.skippedRefreshes++;
      this.options.log.warn('previous refresh still running; skipping this scheduled refresh');
      return { started: false, done: this.running };
    }
    this.counters.refreshes++;
    const deadline = startDeadline(this.options.timeoutMs, stop, 'refresh.timeout');
    this.running = this.refreshAll(deadline.signal).finally(() => {
      deadline.clear();
      this.running = undefined;
    });
    return { started: true, done: this.running };
  }

  /** Drops snapshots older than max staleness, so a dead source cannot look alive forever. */
  expireStale(): void {
    const oldest = this.now() - this.options.maxStalenessMs;
    for (const status of this.status) {
      if (status.snapshot && status.snapshot.takenAt < oldest) {
        this.options.log.warn({ pair: status.pair.key }, 'last snapshot is older than max staleness; its vault series are dropped');
        status.snapshot = undefined;
        this.emit(status);
      }
    }
  }

  private async refreshAll(signal: AbortSignal): Promise<void> {
    let next = 0;
    const sources = this.options.sources;
    const worker = async () => {
      while (next < sources.length) {
        const index = next++;
        await this.refreshPair(sources[index] as PairSource, this.status[index] as PairStatus, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.parallelPairs, sources.length) }, worker));
    this.expireStale();
  }

  private async refreshPair(source: PairSource, status: PairStatus, signal: AbortSignal): Promise<void> {
    const started = this.now();
    const log = this.options.log.child({ pair: source.pair.key });
    try {
      const listing = await source.list(signal);
      const { invalidFields, invalidRecords, unreachable, reportedTotal, inconsistencies } = listing.listing;
      status.snapshot = snapshotOf(listing, status, this.now());
      status.up = true;
      status.lastSuccess = status.snapshot.takenAt;
      status.unreachable = unreachable;
      status.lastError = undefined;
      this.add(this.counters.invalidFields, source.pair.key, invalidFields);
      this.add(this.counters.invalidRecords, source.pair.key, invalidRecords);
      this.add(this.counters.listingInconsistencies, source.pair.key, inconsistencies);
      if (inconsistencies > 0) {
        log.warn({ inconsistencies }, 'listing pages contradicted each other, but no vault is missing; published');
      }
      if (invalidFields > 0 || invalidRecords > 0) {
        log.warn({ invalid_fields: invalidFields, invalid_records: invalidRecords }, 'API records did not match the documented shape; affected series left out');
      }
      if (unreachable > 0) {
        log.warn({ reported_total: reportedTotal, unreachable }, 'more vaults than the API offset cap lets us page through; the rest are not exported');
      }
      log.info({ vaults: listing.listing.vaults.length, pages: listing.listing.pages, duration_ms: this.now() - started }, 'refresh complete');
    } catch (err) {
      status.up = false;
      status.lastError = signal.aborted && signal.reason instanceof Error ? `refresh aborted: ${signal.reason.message}` : (err as Error).message;
      if (isShutdown(signal.reason)) log.info({ err_msg: status.lastError }, 'refresh stopped by shutdown; keeping the previous snapshot');
      else log.error({ err_msg: status.lastError }, 'refresh failed; keeping the previous snapshot');
    } finally {
      status.attempted = true;
      status.lastDurationMs = this.now() - started;
      this.emit(status);
    }
  }

  private add(map: Map<string, number>, key: string, amount: number): void {
    map.set(key, (map.get(key) ?? 0) + amount);
  }

  private emit(status: PairStatus): void {
    for (const listener of this.listeners) listener(status);
  }
}
