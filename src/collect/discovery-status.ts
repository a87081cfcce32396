import type { RefusalRecord } from '../cloud/refusal-backoff.js';
import type { DiscoveredProject, DiscoveredTargets, DiscoverEntry } from '../config/discover.js';

/** What one discover entry shows: plain data, never changed once made (as PairStatus). */
export interface DiscoveryStatus {
  readonly entry: DiscoverEntry;
  /** IAM's host and path it asks. */
  readonly iam: string;
  readonly attempted: boolean;
  readonly up: boolean;
  /** ms since epoch of the end of the last successful discovery. */
  readonly lastSuccess?: number;
  readonly lastDurationMs?: number;
  readonly lastError?: string;
  /** What the last successful discovery found: the targets the exporter keeps serving while later ones fail. */
  readonly found: DiscoveredTargets;
  /** Records of the last list without a usable id, name or enabled flag. */
  readonly invalidRecords: number;
}

export interface CarriedList {
  projects: readonly DiscoveredProject[];
  lastSuccess: number;
  lastRun: number;
  invalidRecords: number;
  /** The last attempt failed (its list is the last good one's). */
  lastError?: string;
}

/** Counters that only grow, by entry index; owned by the daemon so that reloads keep them. */
export type DiscoveryCounters = Map<number, { runs: number; failures: number }>;

/**
 * What a loop hands to the loop of a reloaded config, by what the list depends on (IAM's host, the form, the
 * credentials): an entry whose account and credentials did not change keeps its list, even with other region lists,
 * sources or labels, and is not asked again before its interval is up. Refusal records, as a runtime's.
 */
export interface DiscoveryHandover {
  lists: ReadonlyMap<string, CarriedList>;
  holds: ReadonlyMap<string, { fingerprint: string; record: RefusalRecord }>;
}
