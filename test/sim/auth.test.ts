import { describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../../src/cloud/request.js';
import { canonicalRequest, formatSdkDate, signatureOf, signRequest, stringToSign } from '../../src/cloud/sign.js';
import { createSimAuth, type ReceivedRequest } from '../../src/sim/auth.js';

const KEY = { ak: 'SIMAK0000000000000001', sk: 'sim-secret-key' };
const TEMP_KEY = { ak: 'SIMTEMPAK00000000001', sk: 'sim-temp-secret', securityToken: 'sts-token-value' };
const USER = { domain: 'acme', user: 'exporter', password: 'Pa55word!' };
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

/** The request as a node:http server receives it after undici sent it. */
function received(req: OutgoingRequest): ReceivedRequest {
  const headers: Record<string, string> = { host: req.url.host };
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
  return { method: req.method, path: req.url.pathname + req.url.search, headers, body: Buffer.from(req.body ?? []) };
}

function signed(key: typeof KEY | typeof TEMP_KEY, at: number, change?: (req: OutgoingRequest) => void): ReceivedRequest {
  const req: OutgoingRequest = {
    method: 'POST',
    url: new URL('http://127.0.0.1:8080/v3/p1/vaults/action?limit=10&name=a%20b'),
    headers: { 'Content-Type': 'application/json', 'X-Project-Id': 'p1' },
    body: Buffer.from('{"x":1}'),
  };
  Object.assign(req.headers, signRequest(req, key, new Date(at)));
  change?.(req);
  return received(req);
}

function login(overrides: Partial<typeof USER> = {}, projectId = 'p1'): unknown {
  const { domain, user, password } = { ...USER, ...overrides };
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: domain } } } },
      scope: { project: { id: projectId } },
    },
  };
}

const withToken = (token: string): ReceivedRequest => ({
  method: 'GET', path: '/v3/p1/vaults', headers: { host: 'sim', 'x-auth-token': token }, body: Buffer.alloc(0),
});

describe('SimAuth tokens', () => {
  it('accepts a static token for any project and refuses an unknown one', () => {
    const auth = createSimAuth({ tokens: ['static-token'] });
    expect(auth.check(withToken('static-token'), 'p1')).toEqual({ ok: true });
    expect(auth.check(withToken('static-token'), 'p2')).toEqual({ ok: true });
    expect(auth.check(withToken('forged'), 'p1')).toEqual({
      ok: false, status: 401, error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information: decrypt token fail',
    });
    expect(auth.counters().rejections).toBe(1);
  });

  it('issues project-scoped tokens that expire', () => {
    const time = clock();
    const auth = createSimAuth({ iamUsers: [USER], tokenTtlMs: 3_600_000, now: time.now });
    const reply = auth.issueToken(login());
    expect(reply.status).toBe(201);
    const token = reply.headers['X-Subject-Token'] as string;
    const body = reply.body as { token: { expires_at: string } };
    expect(body.token.expires_at).toBe('2025-06-01T13:00:00.000000Z');
    expect(Date.parse(body.token.expires_at)).toBe(T0 + 3_600_000);
    expect(auth.check(withToken(token), 'p1')).toEqual({ ok: true });
    expect(auth.check(withToken(token), 'p2')).toMatchObject({ ok: false, status: 403, error_code: 'APIG.0302' });
    time.advance(3_600_000);
    expect(auth.check(withToken(token), 'p1')).toMatchObject({ ok: false, status: 401, error_code: 'APIG.0307' });
    expect(auth.counters()).toEqual({ tokensIssued: 1, tokenRequestsRejected: 0, rejections: 2 });
  });

  it('expires every issued token on demand', () => {
    const auth = createSimAuth({ iamUsers: [USER] });
    const token = auth.issueToken(login()).headers['X-Subject-Token'] as string;
    expect(auth.check(withToken(token), 'p1').ok).toBe(true);
    auth.expireAllTokens();
    expect(auth.check(withToken(token), 'p1')).toMatchObject({ ok: false, error_code: 'APIG.0307' });
  });

  it("answers a wrong password and a malformed body as IAM does", () => {
    const auth = createSimAuth({ iamUsers: [USER] });
    expect(auth.issueToken(login({ password: 'wrong' }))).toMatchObject({
      status: 401, body: { error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } },
    });
    expect(auth.issueToken(login({ domain: 'other' })).status).toBe(401);
    expect(auth.issueToken({ auth: { identity: { methods: ['token'] } } })).toMatchObject({ status: 400, body: { error: { code: 400 } } });
    expect(auth.issueToken(null).status).toBe(400);
    expect(auth.counters()).toMatchObject({ tokensIssued: 0, tokenRequestsRejected: 4 });
  });
});

describe('SimAuth AK/SK signatures', () => {
  const failure = (detail: string) => ({
    ok: false, status: 401, error_code: 'APIG.0301', error_msg: `Incorrect IAM authentication information: verify aksk signature fail, ${detail}`,
  });

  it('accepts a request signed by sign.ts, as received', () => {
    const auth = createSimAuth({ keys: [KEY], now: () => T0 });
    expect(auth.check(signed(KEY, T0), 'p1')).toEqual({ ok: true });
  });

  it('rejects a tampered signature, path, query or body', () => {
    const auth = createSimAuth({ keys: [KEY], now: () => T0, akLockout: { failures: 100, lockMs: 1 } });
    const good = signed(KEY, T0);
    const authorization = good.headers.authorization as string;
    const flipped = authorization.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(auth.check({ ...good, headers: { ...good.headers, authorization: flipped } }, 'p1')).toEqual(failure('signature mismatch'));
    expect(auth.check({ ...good, path: good.path.replace('p1', 'p2') }, 'p1')).toEqual(failure('signature mismatch'));
    expect(auth.check({ ...good, path: good.path.replace('limit=10', 'limit=11') }, 'p1')).toEqual(failure('signature mismatch'));
    expect(auth.check({ ...good, body: Buffer.from('{"x":2}') }, 'p1')).toEqual(failure('signature mismatch'));
    expect(auth.check({ ...good, headers: { ...good.headers, 'x-project-id': 'p2' } }, 'p1')).toEqual(failure('signature mismatch'));
  });

  it('rejects a missing, malformed or stale X-Sdk-Date', () => {
    const auth = createSimAuth({ keys: [KEY], now: () => T0, akLockout: { failures: 100, lockMs: 1 } });
    expect(auth.check(signed(KEY, T0 - 14 * 60_000), 'p1')).toEqual({ ok: true });
    expect(auth.check(signed(KEY, T0 + 14 * 60_000), 'p1')).toEqual({ ok: true });
    expect(auth.check(signed(KEY, T0 - 16 * 60_000), 'p1')).toEqual(failure('X-Sdk-Date is more than 15 minutes off'));
    expect(auth.check(signed(KEY, T0 + 16 * 60_000), 'p1')).toEqual(failure('X-Sdk-Date is more than 15 minutes off'));
    const good = signed(KEY, T0);
    const { 'x-sdk-date': _, ...undated } = good.headers;
    expect(auth.check({ ...good, headers: undated }, 'p1')).toEqual(failure('X-Sdk-Date header missing'));
    expect(auth.check({ ...good, headers: { ...good.headers, 'x-sdk-date': '2025-06-01T12:00:00Z' } }, 'p1')).toEqual(
      failure('X-Sdk-Date is not in the format YYYYMMDDTHHMMSSZ'),
    );
  });

  it('rejects a signature that does not cover host', () => {
    const auth = createSimAuth({ keys: [KEY], now: () => T0 });
    const sdkDate = formatSdkDate(new Date(T0));
    const url = new URL('http://127.0.0.1:8080/v3/p1/vaults');
    const { canonical, signedHeaders } = canonicalRequest({ method: 'GET', url, headers: { 'x-sdk-date': sdkDate } });
    const signature = signatureOf(KEY.sk, stringToSign(sdkDate, canonical));
    const req: ReceivedRequest = {
      method: 'GET',
      path: '/v3/p1/vaults',
      headers: {
        host: url.host,
        'x-sdk-date': sdkDate,
        authorization: `SDK-HMAC-SHA256 Access=${KEY.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      },
      body: Buffer.alloc(0),
    };
    expect(auth.check(req, 'p1')).toEqual(failure('host is not a signed header'));
  });

  it('requires the security token of a temporary key', () => {
    const auth = createSimAuth({ keys: [TEMP_KEY], now: () => T0 });
    expect(auth.check(signed(TEMP_KEY, T0), 'p1')).toEqual({ ok: true });
    const withoutToken = signed({ ak: TEMP_KEY.ak, sk: TEMP_KEY.sk }, T0);
    expect(auth.check(withoutToken, 'p1')).toEqual(failure('a temporary AK needs its X-Security-Token'));
    const otherToken = signed({ ...TEMP_KEY, securityToken: 'another-sts-token' }, T0);
    expect(auth.check(otherToken, 'p1')).toEqual(failure('a temporary AK needs its X-Security-Token'));
  });

  it('names an unknown AK and refuses a malformed Authorization or none', () => {
    const auth = createSimAuth({ keys: [KEY], now: () => T0 });
    expect(auth.check(signed({ ak: 'NOSUCHAK', sk: 'x' }, T0), 'p1')).toEqual({
      ok: false, status: 401, error_code: 'APIG.0301',
      error_msg: 'Incorrect IAM authentication information: Get secretKey failed,ak:NOSUCHAK,err:ak not exist',
    });
    const good = signed(KEY, T0);
    expect(auth.check({ ...good, headers: { ...good.headers, authorization: 'Basic eDp5' } }, 'p1')).toEqual(
      failure('malformed Authorization header'),
    );
    expect(auth.check({ ...good, headers: { host: 'h' } }, 'p1')).toMatchObject({ ok: false, status: 401, error_code: 'APIG.0301' });
    expect(auth.counters().rejections).toBe(3);
  });

  it('locks an AK after repeated failures, as APIG does, and unlocks it later', () => {
    const time = clock();
    const auth = createSimAuth({ keys: [KEY], now: time.now });
    const wrong = signed({ ak: KEY.ak, sk: 'wrong-secret' }, T0);
    for (let i = 0; i < 5; i++) expect(auth.check(wrong, 'p1')).toEqual(failure('signature mismatch'));
    expect(auth.check(signed(KEY, T0), 'p1')).toMatchObject({
      ok: false, error_msg: 'Incorrect IAM authentication information: AK access failed to reach the limit,forbidden.',
    });
    time.advance(5 * 60_000);
    expect(auth.check(signed(KEY, time.now()), 'p1')).toEqual({ ok: true });
  });
});
