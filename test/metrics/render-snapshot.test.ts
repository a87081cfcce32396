import { gunzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseCbrVault, type CbrVault } from '../../src/cloud/cbr-vault.js';
import { parseHssVault, type HssVault } from '../../src/cloud/hss-vault.js';
import type { VaultSnapshot } from '../../src/collect/snapshot.js';
import { CBR_FAMILIES } from '../../src/metrics/cbr-families.js';
import type { VaultFamily } from '../../src/metrics/family.js';
import { deflateHead, gzipWithTail } from '../../src/metrics/gzip-parts.js';
import { HSS_FAMILIES } from '../../src/metrics/hss-families.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { exposeSnapshots, pairFor } from '../helpers/exposition.js';

function parsed<T>(records: readonly unknown[], parse: (raw: unknown) => { vault: T | undefined }): T[] {
  return records.map((r) => parse(r).vault).filter((v): v is T => v !== undefined);
}

/** The same series registered in prom-client, family by family, pair by pair, vault by vault. */
function promClientText(snapshots: VaultSnapshot[]): Promise<string> {
  const registry = new Registry();
  const add = <T extends { id: string; name: string }>(families: readonly VaultFamily<T>[], source: 'cbr' | 'hss') => {
    for (const family of families) {
      const series: [Record<string, string>, number][] = [];
      for (const snapshot of snapshots.filter((s) => s.source === source)) {
        for (const vault of snapshot.vaults as readonly T[]) {
          for (const sample of family.samples(vault)) {
            const labels: Record<string, string> = { project_id: snapshot.pair.projectId, region: snapshot.pair.region, vault_id: vault.id, vault_name: vault.name };
            for (const [name, value] of sample.labels) labels[name] = value;
            series.push([labels, sample.value]);
          }
        }
      }
      const labelNames = [...new Set(series.flatMap(([labels]) => Object.keys(labels)))];
      const gauge = new Gauge({ name: family.name, help: family.help, labelNames, registers: [registry] });
      for (const [labels, value] of series) gauge.set(labels, value);
    }
  };
  add(CBR_FAMILIES, 'cbr');
  add(HSS_FAMILIES, 'hss');
  return registry.metrics();
}

describe('pre-rendered exposition', () => {
  it('is byte-identical to prom-client for the same series, escaping and odd values included', async () => {
    const fleets = [
      generateFleet({ projectId: 'p-one', cbrVaults: 40, hssVaults: 25, malformed: true }),
      generateFleet({ projectId: 'p-"two"\\', cbrVaults: 15, hssVaults: 12 }),
    ];
    const cbr: CbrVault[] = parsed(fleets[0]!.cbr, parseCbrVault);
    cbr.push({ ...cbr[0]!, id: 'line\nbreak', name: 'tab\there "q" \\ back\\slash\nnewline', sizeGb: 1.5e21 });
    const snapshots: VaultSnapshot[] = [
      { pair: pairFor('cbr', 'p-one'), source: 'cbr', vaults: cbr, takenAt: 0 },
      { pair: pairFor('hss', 'p-one'), source: 'hss', vaults: parsed<HssVault>(fleets[0]!.hss, parseHssVault), takenAt: 0 },
      { pair: pairFor('cbr', 'p-"two"\\', 'eu-west-101'), source: 'cbr', vaults: parsed(fleets[1]!.cbr, parseCbrVault), takenAt: 0 },
      { pair: pairFor('hss', 'p-"two"\\', 'eu-west-101'), source: 'hss', vaults: parsed<HssVault>(fleets[1]!.hss, parseHssVault), takenAt: 0 },
    ];
    const ours = await exposeSnapshots(snapshots);
    expect(ours.length).toBeGreaterThan(10_000);
    expect(ours).toContain('vault_name="tab\there \\"q\\" \\\\ back\\\\slash\\nnewline"');
    expect(ours).toBe(await promClientText(snapshots));
  });

  it('appends a live tail to the pre-compressed head as one valid gzip member', async () => {
    const head = [Buffer.from('# HELP a b\n'), Buffer.from('a{x="é"} 1\n'.repeat(5000))];
    const deflated = await deflateHead(head, 6);
    const tail = Buffer.from('\n# HELP live c\nlive 42\n');
    const body = Buffer.concat(gzipWithTail(deflated, tail));
    expect(gunzipSync(body).equals(Buffer.concat([...head, tail]))).toBe(true);
    expect(body.length).toBeLessThan(2000); // compressed, not stored
  });
});
