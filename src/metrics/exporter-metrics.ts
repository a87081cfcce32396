import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { CollectorCounters } from '../collect/vault-collector.js';
import { LabelledCounter, registerFamily } from './labelled-family.js';
import { EMPTY_TARGET_REPORT, registerTargetMetrics, type TargetReport } from './target-metrics.js';

/** A request's labels: source (`cbr`, `hss`, `iam`), the pair's project_id and region or the discover entry's index, then `labels:`. */
type RequestLabels = Readonly<{ source: string } & Record<string, string>>;

/**
 * prom-client 15 exposes these as gauges whose names end in _total, which `promtool check metrics`
 * rejects ("non-counter metrics should not have _total suffix"); the same facts stay available as
 * nodejs_active_handles / nodejs_active_requests / nodejs_active_resources.
 */
const REJECTED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Why the web endpoint turned something away (huaweicloud_vault_exporter_web_refused_total's reason label). */
export const WEB_REFUSAL_REASONS = ['unauthorized', 'auth_busy', 'rate_limit', 'reload_rate_limit', 'tls'] as const;
export type WebRefusalReason = (typeof WEB_REFUSAL_REASONS)[number];

/** The refresh worker's V8 heap, bytes, as the worker reads it after starting and after each refresh's collection. */
export interface WorkerHeap {
  used: number;
  total: number;
  external: number;
  /** Collections the worker's heap growth bound made since its last report, and their seconds. */
  bounded: { collections: number; seconds: number };
}

export interface ExporterMetrics {
  registry: Registry;
  /** Counts one HTTP attempt: source is `cbr`, `hss`, or `iam` for token requests. */
  countRequest(labels: RequestLabels, code: string): void;
  /** Records a config (re)load outcome. */
  configLoaded(ok: boolean): void;
  /** Counts a refresh worker that died or hung and was replaced. */
  countWorkerRestart(): void;
  /** Reports the refresh worker's heap; its gauges exist once there is a worker (prom-client's nodejs_heap_* are the main thread's). */
  workerHeap(heap: WorkerHeap): void;
  /** Counts a request or connection the web endpoint turned away before serving it. */
  countRefused(reason: WebRefusalReason): void;
  /** Records a --web.config.file (re)load outcome; the gauge exists only once there is a web config file. */
  webConfigLoaded(ok: boolean): void;
  /** Switches the refresh settings and counters that are reported (after a reload). */
  watch(counters: CollectorCounters, refreshIntervalMs: number, maxStalenessMs: number): void;
  /** Reports the target list, the shard and the discoveries from `report` (call again after each change of them). */
  watchTargets(report: () => TargetReport): void;
  /** Grows whenever a reported fact changes (a request, a pair's status, a reload), so renderings can be reused until then. */
  version(): number;
}

/**
 * The exporter's own metrics that are not about one pair: live values rendered by prom-client at scrape time.
 * The figures about each pair are published with its vault series instead (see pair-figures.ts).
 */
export function createExporterMetrics(version: string): ExporterMetrics {
  const registry = new Registry();
  let counters: CollectorCounters | undefined;
  let intervalSeconds = 0;
  let stalenessSeconds = 0;
  let changes = 0;
  let webReloadOk: Gauge | undefined;
  let workerHeap: WorkerHeap | undefined;
  let targetReport: () => TargetReport = () => EMPTY_TARGET_REPORT;

  // Any labels: a target's `labels:` go on its requests too.
  const requests = new LabelledCounter();
  registerFamily(registry, 'huaweicloud_vault_exporter_api_requests_total', 'HTTP attempts to Huawei Cloud APIs by outcome: the HTTP status, or error, timeout, invalid_body.', 'counter', () =>
    requests.samples(),
  );
  // The daemon keeps one set of counters across reloads, so these never go down.
  const refreshCounter = (name: string, help: string, read: (c: CollectorCounters) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(counters ? read(counters) : 0);
      },
    });
  refreshCounter('huaweicloud_vault_exporter_refreshes_total', 'Refreshes started.', (c) => c.refreshes);
  refreshCounter('huaweicloud_vault_exporter_refreshes_skipped_total', 'Scheduled refreshes skipped because the previous one was still running.', (c) => c.skippedRefreshes);

  new Gauge({
    name: 'huaweicloud_vault_exporter_refresh_interval_seconds',
    help: 'Longest gap between two scheduled refreshes, in seconds (from the cron schedule).',
    registers: [registry],
    collect() { this.set(intervalSeconds); },
  });
  new Gauge({
    name: 'huaweicloud_vault_exporter_max_staleness_seconds',
    help: 'How long a failing source keeps serving its last snapshot, in seconds.',
    registers: [registry],
    collect() { this.set(stalenessSeconds); },
  });
  const boundCollections = new Counter({
    name: 'huaweicloud_vault_exporter_refresh_worker_bounded_collections_total',
    help: "Garbage collections the refresh worker made during refreshes because a refresh's garbage outgrew its bound.",
    registers: [registry],
  });
  const boundSeconds = new Counter({
    name: 'huaweicloud_vault_exporter_refresh_worker_bounded_collection_seconds_total',
    help: 'Seconds the refresh worker spent in those collections (its own pauses: no scrape waits for them).',
    registers: [registry],
  });
  const workerRestarts = new Counter({
    name: 'huaweicloud_vault_exporter_refresh_worker_restarts_total',
    help: 'Refresh worker threads that died or hung and were replaced (their refresh failed; the process went on).',
    registers: [registry],
  });
  const reloadOk = new Gauge({ name: 'huaweicloud_vault_exporter_config_last_reload_successful', help: 'Whether the last configuration (re)load succeeded.', registers: [registry] });
  const reloadTime = new Gauge({
    name: 'huaweicloud_vault_exporter_config_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful configuration (re)load.',
    registers: [registry],
  });
  new Gauge({ name: 'huaweicloud_vault_exporter_build_info', help: 'Build information; value is always 1.', labelNames: ['version', 'nodejs_version'], registers: [registry] })
    .set({ version, nodejs_version: process.version }, 1);

  const refused = new Counter({
    name: 'huaweicloud_vault_exporter_web_refused_total',
    help: `Requests or connections the web endpoint turned away, by reason: ${WEB_REFUSAL_REASONS.join(', ')}.`,
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of WEB_REFUSAL_REASONS) refused.inc({ reason }, 0);

  registerTargetMetrics(registry, () => targetReport());

  collectDefaultMetrics({ register: registry });
  for (const name of REJECTED_DEFAULTS) registry.removeSingleMetric(name);

  return {
    registry,
    countRequest(labels, code) {
      changes++;
      requests.inc({ ...labels, code });
    },
    countRefused(reason) {
      changes++;
      refused.inc({ reason });
    },
    workerHeap(heap) {
      changes++;
      if (!workerHeap) {
        const gauge = (name: string, help: string, read: (h: WorkerHeap) => number) =>
          new Gauge({ name, help, registers: [registry], collect() { if (workerHeap) this.set(read(workerHeap)); } });
        const after = 'after the worker started or its last refresh and garbage collection';
        gauge('huaweicloud_vault_exporter_refresh_worker_heap_used_bytes', `The refresh worker thread's V8 heap in use, ${after}.`, (h) => h.used);
        gauge('huaweicloud_vault_exporter_refresh_worker_heap_size_bytes', `The refresh worker thread's V8 heap size, ${after}.`, (h) => h.total);
        gauge('huaweicloud_vault_exporter_refresh_worker_external_memory_bytes', `Memory outside the refresh worker's V8 heap that its objects hold (buffers), ${after}.`, (h) => h.external);
      }
      workerHeap = { ...heap };
      boundCollections.inc(heap.bounded.collections);
      boundSeconds.inc(heap.bounded.seconds);
    },
    countWorkerRestart() {
      changes++;
      workerRestarts.inc();
    },
    configLoaded(ok) {
      changes++;
      reloadOk.set(ok ? 1 : 0);
      if (ok) reloadTime.set(Date.now() / 1000);
    },
    webConfigLoaded(ok) {
      changes++;
      webReloadOk ??= new Gauge({
        name: 'huaweicloud_vault_exporter_web_config_last_reload_successful',
        help: 'Whether the last change to --web.config.file (or a certificate it names) was applied.',
        registers: [registry],
      });
      webReloadOk.set(ok ? 1 : 0);
    },
    watch(next, refreshIntervalMs, maxStalenessMs) {
      changes++;
      counters = next;
      intervalSeconds = refreshIntervalMs / 1000;
      stalenessSeconds = maxStalenessMs / 1000;
    },
    watchTargets(report) {
      changes++;
      targetReport = report;
    },
    version: () => changes,
  };
}
