import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashSync, verifySync } from '@node-rs/bcrypt';
import { afterEach, describe, expect, it } from 'vitest';
import { createBasicAuth, type RefusalReason } from '../../src/server/basic-auth.js';
import { bcryptCost, decoyCost, decoyHash, MAX_DECOY_COST } from '../../src/server/decoy-hash.js';
import { BUSY, createPasswordChecks, type Verifier } from '../../src/server/password-checks.js';
import { waitFor } from '../helpers/wait-for.js';

/** A verifier whose checks finish only when the test says so: the bound is then seen without timing luck. */
function heldVerifier() {
  const held: { password: string; hash: string; finish(): void }[] = [];
  const verifier: Verifier = (password, hash) => new Promise<boolean>((resolve) => {
    held.push({ password, hash, finish: () => resolve(verifySync(password, hash)) });
  });
  return { verifier, held };
}

const servers: http.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serveAuth(users: Map<string, string>, verifier: Verifier, limits = { running: 1, waiting: 2 }) {
  const refusals: RefusalReason[] = [];
  const checks = createPasswordChecks(limits, verifier);
  const middleware = createBasicAuth({ checks, onRefused: (r) => refusals.push(r) }).forUsers(users);
  const server = http.createServer((req, res) => middleware(req, res, () => res.end('ok')));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const get = (auth: string) => fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } })
    .then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() }));
  return { checks, refusals, get };
}

const until = (condition: () => boolean) => waitFor(condition.toString(), condition, { intervalMs: 5 });

describe('basic auth under a flood of unknown logins', () => {
  const users = new Map([['prometheus', hashSync('scrape', 4)]]);

  it('bounds the checks in flight, answers 429 beyond at once, and never delays a remembered login', async () => {
    const { verifier, held } = heldVerifier();
    const { checks, refusals, get } = await serveAuth(users, verifier);
    expect(await (async () => {
      const first = get('prometheus:scrape');
      await until(() => held.length === 1);
      held[0]?.finish();
      return (await first).status;
    })()).toBe(200);

    // One running and two waiting fill the bound; nothing finishes until the test lets it.
    const flood = [get('a:1'), get('b:2'), get('c:3')];
    await until(() => checks.inFlight() === 3);
    const beyond = await Promise.all([get('d:4'), get('prometheus:wrong')]);
    expect(beyond.map((r) => [r.status, r.retryAfter])).toEqual([[429, '1'], [429, '1']]);
    // The remembered login is answered while all three checks are still held.
    expect((await get('prometheus:scrape')).status).toBe(200);
    expect(checks.inFlight()).toBe(3);

    for (let i = 1; i <= 3; i++) {
      await until(() => held.length === i + 1);
      held[i]?.finish();
    }
    expect((await Promise.all(flood)).map((r) => r.status)).toEqual([401, 401, 401]);
    expect(refusals.sort()).toEqual(['auth_busy', 'auth_busy', 'unauthorized', 'unauthorized', 'unauthorized']);
    // Unknown users were checked against the decoy, never against prometheus' own hash.
    expect(held.slice(1).every((h) => h.hash !== users.get('prometheus') && bcryptCost(h.hash) === 4)).toBe(true);
  });

  it('shares one check among identical requests in flight, as exporter-toolkit does for 150 wrong logins', async () => {
    const { verifier, held } = heldVerifier();
    const { get } = await serveAuth(users, verifier);
    const same = Array.from({ length: 20 }, () => get('prometheus:wrong'));
    await until(() => held.length === 1);
    held[0]?.finish();
    expect(new Set((await Promise.all(same)).map((r) => r.status))).toEqual(new Set([401]));
    expect(held).toHaveLength(1);
  });

  it('keeps failures apart from successes: a flood of wrong guesses cannot push a login out', async () => {
    const { verifier, held } = heldVerifier();
    const refusals: RefusalReason[] = [];
    const checks = createPasswordChecks({ running: 1, waiting: 0 }, verifier);
    const middleware = createBasicAuth({ checks, cacheSize: 2, onRefused: (r) => refusals.push(r) }).forUsers(users);
    const run = (auth: string) => new Promise<number>((resolve) => {
      const res = Object.assign(new http.ServerResponse(new http.IncomingMessage(null as never)), {});
      res.end = ((() => resolve(res.statusCode)) as unknown) as typeof res.end;
      const req = { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` }, url: '/' } as http.IncomingMessage;
      middleware(req, res, () => resolve(200));
    });
    const login = run('prometheus:scrape');
    held[0]?.finish();
    expect(await login).toBe(200);
    for (let i = 0; i < 5; i++) {
      const guess = run(`prometheus:guess-${i}`);
      held[i + 1]?.finish();
      expect(await guess).toBe(401);
    }
    expect(held).toHaveLength(6);
    // Still remembered after more failures than the cache holds: no bcrypt run for it.
    expect(await run('prometheus:scrape')).toBe(200);
    expect(held).toHaveLength(6);
  });

  it('does not let a remembered login in once its hash changed or its user was removed', async () => {
    const { verifier, held } = heldVerifier();
    const auth = createBasicAuth({ checks: createPasswordChecks({ running: 1, waiting: 4 }, verifier) });
    const statusOf = (users: Map<string, string>, credentials: string) => new Promise<number>((resolve) => {
      const res = new http.ServerResponse(new http.IncomingMessage(null as never));
      res.end = ((() => resolve(res.statusCode)) as unknown) as typeof res.end;
      auth.forUsers(users)({ headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }, url: '/' } as http.IncomingMessage, res, () => resolve(200));
      held.at(-1)?.finish();
    });
    expect(await statusOf(users, 'prometheus:scrape')).toBe(200);
    expect(await statusOf(new Map([['prometheus', hashSync('rotated', 4)]]), 'prometheus:scrape')).toBe(401);
    expect(await statusOf(new Map([['vmagent', hashSync('x', 4)]]), 'prometheus:scrape')).toBe(401);
  });

  it('checks nothing when the user list is empty, and answers a missing or malformed header 401 without bcrypt', async () => {
    const { verifier, held } = heldVerifier();
    const { get } = await serveAuth(new Map(), verifier);
    expect((await get('anyone:at-all')).status).toBe(200);
    const guarded = await serveAuth(users, verifier);
    expect((await guarded.get('no-colon')).status).toBe(401);
    expect(held).toHaveLength(0);
  });
});

describe('createPasswordChecks', () => {
  it('runs one check at a time and reports BUSY beyond the waiting room', async () => {
    const { verifier, held } = heldVerifier();
    const checks = createPasswordChecks({ running: 1, waiting: 1 }, verifier);
    const hash = hashSync('pw', 4);
    const a = checks.verify('pw', hash);
    const b = checks.verify('no', hash);
    expect(checks.verify('x', hash)).toBe(BUSY);
    expect(held).toHaveLength(1);
    held[0]?.finish();
    expect(await a).toBe(true);
    await until(() => held.length === 2);
    held[1]?.finish();
    expect(await b).toBe(false);
    expect(checks.inFlight()).toBe(0);
  });
});

describe('the decoy hash', () => {
  const at = (cost: number) => `$2y$${String(cost).padStart(2, '0')}$${'a'.repeat(53)}`;

  it('takes the most common cost of the file, the higher on a tie, capped at 12', () => {
    // exporter-toolkit's test file shape: 12, 18, 10, 10.
    expect(decoyCost([at(12), at(18), at(10), at(10)])).toBe(10);
    expect(decoyCost([at(10), at(11)])).toBe(11);
    expect(decoyCost([at(18)])).toBe(MAX_DECOY_COST);
    expect(decoyCost([at(14), at(14), at(5)])).toBe(12);
    expect(decoyCost([])).toBe(4);
  });

  it('is a well-formed hash of that cost that bcrypt parses and works through (no early exit)', () => {
    for (const cost of [4, 5]) {
      const decoy = decoyHash(cost);
      expect(decoy).toMatch(new RegExp(`^\\$2b\\$0${cost}\\$[./A-Za-z0-9]{53}$`));
      expect(verifySync('anything', decoy)).toBe(false);
      expect(decoyHash(cost)).not.toBe(decoy);
    }
  });
});
