/** Messages between bench/run.ts and the exporter child (bench/exporter-process.ts), over the fork IPC channel. */

import type { PerSource } from '../src/config/sources.js';

/** What the exporter child is started with (argv[2], as JSON). */
export interface ExporterChildOptions {
  simUrl: string;
  projectId: string;
  region: string;
  /** refresh.concurrency: requests in flight per API host. */
  concurrency: number;
  token: string;
  /** monitorEventLoopDelay resolution, ms. */
  delayResolutionMs: number;
}

export type ExporterCommand =
  /** Start the daemon; answer once its start-up refresh is listed and published. Both measure as RefreshReport says. */
  | { cmd: 'start' }
  /** Run one more refresh and answer once it is listed and published. */
  | { cmd: 'refresh' }
  /** Fetch the exporter's gzip body once and serve those bytes from a bare node:http server. */
  | { cmd: 'bare' }
  /** Close the bare server and drop its bytes: the RSS measured after is the exporter's own. */
  | { cmd: 'bare-stop' };

export interface RefreshReport {
  /** Listing wall time: the longest pair's duration (both pairs start together). */
  listedMs: number;
  /** From the refresh's start until the new body is composed and compressed (what scrapes then get). */
  publishedMs: number;
  vaults: PerSource<number>;
  /** Vault series in the published body, its plain size and its pre-compressed (gzip head) size. */
  series: number;
  plainBytes: number;
  gzipBytes: number;
  /** process.memoryUsage.rss() a second after publication. */
  rssBytes: number;
  /** process.resourceUsage().maxRSS so far. */
  peakRssBytes: number;
  /** Where the RSS is: the main thread's V8 heap in use, and Buffers (off-heap). */
  heapUsedBytes: number;
  arrayBuffersBytes: number;
  /** The refresh worker's heap gauges (huaweicloud_vault_exporter_refresh_worker_*), read with the rest. */
  workerHeapUsedBytes: number;
  workerHeapSizeBytes: number;
  workerExternalBytes: number;
  /** Largest event-loop delay from the refresh's start until published. */
  maxDelayMs: number;
}

export type ExporterReply =
  | { type: 'started'; url: string; refresh: RefreshReport }
  | { type: 'refreshed'; refresh: RefreshReport }
  | { type: 'bare'; url: string; bytes: number }
  | { type: 'bare-stopped' }
  | { type: 'error'; message: string };

/** The naive baseline child (bench/naive-process.ts). */
export type NaiveReply =
  | { type: 'listening'; url: string; series: number }
  | { type: 'stats'; scrapes: number; meanMetricsMs: number; maxMetricsMs: number; plainBytes: number; gzipBytes: number }
  | { type: 'error'; message: string };

/** The bare client child (bench/bare-client-process.ts). */
export interface BareClientOptions {
  simUrl: string;
  projectId: string;
  cbrVaults: number;
  hssVaults: number;
  concurrency: number;
  token: string;
}

export type BareClientReply = { type: 'listed'; ms: number } | { type: 'error'; message: string };

/** The health probe child (bench/probe-process.ts). */
export type ProbeReply =
  | { type: 'probed'; probes: number; failures: number; maxMs: number; p99Ms: number; p50Ms: number }
  | { type: 'error'; message: string };
