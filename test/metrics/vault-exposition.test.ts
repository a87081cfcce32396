import { describe, expect, it } from 'vitest';
import { parseCbrVault, type CbrVault } from '../../src/cloud/cbr-vault.js';
import { initialStatus, type PairStatus, type VaultSnapshot } from '../../src/collect/snapshot.js';
import { inflateBody } from '../../src/metrics/gzip-parts.js';
import { VaultExposition } from '../../src/metrics/vault-exposition.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { inconsistencies, pairViews } from '../helpers/consistency.js';
import { pairFor, silentLog, statusOf } from '../helpers/exposition.js';

const pair = pairFor('cbr', 'p-exposition');
const allVaults: CbrVault[] = generateFleet({ projectId: pair.projectId, cbrVaults: 3000, hssVaults: 0 }).cbr.map((r) => parseCbrVault(r).vault!);

function snapshotOf(count: number, takenAt: number): VaultSnapshot {
  return { pair, source: 'cbr', vaults: allVaults.slice(0, count), takenAt };
}

async function textOf(exposition: VaultExposition): Promise<string> {
  return (await inflateBody(exposition.publication().body)).toString('utf8');
}

const vaultsShown = async (exposition: VaultExposition) => pairViews(await textOf(exposition)).get(pair.key)?.figures.get('vaults');

describe('VaultExposition', () => {
  it("shows a pair as it was until its new snapshot is rendered, then its figures and series at once", async () => {
    const exposition = new VaultExposition([initialStatus(pair)], silentLog);
    expect(exposition.publication().attempted).toBe(false);
    exposition.update(statusOf(snapshotOf(2000, 1)));
    // Not rendered yet: no source_up 1 without its series.
    const before = await textOf(exposition);
    expect(pairViews(before).get(pair.key)?.figures.get('source_up')).toBe(0);
    expect(pairViews(before).get(pair.key)?.families.size).toBe(0);
    expect(exposition.publication().attempted).toBe(false);
    await exposition.settled();
    const after = await textOf(exposition);
    expect(pairViews(after).get(pair.key)?.figures.get('source_up')).toBe(1);
    expect(pairViews(after).get(pair.key)?.families.get('size_bytes')?.size).toBe(2000);
    expect(inconsistencies(after)).toEqual([]);
    expect(exposition.publication().attempted).toBe(true);
  });

  it('publishes a failure that keeps the snapshot, and an expiry, without rendering anything', async () => {
    const exposition = new VaultExposition([statusOf(snapshotOf(100, 1))], silentLog);
    await exposition.settled();
    const served = exposition.publication().statuses[0]!;
    exposition.update({ ...served, up: false, lastError: 'HTTP 503' });
    expect(exposition.isIdle()).toBe(true);
    expect(pairViews(await textOf(exposition)).get(pair.key)?.figures.get('source_up')).toBe(0);
    expect(await vaultsShown(exposition)).toBe(100);
    exposition.update({ ...served, up: false, snapshot: undefined });
    expect(exposition.isIdle()).toBe(true);
    const text = await textOf(exposition);
    expect(pairViews(text).get(pair.key)?.figures.get('vaults')).toBe(0);
    expect(pairViews(text).get(pair.key)?.families.size).toBe(0);
  });

  it('keeps publishing while snapshots arrive faster than they render, each body consistent', async () => {
    const exposition = new VaultExposition([statusOf(snapshotOf(10, 0))], silentLog);
    await exposition.settled();
    const published = new Set<number>();
    let body = exposition.publication().body;
    // A new snapshot on every turn of the event loop, far faster than 3,000 vaults render: each rendering must
    // still finish and be published, not be thrown away for the newer one.
    for (let turn = 1; published.size < 3; turn++) {
      if (turn > 20_000) throw new Error(`only ${published.size} publications while snapshots kept coming`);
      exposition.update(statusOf(snapshotOf(2000 + (turn % 1000), turn)));
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = exposition.publication();
      if (now.body === body) continue;
      body = now.body;
      const takenAt = now.statuses[0]!.snapshot!.takenAt;
      if (takenAt > 0) published.add(takenAt);
      const text = (await inflateBody(body)).toString('utf8');
      expect(inconsistencies(text)).toEqual([]);
      expect(pairViews(text).get(pair.key)?.figures.get('vaults')).toBe(2000 + (takenAt % 1000));
    }
    expect(published.size).toBe(3);
  });

  it("publishes what a replaced config's exposition rendered at once, without rendering it again", async () => {
    const old = new VaultExposition([statusOf(snapshotOf(1500, 1))], silentLog);
    await old.settled();
    const statuses: PairStatus[] = [...old.publication().statuses];
    const next = new VaultExposition(statuses, silentLog, old.rendered());
    expect(next.isIdle()).toBe(true);
    expect(await textOf(next)).toBe(await textOf(old));
    expect(next.publication().attempted).toBe(true);
  });

  it('renders a carried snapshot it was not given the series of, showing the pair as new meanwhile', async () => {
    const next = new VaultExposition([statusOf(snapshotOf(50, 1))], silentLog, new Map());
    // Both read before anything is rendered: a small snapshot renders within microtasks, before an inflate ends.
    const shown = vaultsShown(next);
    expect(next.isIdle()).toBe(false);
    expect(await shown).toBe(0);
    await next.settled();
    expect(await vaultsShown(next)).toBe(50);
  });
});
