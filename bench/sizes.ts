/** The fleets measured, and the targets (issue #15) that depend on the size. */
export interface Size {
  /** For --sizes. */
  key: string;
  label: string;
  projectId: string;
  cbrVaults: number;
  hssVaults: number;
  /** Largest answer time of the health probe during a refresh under scrapes. */
  maxProbeMs: number;
  /** RSS after a refresh, and its peak, worker threads included. */
  maxRssBytes: number;
  /** /metrics throughput is measured against this size (and the naive baseline built for it). */
  scrapeBench: boolean;
  /** Refreshes more, after the others, in which RSS must not grow (--soak overrides). */
  soakRefreshes: number;
}

export const SIZES: readonly Size[] = [
  { key: '10k', label: '10,000 CBR + 2,000 HSS', projectId: 'bench-10k', cbrVaults: 10_000, hssVaults: 2_000, maxProbeMs: 20, maxRssBytes: 150e6, scrapeBench: true, soakRefreshes: 20 },
  { key: '100k', label: '100,000 CBR + 20,000 HSS', projectId: 'bench-100k', cbrVaults: 100_000, hssVaults: 20_000, maxProbeMs: 50, maxRssBytes: 400e6, scrapeBench: false, soakRefreshes: 0 },
];

export const TOKEN = 'bench-token';
export const REGION = 'ap-southeast-1';
/** The issue states the refresh target at this latency, with at least this many requests in flight. */
export const TARGET_LATENCY_MS = 100;
export const TARGET_MIN_CONCURRENCY = 4;
/** Refresh listing time against the bare client's, at most. */
export const REFRESH_RATIO_TARGET = 1.15;
/** /metrics requests per second against the bare server's, at least; and its p99 against the bare p99, at most. */
export const THROUGHPUT_RATIO_TARGET = 0.9;
export const P99_RATIO_TARGET = 2;
/** Soak: RSS after its last refreshes (median of this many) against after its first, at most this much higher. */
export const SOAK_WINDOW = 5;
export const SOAK_GROWTH_BYTES = 5e6;
/** The health probe against the idle exporter: how long it runs. */
export const IDLE_PROBE_MS = 3000;
export const METRICS_CLIENTS = 10;
/** Bounds every wait for a child: a 100,000-vault refresh takes seconds, never minutes. */
export const CHILD_TIMEOUT_MS = 300_000;
