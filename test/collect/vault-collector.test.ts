import { describe, expect, it } from 'vitest';
import type { CbrVault } from '../../src/cloud/cbr-vault.js';
import type { ListablePair, PairListing } from '../../src/collect/listable-pair.js';
import { initialStatus, type Pair } from '../../src/collect/snapshot.js';
import { newCounters, VaultCollector } from '../../src/collect/vault-collector.js';
import { silentLog } from '../helpers/exposition.js';
import { waitFor } from '../helpers/wait-for.js';

const pairOf = (project: string): Pair => ({ key: `cbr/${project}/r`, source: 'cbr', projectId: project, region: 'r', endpoint: 'https://cbr.example', labels: [] });

/** A source whose next listings are scripted: a number of vaults (with invalid counts), an error, or a wait for the signal. */
function scripted(project: string, script: ({ vaults: number; invalidFields?: number } | Error | 'hang')[]): ListablePair {
  const pair = pairOf(project);
  return {
    pair,
    async list(signal) {
      const step = script.shift();
      if (step === undefined) throw new Error('script ran out');
      if (step instanceof Error) throw step;
      if (step === 'hang') {
        return new Promise<PairListing>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      const vaults = Array.from({ length: step.vaults }, (_, i) => ({ id: `${project}-${i}` }) as CbrVault);
      const listing = { vaults, reportedTotal: step.vaults, invalidFields: step.invalidFields ?? 0, invalidRecords: 0, unreachable: 0, pages: 1, passes: 1, inconsistencies: 0 };
      return { source: 'cbr', listing };
    },
  };
}

function collector(sources: ListablePair[], extra: Partial<ConstructorParameters<typeof VaultCollector>[0]> = {}) {
  let time = 1_000_000;
  const c = new VaultCollector({ sources, parallelPairs: 2, timeoutMs: 10_000, maxStalenessMs: 60_000, log: silentLog, now: () => time, ...extra });
  return { c, advance: (ms: number) => (time += ms) };
}

const vaultCount = (c: VaultCollector) => c.statuses().map((s) => s.snapshot?.vaults);

describe('VaultCollector', () => {
  it("keeps a failed pair's last snapshot with up 0, apart from the other pair, and drops it after max staleness", async () => {
    const { c, advance } = collector([scripted('a', [{ vaults: 3 }, new Error('HTTP 503'), new Error('HTTP 503')]), scripted('b', [{ vaults: 2 }, { vaults: 4 }, { vaults: 5 }])]);
    await c.refresh().done;
    expect(vaultCount(c)).toEqual([3, 2]);
    advance(30_000);
    await c.refresh().done;
    expect(c.statuses().map((s) => s.up)).toEqual([false, true]);
    expect(vaultCount(c)).toEqual([3, 4]);
    expect(c.statuses()[0]?.lastError).toBe('HTTP 503');
    advance(31_000);
    await c.refresh().done;
    expect(vaultCount(c)).toEqual([undefined, 5]);
  });

  it('skips and counts a refresh asked for while one runs', async () => {
    const { c } = collector([scripted('a', ['hang'])], { timeoutMs: 50 });
    const first = c.refresh();
    expect(c.refresh().started).toBe(false);
    expect(c.counters).toEqual({ refreshes: 1, skippedRefreshes: 1 });
    await first.done;
    expect(c.statuses()[0]?.lastError).toBe('refresh aborted: refresh.timeout of 50 ms passed');
  });

  it('takes over the statuses and counters it is given at a reload, so no counter goes down', async () => {
    const a = scripted('a', [{ vaults: 3, invalidFields: 7 }, { vaults: 3, invalidFields: 7 }]);
    const counters = newCounters();
    const { c: old } = collector([a, scripted('gone', [{ vaults: 1 }])], { counters });
    await old.refresh().done;
    expect(old.statuses()[0]?.invalidFields).toBe(7);

    const carried = new Map(old.statuses().map((s) => [s.pair.key, s]));
    const { c: next } = collector([a, scripted('new', [{ vaults: 2 }])], { carried, counters });
    // The kept pair serves its snapshot before the new collector's first refresh; the new pair has none yet.
    expect(vaultCount(next)).toEqual([3, undefined]);
    expect(next.ready()).toBe(false);
    await next.refresh().done;
    expect(next.statuses()[0]?.invalidFields).toBe(14);
    expect(counters.refreshes).toBe(2);
  });

  it('does not carry a pair whose endpoint changed: another endpoint is another listing', () => {
    const a = scripted('a', []);
    const carried = new Map([[a.pair.key, { ...initialStatus({ ...a.pair, endpoint: 'https://elsewhere.example' }), attempted: true, up: true, invalidFields: 1 }]]);
    const { c } = collector([a], { carried });
    expect(c.statuses()[0]).toMatchObject({ attempted: false, invalidFields: 0 });
  });

  it('leaves a pair as it was when a shutdown or reload stops its listing, and says a successor should refresh', async () => {
    const { c } = collector([scripted('a', [{ vaults: 3 }, 'hang'])]);
    await c.refresh().done;
    const before = c.statuses()[0];
    const stop = new AbortController();
    const changes: unknown[] = [];
    c.onChange((status) => changes.push(status));
    const refresh = c.refresh(stop.signal);
    stop.abort(new Error('the exporter is shutting down'));
    await refresh.done;
    expect(c.statuses()[0]).toBe(before);
    expect(changes).toEqual([]);
    expect(c.wasInterrupted()).toBe(true);
  });

  it('makes a new status object for every change, so a published one never changes under a reader', async () => {
    const { c } = collector([scripted('a', [{ vaults: 3 }, new Error('HTTP 503')])]);
    await c.refresh().done;
    const first = c.statuses()[0]!;
    const frozen = JSON.stringify(first);
    await c.refresh().done;
    expect(c.statuses()[0]).not.toBe(first);
    expect(JSON.stringify(first)).toBe(frozen);
    expect(c.statuses()[0]).toMatchObject({ up: false, lastError: 'HTTP 503', snapshot: first.snapshot });
  });

  it('judges the staleness of a pair whose listing is in flight when the listing ends', async () => {
    let release: (() => void) | undefined;
    const pair = pairOf('slow');
    let calls = 0;
    const source: ListablePair = {
      pair,
      async list() {
        calls++;
        if (calls === 2) await new Promise<void>((resolve) => (release = resolve));
        return { source: 'cbr', listing: { vaults: [{ id: 'v' } as CbrVault], reportedTotal: 1, invalidFields: 0, invalidRecords: 0, unreachable: 0, pages: 1, passes: 1, inconsistencies: 0 } };
      },
    };
    const { c, advance } = collector([source]);
    await c.refresh().done;
    const refresh = c.refresh();
    await waitFor('the second listing to be in flight', () => release !== undefined, { intervalMs: 10 });
    advance(61_000); // past max staleness while the listing runs
    c.expireStale();
    expect(c.statuses()[0]?.snapshot).toBeDefined();
    release!();
    await refresh.done;
    expect(c.statuses()[0]?.snapshot?.takenAt).toBe(1_061_000);
  });
});
