import { describe, expect, it } from 'vitest';
import { parseCbrVault, type CbrVault } from '../../src/cloud/cbr-vault.js';
import { initialStatus, type PairStatus } from '../../src/collect/snapshot.js';
import { inflateBody } from '../../src/metrics/gzip-parts.js';
import { VaultExposition } from '../../src/metrics/vault-exposition.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { pairViews } from '../helpers/consistency.js';
import { pairFor, publisher, silentLog, snapshotOf, statusOf } from '../helpers/exposition.js';

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
    const next = new VaultExposition(statuses, silentLog, old.rendered());
    expect(await textOf(next)).toBe(await textOf(old));
    expect(next.publication().attempted).toBe(true);
  });

  it('shows a carried snapshot whose series it was not given as a pair that never refreshed', async () => {
    const { exposition: old } = await served();
    const next = new VaultExposition([...old.publication().statuses], silentLog, new Map());
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
