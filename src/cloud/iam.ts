import type { Dispatcher } from 'undici';
import { request } from './undici-parts.js';
import { ApiError, clipUpstream, readErrorBody } from './api-error.js';
import { startDeadline } from './deadline.js';
import { BodyTooLarge, readBoundedText } from './read-body.js';
import { scrubSecrets } from './scrub.js';
import type { CountAttempt, Credentials } from './request.js';
import { setHeader } from './set-header.js';

/** An IAM user's password login, scoped to one project (or, without one, to the user's account). */
export interface IamLogin {
  /** Base URL without a trailing slash, e.g. https://iam.ap-southeast-1.myhuaweicloud.com */
  endpoint: string;
  domainName: string;
  userName: string;
  password: string;
  /** Undefined: a token of the account (domain scope), for IAM's project list. */
  projectId?: string;
}

export interface IamContext {
  dispatcher: Dispatcher;
  /** Counts each token request (the caller files them under source "iam"). */
  countAttempt: CountAttempt;
  requestTimeoutMs: number;
  now: () => Date;
  /** Tokens obtained before, which an error message might quote. */
  knownTokens?: () => string[];
}

export interface IamToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds of our clock when the token arrived; with expiresAt, its lifetime. */
  obtainedAt: number;
}

/** Renewal margin: 10% of the token's lifetime, at most an hour (IAM tokens live 24h). */
export function needsRenewal(token: IamToken, nowMs: number): boolean {
  const margin = Math.min((token.expiresAt - token.obtainedAt) * 0.1, 3_600_000);
  return token.expiresAt - nowMs <= margin;
}

function passwordBody(login: IamLogin): string {
  return JSON.stringify({
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: login.userName, password: login.password, domain: { name: login.domainName } } },
      },
      scope: login.projectId === undefined ? { domain: { name: login.domainName } } : { project: { id: login.projectId } },
    },
  });
}

/** One line, no secret, however IAM chose to word its error. */
function scrub(text: string, secrets: readonly string[]): string {
  return clipUpstream(scrubSecrets(text, secrets).replace(/\s+/g, ' ').trim()) as string;
}

/** The token answer is small without the catalog (?nocatalog=true); anything near this is not one. */
const IAM_BODY_LIMIT = 4 * 2 ** 20;

function expiresAtOf(text: string): number | undefined {
  try {
    const body = JSON.parse(text) as { token?: { expires_at?: unknown } };
    const value = body.token?.expires_at;
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** POST /v3/auth/tokens?nocatalog=true with the password method; one attempt, counted. */
export async function fetchIamToken(login: IamLogin, ctx: IamContext): Promise<IamToken> {
  const base = `${login.endpoint}/v3/auth/tokens`;
  // Without the catalog the answer is a few hundred bytes instead of tens of kilobytes.
  const url = `${base}?nocatalog=true`;
  const secrets = [login.password, ...(ctx.knownTokens?.() ?? [])];
  const who = `IAM token request for user "${login.userName}" of domain "${login.domainName}" to ${base}`;
  const deadline = startDeadline(ctx.requestTimeoutMs);
  const transportError = (err: unknown): ApiError => {
    const code = deadline.expired ? 'timeout' : 'error';
    ctx.countAttempt(code);
    const detail = deadline.expired
      ? `timed out after ${ctx.requestTimeoutMs} ms`
      : `failed: ${scrub(err instanceof Error ? err.message : String(err), secrets)}`;
    return new ApiError(`${who} ${detail}`, { code });
  };

  let status: number;
  let subjectToken: string | string[] | undefined;
  let text: string;
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: ctx.dispatcher,
      headers: { 'content-type': 'application/json;charset=utf8' },
      body: passwordBody(login),
      signal: deadline.signal,
    });
    status = res.statusCode;
    subjectToken = res.headers['x-subject-token'];
    text = await readBoundedText(res, IAM_BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      ctx.countAttempt('invalid_body');
      throw new ApiError(`${who} got a body of more than ${err.limit} bytes`, { code: 'invalid_body' });
    }
    throw transportError(err);
  } finally {
    deadline.clear();
  }

  if (status !== 201 && status !== 200) {
    ctx.countAttempt(String(status));
    const { errorCode, errorMsg } = readErrorBody(text);
    // IAM's {"error":{"code":401,...}} repeats the status as its code: say it once.
    const code = errorCode === String(status) ? undefined : errorCode;
    const said = code || errorMsg ? `: ${scrub(`${code ?? ''} ${errorMsg ?? ''}`, secrets)}` : '';
    const hidden = errorMsg === undefined ? undefined : scrub(errorMsg, secrets);
    throw new ApiError(`${who} failed: HTTP ${status}${said}`, { status, errorCode, errorMsg: hidden, code: String(status) });
  }
  const expiresAt = expiresAtOf(text);
  if (typeof subjectToken !== 'string' || !subjectToken || expiresAt === undefined) {
    ctx.countAttempt('invalid_body');
    throw new ApiError(`${who} got HTTP ${status} without an X-Subject-Token header and token.expires_at`, {
      status,
      code: 'invalid_body',
    });
  }
  ctx.countAttempt(String(status));
  return { token: subjectToken, expiresAt, obtainedAt: ctx.now().getTime() };
}

/**
 * Credentials that log in to IAM with a password and send the token as `X-Auth-Token`. One token is
 * cached and renewed before it expires; concurrent authorize() calls wait for the same request.
 */
export function iamCredentials(login: IamLogin, iamCtx: IamContext): Credentials {
  let cached: IamToken | undefined;
  let inFlight: Promise<IamToken> | undefined;
  const ctx: IamContext = { ...iamCtx, knownTokens: () => (cached ? [cached.token] : []) };

  async function currentToken(): Promise<string> {
    const nowMs = ctx.now().getTime();
    if (cached && !needsRenewal(cached, nowMs)) return cached.token;
    inFlight ??= fetchIamToken(login, ctx)
      .then((token) => (cached = token))
      .finally(() => (inFlight = undefined));
    try {
      return (await inFlight).token;
    } catch (err) {
      // An early renewal failed: a token with a minute or more left still works while IAM recovers.
      if (cached && cached.expiresAt - ctx.now().getTime() > 60_000) return cached.token;
      throw err;
    }
  }

  return {
    async authorize(req) {
      setHeader(req.headers, 'X-Auth-Token', await currentToken());
    },
    renew(rejected) {
      // CBR and HSS refused at once: the second must not drop the token the first one just fetched.
      const refused = rejected && Object.entries(rejected.headers).find(([name]) => name.toLowerCase() === 'x-auth-token')?.[1];
      if (refused === undefined || refused === cached?.token) cached = undefined;
      return true;
    },
    secrets: () => [login.password, ...(cached ? [cached.token] : [])],
  };
}
