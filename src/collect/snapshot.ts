import type { VaultOf } from '../cloud/vault-apis.js';
import type { ExtraLabelList } from '../config/label-list.js';
import type { Source } from '../config/sources.js';

/** One (target, source) pair: the unit that is refreshed, published and reported on. */
export interface Pair {
  /** `cbr/<project_id>/<region>`: unique per configured pair. */
  key: string;
  source: Source;
  projectId: string;
  region: string;
  endpoint: string;
  /** The target's `labels:`, by name: on every series of the pair. */
  labels: ExtraLabelList;
}

/**
 * The complete result of one successful listing of a pair, published whole or not at all.
 * Holds only what the metrics export, never the raw API records. It goes from the collector to the renderer;
 * statuses carry only its summary, so that they are small enough to pass between threads.
 */
export type VaultSnapshot = { [S in Source]: { id: number; pair: Pair; source: S; vaults: readonly VaultOf<S>[]; takenAt: number } }[Source];

/** What a status says of the snapshot it serves. */
export interface SnapshotSummary {
  /** Unique in the process: a new id is a new listing, whose series must be rendered. */
  readonly id: number;
  /** ms since epoch of the end of the refresh that took it. */
  readonly takenAt: number;
  /** Vaults in it. */
  readonly vaults: number;
}

export function summaryOf(snapshot: VaultSnapshot): SnapshotSummary {
  return { id: snapshot.id, takenAt: snapshot.takenAt, vaults: snapshot.vaults.length };
}

/**
 * What the exporter reports about a pair: its figures and the snapshot it serves. Plain data, never changed once
 * made: the collector makes a new one for every change, so that whoever holds one (in any thread) holds a
 * consistent picture.
 */
export interface PairStatus {
  readonly pair: Pair;
  /** The pair has finished at least one refresh attempt (readiness). */
  readonly attempted: boolean;
  readonly up: boolean;
  /** ms since epoch of the end of the last successful refresh; undefined before the first. */
  readonly lastSuccess?: number;
  /** Duration of the last refresh attempt, ms. */
  readonly lastDurationMs?: number;
  /** The snapshot served; dropped when older than max staleness. */
  readonly snapshot?: SnapshotSummary;
  /** Vaults past the API's offset cap in the last listing (HSS). */
  readonly unreachable: number;
  /** One-line reason of the last failure, for the landing page. */
  readonly lastError?: string;
  /** Fields of API records that were missing or mistyped, summed over every refresh of this pair. */
  readonly invalidFields: number;
  /** API records dropped for want of a usable id, summed over every refresh of this pair. */
  readonly invalidRecords: number;
  /** Contradictions between pages of listings that were still complete and were published, summed. */
  readonly listingInconsistencies: number;
}

export function pairKey(source: Source, projectId: string, region: string): string {
  return `${source}/${projectId}/${region}`;
}

/** A pair before its first refresh attempt. */
export function initialStatus(pair: Pair): PairStatus {
  return { pair, attempted: false, up: false, unreachable: 0, invalidFields: 0, invalidRecords: 0, listingInconsistencies: 0 };
}

export function sameLabels(a: ExtraLabelList, b: ExtraLabelList): boolean {
  return a.length === b.length && a.every(([name, value], i) => b[i]?.[0] === name && b[i]?.[1] === value);
}

/** `status` carried to a reloaded config's pair: the same key and endpoint, so the same API listing. */
export function carriedStatus(status: PairStatus | undefined, pair: Pair): PairStatus {
  if (status === undefined || status.pair.endpoint !== pair.endpoint) return initialStatus(pair);
  return { ...status, pair };
}
