import { describe, expect, it } from 'vitest';
import type { CbrVault } from '../../src/cloud/cbr-vault.js';
import type { PairListing, PairSource } from '../../src/collect/pair-source.js';
import type { Pair } from '../../src/collect/snapshot.js';
import { VaultCollector } from '../../src/collect/vault-collector.js';
import { silentLog } from '../helpers/exposition.js';

const pairOf = (project: string): Pair => ({ key: `cbr/${project}/r`, source: 'cbr', projectId: project, region: 'r', endpoint: 'https://cbr.example' });

/** A source whose next listings are scripted: a number of vaults (with invalid counts), an error, or a wait for the signal. */
function scripted(project: string, script: ({ vaults: number; invalidFields?: number } | Error | 'hang')[]): PairSource {
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
      const listing = { vaults, reportedTotal: step.vaults, invalidFields: step.invalidFields ?? 0, invalidRecords: 0, unreachable: 0, pages: 1, passes: 1 };
      return { source: 'cbr', listing };
    },
  };
}

function collector(sources: PairSource[], extra: Partial<ConstructorParameters<typeof VaultCollector>[0]> = {}) {
  let time = 1_000_000;
  const c = new VaultCollector({ sources, parallelPairs: 2, timeoutMs: 10_000, maxStalenessMs: 60_000, log: silentLog, now: () => time, ...extra });
  return { c, advance: (ms: number) => (time += ms) };
}

const vaultCount = (c: VaultCollector) => c.statuses().map((s) => s.snapshot?.vaults.length);

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
    expect(c.counters).toMatchObject({ refreshes: 1, skippedRefreshes: 1 });
    await first.done;
    expect(c.statuses()[0]?.lastError).toBe('refresh aborted: refresh.timeout of 50 ms passed');
  });

  it('hands snapshots and counters on to the collector that replaces it at a reload, so no counter goes down', async () => {
    const a = scripted('a', [{ vaults: 3, invalidFields: 7 }, { vaults: 3, invalidFields: 7 }]);
    const { c: old } = collector([a, scripted('gone', [{ vaults: 1 }])]);
    await old.refresh().done;
    expect(old.counters.invalidFields.get(a.pair.key)).toBe(7);

    const { c: next } = collector([a, scripted('new', [{ vaults: 2 }])], { replaces: old });
    // The kept pair serves its snapshot before the new collector's first refresh; the new pair has none yet.
    expect(vaultCount(next)).toEqual([3, undefined]);
    expect(next.ready()).toBe(false);
    await next.refresh().done;
    expect(next.counters.invalidFields.get(a.pair.key)).toBe(14);
    expect(next.counters.refreshes).toBe(2);
  });
});
