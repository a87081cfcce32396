import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentials } from '../../src/cloud/credentials.js';
import { listIamProjects, readProjectList } from '../../src/cloud/iam-projects.js';
import type { AuthConfig } from '../../src/config/auth.js';
import { createSimAccounts, type SimAccounts } from '../../src/sim/accounts.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { apiContext } from '../helpers/api-context.js';

const KEY = { ak: 'IAMLISTAK00000000001', sk: 'iam-list-secret-key' };
const TEMP_KEY = { ak: 'IAMLISTTEMPAK0000001', sk: 'iam-list-temp-secret', securityToken: 'sts-token-for-iam-list' };
const OTHER_KEY = { ak: 'IAMLISTAK00000000002', sk: 'other-account-secret' };
const ACCOUNT = {
  domainId: 'dom-one',
  domainName: 'acme',
  keys: [KEY, TEMP_KEY],
  tokens: ['acme-static-token'],
  iamUsers: [{ user: 'exporter', password: 'Pa55word!' }],
  projects: [
    { id: 'p-ap1', name: 'ap-southeast-1' },
    { id: 'p-ap1-dev', name: 'ap-southeast-1_dev', parent_id: 'p-ap1' },
    { id: 'p-off', name: 'cn-north-4', enabled: false },
    { id: 'p-mos', name: 'MOS' },
  ],
};

let cloud: SimulatedCloud;
let accounts: SimAccounts;
const dispatcher = new Agent();

beforeAll(async () => {
  accounts = createSimAccounts([ACCOUNT, { domainId: 'dom-two', domainName: 'other', keys: [OTHER_KEY], projects: [{ id: 'q-eu', name: 'eu-west-101' }] }]);
  cloud = await startSimulatedCloud({ fleets: [], authenticate: accounts.authenticate, iam: accounts.issueToken, projects: accounts.listProjects });
});
afterAll(async () => {
  await cloud.close();
  await dispatcher.close();
});

function credentialsFor(auth: AuthConfig) {
  return createCredentials(auth, { region: '', iamEndpoint: cloud.url, dispatcher, countAttempt: () => undefined, requestTimeoutMs: 5000 });
}

const keyAuth = (key: { ak: string; sk: string; securityToken?: string }): AuthConfig => ({
  kind: 'access_key',
  accessKey: { value: key.ak },
  secretKey: { value: key.sk },
  ...(key.securityToken ? { securityToken: { value: key.securityToken } } : {}),
});

describe("IAM's project lists", () => {
  it('lists the account of an AK/SK pair with a signed GET /v3/projects, without a project header', async () => {
    cloud.requests.clear();
    const ctx = apiContext({ credentials: credentialsFor(keyAuth(KEY)) });
    const list = await listIamProjects(cloud.url, 'signed', ctx);
    expect(list.projects).toEqual([
      { id: 'p-ap1', name: 'ap-southeast-1', parentId: 'dom-one', enabled: true },
      { id: 'p-ap1-dev', name: 'ap-southeast-1_dev', parentId: 'p-ap1', enabled: true },
      { id: 'p-off', name: 'cn-north-4', parentId: 'dom-one', enabled: false },
      { id: 'p-mos', name: 'MOS', parentId: 'dom-one', enabled: true },
    ]);
    const [sent] = cloud.requests.filter({ api: 'iam', method: 'GET' });
    expect(sent?.path).toBe('/v3/projects');
    expect(sent?.headers['x-project-id']).toBeUndefined();
    expect(String(sent?.headers.authorization)).toMatch(/^SDK-HMAC-SHA256 Access=IAMLISTAK00000000001, SignedHeaders=accept;host;x-sdk-date, Signature=/);
    // A temporary key signs its security token too.
    const temporary = await listIamProjects(cloud.url, 'signed', apiContext({ credentials: credentialsFor(keyAuth(TEMP_KEY)) }));
    expect(temporary.projects).toHaveLength(4);
    // Another account's key sees only its own.
    expect((await listIamProjects(cloud.url, 'signed', apiContext({ credentials: credentialsFor(keyAuth(OTHER_KEY)) }))).projects.map((p) => p.id)).toEqual(['q-eu']);
    expect(ctx.attempts).toEqual(['200']);
  });

  it('lists with a token at GET /v3/auth/projects: a static token, and an IAM password login scoped to the account', async () => {
    const viaToken = await listIamProjects(cloud.url, 'token', apiContext({ credentials: credentialsFor({ kind: 'token', token: 'acme-static-token' }) }));
    expect(viaToken.projects.map((p) => p.id)).toEqual(['p-ap1', 'p-ap1-dev', 'p-off', 'p-mos']);
    cloud.requests.clear();
    const iam: AuthConfig = { kind: 'iam', domainName: 'acme', userName: 'exporter', password: { value: 'Pa55word!' } };
    const viaLogin = await listIamProjects(cloud.url, 'token', apiContext({ credentials: credentialsFor(iam) }));
    expect(viaLogin.projects).toHaveLength(4);
    expect(cloud.requests.entries.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /v3/auth/tokens 201', 'GET /v3/auth/projects 200']);
  });

  it('fails with IAM words on a refusal and an outage, and sends a refused key nothing again at once', async () => {
    const refused = listIamProjects(cloud.url, 'signed', apiContext({ credentials: credentialsFor(keyAuth({ ak: KEY.ak, sk: 'wrong' })) }));
    await expect(refused).rejects.toThrow(/^GET \/v3\/projects: HTTP 401, APIG\.0301, Incorrect IAM authentication information: verify aksk signature fail, signature mismatch/);
    accounts.failProjectLists(503);
    try {
      const ctx = apiContext({ credentials: credentialsFor({ kind: 'token', token: 'acme-static-token' }), maxRetries: 1 });
      await expect(listIamProjects(cloud.url, 'token', ctx)).rejects.toThrow(/^GET \/v3\/auth\/projects: HTTP 503, IAM is unavailable\./);
      expect(ctx.attempts).toEqual(['503', '503']);
    } finally {
      accounts.failProjectLists(undefined);
    }
  });

  it('keeps the records it can use and counts the rest; a body without the array is no list', () => {
    const body = { projects: [{ id: 'a', name: 'ap-southeast-1', enabled: true, is_domain: false }, { id: '', name: 'x', enabled: true }, { id: 'b', name: 'MOS' }, 'junk', { id: 'c', name: 'eu-de', enabled: false, parent_id: 'd' }] };
    expect(readProjectList(body, '/v3/projects')).toEqual({
      projects: [{ id: 'a', name: 'ap-southeast-1', enabled: true }, { id: 'c', name: 'eu-de', enabled: false, parentId: 'd' }],
      invalidRecords: 3,
    });
    expect(() => readProjectList({ project: [] }, '/v3/projects')).toThrow('GET /v3/projects: response has no "projects" array');
  });
});

describe("the simulator's accounts", () => {
  it('lets each account read only its own projects, and refuses forbidden ones with 403', async () => {
    const sim = createSimAccounts([{ ...ACCOUNT, forbidden: ['p-ap1-dev'] }]);
    const req = (token: string) => ({ method: 'GET', path: '/x', headers: { 'x-auth-token': token }, body: Buffer.alloc(0) });
    expect(sim.authenticate(req('acme-static-token'), 'p-ap1')).toEqual({ ok: true });
    expect(sim.authenticate(req('acme-static-token'), 'p-ap1-dev')).toMatchObject({ ok: false, status: 403, error_code: 'APIG.0302' });
    expect(sim.authenticate(req('acme-static-token'), 'q-eu')).toMatchObject({ ok: false, status: 403 });
    expect(sim.authenticate(req('unknown'), 'p-ap1')).toMatchObject({ ok: false, status: 401 });
    sim.addProject('dom-one', { id: 'p-new', name: 'la-south-2' });
    expect(sim.authenticate(req('acme-static-token'), 'p-new')).toEqual({ ok: true });
    expect(sim.removeProject('p-new')).toBe(true);
    expect(sim.authenticate(req('acme-static-token'), 'p-new')).toMatchObject({ ok: false, status: 403 });
    // The token form takes no signature.
    expect(sim.listProjects({ method: 'GET', path: '/v3/auth/projects', headers: {}, body: Buffer.alloc(0) }, 'token').status).toBe(401);
  });
});
