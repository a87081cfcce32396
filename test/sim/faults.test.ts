import { afterEach, describe, expect, it } from 'vitest';
import { Faults } from '../../src/sim/faults.js';
import { generateFleet, type CbrVaultRecord, type HssVaultRecord } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';

const TOKEN = 'sim-token';
const CBR = (query = ''): string => `/v3/p1/vaults${query}`;
const HSS = (query = ''): string => `/v5/p1/ransomware/optional/vaults${query}`;

let cloud: SimulatedCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

async function start(latencyMs?: number): Promise<SimulatedCloud> {
  cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: 'p1', cbrVaults: 30, hssVaults: 30 })], tokens: [TOKEN], latencyMs });
  return cloud;
}

async function get(path: string) {
  const res = await fetch(`${cloud!.url}${path}`, { headers: { 'X-Auth-Token': TOKEN } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

async function statuses(path: string, times: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push((await get(path)).status);
  return out;
}

describe('Faults switches', () => {
  it('start off, validate counts and restart counting on every change', () => {
    const faults = new Faults();
    expect([1, 2, 3].map(() => faults.next('cbr'))).toEqual([undefined, undefined, undefined]);
    faults.set({ throttleEvery: 2 });
    expect(faults.counted).toBe(0);
    expect([1, 2, 3, 4].map(() => faults.next('hss'))).toEqual([undefined, 'throttle', undefined, 'throttle']);
    expect(() => faults.set({ truncateEvery: -1 })).toThrow(RangeError);
    faults.set({ throttleEvery: 2, serverErrorEvery: 3 });
    expect([1, 2, 3, 4, 5, 6].map(() => faults.next('cbr'))).toEqual([undefined, 'throttle', 'server_error', 'throttle', undefined, 'throttle']);
    faults.reset();
    expect(faults.next('cbr')).toBeUndefined();
  });
});

describe('faults on the wire', () => {
  it('throttles every Nth request with 429 APIG.0308 as APIG words it, with Retry-After only when asked', async () => {
    await start();
    cloud!.faults.set({ throttleEvery: 3 });
    expect(await statuses(CBR(), 6)).toEqual([200, 200, 429, 200, 200, 429]);
    const bare = (await Promise.all([get(CBR()), get(CBR()), get(CBR())])).find((r) => r.status === 429)!;
    expect(bare.headers.get('retry-after')).toBeNull();
    expect(JSON.parse(bare.text)).toMatchObject({
      error_code: 'APIG.0308',
      error_msg: expect.stringMatching(/^The throttling threshold has been reached: policy user over ratelimit,limit:\d+,time:1 second$/),
    });
    cloud!.faults.set({ throttleEvery: 1, retryAfterSeconds: 7 });
    expect((await get(CBR())).headers.get('retry-after')).toBe('7');
  });

  it('enforces an APIG rate limit in fixed windows, naming the limit and window', async () => {
    await start();
    cloud!.faults.set({ rateLimit: { limit: 3, window: 'minute' } });
    const answers = await statuses(HSS(), 5);
    // A window boundary may fall between two requests: then the count starts again.
    expect(answers.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    const refused = await get(HSS());
    if (refused.status === 429) {
      expect(JSON.parse(refused.text).error_msg).toMatch(/limit:3,time:1 minute$/);
      expect(refused.headers.get('retry-after')).toBeNull();
    }
    expect(cloud!.requests.count({ fault: 'rate_limit' })).toBe(answers.filter((s) => s === 429).length + (refused.status === 429 ? 1 : 0));
  });

  it('fails every Nth request with a JSON 500 or a gateway 502', async () => {
    await start();
    cloud!.faults.set({ serverErrorEvery: 2 });
    const [ok, failed] = [await get(HSS()), await get(HSS())];
    expect([ok.status, failed.status]).toEqual([200, 500]);
    expect(JSON.parse(failed.text)).toEqual({ error_code: expect.stringMatching(/^HSS\./), error_msg: expect.any(String), request_id: expect.any(String) });
    cloud!.faults.set({ serverErrorEvery: 1, serverErrorStatus: 502 });
    const unavailable = await get(CBR());
    // APIG.0202 "Backend unavailable." is a 502 in Huawei's table.
    expect(unavailable.status).toBe(502);
    expect(JSON.parse(unavailable.text).error_code).toBe('APIG.0202');
    cloud!.faults.set({ serverErrorEvery: 1, serverErrorStatus: 500 });
    expect(JSON.parse((await get(CBR())).text).error_code).toBe('BackupService.9910');
  });

  it('answers every Nth request with an nginx HTML 502 page', async () => {
    await start();
    cloud!.faults.set({ htmlBadGatewayEvery: 2 });
    expect(await statuses(CBR(), 2)).toEqual([200, 502]);
    cloud!.faults.set({ htmlBadGatewayEvery: 1 });
    const page = await get(HSS());
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(page.text).toContain('<h1>502 Bad Gateway</h1>');
    expect(() => JSON.parse(page.text)).toThrow();
  });

  it('cuts every Nth JSON body in half with a matching Content-Length', async () => {
    await start();
    const whole = await get(CBR('?limit=7'));
    cloud!.faults.set({ truncateEvery: 1 });
    const cut = await get(CBR('?limit=7'));
    expect(cut.status).toBe(200);
    expect(Number(cut.headers.get('content-length'))).toBe(Buffer.byteLength(cut.text));
    expect(Buffer.byteLength(cut.text)).toBe(Math.floor(Buffer.byteLength(whole.text) / 2));
    expect(whole.text.startsWith(cut.text)).toBe(true);
    expect(() => JSON.parse(cut.text)).toThrow();
    expect(cloud!.requests.entries.at(-1)?.fault).toBe('truncate');
  });

  it('adds the extra delay to the base latency', async () => {
    await start(60);
    let began = performance.now();
    await get(CBR());
    expect(performance.now() - began).toBeGreaterThanOrEqual(55);
    cloud!.faults.set({ extraDelayMs: 150 });
    began = performance.now();
    await get(HSS());
    expect(performance.now() - began).toBeGreaterThanOrEqual(200);
  });

  it('answers every request 502 APIG.0202 during an outage, until it is switched off', async () => {
    await start();
    cloud!.faults.set({ outage: 'unavailable' });
    expect(await statuses(HSS(), 3)).toEqual([502, 502, 502]);
    cloud!.faults.set({ outage: 'off' });
    expect(await statuses(HSS(), 2)).toEqual([200, 200]);
  });

  it('resets every connection during a reset outage', async () => {
    await start();
    cloud!.faults.set({ outage: 'reset' });
    await expect(get(CBR())).rejects.toThrow();
    expect(cloud!.requests.entries.at(-1)).toMatchObject({ status: 0, fault: 'reset' });
    cloud!.faults.reset();
    expect((await get(CBR())).status).toBe(200);
  });

  it('faults only the API it is scoped to, and never counts IAM', async () => {
    await start();
    cloud!.faults.set({ only: 'hss', throttleEvery: 1 });
    expect(await statuses(CBR(), 2)).toEqual([200, 200]);
    await fetch(`${cloud!.url}/v3/auth/tokens`, { method: 'POST', body: '{}' });
    expect(cloud!.faults.counted).toBe(0);
    expect(await statuses(HSS(), 2)).toEqual([429, 429]);
  });
});

describe('pages shifting while being read', () => {
  async function twoPages(path: (query: string) => string, pick: (body: Record<string, unknown>) => { ids: string[]; total: number }) {
    const first = pick(JSON.parse((await get(path('?limit=10&offset=0'))).text));
    const second = pick(JSON.parse((await get(path('?limit=10&offset=10'))).text));
    return { first, second };
  }
  const cbrPage = (body: Record<string, unknown>) => ({ ids: (body.vaults as CbrVaultRecord[]).map((v) => v.id), total: body.count as number });
  const hssPage = (body: Record<string, unknown>) => ({ ids: (body.data_list as HssVaultRecord[]).map((v) => v.vault_id), total: body.total_num as number });

  it('repeats the previous page’s last vault when one is inserted at the front', async () => {
    await start();
    const before = cloud!.vaults('p1', 'cbr').map((v) => v.id);
    cloud!.faults.set({ insertBetweenPages: true });
    const { first, second } = await twoPages(CBR, cbrPage);
    expect(first).toEqual({ ids: before.slice(0, 10), total: 30 });
    expect(second.total).toBe(31);
    expect(second.ids[0]).toBe(first.ids[9]);
    expect(cloud!.vaults('p1', 'cbr')[0]?.name).toBe('inserted-vault-1');
  });

  it('skips a vault when one at the front is deleted', async () => {
    await start();
    const before = cloud!.vaults('p1', 'hss').map((v) => v.vault_id);
    cloud!.faults.set({ deleteBetweenPages: true });
    const { second } = await twoPages(HSS, hssPage);
    expect(second).toEqual({ ids: before.slice(11, 21), total: 29 });
  });

  it('keeps the count while the set changes when both are on', async () => {
    await start();
    const before = cloud!.vaults('p1', 'cbr').map((v) => v.id);
    cloud!.faults.set({ insertBetweenPages: true, deleteBetweenPages: true });
    const { first, second } = await twoPages(CBR, cbrPage);
    expect(second).toEqual({ ids: before.slice(10, 20), total: 30 });
    expect(cloud!.vaults('p1', 'cbr').map((v) => v.id)).not.toContain(first.ids[0]);
  });
});
