import { describe, expect, it } from 'vitest';
import { parseCbrVault, type CbrVault } from '../../src/cloud/cbr-vault.js';
import { initialStatus, type PairStatus } from '../../src/collect/snapshot.js';
import { packUnit, unpackUnit } from '../../src/daemon/unit-packing.js';
import { inflateBody } from '../../src/metrics/gzip-parts.js';
import { vaultFamilies } from '../../src/metrics/source-families.js';
import { VaultExposition } from '../../src/metrics/vault-exposition.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { inconsistencies, pairViews } from '../helpers/consistency.js';
import { baseFamilies, pairFor, publisher, silentLog, snapshotOf, statusOf } from '../helpers/exposition.js';

const pair = pairFor('cbr', 'p-exposition');
const vaults: CbrVault[] = generateFleet({ projectId: pair.projectId, cbrVaults: 1500, hssVaults: 0 }).cbr.map((r) => parseCbrVault(r).vault!);
const textOf = async (exposition: VaultExposition) => (await inflateBody(exposition.publication().body)).toString('utf8');

async function served() {
  const wired = publisher([initialStatus(pair)]);
  const listed = snapshotOf({ pair, source: 'cbr', vaults, takenAt: 1 });
  wired.renderer.update(statusOf(listed), listed);
  await wired.renderer.settled();
  return wired;
}

describe('VaultExposition', () => {
  it("publishes what a replaced config's exposition rendered at once, without rendering it again", async () => {
    const { exposition: old } = await served();
    const statuses: PairStatus[] = [...old.publication().statuses];
    const next = new VaultExposition(statuses, silentLog, baseFamilies, old.rendered());
    expect(await textOf(next)).toBe(await textOf(old));
    expect(next.publication().attempted).toBe(true);
  });

  it('shows a carried snapshot whose series it was not given as a pair that never refreshed', async () => {
    const { exposition: old } = await served();
    const next = new VaultExposition([...old.publication().statuses], silentLog, baseFamilies, new Map());
    const view = pairViews(await textOf(next)).get(pair.key);
    expect(view?.figures.get('vaults')).toBe(0);
    expect(view?.figures.get('source_up')).toBe(0);
    expect(view?.families.size).toBe(0);
  });

  it('keeps the series it has when a status names a snapshot whose series never came', async () => {
    const { exposition } = await served();
    const before = await textOf(exposition);
    const stray = snapshotOf({ pair, source: 'cbr', vaults: vaults.slice(0, 10), takenAt: 2 });
    exposition.publish({ status: statusOf(stray) });
    const view = pairViews(await textOf(exposition)).get(pair.key);
    expect(view?.figures.get('vaults')).toBe(1500);
    expect(view?.families.get('size_bytes')?.size).toBe(1500);
    expect(pairViews(before).get(pair.key)?.figures.get('vaults')).toBe(1500);
  });

  it('composes the body once per publication: scrapes between publications get the same one', async () => {
    const { exposition } = await served();
    const first = exposition.publication();
    expect(exposition.publication()).toBe(first);
    exposition.publish({ status: { ...first.statuses[0]!, up: false } });
    expect(exposition.publication()).not.toBe(first);
  });
});

describe('VaultExposition under an export: block', () => {
  const everything = { tags: ['env', 'team'], resources: true };

  it("takes over only renderings of the same family layout: under another export: a pair shows as new, until its series come", async () => {
    const cbrVaults = generateFleet({ projectId: pair.projectId, cbrVaults: 60, hssVaults: 0 }).cbr.map((r) => parseCbrVault(r, everything).vault!);
    const { exposition: old, renderer } = publisher([initialStatus(pair)]);
    const listed = snapshotOf({ pair, source: 'cbr', vaults: cbrVaults, takenAt: 1 });
    renderer.update(statusOf(listed), listed);
    await renderer.settled();
    // Rendered without tags and resources: not the series of a config that exports them.
    const next = new VaultExposition([...old.publication().statuses], silentLog, vaultFamilies(everything), old.rendered());
    expect(pairViews(await textOf(next)).get(pair.key)?.families.size).toBe(0);
    // Rendered with them: taken over as they are by a config of the same layout.
    const wired = publisher([initialStatus(pair)], vaultFamilies(everything));
    wired.renderer.update(statusOf(listed), listed);
    await wired.renderer.settled();
    const text = await wired.text();
    expect(text).toContain('huaweicloud_cbr_vault_tags{');
    expect(text).toContain('huaweicloud_cbr_vault_resource_backups{');
    expect(inconsistencies(text)).toEqual([]);
    const again = new VaultExposition([...wired.exposition.publication().statuses], silentLog, vaultFamilies({ tags: ['env', 'team'], resources: true }), wired.exposition.rendered());
    expect(await textOf(again)).toBe(text);
  });

  it("checks per-resource families by the resources they name and each vault's resource count", async () => {
    const exported = { tags: [], resources: true };
    const cbrVaults = generateFleet({ projectId: pair.projectId, cbrVaults: 40, hssVaults: 0 }).cbr.map((r) => parseCbrVault(r, exported).vault!);
    const { renderer, text: read } = publisher([initialStatus(pair)], vaultFamilies(exported));
    const listed = snapshotOf({ pair, source: 'cbr', vaults: cbrVaults, takenAt: 1 });
    renderer.update(statusOf(listed), listed);
    await renderer.settled();
    const text = await read();
    const view = pairViews(text).get(pair.key)!;
    expect(view.resources.get('resource_info')?.size).toBe(cbrVaults.reduce((n, v) => n + v.resources!, 0));
    expect(view.families.has('resource_info')).toBe(false);
    expect(inconsistencies(text)).toEqual([]);
    // A resource series gone from one family, or a vault missing one resource everywhere, is a contradiction.
    const lines = text.split('\n');
    const firstBackups = lines.findIndex((l) => l.startsWith('huaweicloud_cbr_vault_resource_backups{'));
    expect(inconsistencies(lines.filter((_, i) => i !== firstBackups).join('\n'))).toEqual([
      expect.stringMatching(/resource_backups has \d+ resources, resource_info has \d+/),
    ]);
    const resourceId = /resource_id="([^"]+)"/.exec(lines[firstBackups]!)![1]!;
    const problems = inconsistencies(lines.filter((l) => !l.includes(`resource_id="${resourceId}"`)).join('\n'));
    expect(problems).toEqual([expect.stringMatching(/has \d+ resources but \d+ resource series/)]);
  });

  it('frees, when a reload replaced it, the series the next exposition did not take over, and keeps the others', async () => {
    const other = pairFor('cbr', 'p-exposition-other');
    const old = new VaultExposition([initialStatus(pair), initialStatus(other)], silentLog, baseFamilies);
    const wired = publisher([]);
    // Units as they cross from the refresh worker, each with a hold of its buffers.
    wired.renderer.onUnit((unit) => {
      const { packed, transfer } = packUnit(unit);
      old.publish(unpackUnit(structuredClone(packed, { transfer })));
    });
    for (const [p, count] of [[pair, 20], [other, 30]] as const) {
      const listed = snapshotOf({ pair: p, source: 'cbr', vaults: vaults.slice(0, count), takenAt: 1 });
      wired.renderer.update(statusOf(listed), listed);
    }
    await wired.renderer.settled();
    const [kept, dropped] = old.publication().body.holds;
    expect([kept!.freed, dropped!.freed]).toEqual([false, false]);
    // The reloaded config has the first pair only.
    const next = new VaultExposition([old.publication().statuses[0]!], silentLog, baseFamilies, old.rendered());
    old.close();
    expect([kept!.freed, dropped!.freed]).toEqual([false, true]);
    expect(pairViews(await textOf(next)).get(pair.key)?.families.get('size_bytes')?.size).toBe(20);
  });
});
