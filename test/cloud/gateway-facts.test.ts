import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCredentials } from '../../src/cloud/credentials.js';
import { getJson } from '../../src/cloud/get-json.js';
import { HostLimiter } from '../../src/cloud/host-limiter.js';
import { listCbrVaults } from '../../src/cloud/cbr.js';
import { listHssVaults } from '../../src/cloud/hss.js';
import type { ApiError } from '../../src/cloud/api-error.js';
import { Agent } from 'undici';
import { createSimAuth } from '../../src/sim/auth.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { apiContext } from '../helpers/api-context.js';
import { makePki } from '../helpers/pki.js';

/** Issue #10: what API Gateway and the services do besides listing, and what the client makes of it. */

const PROJECT = 'gateway-project';
const TOKEN = 'gateway-token-8c1f2e3d4a5b6c7d';
let cloud: SimulatedCloud;

beforeAll(async () => {
  cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 1500, hssVaults: 450 })], tokens: [TOKEN] });
});
afterAll(() => cloud.close());
beforeEach(() => {
  cloud.faults.reset();
  cloud.requests.clear();
});

const ctxWith = (overrides: Parameters<typeof apiContext>[0] = {}) => apiContext(overrides, TOKEN);

describe('APIG throttling', () => {
  it('waits into the next window named by a 429 without Retry-After, pausing the host, and lists everything', async () => {
    // One per second: the first page and the two that follow it at once cannot all pass, even when a busy machine
    // lets a second boundary fall between them (with two per second that boundary made the test pass unthrottled).
    cloud.faults.set({ rateLimit: { limit: 1, window: 'second' }, only: 'hss' });
    const ctx = ctxWith({ deadlineAt: Date.now() + 30_000 });
    const listing = await listHssVaults(cloud.url, PROJECT, ctx);
    expect(listing.vaults).toHaveLength(450);
    const throttled = cloud.requests.filter({ api: 'hss', status: 429 });
    expect(throttled.length).toBeGreaterThan(0);
    // Every attempt is counted, and each 429 is followed by a wait, not a burst: never more 429s than pages in flight.
    expect(ctx.attempts.length).toBe(cloud.requests.count({ api: 'hss' }));
    expect(ctx.attempts.filter((c) => c === '429').length).toBe(throttled.length);
    expect(throttled.length).toBeLessThanOrEqual(3);
  });

  it('honours Retry-After when the gateway sends one', async () => {
    cloud.faults.set({ throttleEvery: 2, retryAfterSeconds: 0, only: 'hss' });
    const ctx = ctxWith();
    expect((await listHssVaults(cloud.url, PROJECT, ctx)).vaults).toHaveLength(450);
    expect(ctx.attempts.filter((c) => c === '429').length).toBeGreaterThan(0);
  });

  it('gives up at once, saying why, when the next window is past refresh.timeout', async () => {
    cloud.faults.set({ rateLimit: { limit: 1, window: 'minute' }, only: 'hss' });
    const ctx = ctxWith({ deadlineAt: Date.now() + 5_000 });
    await expect(listHssVaults(cloud.url, PROJECT, ctx)).rejects.toThrow(
      /HTTP 429, APIG\.0308, The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 minute, request id [0-9a-f]{32}; not waiting \d+ ms for the next window: it would pass refresh\.timeout$/,
    );
  });
});

describe('authentication failures that are not a 401', () => {
  it.each([
    ['BackupService.9998', '500'],
    ['BackupService.8600', '403'],
  ] as const)('does not retry %s (HTTP %s) and feeds the refusal hold', async (code, status) => {
    cloud.faults.set({ authFailure: code });
    const refused: string[] = [];
    const ctx = ctxWith({ maxRetries: 3 });
    ctx.credentials = { ...ctx.credentials, refused: (error) => void refused.push(error.message) };
    await expect(listCbrVaults(cloud.url, PROJECT, ctx)).rejects.toThrow(new RegExp(`HTTP ${status}, ${code.replace('.', '\\.')}`));
    expect(ctx.attempts).toEqual([status]);
    expect(refused).toHaveLength(1);
  });
});

describe('response bodies', () => {
  it.each([[5 * 2 ** 20], ['endless' as const]])('refuses a body of %s bytes while it streams, without retrying', async (size) => {
    cloud.faults.set({ oversizedBody: size, only: 'hss' });
    const ctx = ctxWith({ bodySizeLimit: 2 ** 20 });
    await expect(listHssVaults(cloud.url, PROJECT, ctx)).rejects.toThrow(/body of more than 1048576 bytes refused \(refresh\.body_size_limit is 1048576 bytes\)/);
    expect(ctx.attempts).toEqual(['invalid_body']);
  });

  describe('of the wrong shape or without a header request id', () => {
    let server: Server;
    let base = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url?.includes('/shape/')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"error_code":"APIG.0101","vaults":"none"}');
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error_code":"BackupService.9900","error_msg":"Parameter verification failed.","request_id":"body-only-id-42"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('counts valid JSON of the wrong shape as invalid_body, not 200', async () => {
      const ctx = ctxWith({ maxRetries: 1 });
      await expect(listCbrVaults(`${base}/shape`, PROJECT, ctx)).rejects.toThrow(/response has no "vaults" array/);
      expect(ctx.attempts).toEqual(['invalid_body', 'invalid_body']);
    });

    it("logs the body's request_id when no X-Request-Id header carries one", async () => {
      await expect(listCbrVaults(`${base}/plain`, PROJECT, ctxWith())).rejects.toThrow(/HTTP 400, BackupService\.9900, Parameter verification failed\., request id body-only-id-42$/);
    });
  });
});

describe('secrets in upstream text', () => {
  it('scrubs the token a gateway quotes back in its error message', async () => {
    cloud.faults.set({ echoHeaders: true });
    const error = (await listHssVaults(cloud.url, PROJECT, ctxWith()).catch((err: unknown) => err)) as ApiError;
    expect(error.message).toMatch(/headers received: .*x-auth-token: \*\*\*/);
    expect(error.message).not.toContain(TOKEN);
    expect(error.details.errorMsg).not.toContain(TOKEN);
  });

  it('scrubs the signature and security token of a signed request, and keeps the access key', async () => {
    const key = { ak: 'GATEWAYAK00000000001', sk: 'gateway-secret-key-0a1b2c3d4e', securityToken: 'gateway-security-token-9z8y7x' };
    const auth = createSimAuth({ keys: [key] });
    const signed = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 3, hssVaults: 10 })], authenticate: (req, p) => auth.check(req, p) });
    try {
      signed.faults.set({ echoHeaders: true });
      const credentials = createCredentials(
        { kind: 'access_key', accessKey: { value: key.ak }, secretKey: { value: key.sk }, securityToken: { value: key.securityToken } },
        { projectId: PROJECT, region: 'ap-southeast-1', iamEndpoint: 'http://127.0.0.1:9', dispatcher: new Agent(), countAttempt: () => undefined, requestTimeoutMs: 5000 },
      );
      const error = (await listHssVaults(signed.url, PROJECT, apiContext({ credentials })).catch((err: unknown) => err)) as ApiError;
      const sent = signed.requests.entries[0]!.headers;
      const signature = /Signature=([0-9a-f]+)/.exec(String(sent.authorization))![1]!;
      expect(error.message).toContain(key.ak);
      for (const secret of [key.sk, key.securityToken, signature]) expect(error.message).not.toContain(secret);
      expect(error.message).toContain('Signature=***');
    } finally {
      await signed.close();
    }
  });
});

describe('a skewed clock', () => {
  it('says the clock is off when the gateway refuses a signature and its Date is more than 15 minutes away', async () => {
    const key = { ak: 'SKEWAK00000000000001', sk: 'skew-secret-key-1q2w3e4r5t' };
    const ahead = 20 * 60_000;
    const auth = createSimAuth({ keys: [key], now: () => Date.now() + ahead });
    const skewed = await startSimulatedCloud({
      fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 3, hssVaults: 10 })],
      authenticate: (req, p) => auth.check(req, p),
      clockOffsetMs: ahead,
    });
    try {
      const credentials = createCredentials(
        { kind: 'access_key', accessKey: { value: key.ak }, secretKey: { value: key.sk } },
        { projectId: PROJECT, region: 'ap-southeast-1', iamEndpoint: 'http://127.0.0.1:9', dispatcher: new Agent(), countAttempt: () => undefined, requestTimeoutMs: 5000 },
      );
      await expect(listHssVaults(skewed.url, PROJECT, apiContext({ credentials }))).rejects.toThrow(
        /HTTP 401, APIG\.0301, .*verify aksk signature fail.*; the local clock is 20 minutes behind the gateway's \(Date: .+\); AK\/SK signatures more than 15 minutes off are refused: set the clock right \(NTP\)$/,
      );
    } finally {
      await skewed.close();
    }
  });
});

describe('TLS', () => {
  it('does not retry a certificate it cannot verify', async () => {
    const pki = makePki();
    const server = createHttpsServer({ cert: pki.pem('server.crt'), key: pki.pem('server.key') }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const ctx = ctxWith({ maxRetries: 3 });
      await expect(getJson(new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/v3/p/vaults`), ctx)).rejects.toThrow(/not retried: trust the server's CA with tls\.ca_file/);
      expect(ctx.attempts).toEqual(['error']);
    } finally {
      server.close();
    }
  });
});

describe('--log.level=debug', () => {
  it('logs each API request with method, path, status, duration and attempt', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(JSON.parse(String(chunk))), done()) });
    cloud.faults.set({ serverErrorEvery: 2, only: 'hss' });
    const ctx = ctxWith({ log: pino({ level: 'debug' }, sink), limiter: new HostLimiter(1) });
    await listHssVaults(cloud.url, PROJECT, ctx);
    const logged = lines.filter((line) => line.msg === 'api request');
    expect(logged.length).toBe(ctx.attempts.length);
    expect(logged[0]).toMatchObject({ level: 20, method: 'GET', path: `/v5/${PROJECT}/ransomware/optional/vaults?limit=200&offset=0`, status: '200', attempt: 1 });
    expect(logged.find((line) => line.status === '500')).toBeDefined();
    expect(logged.find((line) => line.attempt === 2)).toMatchObject({ status: '200' });
    for (const line of logged) expect(line.duration_ms).toEqual(expect.any(Number));
  });
});
