import { rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/config/auth.js';
import { createCredentials, type CredentialsContext } from '../../src/cloud/credentials.js';
import { defaultEndpoints } from '../../src/config/clouds.js';
import type { Credentials, OutgoingRequest } from '../../src/cloud/request.js';
import { createSimAuth, type SimAuth } from '../../src/sim/auth.js';
import { makeTempDir } from '../helpers/temp-dirs.js';

const USER = { domain: 'acme', user: 'exporter', password: 'Pa55word!' };
const KEY = { ak: 'SIMAK0000000000000001', sk: 'sim-secret-key' };
const TEMP_KEY = { ak: 'SIMTEMPAK00000000001', sk: 'sim-temp-secret', securityToken: 'sts-token-value' };
const HOUR = 3_600_000;

/** One fake clock for the simulated IAM and the client, so token lifetimes can be skipped through. */
let clockMs = Date.now();
let sim: SimAuth;
let iamDown = false;
let server: Server;
let base: string;
let dir: string;
/** The query string of every IAM token request. */
const iamQueries: string[] = [];
const dispatcher = new Agent();

beforeAll(async () => {
  dir = makeTempDir('credentials');
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const route = path.split('?')[0] as string;
    if (route.endsWith('/v3/auth/tokens')) iamQueries.push(path.slice(route.length));
    const send = (status: number, headers: Record<string, string>, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(payload));
    };
    if (route.endsWith('/v3/auth/tokens')) {
      if (path.startsWith('/slow/')) return; // never answers
      if (path.startsWith('/echo/')) {
        return send(400, {}, { error_code: 'IAM.0011', error_msg: `Request body is invalid:\n${body.toString()}` });
      }
      if (path.startsWith('/garbage/')) return send(201, {}, { token: {} });
      if (iamDown) return send(503, {}, { error_code: 'IAM.0999', error_msg: 'Service unavailable' });
      const reply = sim.issueToken(JSON.parse(body.toString('utf8')));
      return send(reply.status, reply.headers, reply.body);
    }
    const verdict = sim.check({ method: req.method ?? 'GET', path, headers: req.headers, body }, path.split('/')[2] ?? '');
    if (verdict.ok) send(200, {}, { vaults: [] });
    else send(verdict.status, {}, { error_code: verdict.error_code, error_msg: verdict.error_msg });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await dispatcher.close();
});

beforeEach(() => {
  clockMs = Date.now();
  iamDown = false;
  sim = createSimAuth({
    tokens: ['static-token'],
    keys: [KEY, TEMP_KEY],
    iamUsers: [USER],
    tokenTtlMs: 24 * HOUR,
    now: () => clockMs,
  });
});

function context(attempts: string[] = [], overrides: Partial<CredentialsContext> = {}): CredentialsContext {
  return {
    projectId: 'p1',
    region: 'sim-region-1',
    iamEndpoint: 'http://127.0.0.1:9/not-used',
    dispatcher,
    countAttempt: (code) => attempts.push(code),
    requestTimeoutMs: 2_000,
    now: () => new Date(clockMs),
    ...overrides,
  };
}

/** Authorizes and sends one API request to the simulator; its status and the headers sent. */
async function call(credentials: Credentials, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; sent: Record<string, string> }> {
  const req: OutgoingRequest = {
    method,
    url: new URL(`${base}/v3/p1/vaults?limit=10&name=daily%20*backup~`),
    headers: { accept: 'application/json', ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: Buffer.from('{"vault_ids":["v1"]}') } : {}),
  };
  await credentials.authorize(req);
  const res = await request(req.url, { method, headers: req.headers, body: req.body, dispatcher });
  await res.body.dump();
  return { status: res.statusCode, sent: req.headers };
}

async function secretFile(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function iamAuth(endpoint?: string, password = USER.password): AuthConfig {
  return { kind: 'iam', endpoint, domainName: USER.domain, userName: USER.user, password: { value: password } };
}

describe('token credentials', () => {
  it('sends a static token and cannot renew it', async () => {
    const credentials = createCredentials({ kind: 'token', token: 'static-token' }, context());
    expect(await call(credentials)).toMatchObject({ status: 200, sent: { 'X-Auth-Token': 'static-token' } });
    expect(credentials.renew()).toBe(false);
  });

  it('follows a rotating token file, and re-reads it on renew()', async () => {
    const path = await secretFile('token', 'token-one\n');
    const credentials = createCredentials({ kind: 'token_file', file: path }, context());
    expect((await call(credentials)).sent['X-Auth-Token']).toBe('token-one');
    await writeFile(path, 'token-number-two\n');
    expect((await call(credentials)).sent['X-Auth-Token']).toBe('token-number-two');
    // Same size and a forged old mtime: stat sees no change, so only renew() picks up the new content.
    const stamp = new Date('2024-01-01T00:00:00Z');
    await utimes(path, stamp, stamp);
    expect((await call(credentials)).sent['X-Auth-Token']).toBe('token-number-two');
    await writeFile(path, 'token-number-333\n');
    await utimes(path, stamp, stamp);
    expect((await call(credentials)).sent['X-Auth-Token']).toBe('token-number-two');
    expect(credentials.renew()).toBe(true);
    expect((await call(credentials)).sent['X-Auth-Token']).toBe('token-number-333');
  });

  it('names a missing or empty token file in a one-line error, at once and when it goes missing later', async () => {
    const missing = join(dir, 'no-such-token');
    // At creation: so that --config.check and a reload refuse a config whose token file is not there.
    expect(() => createCredentials({ kind: 'token_file', file: missing }, context())).toThrow(`cannot read token_file ${missing}: ENOENT`);
    const empty = await secretFile('empty-token', ' \n');
    expect(() => createCredentials({ kind: 'token_file', file: empty }, context())).toThrow(`token_file ${empty} is empty`);
    const vanishing = await secretFile('vanishing-token', 'token-one\n');
    const credentials = createCredentials({ kind: 'token_file', file: vanishing }, context());
    await rm(vanishing);
    await expect(credentials.authorize({ method: 'GET', url: new URL(base), headers: {} })).rejects.toThrow(`cannot read token_file ${vanishing}: ENOENT`);
  });
});

describe('AK/SK credentials', () => {
  it('signs requests that the simulated gateway accepts, GET and POST', async () => {
    const credentials = createCredentials({
      kind: 'access_key',
      accessKey: { file: await secretFile('ak', `${KEY.ak}\n`) },
      secretKey: { file: await secretFile('sk', `  ${KEY.sk}\n`) },
    }, context());
    const get = await call(credentials);
    expect(get.status).toBe(200);
    expect(get.sent).toMatchObject({ 'X-Project-Id': 'p1', 'X-Sdk-Date': expect.stringMatching(/^\d{8}T\d{6}Z$/) });
    expect(get.sent.Authorization).toMatch(
      new RegExp(`^SDK-HMAC-SHA256 Access=${KEY.ak}, SignedHeaders=accept;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$`),
    );
    expect((await call(credentials, 'POST')).status).toBe(200);
    expect(credentials.renew()).toBe(false);
    expect(sim.counters().rejections).toBe(0);
  });

  it('sends and signs the security token of a temporary key', async () => {
    const credentials = createCredentials({
      kind: 'access_key', accessKey: { value: TEMP_KEY.ak }, secretKey: { value: TEMP_KEY.sk },
      securityToken: { value: TEMP_KEY.securityToken },
    }, context());
    const { status, sent } = await call(credentials);
    expect(status).toBe(200);
    expect(sent['X-Security-Token']).toBe(TEMP_KEY.securityToken);
    expect(sent.Authorization).toContain('x-security-token');
  });

  it('is refused with a wrong secret key', async () => {
    const credentials = createCredentials({ kind: 'access_key', accessKey: { value: KEY.ak }, secretKey: { value: 'wrong' } }, context());
    expect((await call(credentials)).status).toBe(401);
  });

  it('names an unreadable key file without showing any secret', () => {
    const missing = join(dir, 'no-such-sk');
    expect(() => createCredentials({ kind: 'access_key', accessKey: { value: KEY.ak }, secretKey: { file: missing } }, context()))
      .toThrow(`cannot read secret_key_file ${missing}: ENOENT`);
  });
});

describe('IAM password credentials', () => {
  it('logs in once, scoped to the project, and sends the token', async () => {
    const attempts: string[] = [];
    const credentials = createCredentials(iamAuth(`${base}/`), context(attempts));
    const first = await call(credentials);
    expect(first.status).toBe(200);
    expect(first.sent['X-Auth-Token']).toMatch(/^MIIsim/);
    expect((await call(credentials)).sent['X-Auth-Token']).toBe(first.sent['X-Auth-Token']);
    expect(attempts).toEqual(['201']);
    expect(sim.counters().tokensIssued).toBe(1);
  });

  it("uses the target's IAM endpoint when the auth block names none", async () => {
    const credentials = createCredentials(iamAuth(), context([], { iamEndpoint: base }));
    iamQueries.length = 0;
    expect((await call(credentials)).status).toBe(200);
    // Without the catalog: the answer is a few hundred bytes, not tens of kilobytes.
    expect(iamQueries).toEqual(['?nocatalog=true']);
    // Huawei Cloud's default: the global IAM, which has a token for every region (regional IAM is not everywhere).
    expect(defaultEndpoints({ preset: 'huaweicloud' }, 'ap-southeast-5').iam).toBe('https://iam.myhuaweicloud.com');
  });

  it('renews the token in the last hour of its 24-hour life', async () => {
    const credentials = createCredentials(iamAuth(base), context());
    const first = (await call(credentials)).sent['X-Auth-Token'];
    clockMs += 22 * HOUR;
    expect((await call(credentials)).sent['X-Auth-Token']).toBe(first);
    clockMs += HOUR + 60_000;
    const second = await call(credentials);
    expect(second.status).toBe(200);
    expect(second.sent['X-Auth-Token']).not.toBe(first);
    expect(sim.counters().tokensIssued).toBe(2);
  });

  it('gets a new token after a 401 and renew()', async () => {
    const credentials = createCredentials(iamAuth(base), context());
    expect((await call(credentials)).status).toBe(200);
    sim.expireAllTokens();
    expect((await call(credentials)).status).toBe(401);
    expect(credentials.renew()).toBe(true);
    expect((await call(credentials)).status).toBe(200);
    expect(sim.counters()).toMatchObject({ tokensIssued: 2, rejections: 1 });
  });

  it('logs in once when two requests refused at the same moment both renew', async () => {
    const credentials = createCredentials(iamAuth(base), context());
    await call(credentials);
    sim.expireAllTokens();
    const [first, second] = await Promise.all([call(credentials), call(credentials)]);
    expect([first.status, second.status]).toEqual([401, 401]);
    // The first renew drops the refused token and the retry fetches a new one...
    expect(credentials.renew({ method: 'GET', url: new URL(base), headers: first.sent })).toBe(true);
    expect((await call(credentials)).status).toBe(200);
    // ...which the second renew, naming the same refused token, must not throw away.
    expect(credentials.renew({ method: 'GET', url: new URL(base), headers: second.sent })).toBe(true);
    expect((await call(credentials)).status).toBe(200);
    expect(sim.counters().tokensIssued).toBe(2);
  });

  it('shares one token request among concurrent callers', async () => {
    const attempts: string[] = [];
    const credentials = createCredentials(iamAuth(base), context(attempts));
    const results = await Promise.all(Array.from({ length: 10 }, () => call(credentials)));
    expect(new Set(results.map((r) => r.sent['X-Auth-Token'])).size).toBe(1);
    expect(attempts).toEqual(['201']);
    expect(sim.counters().tokensIssued).toBe(1);
  });

  it('keeps a still-valid token while IAM fails an early renewal', async () => {
    const attempts: string[] = [];
    const credentials = createCredentials(iamAuth(base), context(attempts));
    const first = (await call(credentials)).sent['X-Auth-Token'];
    iamDown = true;
    clockMs += 23.5 * HOUR;
    expect((await call(credentials)).sent['X-Auth-Token']).toBe(first);
    clockMs += 0.5 * HOUR;
    await expect(call(credentials)).rejects.toThrow(/HTTP 503: IAM\.0999 Service unavailable$/);
    expect(attempts).toEqual(['201', '503', '503']);
  });

  it('reports a wrong password with status and IAM error, never the password', async () => {
    const attempts: string[] = [];
    const credentials = createCredentials(iamAuth(base, 'Wr0ng-Secret'), context(attempts));
    const error = await call(credentials).then(() => undefined, (err: Error) => err);
    expect(error?.message).toBe(
      `IAM token request for user "exporter" of domain "acme" to ${base}/v3/auth/tokens failed: ` +
        'HTTP 401: The username or password is wrong.',
    );
    expect(attempts).toEqual(['401']);
  });

  it('keeps the password out of an error that echoes the request, and on one line', async () => {
    const credentials = createCredentials(iamAuth(`${base}/echo`, 'Echoed-Secret'), context());
    const error = await call(credentials).then(() => undefined, (err: Error) => err);
    expect(error?.message).toMatch(/failed: HTTP 400: IAM\.0011 Request body is invalid: \{"auth"/);
    expect(error?.message).not.toContain('Echoed-Secret');
    expect(error?.message).not.toContain('\n');
  });

  it('counts a timeout, a refused connection and a 201 without a token', async () => {
    const attempts: string[] = [];
    const slow = createCredentials(iamAuth(`${base}/slow`), context(attempts, { requestTimeoutMs: 150 }));
    await expect(call(slow)).rejects.toThrow(/to .*\/slow\/v3\/auth\/tokens timed out after 150 ms$/);
    const refused = createCredentials(iamAuth('http://127.0.0.1:1'), context(attempts));
    await expect(call(refused)).rejects.toThrow(/^IAM token request .* failed: .*ECONNREFUSED/);
    const garbage = createCredentials(iamAuth(`${base}/garbage`), context(attempts));
    await expect(call(garbage)).rejects.toThrow(/got HTTP 201 without an X-Subject-Token header and token\.expires_at$/);
    expect(attempts).toEqual(['timeout', 'error', 'invalid_body']);
  });

  it('names an unreadable password file', () => {
    const missing = join(dir, 'no-such-password');
    const auth: AuthConfig = { kind: 'iam', domainName: 'd', userName: 'u', password: { file: missing } };
    expect(() => createCredentials(auth, context())).toThrow(`cannot read password_file ${missing}: ENOENT`);
  });
});
