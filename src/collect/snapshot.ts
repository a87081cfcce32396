import type { CbrVault } from '../cloud/cbr-vault.js';
import type { HssVault } from '../cloud/hss-vault.js';
import type { Source } from '../config/schema.js';

/** One (target, source) pair: the unit that is refreshed, published and reported on. */
export interface Pair {
  /** `cbr/<project_id>/<region>`: unique per configured pair. */
  key: string;
  source: Source;
  projectId: string;
  region: string;
  endpoint: string;
}

/**
 * The complete result of one successful listing of a pair, published whole or not at all.
 * Holds only what the metrics export, never the raw API records.
 */
export type VaultSnapshot =
  | { pair: Pair; source: 'cbr'; vaults: readonly CbrVault[]; takenAt: number }
  | { pair: Pair; source: 'hss'; vaults: readonly HssVault[]; takenAt: number };

/** What the exporter reports about a pair besides its vaults. */
export interface PairStatus {
  pair: Pair;
  /** The pair has finished at least one refresh attempt (readiness). */
  attempted: boolean;
  up: boolean;
  /** ms since epoch of the last successful refresh; undefined before the first. */
  lastSuccess?: number;
  /** Duration of the last refresh attempt, ms. */
  lastDurationMs?: number;
  /** The published snapshot; dropped when older than max staleness. */
  snapshot?: VaultSnapshot;
  /** Vaults past the API's offset cap in the last listing (HSS). */
  unreachable: number;
  /** One-line reason of the last failure, for the landing page. */
  lastError?: string;
}

export function pairKey(source: Source, projectId: string, region: string): string {
  return `${source}/${projectId}/${region}`;
}
