/** The fleets measured, and the targets of issue #6 that depend on the size. */
export interface Size {
  /** For --sizes. */
  key: string;
  label: string;
  projectId: string;
  cbrVaults: number;
  hssVaults: number;
  maxDelayMs: number;
  maxRssBytes: number;
  /** /metrics throughput is measured against this size (and the naive baseline built for it). */
  scrapeBench: boolean;
}

export const SIZES: readonly Size[] = [
  { key: '10k', label: '10,000 CBR + 2,000 HSS', projectId: 'bench-10k', cbrVaults: 10_000, hssVaults: 2_000, maxDelayMs: 50, maxRssBytes: 200e6, scrapeBench: true },
  { key: '100k', label: '100,000 CBR + 20,000 HSS', projectId: 'bench-100k', cbrVaults: 100_000, hssVaults: 20_000, maxDelayMs: 200, maxRssBytes: 1e9, scrapeBench: false },
];

export const TOKEN = 'bench-token';
export const REGION = 'ap-southeast-1';
/** The issue states the refresh target at this latency, with at least this many requests in flight. */
export const TARGET_LATENCY_MS = 100;
export const TARGET_MIN_CONCURRENCY = 4;
export const REFRESH_RATIO_TARGET = 1.25;
export const THROUGHPUT_RATIO_TARGET = 0.75;
export const P99_TARGET_MS = 50;
export const METRICS_CLIENTS = 10;
/** Bounds every wait for a child: a 100,000-vault refresh takes seconds, never minutes. */
export const CHILD_TIMEOUT_MS = 300_000;
