import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listCbrVaults } from '../../src/cloud/cbr.js';
import { HSS_LIST, hssApi, listHssVaults } from '../../src/cloud/hss.js';
import { listVaults, readListBody } from '../../src/cloud/list-vaults.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { apiContext } from '../helpers/api-context.js';

const PROJECT = 'paging-project';
let cloud: SimulatedCloud;

beforeAll(async () => {
  cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 2500, hssVaults: 450 })], tokens: ['test-token'] });
});
afterAll(() => cloud.close());
beforeEach(() => {
  cloud.faults.reset();
  cloud.requests.clear();
});

const ids = (records: readonly { id?: string; vault_id?: string }[]) => records.map((r) => r.id ?? r.vault_id).sort();

describe('paging CBR', () => {
  it('reads every vault in pages of 1000, public and hybrid, and stops at the short page', async () => {
    const listing = await listCbrVaults(cloud.url, PROJECT, apiContext());
    expect(listing.vaults.map((v) => v.id).sort()).toEqual(ids(cloud.vaults(PROJECT, 'cbr')));
    expect(listing.pages).toBe(4);
    const sent = cloud.requests.filter({ api: 'cbr' }).map((r) => [r.query.get('cloud_type'), r.limit, r.offset]);
    expect(sent.sort()).toEqual([['hybrid', '1000', '0'], ['public', '1000', '0'], ['public', '1000', '1000'], ['public', '1000', '2000']]);
    // No enterprise project unless the target names one.
    expect(cloud.requests.filter({ api: 'cbr' }).every((r) => !r.query.has('enterprise_project_id'))).toBe(true);
  });

  it('sends enterprise_project_id to CBR when the target names one', async () => {
    await listCbrVaults(cloud.url, PROJECT, apiContext(), { enterpriseProjectId: 'all_granted_eps' });
    const sent = cloud.requests.filter({ api: 'cbr' }).map((r) => r.query.get('enterprise_project_id'));
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set(['all_granted_eps']));
  });
});

describe('paging HSS', () => {
  it('always sends limit=200 (the API defaults to 10) and reads every vault', async () => {
    const listing = await listHssVaults(cloud.url, PROJECT, apiContext());
    expect(listing.vaults.map((v) => v.id).sort()).toEqual(ids(cloud.vaults(PROJECT, 'hss')));
    const sent = cloud.requests.filter({ api: 'hss' });
    expect(sent.map((r) => r.limit)).toEqual(['200', '200', '200']);
    expect(sent.map((r) => Number(r.offset)).sort((a, b) => a - b)).toEqual([0, 200, 400]);
  });

  it('never asks past the offset cap, and reports the vaults beyond it', async () => {
    expect(hssApi(cloud.url, PROJECT).maxOffset).toBe(HSS_LIST.maxOffset);
    expect(HSS_LIST.maxOffset).toBe(2_000_000);
    // The same rule with a cap of 200 instead of 2,000,000, so the test needs 2 pages, not 10,001.
    const listing = await listVaults({ ...hssApi(cloud.url, PROJECT), maxOffset: 200 }, apiContext());
    const offsets = cloud.requests.filter({ api: 'hss' }).map((r) => Number(r.offset));
    expect(Math.max(...offsets)).toBe(200);
    expect(listing.vaults).toHaveLength(400);
    expect(listing.reportedTotal).toBe(450);
    expect(listing.unreachable).toBe(50);
  });
});

describe('planning pages from the last reading', () => {
  /** The order in which pages were asked for and answered, as `ask 200` / `page 200`. */
  function watched() {
    const events: string[] = [];
    const api = hssApi(cloud.url, PROJECT);
    const ctx = apiContext({
      listingSizes: new Map(),
      credentials: {
        authorize: async (req) => {
          events.push(`ask ${req.url.searchParams.get('offset')}`);
          req.headers['X-Auth-Token'] = 'test-token';
        },
        renew: () => false,
      },
    });
    const read = () => listVaults({ ...api, readPage: (body, url) => (events.push(`page ${url.searchParams.get('offset')}`), api.readPage(body, url)) }, ctx);
    return { events, read };
  }

  it('asks for every page the listing held last time at once, and still lists by the pages', async () => {
    const { events, read } = watched();
    const first = await read();
    // Nothing known yet: the first page comes alone, and its total plans the rest.
    expect(events.slice(0, 2)).toEqual(['ask 0', 'page 0']);
    expect(first.vaults).toHaveLength(450);
    events.length = 0;
    const second = await read();
    expect(events.slice(0, 3)).toEqual(['ask 0', 'ask 200', 'ask 400']);
    expect(events.filter((e) => e.startsWith('ask'))).toHaveLength(3);
    expect(second.vaults.map((v) => v.id).sort()).toEqual(ids(cloud.vaults(PROJECT, 'hss')));
  });

  it('asks at most a window of pages past the end when the listing shrank, and lists what is there', async () => {
    const { events, read } = watched();
    await read();
    const kept = cloud.vaults(PROJECT, 'hss').slice(0, 150);
    const gone = cloud.vaults(PROJECT, 'hss').slice(150);
    expect(cloud.deleteVaults(PROJECT, 'hss', gone.map((v) => v.vault_id))).toBe(300);
    try {
      events.length = 0;
      const shrunk = await read();
      expect(shrunk.vaults.map((v) => v.id).sort()).toEqual(ids(kept));
      expect(shrunk.inconsistencies).toBe(0);
      // Pages 200 and 400 were planned from the last reading: empty, past the end, not a contradiction.
      expect(events.filter((e) => e.startsWith('ask')).sort()).toEqual(['ask 0', 'ask 200', 'ask 400']);
    } finally {
      cloud.addVaults(PROJECT, 'hss', gone, 'end');
    }
  });
});

describe('pages that shift while being read', () => {
  it('reads the listing again when vaults are created between pages, and keeps no duplicates', async () => {
    const before = ids(cloud.vaults(PROJECT, 'cbr'));
    cloud.faults.set({ insertBetweenPages: true, only: 'cbr' });
    const listing = await listCbrVaults(cloud.url, PROJECT, apiContext());
    cloud.faults.reset();
    const got = listing.vaults.map((v) => v.id);
    expect(new Set(got).size).toBe(got.length);
    expect(listing.passes).toBeGreaterThan(1);
    // Every vault that existed before the listing began is in it.
    expect(before.filter((id) => id === undefined || !got.includes(id))).toEqual([]);
  });

  it('fails a listing that shows one vault twice where the total promises one more, rather than guess', async () => {
    const project = cloud.vaults(PROJECT, 'hss');
    const first = project[0]!;
    cloud.addVaults(PROJECT, 'hss', [first], 'end'); // the same vault twice in the listing: 451 positions, 450 vaults
    try {
      await expect(listHssVaults(cloud.url, PROJECT, apiContext())).rejects.toThrow(
        /^GET \/v5\/paging-project\/ransomware\/optional\/vaults: pages contradict each other: 1 vault id\(s\) appeared on two pages in each of 3 readings, which together found 450 vaults of the 451 total; not published$/,
      );
    } finally {
      cloud.deleteVaults(PROJECT, 'hss', [first.vault_id]);
      cloud.addVaults(PROJECT, 'hss', [first], 'start');
    }
  });
});

describe('failures', () => {
  it('retries throttling and server errors, counting every attempt, and still reads everything', async () => {
    cloud.faults.set({ throttleEvery: 2, retryAfterSeconds: 0, serverErrorEvery: 3 });
    const ctx = apiContext({ maxRetries: 5 });
    const listing = await listCbrVaults(cloud.url, PROJECT, ctx);
    expect(listing.vaults).toHaveLength(cloud.vaults(PROJECT, 'cbr').length);
    expect(ctx.attempts.filter((c) => c === '429').length).toBeGreaterThan(0);
    expect(ctx.attempts.filter((c) => c === '500').length).toBeGreaterThan(0);
    expect(ctx.attempts.length).toBe(cloud.requests.count({ api: 'cbr' }));
  });

  it('does not retry a rejected credential and names the API error', async () => {
    const ctx = apiContext({}, 'wrong-token');
    await expect(listHssVaults(cloud.url, PROJECT, ctx)).rejects.toThrow(/HTTP 401, APIG\.0301/);
    expect(ctx.attempts).toEqual(['401']);
  });

  it('gives up after max retries with the last failure', async () => {
    cloud.faults.set({ outage: 'unavailable' });
    const ctx = apiContext({ maxRetries: 2 });
    await expect(listHssVaults(cloud.url, PROJECT, ctx)).rejects.toThrow(/HTTP 502, APIG\.0202, Backend unavailable\., request id [0-9a-f]{32}$/);
    expect(ctx.attempts).toEqual(['502', '502', '502']);
  });

  it('counts an answer slower than the request timeout as timeout, and a reset as error', async () => {
    cloud.faults.set({ extraDelayMs: 1000 });
    const slow = apiContext({ maxRetries: 1, requestTimeoutMs: 150 });
    await expect(listHssVaults(cloud.url, PROJECT, slow)).rejects.toThrow(/timeout \(no answer within 150 ms\)/);
    expect(slow.attempts).toEqual(['timeout', 'timeout']);
    cloud.faults.set({ outage: 'reset' });
    const reset = apiContext({ maxRetries: 1 });
    await expect(listHssVaults(cloud.url, PROJECT, reset)).rejects.toThrow(/: error \(/);
    expect(reset.attempts).toEqual(['error', 'error']);
  });

  it('counts a body that is not JSON as invalid_body and retries it', async () => {
    cloud.faults.set({ truncateEvery: 1, only: 'hss' });
    const ctx = apiContext({ maxRetries: 1 });
    await expect(listHssVaults(cloud.url, PROJECT, ctx)).rejects.toThrow(/body is not JSON/);
    expect(ctx.attempts).toEqual(['invalid_body', 'invalid_body']);
  });
});


describe('page bodies', () => {
  const url = new URL('http://x/v3/p/vaults');
  it('rejects a body without the records array, naming it', () => {
    expect(() => readListBody({ count: 3 }, url, 'vaults', 'count')).toThrow('GET /v3/p/vaults: response has no "vaults" array');
    expect(() => readListBody(null, url, 'vaults', 'count')).toThrow(/no "vaults" array/);
  });
  it('treats an unusable total as absent', () => {
    expect(readListBody({ vaults: [], count: '3' }, url, 'vaults', 'count').total).toBeUndefined();
    expect(readListBody({ vaults: [], count: -1 }, url, 'vaults', 'count').total).toBeUndefined();
    expect(readListBody({ vaults: [1], count: 7 }, url, 'vaults', 'count')).toEqual({ records: [1], total: 7 });
  });
});
