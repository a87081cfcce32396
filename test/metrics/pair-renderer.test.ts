import { describe, expect, it } from 'vitest';
import { parseCbrVault, type CbrVault } from '../../src/cloud/cbr-vault.js';
import { initialStatus, type VaultSnapshot } from '../../src/collect/snapshot.js';
import type { PublishedUnit } from '../../src/metrics/pair-renderer.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { inconsistencies, pairViews } from '../helpers/consistency.js';
import { pairFor, publisher, snapshotOf, statusOf } from '../helpers/exposition.js';

const pair = pairFor('cbr', 'p-renderer');
const allVaults: CbrVault[] = generateFleet({ projectId: pair.projectId, cbrVaults: 3000, hssVaults: 0 }).cbr.map((r) => parseCbrVault(r).vault!);

function listing(count: number, takenAt: number): VaultSnapshot {
  return snapshotOf({ pair, source: 'cbr', vaults: allVaults.slice(0, count), takenAt });
}

describe('PairRenderer with the exposition it feeds', () => {
  it('shows a pair as it was until its new snapshot is rendered, then its figures and series at once', async () => {
    const { exposition, renderer, text } = publisher([initialStatus(pair)]);
    const listed = listing(2000, 1);
    renderer.update(statusOf(listed), listed);
    // Not rendered yet: no source_up 1 without its series.
    const before = pairViews(await text()).get(pair.key);
    expect(before?.figures.get('source_up')).toBe(0);
    expect(before?.families.size).toBe(0);
    expect(exposition.publication().attempted).toBe(false);
    await renderer.settled();
    const after = await text();
    expect(pairViews(after).get(pair.key)?.figures.get('source_up')).toBe(1);
    expect(pairViews(after).get(pair.key)?.families.get('size_bytes')?.size).toBe(2000);
    expect(inconsistencies(after)).toEqual([]);
    expect(exposition.publication().attempted).toBe(true);
  });

  it('tells a failure that keeps the snapshot, and an expiry, at once, without rendering anything', async () => {
    const { renderer, text } = publisher([initialStatus(pair)]);
    const listed = listing(100, 1);
    const served = statusOf(listed);
    renderer.update(served, listed);
    await renderer.settled();
    renderer.update({ ...served, up: false, lastError: 'HTTP 503' });
    expect(renderer.isIdle()).toBe(true);
    const figures = pairViews(await text()).get(pair.key)?.figures;
    expect([figures?.get('source_up'), figures?.get('vaults')]).toEqual([0, 100]);
    expect(pairViews(await text()).get(pair.key)?.families.get('size_bytes')?.size).toBe(100);
    renderer.update({ ...served, up: false, snapshot: undefined });
    expect(renderer.isIdle()).toBe(true);
    const view = pairViews(await text()).get(pair.key);
    expect(view?.figures.get('vaults')).toBe(0);
    expect(view?.families.size).toBe(0);
  });

  it('keeps publishing while snapshots arrive faster than they render, each body consistent', async () => {
    const { exposition, renderer } = publisher([initialStatus(pair)]);
    const units: PublishedUnit[] = [];
    renderer.onUnit((unit) => units.push(unit));
    // A new snapshot on every turn of the event loop, far faster than 2,000 vaults render: each rendering must
    // still finish and be told, not be thrown away for the newer one.
    // The deadline only bounds a failure: a renderer that throws renderings away never gets there.
    const deadline = Date.now() + 60_000;
    for (let turn = 1; units.filter((unit) => unit.rendered).length < 3; turn++) {
      if (Date.now() > deadline) throw new Error(`only ${units.length} units in 60 s while snapshots kept coming`);
      const listed = listing(2000 + (turn % 1000), turn);
      renderer.update(statusOf(listed), listed);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    for (const unit of units) {
      expect(unit.rendered?.snapshotId).toBe(unit.status.snapshot?.id);
      expect(unit.rendered?.series).toBeGreaterThan(0);
    }
    const { body, statuses } = exposition.publication();
    expect(body.series).toBeGreaterThan(2000);
    expect(statuses[0]?.snapshot?.id).toBe(units.at(-1)?.status.snapshot?.id);
  });

  it('does not render a listing whose snapshot expired before its turn', async () => {
    const { renderer } = publisher([initialStatus(pair)]);
    const units: PublishedUnit[] = [];
    renderer.onUnit((unit) => units.push(unit));
    const listed = listing(3000, 1);
    const other = listing(2000, 2);
    renderer.update(statusOf(listed), listed); // queued
    renderer.update(statusOf(other), other); // newer: the queued job takes this one
    renderer.update({ ...statusOf(other), snapshot: undefined }); // expired before the job's turn
    await renderer.settled();
    // One unit: the expiry, with nothing rendered for it.
    expect(units.map((unit) => [unit.status.snapshot?.id, unit.rendered?.snapshotId])).toEqual([[undefined, undefined]]);
  });
});
