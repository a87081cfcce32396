import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HostLimiter } from '../../src/cloud/host-limiter.js';
import { listCbrVaults } from '../../src/cloud/cbr.js';
import { listHssVaults } from '../../src/cloud/hss.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { apiContext } from '../helpers/api-context.js';

/**
 * Issue #10: paging that trusts no total. Each case is a listing of the real cloud (or of a gateway in
 * front of it) whose total or pages lie; the client must list every vault, or fail the refresh, never
 * publish part of a listing as if it were all.
 */

const PROJECT = 'lying-project';
const CBR_VAULTS = 2500;
const HSS_VAULTS = 450;
let cloud: SimulatedCloud;

beforeAll(async () => {
  cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: CBR_VAULTS, hssVaults: HSS_VAULTS })], tokens: ['test-token'] });
});
afterAll(() => cloud.close());
beforeEach(() => {
  cloud.faults.reset();
  cloud.requests.clear();
  cloud.setReportedTotal(PROJECT, 'cbr', undefined);
  cloud.setReportedTotal(PROJECT, 'hss', undefined);
});

const cbrIds = () => cloud.vaults(PROJECT, 'cbr').map((v) => v.id).sort();
const hssIds = () => cloud.vaults(PROJECT, 'hss').map((v) => v.vault_id).sort();
const publicRequests = () => cloud.requests.filter({ api: 'cbr' }).filter((r) => r.query.get('cloud_type') === 'public');

describe('a total that lies low', () => {
  it('lists every vault when each page reports its own length as the total', async () => {
    cloud.faults.set({ listing: { totalIsPageLength: true } });
    const cbr = await listCbrVaults(cloud.url, PROJECT, apiContext());
    expect(cbr.vaults.map((v) => v.id).sort()).toEqual(cbrIds());
    const hss = await listHssVaults(cloud.url, PROJECT, apiContext());
    expect(hss.vaults.map((v) => v.id).sort()).toEqual(hssIds());
    // One reading each: a total below what was already listed is no sign of vaults created meanwhile.
    expect(cbr.passes).toBe(1);
    expect(hss.passes).toBe(1);
    expect(cloud.requests.count({ api: 'hss' })).toBe(3);
    expect(publicRequests()).toHaveLength(3);
  });

  it('lists every vault when the total is a fixed number below the truth', async () => {
    cloud.setReportedTotal(PROJECT, 'hss', 10);
    const hss = await listHssVaults(cloud.url, PROJECT, apiContext());
    expect(hss.vaults).toHaveLength(HSS_VAULTS);
  });
});

describe('a total that lies high', () => {
  it.each([1, 2, 4, 8])('spends at most concurrency (%i) requests past the end, with the total of the HSS page example', async (concurrency) => {
    cloud.setReportedTotal(PROJECT, 'hss', 2_097_152);
    cloud.setReportedTotal(PROJECT, 'cbr', 2_097_152);
    const ctx = () => apiContext({ limiter: new HostLimiter(concurrency) });
    const hss = await listHssVaults(cloud.url, PROJECT, ctx());
    expect(hss.vaults).toHaveLength(HSS_VAULTS);
    const hssPages = Math.ceil(HSS_VAULTS / 200);
    expect(cloud.requests.count({ api: 'hss' })).toBeLessThanOrEqual(hssPages + concurrency);
    const cbr = await listCbrVaults(cloud.url, PROJECT, ctx());
    expect(cbr.vaults).toHaveLength(CBR_VAULTS);
    expect(publicRequests().length).toBeLessThanOrEqual(Math.ceil(CBR_VAULTS / 1000) + concurrency);
  });

  it('believes a first page of one record over a total of millions', async () => {
    const tiny = await startSimulatedCloud({ fleets: [generateFleet({ projectId: 'one', cbrVaults: 1, hssVaults: 1 })], tokens: ['test-token'] });
    try {
      tiny.setReportedTotal('one', 'hss', 2_097_152);
      const listing = await listHssVaults(tiny.url, 'one', apiContext());
      expect(listing.vaults).toHaveLength(1);
      expect(tiny.requests.count({ api: 'hss' })).toBeLessThanOrEqual(1 + 4);
    } finally {
      await tiny.close();
    }
  });
});

describe('pages that contradict each other', () => {
  it('fails, naming the cause, when the API ignores offset (every page the same)', async () => {
    cloud.faults.set({ listing: { ignoreOffset: true }, only: 'cbr' });
    await expect(listCbrVaults(cloud.url, PROJECT, apiContext())).rejects.toThrow(
      /^GET \/v3\/lying-project\/vaults: pages contradict each other: the full page at offset 1000 lists only vaults of earlier pages \(does the API ignore offset\?\); not published$/,
    );
  });

  it('fails when pages come back short in the middle of the listing', async () => {
    cloud.faults.set({ listing: { maxPageSize: 300 }, only: 'cbr' });
    await expect(listCbrVaults(cloud.url, PROJECT, apiContext())).rejects.toThrow(/pages contradict each other: the page at offset 1000 has 300 more vault\(s\) after a short page at offset 0 \(300 of 1000 records\)/);
  });

  it('fails when short pages mid-listing and a total that lies low leave no page to compare but the probe', async () => {
    cloud.faults.set({ listing: { maxPageSize: 150 }, only: 'hss' });
    await expect(listHssVaults(cloud.url, PROJECT, apiContext({ limiter: new HostLimiter(1) }))).rejects.toThrow(/after a short page at offset 0 \(150 of 200 records\)/);
  });

  it('fails when vault ids repeat across pages in an unstable order that hides others', async () => {
    cloud.faults.set({ listing: { unstableOrder: true }, only: 'cbr' });
    await expect(listCbrVaults(cloud.url, PROJECT, apiContext())).rejects.toThrow(/pages contradict each other: \d+ vault id\(s\) appeared on two pages in each of 3 readings, which together found \d+ vaults of the 2500 total/);
  });

  it('publishes with a count of the contradictions when pages overlap but every vault is there', async () => {
    cloud.faults.set({ listing: { overlap: 50 }, only: 'hss' });
    const listing = await listHssVaults(cloud.url, PROJECT, apiContext());
    expect(listing.vaults.map((v) => v.id).sort()).toEqual(hssIds());
    // Every page after the first starts 50 early: the page at 200 repeats the last 50 of the first page.
    expect(listing.inconsistencies).toBe(50);
  });

  it('publishes with a count when a page past a short end repeats vaults already listed', async () => {
    const small = await startSimulatedCloud({ fleets: [generateFleet({ projectId: 'small', cbrVaults: 5, hssVaults: 30 })], tokens: ['test-token'] });
    try {
      small.setReportedTotal('small', 'hss', 1000);
      small.faults.set({ listing: { ignoreOffset: true }, only: 'hss' });
      const listing = await listHssVaults(small.url, 'small', apiContext());
      expect(listing.vaults).toHaveLength(30);
      expect(listing.inconsistencies).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});

describe('hybrid vaults', () => {
  it('lists public and hybrid vaults, each with its cloud_type', async () => {
    const mixed = await startSimulatedCloud({ fleets: [generateFleet({ projectId: 'mixed', cbrVaults: 30, hssVaults: 10, cbrHybridVaults: 7 })], tokens: ['test-token'] });
    try {
      const listing = await listCbrVaults(mixed.url, 'mixed', apiContext());
      expect(listing.vaults).toHaveLength(37);
      expect(listing.vaults.filter((v) => v.cloudType === 'hybrid')).toHaveLength(7);
      expect(new Set(listing.vaults.filter((v) => v.cloudType === 'hybrid').map((v) => v.specCode))).toEqual(
        new Set(mixed.vaults('mixed', 'cbr').filter((v) => v.billing.cloud_type === 'hybrid').map((v) => v.billing.spec_code)),
      );
      const types = mixed.requests.filter({ api: 'cbr' }).map((r) => r.query.get('cloud_type'));
      expect(types.sort()).toEqual(['hybrid', 'public']);
    } finally {
      await mixed.close();
    }
  });
});
