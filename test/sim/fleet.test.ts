import { describe, expect, it } from 'vitest';
import {
  CBR_DEFECTS,
  generateFleet,
  HSS_DEFECTS,
  ODD_HSS_VAULT_NAME,
  ODD_VAULT_NAMES,
  type CbrVaultRecord,
  type HssVaultRecord,
} from '../../src/sim/fleet.js';

const DOCUMENTED_STATUSES = ['available', 'lock', 'frozen', 'deleting', 'error'];
const SPEC_BY_OBJECT: Record<string, string> = { server: 'server', disk: 'volume', turbo: 'turbo' };

/** used / size in bytes: billing.used is MB, billing.size GB. */
const fillOf = (vault: CbrVaultRecord): number => vault.billing.used / (vault.billing.size * 1024);

/** Why HSS would refuse to bind a server to this vault: the four conditions of the HSS reference page. */
function blockingReasons(vault: HssVaultRecord): string[] {
  const reasons: string[] = [];
  if (vault.vault_status !== 'available') reasons.push('not_available');
  if (!vault.backup_policy_id) reasons.push('no_policy');
  else if (vault.backup_policy_enabled !== true) reasons.push('policy_disabled');
  if (vault.vault_used * 2 ** 20 >= vault.vault_size * 2 ** 30) reasons.push('full');
  if (vault.resources_num >= 256) reasons.push('too_many_servers');
  return reasons;
}

function expectWellFormedCbr(vault: CbrVaultRecord): void {
  expect(typeof vault.id).toBe('string');
  expect(Number.isInteger(vault.billing.size) && vault.billing.size >= 10 && vault.billing.size <= 10240).toBe(true);
  expect(Number.isInteger(vault.billing.used) && vault.billing.used >= 0).toBe(true);
  expect(vault.billing.allocated).toBe(vault.resources.reduce((sum, r) => sum + r.size, 0));
  expect(vault.billing.spec_code).toBe(`vault.${vault.billing.protect_type}.${SPEC_BY_OBJECT[vault.billing.object_type]}.normal`);
  expect(vault.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
}

describe('generateFleet determinism', () => {
  it('gives the same records for the same project and seed, and others for another seed or project', () => {
    const options = { projectId: 'p1', cbrVaults: 50, hssVaults: 30, seed: 7, malformed: true };
    expect(generateFleet(options)).toEqual(generateFleet(options));
    // The malformed no-id record has no ID to compare.
    const ids = (fleet: ReturnType<typeof generateFleet>): string[] => fleet.cbr.map((v) => v.id).filter((id) => id !== undefined);
    expect(ids(generateFleet({ ...options, seed: 8 }))).not.toEqual(ids(generateFleet(options)));
    const other = new Set(ids(generateFleet({ ...options, projectId: 'p2' })));
    expect(ids(generateFleet(options)).filter((id) => other.has(id))).toEqual([]);
  });

  it('makes a smaller fleet the prefix of a larger one, and CBR independent of the HSS count', () => {
    const large = generateFleet({ projectId: 'p1', cbrVaults: 200, hssVaults: 100 });
    const small = generateFleet({ projectId: 'p1', cbrVaults: 20, hssVaults: 0 });
    expect(small.cbr).toEqual(large.cbr.slice(0, 20));
    expect(small.hss).toEqual([]);
  });

  it('never gives two vaults of a fleet one id, as the real APIs never do', () => {
    // bench-10k's fleet drew one id twice before ids carried their index (32-bit seeds collide).
    for (const [projectId, cbrVaults] of [['soak-10k', 10_000], ['bench-100k', 100_000]] as const) {
      const fleet = generateFleet({ projectId, cbrVaults, hssVaults: cbrVaults / 5, cbrHybridVaults: 50, malformed: true });
      const cbrIds = fleet.cbr.map((r) => (r as { id?: unknown }).id).filter((id) => typeof id === 'string' && id !== '');
      const hssIds = fleet.hss.map((r) => (r as { vault_id?: unknown }).vault_id).filter((id) => typeof id === 'string' && id !== '');
      expect(new Set(cbrIds).size).toBe(cbrIds.length);
      expect(new Set(hssIds).size).toBe(hssIds.length);
    }
  });

  it('rejects counts that are not whole numbers', () => {
    expect(() => generateFleet({ projectId: 'p', cbrVaults: -1, hssVaults: 0 })).toThrow(RangeError);
    expect(() => generateFleet({ projectId: 'p', cbrVaults: 1.5, hssVaults: 0 })).toThrow(RangeError);
  });
});

describe('CBR fleet variety', () => {
  const fleet = generateFleet({ projectId: 'proj-a', cbrVaults: 300, hssVaults: 0 });

  it('has an empty vault at 0, a ~90 % full one at 1 and a full one at 2', () => {
    const [empty, nearFull, full] = fleet.cbr;
    expect(empty?.billing.used).toBe(0);
    expect(empty?.resources).toEqual([]);
    expect(fillOf(nearFull!)).toBeGreaterThanOrEqual(0.85);
    expect(fillOf(nearFull!)).toBeLessThanOrEqual(0.95);
    expect(fillOf(full!)).toBeGreaterThanOrEqual(0.95);
    for (const vault of [empty, nearFull, full]) expect(vault?.billing.status).toBe('available');
  });

  it('keeps the near-full and full vaults in every fleet of three or more, whatever the seed', () => {
    for (const seed of [1, 2, 3, 99]) {
      const [, nearFull, full] = generateFleet({ projectId: 'x', cbrVaults: 3, hssVaults: 0, seed }).cbr;
      expect(fillOf(nearFull!)).toBeGreaterThanOrEqual(0.85);
      expect(fillOf(full!)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('keeps every vault after the head below 80 % used', () => {
    expect(fleet.cbr.slice(10).filter((vault) => fillOf(vault) >= 0.8)).toEqual([]);
  });

  it('covers every documented status and one the page does not list', () => {
    expect(fleet.cbr.slice(3, 8).map((v) => v.billing.status)).toEqual(['lock', 'frozen', 'deleting', 'error', 'creating']);
    const statuses = new Set(fleet.cbr.map((v) => v.billing.status));
    for (const status of DOCUMENTED_STATUSES) expect(statuses).toContain(status);
    expect([...statuses].filter((s) => !DOCUMENTED_STATUSES.includes(s))).toEqual(['creating']);
    const available = fleet.cbr.filter((v) => v.billing.status === 'available').length;
    expect(available / fleet.cbr.length).toBeGreaterThan(0.7);
  });

  it('varies object type, protection, billing mode, consistency, flags and resources', () => {
    const values = (pick: (v: CbrVaultRecord) => unknown): Set<unknown> => new Set(fleet.cbr.map(pick));
    expect(values((v) => v.billing.object_type)).toEqual(new Set(['server', 'disk', 'turbo']));
    expect(values((v) => v.billing.protect_type)).toEqual(new Set(['backup', 'replication']));
    expect(values((v) => v.billing.charging_mode)).toEqual(new Set(['post_paid', 'pre_paid']));
    expect(values((v) => v.billing.consistent_level)).toEqual(new Set(['app_consistent', 'crash_consistent']));
    expect(values((v) => v.auto_bind)).toEqual(new Set([true, false]));
    expect(values((v) => v.auto_expand)).toEqual(new Set([true, false]));
    expect(values((v) => typeof v.enterprise_project_id)).toEqual(new Set(['number', 'string']));
    expect(values((v) => v.resources.length)).toContain(0);
    expect(Math.max(...fleet.cbr.map((v) => v.resources.length))).toBeGreaterThan(3);
    expect(fleet.cbr.filter((v) => v.billing.charging_mode === 'pre_paid' && v.auto_expand)).toEqual([]);
    expect(fleet.cbr[4]?.billing.frozen_scene).toBeTruthy();
    for (const vault of fleet.cbr) expectWellFormedCbr(vault);
  });

  it('has names with a double quote, a backslash and non-ASCII text', () => {
    expect(fleet.cbr.slice(3, 10).map((v) => v.name)).toEqual(expect.arrayContaining([...ODD_VAULT_NAMES]));
    expect(ODD_VAULT_NAMES[0]).toBe('备份-vault "prod" \\ 1');
    const names = fleet.cbr.map((v) => v.name);
    expect(names.some((n) => n.includes('"'))).toBe(true);
    expect(names.some((n) => n.includes('\\'))).toBe(true);
    expect(names.some((n) => /[^\x20-\x7e]/.test(n))).toBe(true);
  });
});

describe('CBR vault facts (issue 12)', () => {
  const fleet = generateFleet({ projectId: 'proj-a', cbrVaults: 300, hssVaults: 0 });
  const tagsOf = (v: CbrVaultRecord) => Object.fromEntries(v.tags.map((t) => [t.key, t.value]));
  const unprotected = (v: CbrVaultRecord) => v.resources.filter((r) => r.backup_count === 0 || r.protect_status !== 'available');

  it('fixes the head: tags, thresholds, locks, SMN, auto-expand and unprotected resources', () => {
    const head = fleet.cbr.slice(0, 10);
    expect(head.map(tagsOf).slice(0, 5)).toEqual([{}, { env: 'prod', team: 'storage' }, { env: 'prod', team: 'db', 'cost-center': 'cc-1024' }, { team: '' }, { env: 'test' }]);
    expect(head.map((v) => v.threshold)).toEqual([80, 80, 80, 80, 80, 80, 80, 80, 50, 90]);
    expect(head.map((v) => v.locked)).toEqual([false, false, false, true, false, false, false, false, false, false]);
    expect(head.map((v) => v.smn_notify)).toEqual([true, true, true, true, false, true, true, true, true, true]);
    expect(head.map((v) => v.auto_expand)).toEqual([false, false, false, false, false, false, false, false, false, true]);
    expect(head[1]!.resources.map((r) => [r.protect_status, r.backup_count])).toEqual([['available', 14], ['available', 0], ['available', 3]]);
    expect(head[1]!.resources[1]!.backup_size).toBe(0);
    expect(head[6]!.resources.map((r) => [r.protect_status, r.backup_count])).toEqual([['error', 5], ['available', 2]]);
    // Above their own threshold: 1 (90 % of 80 %), 2 (full), 8 (60 % of 50 %); 9 is full but expands.
    const over = head.filter((v) => fillOf(v) >= v.threshold / 100).map((v) => head.indexOf(v));
    expect(over).toEqual([1, 2, 8, 9]);
    expect(fillOf(head[9]!)).toBeGreaterThanOrEqual(0.95);
    expect(head[9]!.billing.charging_mode).toBe('post_paid');
  });

  it('keeps those facts whatever the seed', () => {
    for (const seed of [2, 3, 99]) {
      const head = generateFleet({ projectId: 'x', cbrVaults: 10, hssVaults: 0, seed }).cbr;
      expect(head.map((v) => v.threshold)).toEqual([80, 80, 80, 80, 80, 80, 80, 80, 50, 90]);
      expect(head.map((v) => v.auto_expand)).toEqual([false, false, false, false, false, false, false, false, false, true]);
      expect(head.flatMap(unprotected).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('draws the tail: thresholds never below the fill, a few locks, SMN mostly on, tags, never-backed-up and failing resources', () => {
    const tail = fleet.cbr.slice(10);
    expect(new Set(tail.map((v) => v.threshold))).toEqual(new Set([80, 90]));
    expect(tail.filter((v) => fillOf(v) >= v.threshold / 100)).toEqual([]);
    expect(tail.filter((v) => v.locked).length).toBeGreaterThan(0);
    expect(tail.filter((v) => v.smn_notify).length / tail.length).toBeGreaterThan(0.8);
    expect(new Set(tail.map((v) => v.is_multi_az))).toEqual(new Set([true, false]));
    expect(tail.filter((v) => v.is_multi_az && v.availability_zone !== '')).toEqual([]);
    expect(new Set(tail.flatMap((v) => v.tags.map((t) => t.key)))).toEqual(new Set(['env', 'team', 'cost-center']));
    const resources = tail.flatMap((v) => v.resources);
    expect(resources.filter((r) => r.backup_count === 0).length).toBeGreaterThan(0);
    expect(new Set(resources.map((r) => r.protect_status))).toEqual(new Set(['available', 'protecting', 'error']));
    expect(tail.flatMap(unprotected).length / resources.length).toBeLessThan(0.2);
  });
});

describe('HSS fleet variety', () => {
  const fleet = generateFleet({ projectId: 'proj-a', cbrVaults: 300, hssVaults: 120 });

  it('lays out one vault per bind-blocking reason at fixed indexes', () => {
    expect(fleet.hss.slice(0, 9).map(blockingReasons)).toEqual([
      [],
      ['policy_disabled'],
      ['full'],
      ['not_available'],
      ['no_policy'],
      ['no_policy'],
      ['too_many_servers'],
      [],
      [],
    ]);
    expect(fleet.hss[4]).toMatchObject({ backup_policy_id: '', backup_policy_name: '' });
    expect(fleet.hss[5]).not.toHaveProperty('backup_policy_id');
    expect(fleet.hss[5]).not.toHaveProperty('backup_policy_name');
    expect(fleet.hss[6]?.resources_num).toBe(256);
    expect(fleet.hss[8]?.vault_name).toBe(ODD_HSS_VAULT_NAME);
  });

  it('shares vault ID, name, sizes and status with the CBR server vaults it is', () => {
    for (let i = 0; i < 4; i++) {
      const cbr = fleet.cbr[i]!;
      expect(fleet.hss[i]).toMatchObject({
        vault_id: cbr.id,
        vault_name: cbr.name,
        vault_size: cbr.billing.size,
        vault_used: cbr.billing.used,
        vault_allocated: cbr.billing.allocated,
        vault_status: cbr.billing.status,
        resources_num: cbr.resources.length,
      });
    }
    const cbrById = new Map(fleet.cbr.map((v) => [v.id, v]));
    const shared = fleet.hss.filter((v) => cbrById.has(v.vault_id));
    expect(shared.length).toBeGreaterThan(fleet.hss.length / 2);
    expect(shared.length).toBeLessThan(fleet.hss.length);
    for (const vault of shared) expect(cbrById.get(vault.vault_id)?.billing.object_type).toBe('server');
  });

  it('keeps every reason when the fleet has no CBR vaults to share', () => {
    const alone = generateFleet({ projectId: 'proj-b', cbrVaults: 0, hssVaults: 9 });
    expect(alone.hss.map((v) => blockingReasons(v).join())).toEqual(fleet.hss.slice(0, 9).map((v) => blockingReasons(v).join()));
  });

  it('makes most tail vaults eligible, with some of each policy state', () => {
    const tail = fleet.hss.slice(9);
    expect(tail.filter((v) => blockingReasons(v).length === 0).length / tail.length).toBeGreaterThan(0.6);
    expect(tail.some((v) => v.backup_policy_enabled === false && v.backup_policy_id)).toBe(true);
    expect(new Set(fleet.hss.map((v) => v.vault_id)).size).toBe(fleet.hss.length);
  });
});

describe('malformed fleets', () => {
  const plain = generateFleet({ projectId: 'p1', cbrVaults: 20, hssVaults: 15 });
  const bad = generateFleet({ projectId: 'p1', cbrVaults: 20, hssVaults: 15, malformed: true });

  it('inserts the CBR defects right after the head, leaving the well-formed records as they were', () => {
    const inserted = bad.cbr.slice(10, 10 + CBR_DEFECTS.length) as unknown as Record<string, unknown>[];
    expect(bad.cbr.length).toBe(20 + CBR_DEFECTS.length);
    expect([...bad.cbr.slice(0, 10), ...bad.cbr.slice(10 + CBR_DEFECTS.length)]).toEqual(plain.cbr);
    const [noId, strings, negative, billingNull, resourcesNull] = inserted;
    expect(noId).not.toHaveProperty('id');
    expect(noId?.name).toBe('malformed-no-id');
    expect(strings?.billing).toMatchObject({ size: expect.any(String), used: expect.any(String) });
    expect((negative?.billing as { size: number }).size).toBeLessThan(0);
    expect(billingNull?.billing).toBeNull();
    expect(resourcesNull?.resources).toBeNull();
  });

  it('inserts the HSS defects right after the head', () => {
    const inserted = bad.hss.slice(9, 9 + HSS_DEFECTS.length) as unknown as Record<string, unknown>[];
    expect([...bad.hss.slice(0, 9), ...bad.hss.slice(9 + HSS_DEFECTS.length)]).toEqual(plain.hss);
    expect(inserted.map((v) => v.vault_name)).toEqual(HSS_DEFECTS.map((d) => `malformed-${d}`));
    const [noId, strings, negative, noUsed] = inserted;
    expect(noId).not.toHaveProperty('vault_id');
    expect(typeof strings?.vault_size).toBe('string');
    expect(negative?.vault_size).toBeLessThan(0);
    expect(noUsed).not.toHaveProperty('vault_used');
  });

  it('appends the defects when the fleet is shorter than the head', () => {
    const tiny = generateFleet({ projectId: 'p1', cbrVaults: 2, hssVaults: 0, malformed: true });
    expect(tiny.cbr.slice(2).map((v) => v.name)).toEqual(CBR_DEFECTS.map((d) => `malformed-${d}`));
    expect(tiny.hss.map((v) => v.vault_name)).toEqual(HSS_DEFECTS.map((d) => `malformed-${d}`));
  });
});
