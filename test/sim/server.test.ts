import { afterEach, describe, expect, it } from 'vitest';
import { createSimAuth } from '../../src/sim/auth.js';
import { generateFleet, type CbrVaultRecord, type HssVaultRecord } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud, type SimulatedCloudOptions } from '../../src/sim/server.js';

const TOKEN = 'sim-token';
const CBR = (project: string, query = ''): string => `/v3/${project}/vaults${query}`;
const HSS = (project: string, query = ''): string => `/v5/${project}/ransomware/optional/vaults${query}`;

let cloud: SimulatedCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

async function start(options: Partial<SimulatedCloudOptions> = {}): Promise<SimulatedCloud> {
  cloud = await startSimulatedCloud({
    fleets: [generateFleet({ projectId: 'p1', cbrVaults: 2345, hssVaults: 457 }), generateFleet({ projectId: 'p2', cbrVaults: 3, hssVaults: 3 })],
    tokens: [TOKEN],
    ...options,
  });
  return cloud;
}

async function get(path: string, init: { token?: string | null; method?: string } = {}) {
  const token = init.token === undefined ? TOKEN : init.token;
  const res = await fetch(`${cloud!.url}${path}`, { method: init.method ?? 'GET', headers: token === null ? {} : { 'X-Auth-Token': token } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

function expectApiError(res: Awaited<ReturnType<typeof get>>, status: number, code: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
  const body = res.json();
  // Huawei's error shape: the request id in the body and in X-Request-Id, the same one.
  expect(Object.keys(body).sort()).toEqual(['error_code', 'error_msg', 'request_id']);
  expect(body.error_code).toMatch(code);
  expect(body.error_msg).toEqual(expect.any(String));
  expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
  expect(res.headers.get('x-request-id')).toBe(body.request_id);
  // APIG documents no Retry-After; the simulator sends none unless a test asks for it.
  expect(res.headers.get('retry-after')).toBeNull();
}

describe('CBR listing', () => {
  it('pages through every vault with count, limit and offset', async () => {
    await start();
    const seen: CbrVaultRecord[] = [];
    for (let offset = 0; ; offset += 1000) {
      const res = await get(CBR('p1', `?limit=1000&offset=${offset}`));
      expect(res.status).toBe(200);
      const body = res.json() as { vaults: CbrVaultRecord[]; count: number; limit: number; offset: number };
      expect(body).toMatchObject({ count: 2345, limit: 1000, offset });
      seen.push(...body.vaults);
      if (offset + 1000 >= body.count) break;
    }
    expect(seen).toEqual(cloud!.vaults('p1', 'cbr'));
    expect(seen.length).toBe(2345);
  });

  it('defaults to limit 1000 and offset 0', async () => {
    await start();
    const body = (await get(CBR('p1'))).json() as { vaults: unknown[]; limit: number; offset: number };
    expect(body.vaults.length).toBe(1000);
    expect(body).toMatchObject({ limit: 1000, offset: 0 });
  });

  it('accepts the edges of the range and an offset past the end', async () => {
    await start();
    expect((await get(CBR('p1', '?limit=1'))).json().vaults).toHaveLength(1);
    expect((await get(CBR('p1', '?limit=1000&offset=2340'))).json().vaults).toHaveLength(5);
    expect((await get(CBR('p1', '?offset=99999'))).json()).toMatchObject({ vaults: [], count: 2345 });
  });
});

describe('HSS listing', () => {
  it('pages through every vault with total_num and data_list', async () => {
    await start();
    const seen: HssVaultRecord[] = [];
    for (let offset = 0; ; offset += 200) {
      const body = (await get(HSS('p1', `?limit=200&offset=${offset}`))).json() as { total_num: number; data_list: HssVaultRecord[] };
      expect(Object.keys(body).sort()).toEqual(['data_list', 'total_num']);
      expect(body.total_num).toBe(457);
      seen.push(...body.data_list);
      if (offset + 200 >= body.total_num) break;
    }
    expect(seen).toEqual(cloud!.vaults('p1', 'hss'));
  });

  it('gives a client that omits limit only ten vaults', async () => {
    await start();
    const body = (await get(HSS('p1'))).json() as { total_num: number; data_list: unknown[] };
    expect(body.data_list).toHaveLength(10);
    expect(body.total_num).toBe(457);
  });

  it('accepts limit 10 and 200 and offset 2,000,000', async () => {
    await start();
    expect((await get(HSS('p1', '?limit=10'))).json().data_list).toHaveLength(10);
    expect((await get(HSS('p1', '?limit=200'))).json().data_list).toHaveLength(200);
    expect((await get(HSS('p1', '?offset=2000000'))).json()).toEqual({ total_num: 457, data_list: [] });
  });

  it('reports a huge total when told to, so that the 2,000,000 offset cap can be reached', async () => {
    await start();
    cloud!.setReportedTotal('p2', 'hss', 3_000_000);
    expect((await get(HSS('p2', '?limit=200'))).json()).toMatchObject({ total_num: 3_000_000 });
    expect((await get(HSS('p2', '?limit=200&offset=2000000'))).json()).toEqual({ total_num: 3_000_000, data_list: [] });
    expectApiError(await get(HSS('p2', '?limit=200&offset=2000001')), 400, /^HSS\.0001$/);
    cloud!.setReportedTotal('p2', 'hss', undefined);
    expect((await get(HSS('p2'))).json().total_num).toBe(3);
  });
});

describe('paging parameter validation', () => {
  const cbrInvalid = ['limit=0', 'limit=1001', 'limit=abc', 'limit=1.5', 'limit=', 'offset=-1', 'offset=x'];
  const hssInvalid = ['limit=9', 'limit=201', 'limit=1', 'offset=2000001', 'offset=-5', 'limit=ten'];
  it.each([
    ...cbrInvalid.map((query) => [CBR('p1', `?${query}`), /^BackupService\.9900$/] as const),
    ...hssInvalid.map((query) => [HSS('p1', `?${query}`), /^HSS\.0001$/] as const),
  ])('answers %s with 400 %s', async (path, code) => {
    await start();
    expectApiError(await get(path), 400, code);
  });
});

describe('routing, headers and errors', () => {
  it('sends JSON with an X-Request-Id on success', async () => {
    await start();
    const res = await get(CBR('p2'));
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(res.text));
  });

  it('answers unknown projects, unknown paths and wrong methods in the error shape', async () => {
    await start();
    expectApiError(await get(CBR('nope')), 404, /^BackupService\./);
    expectApiError(await get(HSS('nope')), 404, /^HSS\./);
    expectApiError(await get('/v3/p1/backups'), 404, /^APIG\.0101$/);
    // The gateway knows an API by method and path: a wrong method is an unknown API, 404 APIG.0101.
    expectApiError(await get(CBR('p1'), { method: 'POST' }), 404, /^APIG\.0101$/);
    expectApiError(await get('/v3/auth/tokens', { method: 'POST' }), 404, /^APIG\.0101$/);
    expect((await get('/v3/nope/vaults', { method: 'DELETE' })).headers.get('x-request-id')).toBeTruthy();
  });

  it('logs method, path, raw limit and offset, status and headers of each request', async () => {
    await start();
    await get(HSS('p1', '?offset=20'));
    await get(CBR('p1', '?limit=0'));
    expect(cloud!.requests.entries.map(({ method, path, api, projectId, limit, offset, status }) => ({ method, path, api, projectId, limit, offset, status }))).toEqual([
      { method: 'GET', path: HSS('p1'), api: 'hss', projectId: 'p1', limit: undefined, offset: '20', status: 200 },
      { method: 'GET', path: CBR('p1'), api: 'cbr', projectId: 'p1', limit: '0', offset: undefined, status: 400 },
    ]);
    expect(cloud!.requests.entries[0]?.headers['x-auth-token']).toBe(TOKEN);
    expect(cloud!.requests.count({ api: 'cbr', status: 400 })).toBe(1);
  });
});

describe('authentication', () => {
  it('refuses a missing or unknown X-Auth-Token with 401 APIG.0301, and follows changes to tokens', async () => {
    await start();
    expectApiError(await get(CBR('p1'), { token: null }), 401, /^APIG\.0301$/);
    expectApiError(await get(HSS('p1'), { token: 'forged' }), 401, /^APIG\.0301$/);
    expect((await get(HSS('p1'))).status).toBe(200);
    cloud!.tokens.delete(TOKEN);
    cloud!.tokens.add('rotated');
    expect((await get(HSS('p1'))).status).toBe(401);
    expect((await get(HSS('p1'), { token: 'rotated' })).status).toBe(200);
  });

  it('hands an authenticate hook the method, target with query, headers and project', async () => {
    const calls: unknown[] = [];
    await start({
      authenticate: (req, projectId) => {
        calls.push({ method: req.method, path: req.path, token: req.headers['x-auth-token'], projectId, body: req.body.length });
        return { ok: false, status: 403, error_code: 'APIG.0302', error_msg: 'The IAM user is not authorized to access the API.' };
      },
    });
    expectApiError(await get(CBR('p1', '?limit=5&offset=10')), 403, /^APIG\.0302$/);
    expect(calls).toEqual([{ method: 'GET', path: '/v3/p1/vaults?limit=5&offset=10', token: TOKEN, projectId: 'p1', body: 0 }]);
  });

  it('serves IAM tokens from the iam hook that the authenticate hook then accepts', async () => {
    const auth = createSimAuth({ iamUsers: [{ domain: 'acme', user: 'exporter', password: 'pw' }] });
    await start({ authenticate: auth.check, iam: auth.issueToken });
    const login = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'exporter', password: 'pw', domain: { name: 'acme' } } } },
        scope: { project: { id: 'p1' } },
      },
    };
    const res = await fetch(`${cloud!.url}/v3/auth/tokens`, { method: 'POST', body: JSON.stringify(login) });
    expect(res.status).toBe(201);
    const token = res.headers.get('x-subject-token');
    expect((await get(CBR('p1'), { token })).status).toBe(200);
    const bad = await fetch(`${cloud!.url}/v3/auth/tokens`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
  });
});

describe('fleet changes between refreshes', () => {
  it('adds, deletes and updates vaults without touching the fleets it was given', async () => {
    const fleet = generateFleet({ projectId: 'p9', cbrVaults: 5, hssVaults: 5 });
    const original = structuredClone(fleet);
    await start({ fleets: [fleet] });
    const extra = generateFleet({ projectId: 'other', cbrVaults: 2, hssVaults: 1 });
    cloud!.addVaults('p9', 'cbr', extra.cbr, 'start');
    cloud!.addVaults('p9', 'hss', extra.hss);
    expect(cloud!.deleteVaults('p9', 'cbr', [fleet.cbr[0]!.id, 'no-such-id'])).toBe(1);
    expect(cloud!.updateVault('p9', 'hss', fleet.hss[1]!.vault_id, (v) => ({ ...v, backup_policy_enabled: true }))).toBe(true);
    expect(cloud!.updateVault('p9', 'hss', 'no-such-id', (v) => v)).toBe(false);

    const cbr = (await get(CBR('p9'))).json() as { vaults: CbrVaultRecord[]; count: number };
    expect(cbr.count).toBe(6);
    expect(cbr.vaults.map((v) => v.id)).toEqual([...extra.cbr, ...fleet.cbr.slice(1)].map((v) => v.id));
    const hss = (await get(HSS('p9'))).json() as { data_list: HssVaultRecord[] };
    expect(hss.data_list.map((v) => v.vault_id)).toEqual([...fleet.hss, ...extra.hss].map((v) => v.vault_id));
    expect(hss.data_list[1]?.backup_policy_enabled).toBe(true);
    expect(fleet).toEqual(original);
  });

  it('refuses two fleets for one project', async () => {
    const fleet = generateFleet({ projectId: 'dup', cbrVaults: 1, hssVaults: 1 });
    await expect(startSimulatedCloud({ fleets: [fleet, fleet] })).rejects.toThrow(/dup/);
  });
});
