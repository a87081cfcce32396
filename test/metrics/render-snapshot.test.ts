import { crc32, gunzipSync } from 'node:zlib';
import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseCbrVault, type CbrVault } from '../../src/cloud/cbr-vault.js';
import { parseHssVault, type HssVault } from '../../src/cloud/hss-vault.js';
import { initialStatus, type PairStatus, type VaultSnapshot } from '../../src/collect/snapshot.js';
import type { VaultFamily } from '../../src/metrics/family.js';
import { deflateSegmentSync, gzipWithTail, inflateBody, joinSegments, SegmentWriter } from '../../src/metrics/gzip-parts.js';
import { PAIR_FIGURES, renderPairFigures } from '../../src/metrics/pair-figures.js';
import { renderSnapshot } from '../../src/metrics/render-snapshot.js';
import { SOURCE_FAMILIES, vaultFamilies, type VaultFamilies } from '../../src/metrics/source-families.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { exposeStatuses, pairFor, snapshotOf, statusOf } from '../helpers/exposition.js';

const EVERYTHING = { tags: ['env', 'team', 'cost-center', 'cost_center'], resources: true } as const;

function parsed<T>(records: readonly unknown[], parse: (raw: unknown) => { vault: T | undefined }): T[] {
  return records.map((r) => parse(r).vault).filter((v): v is T => v !== undefined);
}

/** The same series registered in prom-client, family by family, pair by pair, vault by vault, then the pair figures. */
function promClientText(snapshots: VaultSnapshot[], statuses: PairStatus[], families: VaultFamilies): Promise<string> {
  const registry = new Registry();
  const add = <T extends { id: string; name: string }>(families: readonly VaultFamily<T>[], source: 'cbr' | 'hss') => {
    for (const family of families) {
      const series: [Record<string, string>, number][] = [];
      for (const snapshot of snapshots.filter((s) => s.source === source)) {
        for (const vault of snapshot.vaults as unknown as readonly T[]) {
          for (const sample of family.samples(vault)) {
            const labels: Record<string, string> = { project_id: snapshot.pair.projectId, region: snapshot.pair.region, vault_id: vault.id, vault_name: vault.name };
            for (const [name, value] of [...snapshot.pair.labels, ...sample.labels]) labels[name] = value;
            series.push([labels, sample.value]);
          }
        }
      }
      // The identity labels always: a family without series then shows only its HELP and TYPE, as the exporter's.
      const labelNames = [...new Set(['project_id', 'region', 'vault_id', 'vault_name', ...series.flatMap(([labels]) => Object.keys(labels))])];
      const gauge = new Gauge({ name: family.name, help: family.help, labelNames, registers: [registry] });
      for (const [labels, value] of series) gauge.set(labels, value);
    }
  };
  add(families.cbr, 'cbr');
  add(families.hss, 'hss');
  for (const figure of PAIR_FIGURES) {
    const extra = [...new Set(statuses.flatMap((status) => status.pair.labels.map(([name]) => name)))];
    const options = { name: figure.name, help: figure.help, labelNames: ['source', 'project_id', 'region', ...extra], registers: [registry] };
    const metric = figure.type === 'counter' ? new Counter(options) : new Gauge(options);
    for (const { pair, ...status } of statuses) {
      const value = figure.value({ pair, ...status });
      const labels = { source: pair.source, project_id: pair.projectId, region: pair.region, ...Object.fromEntries(pair.labels) };
      if (value === undefined) continue;
      if (metric instanceof Counter) metric.inc(labels, value);
      else metric.set(labels, value);
    }
  }
  return registry.metrics();
}

/** A target's own labels, in output order (by name). */
const LABELS = [['account', 'prod "eu"'], ['team', 'backup']] as const;

describe('pre-rendered exposition', () => {
  it.each([
    ['without an export: block', {}],
    ['exporting tags (two keys on one label name) and resources', EVERYTHING],
  ] as const)("is byte-identical to prom-client for the same series, escaping, odd values and targets' own labels included, %s", async (_what, exported) => {
    const families = vaultFamilies({ tags: [], resources: false, ...exported });
    const parseCbr = (raw: unknown) => parseCbrVault(raw, { tags: [], resources: false, ...exported });
    const fleets = [
      generateFleet({ projectId: 'p-one', cbrVaults: 40, hssVaults: 25, malformed: true }),
      generateFleet({ projectId: 'p-"two"\\', cbrVaults: 15, hssVaults: 12 }),
    ];
    const cbr: CbrVault[] = parsed(fleets[0]!.cbr, parseCbr);
    cbr.push({ ...cbr[0]!, id: 'line\nbreak', name: 'tab\there "q" \\ back\\slash\nnewline', sizeGb: 1.5e21 });
    if ('resources' in exported && exported.resources) {
      const [resource] = cbr[1]!.boundResources!;
      cbr.push({ ...cbr[1]!, id: 'odd-resources', tagValues: ['a "b" \\', 'ü\n', '', 'x'], boundResources: [{ ...resource!, name: 'res "q" \\ \n' }] });
    }
    const snapshots: VaultSnapshot[] = [
      snapshotOf({ pair: pairFor('cbr', 'p-one'), source: 'cbr', vaults: cbr, takenAt: 0 }),
      snapshotOf({ pair: pairFor('hss', 'p-one'), source: 'hss', vaults: parsed<HssVault>(fleets[0]!.hss, parseHssVault), takenAt: 0 }),
      snapshotOf({ pair: pairFor('cbr', 'p-"two"\\', 'eu-west-101', LABELS), source: 'cbr', vaults: parsed(fleets[1]!.cbr, parseCbr), takenAt: 0 }),
      snapshotOf({ pair: pairFor('hss', 'p-"two"\\', 'eu-west-101', LABELS), source: 'hss', vaults: parsed<HssVault>(fleets[1]!.hss, parseHssVault), takenAt: 0 }),
    ];
    const statuses: PairStatus[] = snapshots.map(statusOf);
    // Pairs in every state the figures have: invalid counts, unreachable vaults, a failure, one never refreshed.
    statuses[1] = { ...statuses[1]!, invalidFields: 12, invalidRecords: 3, listingInconsistencies: 2, unreachable: 7, lastDurationMs: 1234 };
    statuses[2] = { ...statuses[2]!, up: false, lastError: 'HTTP 503', lastDurationMs: 5 };
    statuses.push(initialStatus(pairFor('cbr', 'p-three', 'af-south-1')));
    const ours = await exposeStatuses(statuses.map((status, i) => ({ status, listed: snapshots[i] })), families);
    expect(ours.length).toBeGreaterThan(10_000);
    expect(ours).toContain('vault_name="tab\there \\"q\\" \\\\ back\\\\slash\\nnewline"');
    expect(ours).toContain('huaweicloud_vault_exporter_invalid_fields_total{source="hss",project_id="p-one",region="ap-southeast-1"} 12');
    if ('resources' in exported && exported.resources) {
      expect(ours).toContain('tag_cost_center_2="cc-1024",tag_cost_center=""');
      expect(ours).toContain('resource_name="res \\"q\\" \\\\ \\n"');
      expect(ours).toMatch(/huaweicloud_cbr_vault_resource_backups\{[^}]*\} 0\n/);
    }
    expect(ours).toMatch(/^huaweicloud_cbr_vault_status\{project_id="p-\\"two\\"\\\\",region="eu-west-101",vault_id="[^"]+",vault_name="[^"]+",account="prod \\"eu\\"",team="backup",status="available"\} [01]$/m);
    expect(ours).toContain('huaweicloud_vault_exporter_source_up{source="cbr",project_id="p-\\"two\\"\\\\",region="eu-west-101",account="prod \\"eu\\"",team="backup"} 0');
    expect(ours).toBe(await promClientText(snapshots, statuses, families));
  });

  it('keeps each rendered segment in a buffer of its own, never a view into a larger one', async () => {
    // A view into zlib's output chunk or Node's 8 KiB pool would keep all of it: with thousands of small pairs,
    // most of the RSS. Small families are compressed at once, large ones streamed: both kinds are looked at.
    const fleet = generateFleet({ projectId: 'own', cbrVaults: 400, hssVaults: 12 });
    const small = snapshotOf({ pair: pairFor('cbr', 'own'), source: 'cbr', vaults: parsed(fleet.cbr.slice(0, 16), parseCbrVault), takenAt: 0 });
    const large = snapshotOf({ ...small, vaults: parsed(fleet.cbr, parseCbrVault) });
    const segments = [
      ...(await renderSnapshot(small, SOURCE_FAMILIES, 6)).families,
      ...(await renderSnapshot(large, SOURCE_FAMILIES, 6)).families,
      ...renderPairFigures(statusOf(small)).filter((segment) => segment !== undefined),
    ];
    expect(segments.length).toBeGreaterThan(15);
    expect(segments.filter((segment) => segment.deflated.byteLength !== segment.deflated.buffer.byteLength)).toEqual([]);
    expect(Math.max(...segments.map((segment) => segment.length))).toBeGreaterThan(1 << 16); // one was streamed
  });

  it('joins separately compressed segments and a live tail into one valid gzip member', async () => {
    const texts = [Buffer.from('# HELP a b\n'), Buffer.from('a{x="é"} 1\n'.repeat(5000)), Buffer.alloc(0), Buffer.from('b 2\n'.repeat(70_000))];
    const segments = [deflateSegmentSync(texts[0]!, 6)];
    for (const text of texts.slice(1)) {
      const writer = new SegmentWriter(6);
      await writer.write(text);
      segments.push(await writer.finish());
    }
    const body = joinSegments(segments);
    expect(body.crc).toBe(crc32(Buffer.concat(texts)));
    const tail = Buffer.from('\n# HELP live c\nlive 42\n');
    const gzip = Buffer.concat(gzipWithTail(body, tail));
    expect(gunzipSync(gzip).equals(Buffer.concat([...texts, tail]))).toBe(true);
    expect((await inflateBody(body)).equals(Buffer.concat(texts))).toBe(true);
    expect(gzip.length).toBeLessThan(3000); // compressed, not stored
  });
});
