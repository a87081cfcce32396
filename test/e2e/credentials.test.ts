import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../../src/cloud/request.js';
import { canonicalRequest, formatSdkDate, parseAuthorization, signatureOf, signRequest, stringToSign } from '../../src/cloud/sign.js';
import { createSimAuth, type SimAuth } from '../../src/sim/auth.js';
import { generateFleet } from '../../src/sim/fleet.js';
import type { RequestRecord } from '../../src/sim/request-log.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { startDaemon, waitForReady, type DaemonProcess } from '../helpers/process.js';
import { writeTempFile } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait-for.js';
import { parseExposition, type ParsedSample } from '../helpers/parse-exposition.js';

/**
 * Issue #3: the real daemon against the simulator in every credential mode, the simulator's AK/SK
 * rejections, and no secret in anything the daemon prints or serves.
 */

const PROJECT = 'cred000000000000000000000000000a';
const REGION = 'ap-southeast-1';
const SOURCES = ['cbr', 'hss'] as const;
const NEVER = '0 0 1 1 *';
const EVERY_SECOND = '*/1 * * * * *';

const STATIC_TOKEN = 'static-token-7d1c0a9e5b3f4e2d8c6a';
const KEY = { ak: 'CREDAKLONGTERM000001', sk: 'cred-long-term-secret-key-5f0e3c2a9b' };
const TEMP_KEY = { ak: 'CREDAKTEMPORARY00001', sk: 'cred-temporary-secret-key-8a7b6c5d4e', securityToken: 'cred-security-token-2b4d6f8h0j1k3m5n' };
/** Registered in the simulator with its real SK; the daemon is given WRONG_SK for it. */
const LOCKABLE_KEY = { ak: 'CREDAKWRONGSK0000001', sk: 'cred-lockable-real-secret-1e2d3c4b5a' };
/** Another key the simulator would lock after 5 bad signatures, for the test that the exporter never lets it. */
const SPARED_KEY = { ak: 'CREDAKSPARED00000001', sk: 'cred-spared-real-secret-6g7h8i9j0k' };
const WRONG_SK = 'cred-wrong-secret-key-9z8y7x6w5v4u';
const IAM_USER = { domain: 'cred-domain', user: 'vault-exporter', password: 'Cred-IAM-Pa55word-3q5r7s9t' };
const TOKEN_A = 'rotating-token-A-4c9e1f7a2b8d3e6f';
const TOKEN_B = 'rotating-token-B-0a5d8e2c7f1b9e4a';

let auth: SimAuth;
let cloud: SimulatedCloud;
/** Every X-Subject-Token the simulated IAM handed out. */
const issuedTokens: string[] = [];

interface Run {
  mode: string;
  daemon: DaemonProcess;
  /** The config file it runs on; rewrite it and POST /-/reload to change credentials. */
  config: string;
  /** seq of the first simulator request this run can have caused. */
  firstSeq: number;
  /** Every /metrics body and landing page fetched from this daemon. */
  pages: string[];
}
const runs: Run[] = [];

beforeAll(async () => {
  auth = createSimAuth({
    tokens: [STATIC_TOKEN],
    keys: [KEY, TEMP_KEY, LOCKABLE_KEY, SPARED_KEY],
    iamUsers: [IAM_USER],
    tokenTtlMs: 3_000,
  });
  cloud = await startSimulatedCloud({
    fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 50, hssVaults: 20 })],
    // The rotating token_file tokens live in cloud.tokens; everything else is SimAuth's business.
    authenticate: (req, projectId) => {
      const token = req.headers['x-auth-token'];
      if (typeof token === 'string' && cloud.tokens.has(token)) return { ok: true };
      return auth.check(req, projectId);
    },
    iam: (body) => {
      const reply = auth.issueToken(body);
      const token = reply.headers['X-Subject-Token'];
      if (token) issuedTokens.push(token);
      return reply;
    },
  });
});

afterAll(async () => {
  for (const run of runs) await run.daemon.stop();
  await cloud?.close();
});

function writeConfig(schedule: string, authBlock: object | undefined): string {
  const endpoints = { cbr: cloud.url, hss: cloud.url, ...(authBlock && 'iam' in authBlock ? { iam: cloud.url } : {}) };
  // JSON is YAML: secrets and URLs need no quoting rules of their own.
  const lines = [
    'refresh:',
    `  schedule: "${schedule}"`,
    '  request_timeout: 5s',
    ...(authBlock ? [`auth: ${JSON.stringify(authBlock)}`] : []),
    'targets:',
    `  - project_id: "${PROJECT}"`,
    `    region: ${REGION}`,
    `    endpoints: ${JSON.stringify(endpoints)}`,
  ];
  return writeTempFile('exporter.yaml', `${lines.join('\n')}\n`);
}

/** Starts the daemon, runs `body` once it is ready, then saves its landing page and stops it. */
async function withDaemon(
  mode: string,
  options: { schedule: string; auth?: object; env?: NodeJS.ProcessEnv },
  body: (run: Run) => Promise<void>,
): Promise<void> {
  const config = writeConfig(options.schedule, options.auth);
  const firstSeq = cloud.requests.total + 1;
  const daemon = await startDaemon([`--config.file=${config}`, '--web.enable-lifecycle'], options.env);
  const run: Run = { mode, daemon, config, firstSeq, pages: [] };
  runs.push(run);
  try {
    await waitForReady(daemon, 15_000);
    await body(run);
  } finally {
    try {
      run.pages.push(await (await fetch(`${daemon.url}/`)).text());
    } finally {
      await daemon.stop();
    }
  }
}

async function scrape(run: Run): Promise<ParsedSample[]> {
  const text = await (await fetch(`${run.daemon.url}/metrics`, { headers: { 'accept-encoding': 'identity' } })).text();
  run.pages.push(text);
  return parseExposition(text);
}

/** The value of the one sample of `name` with these labels (project and region implied), else undefined. */
function valueOf(samples: ParsedSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted: Record<string, string> = name.startsWith('huaweicloud_vault_exporter_') && labels.source
    ? { project_id: PROJECT, region: REGION, ...labels }
    : labels;
  const found = samples.filter((s) => s.name === name && Object.entries(wanted).every(([k, v]) => s.labels[k] === v));
  return found.length === 1 ? found[0]!.value : undefined;
}

const upOf = (samples: ParsedSample[]) => SOURCES.map((source) => valueOf(samples, 'huaweicloud_vault_exporter_source_up', { source }));

function expectUpWithWholeFleet(samples: ParsedSample[]): void {
  for (const source of SOURCES) {
    expect(valueOf(samples, 'huaweicloud_vault_exporter_source_up', { source }), `${source} up`).toBe(1);
    const fleet = cloud.vaults(PROJECT, source).length;
    expect(fleet).toBe(source === 'cbr' ? 50 : 20);
    expect(valueOf(samples, 'huaweicloud_vault_exporter_vaults', { source }), `${source} vaults`).toBe(fleet);
    const sizes = samples.filter((s) => s.name === `huaweicloud_${source}_vault_size_bytes` && s.labels.project_id === PROJECT);
    expect(sizes.length).toBe(fleet);
  }
}

/** The CBR/HSS requests this run caused (IAM ones with `api: 'iam'`). */
function requestsOf(run: Run, api?: RequestRecord['api']): RequestRecord[] {
  const next = runs[runs.indexOf(run) + 1]?.firstSeq ?? Infinity;
  return cloud.requests.entries.filter(
    (r) => r.seq >= run.firstSeq && r.seq < next && (api ? r.api === api : r.api === 'cbr' || r.api === 'hss'),
  );
}

function header(record: RequestRecord, name: string): string | undefined {
  const value = record.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Every request of the run on both sources, all answered 200. */
function expectEverySourceServed(requests: RequestRecord[]): void {
  expect(new Set(requests.map((r) => r.api))).toEqual(new Set(SOURCES));
  expect(requests.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
}

function expectSignedBy(requests: RequestRecord[], key: { ak: string; securityToken?: string }): void {
  for (const r of requests) {
    const authorization = header(r, 'authorization') ?? '';
    expect(authorization.startsWith(`SDK-HMAC-SHA256 Access=${key.ak}, `), authorization).toBe(true);
    const parsed = parseAuthorization(authorization);
    expect(parsed?.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed?.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-sdk-date']));
    expect(header(r, 'x-sdk-date')).toMatch(/^\d{8}T\d{6}Z$/);
    expect(header(r, 'x-auth-token')).toBeUndefined();
    if (key.securityToken) {
      expect(header(r, 'x-security-token')).toBe(key.securityToken);
      expect(parsed?.signedHeaders).toContain('x-security-token');
    } else {
      expect(header(r, 'x-security-token')).toBeUndefined();
    }
  }
}

const logsOf = (run: Run, msg: string) => run.daemon.logs().filter((r) => typeof r.msg === 'string' && r.msg.startsWith(msg));

/** Polls `check` (every 100 ms) until it returns a value, for at most `timeoutMs`, failing early if the run's daemon ends. */
const until = <T>(run: Run, what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> =>
  waitFor(what, check, { timeoutMs, intervalMs: 100, daemons: [run.daemon] });

describe('the daemon in each credential mode', () => {
  it('signs every request with a long-term AK/SK (SDK-HMAC-SHA256, no token)', async () => {
    await withDaemon('access_key', { schedule: NEVER, auth: { access_key: KEY.ak, secret_key: KEY.sk } }, async (run) => {
      expectUpWithWholeFleet(await scrape(run));
      const requests = requestsOf(run);
      expectEverySourceServed(requests);
      expectSignedBy(requests, KEY);
    });
  });

  it('signs X-Security-Token along with a temporary AK/SK', async () => {
    const authBlock = { access_key: TEMP_KEY.ak, secret_key: TEMP_KEY.sk, security_token: TEMP_KEY.securityToken };
    await withDaemon('access_key+security_token', { schedule: NEVER, auth: authBlock }, async (run) => {
      expectUpWithWholeFleet(await scrape(run));
      const requests = requestsOf(run);
      expectEverySourceServed(requests);
      expectSignedBy(requests, TEMP_KEY);
    });
  });

  it('takes the AK/SK from HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK when the config has no auth', async () => {
    const env = { HUAWEICLOUD_SDK_AK: KEY.ak, HUAWEICLOUD_SDK_SK: KEY.sk };
    await withDaemon('environment', { schedule: NEVER, env }, async (run) => {
      expectUpWithWholeFleet(await scrape(run));
      const requests = requestsOf(run);
      expectEverySourceServed(requests);
      expectSignedBy(requests, KEY);
    });
  });

  it('sends a static token as X-Auth-Token, unsigned', async () => {
    await withDaemon('token', { schedule: NEVER, auth: { token: STATIC_TOKEN } }, async (run) => {
      expectUpWithWholeFleet(await scrape(run));
      const requests = requestsOf(run);
      expectEverySourceServed(requests);
      for (const r of requests) {
        expect(header(r, 'x-auth-token')).toBe(STATIC_TOKEN);
        expect(header(r, 'authorization')).toBeUndefined();
        expect(header(r, 'x-sdk-date')).toBeUndefined();
      }
    });
  });

  it('with a wrong SK: source_up 0, one 401 per source, APIG.0301 in the log line, and a reload of the same key sends no more', async () => {
    const authBlock = { access_key: LOCKABLE_KEY.ak, secret_key: WRONG_SK };
    await withDaemon('wrong_secret_key', { schedule: NEVER, auth: authBlock }, async (run) => {
      const failures = () => logsOf(run, 'refresh failed');
      await until(run, 'the first refresh to fail for both sources', 10_000, () => (failures().length >= 2 ? true : undefined));
      // The same wrong key after a reload (with a target added, so that the new config refreshes at once): a
      // reload is no reason to let refused credentials try again, since that loop gets a key locked.
      writeFileSync(run.config, `${readFileSync(run.config, 'utf8')}  - project_id: "${PROJECT}"\n    region: cn-north-4\n    endpoints: { cbr: "${cloud.url}", hss: "${cloud.url}" }\n`);
      expect((await fetch(`${run.daemon.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      const held = () => failures().filter((r) => String(r.err_msg).startsWith('not sent: '));
      await until(run, 'every pair of the reloaded config to be held back', 10_000, () => (held().length >= 4 ? true : undefined));
      const samples = await scrape(run);
      const requests = requestsOf(run);
      expect(requests.length).toBe(2);
      for (const source of SOURCES) {
        expect(samples.filter((s) => s.name === 'huaweicloud_vault_exporter_source_up' && s.labels.source === source).map((s) => s.value)).toEqual([0, 0]);
        expect(valueOf(samples, 'huaweicloud_vault_exporter_vaults', { source, region: REGION })).toBe(0);
        expect(requests.filter((r) => r.api === source).map((r) => r.status)).toEqual([401]);
        const attempts = samples.filter((s) => s.name === 'huaweicloud_vault_exporter_api_requests_total' && s.labels.source === source);
        expect(attempts.map((s) => [s.labels.code, s.value])).toEqual([['401', 1]]);
        const [line, ...others] = failures().filter((r) => r.pair === `${source}/${PROJECT}/${REGION}`);
        expect(line!.err_msg).toContain('HTTP 401');
        expect(line!.err_msg).toContain('APIG.0301');
        expect(line!.err_msg).toContain('Incorrect IAM authentication information: ');
        expect(line!.err_msg).toContain('verify aksk signature fail, signature mismatch');
        expect(others.map((r) => String(r.err_msg).slice(0, 10))).toEqual(['not sent: ']);
      }
      expectSignedBy(requests, { ak: LOCKABLE_KEY.ak });
    });
  });

  it('holds a refused key back instead of trying it every second, so it is not locked when the operator fixes it', async () => {
    const wrong = { access_key: SPARED_KEY.ak, secret_key: WRONG_SK };
    await withDaemon('held_back', { schedule: EVERY_SECOND, auth: wrong }, async (run) => {
      // Three more scheduled refreshes after the refusal: without the hold that is 8 bad signatures, and the
      // simulator locks at 5.
      const heldLines = () => logsOf(run, 'refresh failed').filter((r) => String(r.err_msg).startsWith('not sent: '));
      const held = await until(run, 'three refreshes held back', 20_000, () => (heldLines().length >= 6 ? heldLines() : undefined));
      const refused = requestsOf(run);
      expect(refused.map((r) => [r.api, r.status]).sort()).toEqual([['cbr', 401], ['hss', 401]]);
      expect(held[0]!.err_msg).toMatch(
        /^not sent: these credentials were refused 1 time\(s\) in a row and are held back until \d{4}-\d\d-\d\dT[\d:.]+Z, .*\(last refusal: GET .*HTTP 401, APIG\.0301/,
      );
      const samples = await scrape(run);
      expect(upOf(samples)).toEqual([0, 0]);
      // Nothing sent while held, so nothing counted.
      const attempts = samples.filter((s) => s.name === 'huaweicloud_vault_exporter_api_requests_total');
      expect(attempts.map((s) => [s.labels.source, s.labels.code, s.value]).sort()).toEqual([['cbr', '401', 1], ['hss', '401', 1]]);

      // The operator puts the right secret in; the key was never locked, so it works at the next refresh.
      writeFileSync(run.config, readFileSync(run.config, 'utf8').replace(WRONG_SK, SPARED_KEY.sk));
      expect((await fetch(`${run.daemon.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      const fixed = await until(run, 'source_up 1 with the right secret', 5_000, async () => {
        const s = await scrape(run);
        return upOf(s).every((v) => v === 1) ? s : undefined;
      });
      expectUpWithWholeFleet(fixed);
    });
  });

  it('with an IAM password: renews tokens before expiry and after a 401, and no refresh fails', async () => {
    const issuedBefore = auth.counters().tokensIssued;
    const iamBlock = { iam: { domain_name: IAM_USER.domain, user_name: IAM_USER.user, password: IAM_USER.password } };
    await withDaemon('iam', { schedule: EVERY_SECOND, auth: iamBlock }, async (run) => {
      const issuedInRun = () => auth.counters().tokensIssued - issuedBefore;
      const tokensAnswered = () => new Set(requestsOf(run).filter((r) => r.status === 200).map((r) => header(r, 'x-auth-token'))).size;
      let scrapes = 0;
      let refreshes = 0;
      let expiredAtRefresh: number | undefined;
      // Every scrape on the way must show both sources up.
      await waitFor('three refreshes after every token was revoked, seven in all', async () => {
        const samples = await scrape(run);
        scrapes++;
        expect(upOf(samples), `source_up at scrape ${scrapes}`).toEqual([1, 1]);
        refreshes = valueOf(samples, 'huaweicloud_vault_exporter_refreshes_total') ?? 0;
        // Once a token renewed because of its 3 s lifetime has been answered, revoke every token mid-run:
        // the next refresh finds its cached token refused (APIG.0307) and must renew and retry. (Revoking as
        // soon as the renewed token was issued could revoke it before any request used it.)
        if (expiredAtRefresh === undefined && tokensAnswered() >= 2) {
          auth.expireAllTokens();
          expiredAtRefresh = refreshes;
        }
        return expiredAtRefresh !== undefined && refreshes >= Math.max(7, expiredAtRefresh + 3);
      }, { timeoutMs: 20_000, daemons: [run.daemon], detail: () => `${refreshes} refreshes, tokens issued: ${issuedInRun()}` });
      expect(scrapes).toBeGreaterThan(10);
      expect(logsOf(run, 'refresh failed')).toEqual([]);
      expect(issuedInRun()).toBeGreaterThanOrEqual(3);

      const renewals = logsOf(run, 'credentials rejected; renewing them and retrying once');
      expect(renewals.length).toBeGreaterThanOrEqual(1);
      for (const line of renewals) expect(line.err_msg).toContain('APIG.0307');
      const requests = requestsOf(run);
      const refused = requests.filter((r) => r.status !== 200);
      expect(refused.map((r) => r.status)).toEqual(renewals.map(() => 401));
      expect(refused.length).toBeLessThanOrEqual(2); // only the refresh after expireAllTokens(), once per source
      for (const r of requests) {
        expect(issuedTokens).toContain(header(r, 'x-auth-token'));
        expect(header(r, 'authorization')).toBeUndefined();
      }
      expect(tokensAnswered()).toBeGreaterThanOrEqual(3);

      // Every token request the simulator answered 201 is counted under source="iam".
      const iamCount = await until(run, 'the iam request counter to match the simulator', 5_000, async () => {
        const counted = valueOf(await scrape(run), 'huaweicloud_vault_exporter_api_requests_total', { source: 'iam', code: '201' });
        const answered = requestsOf(run, 'iam').filter((r) => r.status === 201).length;
        return counted === answered ? counted : undefined;
      });
      expect(iamCount).toBe(requestsOf(run, 'iam').length);
      expect(iamCount).toBeGreaterThanOrEqual(3);
    });
  });

  it('re-reads a rotated token_file without a restart', async () => {
    const tokenFile = writeTempFile('x-auth-token', `${TOKEN_A}\n`);
    cloud.tokens.clear();
    cloud.tokens.add(TOKEN_A);
    try {
      await withDaemon('token_file', { schedule: EVERY_SECOND, auth: { token_file: tokenFile } }, async (run) => {
        const pid = run.daemon.child.pid;
        expectUpWithWholeFleet(await scrape(run));
        expect(new Set(requestsOf(run).map((r) => header(r, 'x-auth-token')))).toEqual(new Set([TOKEN_A]));

        // The cloud stops accepting A: the file still says A, so refreshes fail.
        cloud.tokens.clear();
        cloud.tokens.add(TOKEN_B);
        await until(run, 'source_up 0 after token A was revoked', 5_000, async () => (upOf(await scrape(run)).every((v) => v === 0) ? true : undefined));

        // A sidecar writes B the way Kubernetes updates a Secret volume: a new file renamed over the old.
        const next = join(dirname(tokenFile), '.x-auth-token.new');
        writeFileSync(next, `${TOKEN_B}\n`);
        renameSync(next, tokenFile);
        const rotatedAt = cloud.requests.total;
        const samples = await until(run, 'source_up 1 after token B was written', 5_000, async () => {
          const s = await scrape(run);
          return upOf(s).every((v) => v === 1) ? s : undefined;
        });
        expectUpWithWholeFleet(samples);
        expect(run.daemon.child.pid).toBe(pid);
        expect(run.daemon.child.exitCode).toBeNull();
        expect(logsOf(run, 'listening').length).toBe(1);
        const afterRotation = requestsOf(run).filter((r) => r.seq > rotatedAt && r.status === 200);
        expect(afterRotation.length).toBeGreaterThan(0);
        expect(new Set(afterRotation.map((r) => header(r, 'x-auth-token')))).toEqual(new Set([TOKEN_B]));
      });
    } finally {
      cloud.tokens.clear();
    }
  });
});

describe('the simulator refuses what the daemon never sends', () => {
  const listing = (): OutgoingRequest => ({
    method: 'GET',
    url: new URL(`${cloud.url}/v3/${PROJECT}/vaults?limit=10`),
    headers: { accept: 'application/json' },
  });

  async function send(req: OutgoingRequest): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await request(req.url, { method: req.method, headers: req.headers });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  }

  function signedAt(key: { ak: string; sk: string; securityToken?: string }, at: Date): OutgoingRequest {
    const req = listing();
    Object.assign(req.headers, signRequest(req, key, at));
    return req;
  }

  it('rejects an X-Sdk-Date 20 minutes old with APIG.0301, and accepts one 10 minutes old', async () => {
    const now = Date.now();
    expect((await send(signedAt(KEY, new Date(now)))).status).toBe(200);
    expect((await send(signedAt(KEY, new Date(now - 10 * 60_000)))).status).toBe(200);
    const stale = await send(signedAt(KEY, new Date(now - 20 * 60_000)));
    expect(stale.status).toBe(401);
    expect(stale.body.error_code).toBe('APIG.0301');
    expect(stale.body.error_msg).toContain('X-Sdk-Date is more than 15 minutes off');
  });

  it('rejects a signature that does not cover host with APIG.0301, though it is otherwise valid', async () => {
    const signWithout = (omitHost: boolean): OutgoingRequest => {
      const req = listing();
      const sdkDate = formatSdkDate(new Date());
      const signed: Record<string, string> = { accept: 'application/json', 'x-sdk-date': sdkDate };
      if (!omitHost) signed.host = req.url.host;
      const { canonical, signedHeaders } = canonicalRequest({ method: req.method, url: req.url, headers: signed });
      const signature = signatureOf(KEY.sk, stringToSign(sdkDate, canonical));
      req.headers['X-Sdk-Date'] = sdkDate;
      req.headers.Authorization = `SDK-HMAC-SHA256 Access=${KEY.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
      return req;
    };
    expect((await send(signWithout(false))).status).toBe(200);
    const unsigned = await send(signWithout(true));
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error_code).toBe('APIG.0301');
    expect(unsigned.body.error_msg).toContain('host is not a signed header');
  });

  it('rejects a temporary AK sent without its X-Security-Token', async () => {
    expect((await send(signedAt(TEMP_KEY, new Date()))).status).toBe(200);
    const bare = await send(signedAt({ ak: TEMP_KEY.ak, sk: TEMP_KEY.sk }, new Date()));
    expect(bare.status).toBe(401);
    expect(bare.body.error_code).toBe('APIG.0301');
    expect(bare.body.error_msg).toContain('X-Security-Token');
  });
});

describe('secrets', () => {
  it('appear in no log line, /metrics body or landing page of any daemon run', () => {
    expect(runs.map((r) => r.mode)).toEqual([
      'access_key', 'access_key+security_token', 'environment', 'token', 'wrong_secret_key', 'held_back', 'iam', 'token_file',
    ]);
    const daemonRequests = cloud.requests.entries.filter((r) => r.api !== 'iam');
    const signatures = daemonRequests.flatMap((r) => {
      const parsed = parseAuthorization(header(r, 'authorization') ?? '');
      return parsed ? [parsed.signature] : [];
    });
    const sentTokens = daemonRequests.flatMap((r) => header(r, 'x-auth-token') ?? []);
    expect(signatures.length).toBeGreaterThan(10);
    expect(issuedTokens.length).toBeGreaterThanOrEqual(3);
    const secrets = new Map<string, string>([
      [KEY.sk, 'secret key'],
      [TEMP_KEY.sk, 'temporary secret key'],
      [TEMP_KEY.securityToken, 'security token'],
      [LOCKABLE_KEY.sk, 'secret key of the wrong-SK run'],
      [SPARED_KEY.sk, 'secret key of the held-back run'],
      [WRONG_SK, 'wrong secret key'],
      [IAM_USER.password, 'IAM password'],
      [STATIC_TOKEN, 'static token'],
      [TOKEN_A, 'token_file token A'],
      [TOKEN_B, 'token_file token B'],
      ...issuedTokens.map((t, i) => [t, `IAM token #${i + 1}`] as [string, string]),
      ...sentTokens.map((t) => [t, 'X-Auth-Token sent'] as [string, string]),
      ...signatures.map((s) => [s, 'request signature'] as [string, string]),
    ]);
    for (const run of runs) {
      expect(run.daemon.lines.length).toBeGreaterThan(3);
      expect(run.pages.length).toBeGreaterThanOrEqual(2);
      const captured = [...run.daemon.lines, ...run.pages].join('\n');
      const leaked = [...secrets].filter(([secret]) => captured.includes(secret)).map(([, what]) => what);
      expect(leaked, `${run.mode} run`).toEqual([]);
    }
  });
});
