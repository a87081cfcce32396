import type { DiscoveryCounters, DiscoveryStatus } from '../collect/discovery-status.js';
import { SKIP_REASONS } from '../config/discover.js';
import { NO_SHARD, type Shard } from '../config/shard.js';
import type { TargetCounts } from '../config/target-list.js';
import type { Registry } from 'prom-client';
import { registerFamily, type LabelledSample } from './labelled-family.js';

/** What the target list, the shard and each discover entry look like now. */
export interface TargetReport {
  shard: Shard;
  /** `all`: before sharding (every replica's); `served`: this replica's. */
  all: TargetCounts;
  served: TargetCounts;
  discoveries: readonly DiscoveryStatus[];
  counters: DiscoveryCounters;
}

export const EMPTY_TARGET_REPORT: TargetReport = {
  shard: NO_SHARD,
  all: { static: 0, discovered: 0 },
  served: { static: 0, discovered: 0 },
  discoveries: [],
  counters: new Map(),
};

type Family = { name: string; help: string; type: 'gauge' | 'counter'; samples: (report: TargetReport) => LabelledSample[] };

const byOrigin = (counts: TargetCounts): LabelledSample[] => [
  { labels: { origin: 'static' }, value: counts.static },
  { labels: { origin: 'discovered' }, value: counts.discovered },
];

/** A discover entry's labels: its index, then its `labels:` (also on the targets it found). */
const entryLabels = (status: DiscoveryStatus) => ({ discovery: String(status.entry.index), ...status.entry.settings.labels });

/** One sample per entry; an entry without a value yet is left out (never a made-up 0). */
function perEntry(value: (status: DiscoveryStatus, report: TargetReport) => number | undefined) {
  return (report: TargetReport): LabelledSample[] =>
    report.discoveries.flatMap((status) => {
      const v = value(status, report);
      return v === undefined ? [] : [{ labels: entryLabels(status), value: v }];
    });
}

/** The exporter's own families about its targets, shard and discoveries. Names and labels are a public contract. */
const FAMILIES: readonly Family[] = [
  { name: 'huaweicloud_vault_exporter_shard_index', help: 'This replica\'s shard (--shard=INDEX/COUNT, 0-based); 0 when unsharded.', type: 'gauge', samples: (r) => [{ labels: {}, value: r.shard.index }] },
  { name: 'huaweicloud_vault_exporter_shards', help: 'Replicas the targets are split between (--shard=INDEX/COUNT); 1 when unsharded.', type: 'gauge', samples: (r) => [{ labels: {}, value: r.shard.total }] },
  { name: 'huaweicloud_vault_exporter_targets', help: 'Targets this replica serves (its shard\'s), by origin: static (targets:) or discovered.', type: 'gauge', samples: (r) => byOrigin(r.served) },
  { name: 'huaweicloud_vault_exporter_targets_all_shards', help: 'Targets of every shard together (the whole list before sharding), by origin.', type: 'gauge', samples: (r) => byOrigin(r.all) },
  {
    name: 'huaweicloud_vault_exporter_discovery_up',
    help: 'Whether the last discovery of this discover entry succeeded (1) or failed (0; its last good targets stay).',
    type: 'gauge',
    samples: perEntry((s) => (s.attempted ? (s.up ? 1 : 0) : undefined)),
  },
  {
    name: 'huaweicloud_vault_exporter_discovery_last_success_timestamp_seconds',
    help: 'Unix time of the last successful discovery of this discover entry.',
    type: 'gauge',
    samples: perEntry((s) => (s.lastSuccess === undefined ? undefined : s.lastSuccess / 1000)),
  },
  {
    name: 'huaweicloud_vault_exporter_discovery_duration_seconds',
    help: 'Duration of the last discovery attempt of this discover entry, in seconds.',
    type: 'gauge',
    samples: perEntry((s) => (s.lastDurationMs === undefined ? undefined : s.lastDurationMs / 1000)),
  },
  {
    name: 'huaweicloud_vault_exporter_discovery_interval_seconds',
    help: 'How often this discover entry asks IAM for its projects (interval:), in seconds.',
    type: 'gauge',
    samples: perEntry((s) => s.entry.intervalMs / 1000),
  },
  {
    name: 'huaweicloud_vault_exporter_discovery_targets',
    help: 'Targets the last good discovery of this entry found, before sharding and before leaving out projects listed elsewhere.',
    type: 'gauge',
    samples: perEntry((s) => (s.lastSuccess === undefined ? undefined : s.found.targets.length)),
  },
  {
    name: 'huaweicloud_vault_exporter_discovery_skipped_projects',
    help: `Projects of the last good discovery that are no target, by reason: ${SKIP_REASONS.join(', ')}.`,
    type: 'gauge',
    samples: (r) =>
      r.discoveries.flatMap((s) =>
        s.lastSuccess === undefined ? [] : SKIP_REASONS.map((reason) => ({ labels: { ...entryLabels(s), reason }, value: s.found.skipped.filter((k) => k.reason === reason).length })),
      ),
  },
  {
    name: 'huaweicloud_vault_exporter_discovery_runs_total',
    help: 'Discoveries started for this discover entry.',
    type: 'counter',
    samples: perEntry((s, r) => r.counters.get(s.entry.index)?.runs ?? 0),
  },
  {
    name: 'huaweicloud_vault_exporter_discovery_failures_total',
    help: 'Discoveries of this discover entry that failed (the targets of the last good one were kept).',
    type: 'counter',
    samples: perEntry((s, r) => r.counters.get(s.entry.index)?.failures ?? 0),
  },
];

/** Registers the families; each rendering reads `report()`. */
export function registerTargetMetrics(registry: Registry, report: () => TargetReport): void {
  for (const family of FAMILIES) registerFamily(registry, family.name, family.help, family.type, () => family.samples(report()));
}
