import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DiscoveryStatus } from '../../src/collect/discovery-loop.js';
import { validateConfig } from '../../src/config/load.js';
import { createExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { PAIR_FIGURES } from '../../src/metrics/pair-figures.js';
import { parseExposition } from '../helpers/parse-exposition.js';

const entries = validateConfig({ auth: { token: 't' }, discover: [{ labels: { account: 'prod' } }, { interval: '10m' }] }, 'x').discover;
const found = (n: number) => ({ targets: Array.from({ length: n }, () => ({}) as never), skipped: [{ project: { id: 'm', name: 'MOS', enabled: true }, reason: 'not_region' as const }] });

async function rendered(discoveries: DiscoveryStatus[]) {
  const metrics = createExporterMetrics('test');
  metrics.watchTargets(() => ({
    shard: { index: 1, total: 3 },
    all: { static: 2, discovered: 10 },
    served: { static: 1, discovered: 3 },
    discoveries,
    counters: new Map([[0, { runs: 4, failures: 1 }]]),
  }));
  return { text: await metrics.registry.metrics(), samples: parseExposition(await metrics.registry.metrics()) };
}

describe("the exporter's own series about targets, shards and discoveries", () => {
  it('say which shard this is, what it serves of all, and how each discover entry fares, with its labels', async () => {
    const up: DiscoveryStatus = { entry: entries[0]!, iam: 'https://iam/v3/projects', attempted: true, up: false, lastSuccess: 1_700_000_000_000, lastDurationMs: 250, lastError: 'x', found: found(7), invalidRecords: 0 };
    const pending: DiscoveryStatus = { entry: entries[1]!, iam: 'https://iam/v3/projects', attempted: false, up: false, found: found(0), invalidRecords: 0 };
    const { samples } = await rendered([up, pending]);
    const get = (name: string) => samples.filter((s) => s.name === name).map((s) => [s.labels, s.value]);
    expect(get('huaweicloud_vault_exporter_shard_index')).toEqual([[{}, 1]]);
    expect(get('huaweicloud_vault_exporter_shards')).toEqual([[{}, 3]]);
    expect(get('huaweicloud_vault_exporter_targets')).toEqual([[{ origin: 'static' }, 1], [{ origin: 'discovered' }, 3]]);
    expect(get('huaweicloud_vault_exporter_targets_all_shards')).toEqual([[{ origin: 'static' }, 2], [{ origin: 'discovered' }, 10]]);
    // The entry that never finished a discovery has no up, timestamp or targets yet: never a made-up 0.
    expect(get('huaweicloud_vault_exporter_discovery_up')).toEqual([[{ discovery: '0', account: 'prod' }, 0]]);
    expect(get('huaweicloud_vault_exporter_discovery_last_success_timestamp_seconds')).toEqual([[{ discovery: '0', account: 'prod' }, 1_700_000_000]]);
    expect(get('huaweicloud_vault_exporter_discovery_targets')).toEqual([[{ discovery: '0', account: 'prod' }, 7]]);
    expect(get('huaweicloud_vault_exporter_discovery_skipped_projects')).toEqual([
      [{ discovery: '0', account: 'prod', reason: 'disabled' }, 0],
      [{ discovery: '0', account: 'prod', reason: 'not_region' }, 1],
      [{ discovery: '0', account: 'prod', reason: 'excluded_region' }, 0],
    ]);
    expect(get('huaweicloud_vault_exporter_discovery_interval_seconds')).toEqual([[{ discovery: '0', account: 'prod' }, 3600], [{ discovery: '1' }, 600]]);
    expect(get('huaweicloud_vault_exporter_discovery_runs_total')).toEqual([[{ discovery: '0', account: 'prod' }, 4], [{ discovery: '1' }, 0]]);
    expect(get('huaweicloud_vault_exporter_discovery_failures_total')).toEqual([[{ discovery: '0', account: 'prod' }, 1], [{ discovery: '1' }, 0]]);
  });

  it('are each documented in docs/metrics.md, as are the pair figures', async () => {
    const docs = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
    const { text } = await rendered([{ entry: entries[0]!, iam: '', attempted: true, up: true, lastSuccess: 1, lastDurationMs: 1, found: found(1), invalidRecords: 0 }]);
    const families = [...text.matchAll(/^# TYPE (huaweicloud_vault_exporter_\w+) /gm)].map((m) => m[1]!);
    expect(families.length).toBeGreaterThan(15);
    const undocumented = [...families, ...PAIR_FIGURES.map((f) => f.name)].filter((name) => !docs.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
