import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebRefusalReason } from '../metrics/exporter-metrics.js';
import { decoyCost, decoyHash } from './decoy-hash.js';
import { BUSY, type PasswordChecks } from './password-checks.js';

export const BASIC_AUTH_REALM = 'huaweicloud-vault-exporter';

/** Why a request was turned away before the app saw it; counted by the daemon. */
export type RefusalReason = Extract<WebRefusalReason, 'unauthorized' | 'auth_busy' | 'rate_limit'>;

export interface BasicAuthOptions {
  /** Every bcrypt check goes through these (bounded, off the event loop); shared across web config reloads. */
  readonly checks: PasswordChecks;
  /** Exact request paths served without credentials. Default none: health checks follow the same rules. */
  readonly exemptPaths?: readonly string[];
  /** Logins remembered, each of successes and of failures; the least recently used is forgotten first. */
  readonly cacheSize?: number;
  readonly onRefused?: (reason: RefusalReason) => void;
}

/** Works both as express middleware and on bare node:http objects. */
export type BasicAuthMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface BasicAuth {
  /** The middleware for one user list (`basic_auth_users`, user to bcrypt hash); empty: everyone passes. */
  forUsers(users: ReadonlyMap<string, string>): BasicAuthMiddleware;
}

interface Credentials {
  readonly user: string;
  readonly password: string;
}

function parseAuthorization(header: string | undefined): Credentials | undefined {
  const match = header?.match(/^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function pathOf(req: IncomingMessage): string {
  // Express rewrites req.url under mounted routers; originalUrl is the path the client asked for.
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function rejectUnauthorized(res: ServerResponse): void {
  res.statusCode = 401;
  res.setHeader('WWW-Authenticate', `Basic realm="${BASIC_AUTH_REALM}"`);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('Unauthorized\n');
}

function rejectBusy(res: ServerResponse): void {
  res.statusCode = 429;
  res.setHeader('Retry-After', '1');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('Too many password checks in progress; try again shortly.\n');
}

/** A set that forgets its least recently used member beyond `size`. */
class RecentSet {
  private readonly members = new Set<string>();
  constructor(private readonly size: number) {}
  has(key: string): boolean {
    if (!this.members.delete(key)) return false;
    this.members.add(key);
    return true;
  }
  add(key: string): void {
    this.members.delete(key);
    this.members.add(key);
    if (this.members.size > this.size) this.members.delete(this.members.values().next().value as string);
  }
}

/**
 * HTTP basic auth against bcrypt hashes, as exporter-toolkit's `basic_auth_users`, built so that a stranger
 * cannot choose what a request costs or delay a scrape:
 * - Outcomes are remembered, keyed by an HMAC of user, hash and password under a per-process random key (the
 *   cache holds nothing that could be brute-forced offline faster than the hashes). Successes and failures are
 *   kept apart, so a flood of wrong guesses cannot push Prometheus' login out: its scrapes are answered from
 *   memory, synchronously, never behind a bcrypt check. A changed hash is a new key, so a removed user or a
 *   changed password is never let in from memory. Identical checks in flight share one bcrypt run.
 * - An unknown user is checked against a decoy hash at the file's most common cost (capped at 12), so that it
 *   costs what a wrong password costs and no one can order a check at the file's highest cost by guessing names.
 * - bcrypt runs on a worker thread through `checks`, bounded; beyond the bound the answer is 429 at once.
 */
export function createBasicAuth(options: BasicAuthOptions): BasicAuth {
  const { checks, onRefused } = options;
  const exempt = new Set(options.exemptPaths ?? []);
  const cacheSize = options.cacheSize ?? 256;
  const cacheKeySecret = randomBytes(32);
  const verified = new RecentSet(cacheSize);
  const refused = new RecentSet(cacheSize);
  const inFlight = new Map<string, Promise<boolean>>();
  const refuse = (res: ServerResponse, reason: RefusalReason) => {
    onRefused?.(reason);
    if (reason === 'auth_busy') rejectBusy(res);
    else rejectUnauthorized(res);
  };

  return {
    forUsers(users) {
      const decoy = decoyHash(decoyCost(users.values()));
      return (req, res, next) => {
        if (users.size === 0 || exempt.has(pathOf(req))) return next();
        const credentials = parseAuthorization(req.headers.authorization);
        if (!credentials) return refuse(res, 'unauthorized');
        const known = users.get(credentials.user);
        const hash = known ?? decoy;
        const key = createHmac('sha256', cacheKeySecret).update(credentials.user).update('\0').update(hash).update('\0')
          .update(credentials.password).digest('base64');
        if (known !== undefined && verified.has(key)) return next();
        if (refused.has(key)) return refuse(res, 'unauthorized');
        let check = inFlight.get(key);
        if (!check) {
          const started = checks.verify(credentials.password, hash);
          if (started === BUSY) return refuse(res, 'auth_busy');
          check = started.then((matches) => {
            const ok = matches && known !== undefined;
            (ok ? verified : refused).add(key);
            return ok;
          }).finally(() => inFlight.delete(key));
          inFlight.set(key, check);
        }
        check
          .then((ok) => (ok ? next() : refuse(res, 'unauthorized')), next)
          // Only if next itself throws: end this response rather than let an unhandled rejection end the process.
          .catch(() => res.destroy());
      };
    },
  };
}
