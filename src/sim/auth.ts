import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { canonicalRequest, parseAuthorization, parseSdkDate, signatureOf, stringToSign } from '../cloud/sign.js';

/**
 * The simulated cloud's authentication: what API Gateway checks in front of CBR/HSS (tokens and AK/SK
 * signatures, with APIG's error codes) and what IAM answers to a password login.
 */

export interface SimKey {
  ak: string;
  sk: string;
  /** Set for a temporary key: requests must carry it as X-Security-Token. */
  securityToken?: string;
}

export interface SimIamUser {
  domain: string;
  user: string;
  password: string;
}

export interface SimAuthOptions {
  /** Tokens accepted for any project, as if obtained elsewhere. */
  tokens?: string[];
  keys?: SimKey[];
  iamUsers?: SimIamUser[];
  /** Lifetime of issued tokens; IAM's is 24 hours. */
  tokenTtlMs?: number;
  /** How far X-Sdk-Date may be from the simulator's clock; 15 minutes by default. */
  maxClockSkewMs?: number;
  /** Consecutive signature failures that lock an AK, and for how long (APIG: 5 failures, 5 minutes). */
  akLockout?: { failures: number; lockMs: number };
  now?: () => number;
}

export interface ReceivedRequest {
  method: string;
  /** Raw path including the query, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type AuthVerdict = { ok: true } | { ok: false; status: number; error_code: string; error_msg: string };

export interface IamReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface SimAuthCounters {
  tokensIssued: number;
  /** Token requests answered with an error. */
  tokenRequestsRejected: number;
  /** API requests refused by check(). */
  rejections: number;
}

export interface SimAuth {
  /** `projectId` undefined: a call about the account (IAM's project lists), which any valid token may make. */
  check(req: ReceivedRequest, projectId: string | undefined): AuthVerdict;
  /** Answers `POST /v3/auth/tokens` with the parsed JSON body. */
  issueToken(body: unknown): IamReply;
  /** Makes every token issued so far expired, as if a day had passed. */
  expireAllTokens(): void;
  counters(): SimAuthCounters;
}

interface IssuedToken {
  /** Undefined: a token of the account (domain scope). */
  projectId: string | undefined;
  expiresAt: number;
}

interface Login {
  domain: string;
  user: string;
  password: string;
  projectId: string | undefined;
}

const IAM_PREFIX = 'Incorrect IAM authentication information: ';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The password method scoped to a project id, or to the user's own domain by name; undefined for anything else. */
function parseLogin(body: unknown): Login | undefined {
  const auth = (body as { auth?: Record<string, unknown> } | null)?.auth;
  const identity = auth?.identity as { methods?: unknown; password?: { user?: Record<string, unknown> } } | undefined;
  const user = identity?.password?.user;
  const scope = auth?.scope as { project?: { id?: unknown }; domain?: { name?: unknown } } | undefined;
  if (!Array.isArray(identity?.methods) || !identity.methods.includes('password')) return undefined;
  const domain = text((user?.domain as { name?: unknown } | undefined)?.name);
  const name = text(user?.name);
  const password = text(user?.password);
  const projectId = text(scope?.project?.id);
  const domainScope = text(scope?.domain?.name);
  if (!domain || !name || !password || (!projectId && domainScope !== domain)) return undefined;
  return { domain, user: name, password, projectId };
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createSimAuth(options: SimAuthOptions = {}): SimAuth {
  const now = options.now ?? Date.now;
  const staticTokens = new Set(options.tokens ?? []);
  const keys = new Map((options.keys ?? []).map((key) => [key.ak, key]));
  const users = options.iamUsers ?? [];
  const tokenTtlMs = options.tokenTtlMs ?? 24 * 3_600_000;
  const maxSkewMs = options.maxClockSkewMs ?? 15 * 60_000;
  const lockout = options.akLockout ?? { failures: 5, lockMs: 5 * 60_000 };
  const issued = new Map<string, IssuedToken>();
  const akFailures = new Map<string, { count: number; lockedUntil: number }>();
  const counters: SimAuthCounters = { tokensIssued: 0, tokenRequestsRejected: 0, rejections: 0 };

  function reject(status: number, errorCode: string, errorMsg: string): AuthVerdict {
    counters.rejections++;
    return { ok: false, status, error_code: errorCode, error_msg: errorMsg };
  }

  function checkToken(token: string, projectId: string | undefined): AuthVerdict {
    if (staticTokens.has(token)) return { ok: true };
    const known = issued.get(token);
    if (!known) return reject(401, 'APIG.0301', `${IAM_PREFIX}decrypt token fail`);
    if (now() >= known.expiresAt) return reject(401, 'APIG.0307', 'The token must be updated.');
    if (projectId !== undefined && known.projectId !== projectId) return reject(403, 'APIG.0302', 'The IAM user is not authorized to access the API.');
    return { ok: true };
  }

  /** Why the signature does not hold, or undefined when it does. */
  function signatureProblem(req: ReceivedRequest, key: SimKey, signedHeaders: string[], signature: string): string | undefined {
    const sdkDate = header(req.headers, 'x-sdk-date');
    if (!sdkDate) return 'X-Sdk-Date header missing';
    const dateMs = parseSdkDate(sdkDate);
    if (dateMs === undefined) return 'X-Sdk-Date is not in the format YYYYMMDDTHHMMSSZ';
    if (Math.abs(now() - dateMs) > maxSkewMs) return `X-Sdk-Date is more than ${Math.round(maxSkewMs / 60_000)} minutes off`;
    for (const required of ['host', 'x-sdk-date']) {
      if (!signedHeaders.includes(required)) return `${required} is not a signed header`;
    }
    if (key.securityToken !== undefined && header(req.headers, 'x-security-token') !== key.securityToken) {
      return 'a temporary AK needs its X-Security-Token';
    }
    const signed: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = header(req.headers, name);
      if (value === undefined) return `signed header ${name} missing`;
      signed[name] = value;
    }
    if (!req.path.startsWith('/') || !URL.canParse(`http://sim.invalid${req.path}`)) return 'malformed request path';
    const url = new URL(`http://sim.invalid${req.path}`);
    const { canonical } = canonicalRequest({ method: req.method, url, headers: signed, body: req.body });
    const expected = signatureOf(key.sk, stringToSign(sdkDate, canonical));
    return sameHex(expected, signature) ? undefined : 'signature mismatch';
  }

  function checkSignature(req: ReceivedRequest, authorization: string): AuthVerdict {
    const parsed = parseAuthorization(authorization);
    if (!parsed) return reject(401, 'APIG.0301', `${IAM_PREFIX}verify aksk signature fail, malformed Authorization header`);
    const key = keys.get(parsed.access);
    if (!key) return reject(401, 'APIG.0301', `${IAM_PREFIX}Get secretKey failed,ak:${parsed.access},err:ak not exist`);
    const failures = akFailures.get(key.ak) ?? { count: 0, lockedUntil: 0 };
    if (now() < failures.lockedUntil) {
      return reject(401, 'APIG.0301', `${IAM_PREFIX}AK access failed to reach the limit,forbidden.`);
    }
    const problem = signatureProblem(req, key, parsed.signedHeaders, parsed.signature);
    if (problem === undefined) {
      akFailures.delete(key.ak);
      return { ok: true };
    }
    failures.count++;
    if (failures.count >= lockout.failures) {
      failures.lockedUntil = now() + lockout.lockMs;
      failures.count = 0; // the lock is the penalty; afterwards the key starts with a clean slate
    }
    akFailures.set(key.ak, failures);
    return reject(401, 'APIG.0301', `${IAM_PREFIX}verify aksk signature fail, ${problem}`);
  }

  function issueToken(body: unknown): IamReply {
    const json = { 'Content-Type': 'application/json;charset=UTF-8' };
    const login = parseLogin(body);
    if (!login) {
      counters.tokenRequestsRejected++;
      const message = 'The request body is invalid: expected the password method scoped to a project id or to the user\'s domain.';
      return { status: 400, headers: json, body: { error: { code: 400, message, title: 'Bad Request' } } };
    }
    const user = users.find((u) => u.domain === login.domain && u.user === login.user && u.password === login.password);
    if (!user) {
      counters.tokenRequestsRejected++;
      const message = 'The username or password is wrong.';
      return { status: 401, headers: json, body: { error: { code: 401, message, title: 'Unauthorized' } } };
    }
    const issuedAt = now();
    for (const [token, info] of issued) if (info.expiresAt <= issuedAt) issued.delete(token);
    const token = `MIIsim${randomBytes(24).toString('base64url')}`;
    issued.set(token, { projectId: login.projectId, expiresAt: issuedAt + tokenTtlMs });
    counters.tokensIssued++;
    // IAM writes microseconds: 2024-05-01T10:00:00.123000Z.
    const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');
    return {
      status: 201,
      headers: { ...json, 'X-Subject-Token': token },
      body: {
        token: {
          expires_at: iso(issuedAt + tokenTtlMs),
          issued_at: iso(issuedAt),
          methods: ['password'],
          ...(login.projectId === undefined ? { domain: { name: login.domain } } : { project: { id: login.projectId, name: login.projectId } }),
          user: { name: login.user, domain: { name: login.domain } },
        },
      },
    };
  }

  return {
    check(req, projectId) {
      const token = header(req.headers, 'x-auth-token');
      if (token !== undefined) return checkToken(token, projectId);
      const authorization = header(req.headers, 'authorization');
      if (authorization !== undefined) return checkSignature(req, authorization);
      return reject(401, 'APIG.0301', `${IAM_PREFIX}neither X-Auth-Token nor Authorization header`);
    },
    issueToken,
    expireAllTokens() {
      const at = now();
      for (const info of issued.values()) info.expiresAt = Math.min(info.expiresAt, at);
    },
    counters: () => ({ ...counters }),
  };
}
