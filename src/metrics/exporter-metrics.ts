import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { VaultCollector } from '../collect/vault-collector.js';
import type { Pair } from '../collect/snapshot.js';

const PAIR_LABELS = ['source', 'project_id', 'region'] as const;
type PairLabels = Record<(typeof PAIR_LABELS)[number], string>;

function labelsOf(pair: Pair): PairLabels {
  return { source: pair.source, project_id: pair.projectId, region: pair.region };
}

/**
 * prom-client 15 exposes these as gauges whose names end in _total, which `promtool check metrics`
 * rejects ("non-counter metrics should not have _total suffix"); the same facts stay available as
 * nodejs_active_handles / nodejs_active_requests / nodejs_active_resources.
 */
const REJECTED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Why the web endpoint turned something away (huaweicloud_vault_exporter_web_refused_total's reason label). */
export const WEB_REFUSAL_REASONS = ['unauthorized', 'auth_busy', 'rate_limit', 'reload_rate_limit', 'tls'] as const;
export type WebRefusalReason = (typeof WEB_REFUSAL_REASONS)[number];

export interface ExporterMetrics {
  registry: Registry;
  /** Counts one HTTP attempt: source is `cbr`, `hss`, or `iam` for token requests. */
  countRequest(labels: PairLabels, code: string): void;
  /** Records a config (re)load outcome. */
  configLoaded(ok: boolean): void;
  /** Counts a request or connection the web endpoint turned away before serving it. */
  countRefused(reason: WebRefusalReason): void;
  /** Records a --web.config.file (re)load outcome; the gauge exists only once there is a web config file. */
  webConfigLoaded(ok: boolean): void;
  /** Switches the collector whose state is reported (after a reload). */
  watch(collector: VaultCollector, refreshIntervalMs: number, maxStalenessMs: number): void;
  /** Grows whenever a reported fact changes (a request, a pair's status, a reload), so renderings can be reused until then. */
  version(): number;
}

/** The exporter's own metrics: live values, read from the collector at scrape time, rendered by prom-client. */
export function createExporterMetrics(version: string): ExporterMetrics {
  const registry = new Registry();
  let collector: VaultCollector | undefined;
  let intervalSeconds = 0;
  let stalenessSeconds = 0;
  let changes = 0;
  let webReloadOk: Gauge | undefined;
  const eachPair = (gauge: Gauge<string>, value: (status: ReturnType<VaultCollector['statuses']>[number]) => number | undefined) => {
    gauge.reset();
    for (const status of collector?.statuses() ?? []) {
      const v = value(status);
      if (v !== undefined) gauge.set(labelsOf(status.pair), v);
    }
  };
  const pairGauge = (name: string, help: string, value: Parameters<typeof eachPair>[1]) =>
    new Gauge({ name, help, labelNames: PAIR_LABELS, registers: [registry], collect() { eachPair(this, value); } });

  pairGauge('huaweicloud_vault_exporter_source_up', 'Whether the last refresh of this source for this project succeeded (1) or failed (0).', (s) => (s.up ? 1 : 0));
  pairGauge('huaweicloud_vault_exporter_last_success_timestamp_seconds', 'Unix time of the last successful refresh of this source for this project.', (s) =>
    s.lastSuccess === undefined ? undefined : s.lastSuccess / 1000,
  );
  pairGauge('huaweicloud_vault_exporter_refresh_duration_seconds', 'Duration of the last refresh attempt of this source for this project, in seconds.', (s) =>
    s.lastDurationMs === undefined ? undefined : s.lastDurationMs / 1000,
  );
  pairGauge('huaweicloud_vault_exporter_vaults', 'Vaults in the published snapshot of this source for this project (0 when none is served).', (s) => s.snapshot?.vaults.length ?? 0);
  pairGauge('huaweicloud_vault_exporter_unreachable_vaults', 'Vaults the API reports but its offset cap (HSS: 2,000,000) puts out of reach of paging.', (s) => s.unreachable);

  const requests = new Counter({
    name: 'huaweicloud_vault_exporter_api_requests_total',
    help: 'HTTP attempts to Huawei Cloud APIs by outcome: the HTTP status, or error, timeout, invalid_body.',
    labelNames: [...PAIR_LABELS, 'code'],
    registers: [registry],
  });
  const pairCounter = (name: string, help: string, read: (c: VaultCollector, key: string) => number) =>
    new Counter({
      name,
      help,
      labelNames: PAIR_LABELS,
      registers: [registry],
      collect() {
        this.reset();
        for (const status of collector?.statuses() ?? []) if (collector) this.inc(labelsOf(status.pair), read(collector, status.pair.key));
      },
    });
  pairCounter('huaweicloud_vault_exporter_invalid_fields_total', 'Fields of API vault records that were missing or not of the documented type; their series were left out.', (c, key) =>
    c.counters.invalidFields.get(key) ?? 0,
  );
  pairCounter('huaweicloud_vault_exporter_invalid_records_total', 'API vault records dropped because they had no usable vault id.', (c, key) => c.counters.invalidRecords.get(key) ?? 0);

  // A reload's collector shares the counters of the one it replaces, so these never go down.
  const refreshCounter = (name: string, help: string, read: (c: VaultCollector) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(collector ? read(collector) : 0);
      },
    });
  refreshCounter('huaweicloud_vault_exporter_refreshes_total', 'Refreshes started.', (c) => c.counters.refreshes);
  refreshCounter('huaweicloud_vault_exporter_refreshes_skipped_total', 'Scheduled refreshes skipped because the previous one was still running.', (c) => c.counters.skippedRefreshes);

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
      next.onChange(() => {
        changes++;
      });
      collector = next;
      intervalSeconds = refreshIntervalMs / 1000;
      stalenessSeconds = maxStalenessMs / 1000;
    },
    version: () => changes,
  };
}
