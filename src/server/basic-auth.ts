import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';

export const BASIC_AUTH_REALM = 'huaweicloud-vault-exporter';

export interface BasicAuthOptions {
  /** User name to bcrypt hash ($2a$, $2b$ or $2y$), as loaded from `basic_auth_users`. Empty: everyone passes. */
  readonly users: ReadonlyMap<string, string>;
  /** Exact request paths served without credentials. Default none: health checks follow the same rules. */
  readonly exemptPaths?: readonly string[];
  /** Successful verifications remembered; the oldest is forgotten first. */
  readonly cacheSize?: number;
}

/** Works both as express middleware and on bare node:http objects. */
export type BasicAuthMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

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

/**
 * HTTP basic auth against bcrypt hashes, as exporter-toolkit's `basic_auth_users`.
 * bcrypt at cost 10 takes ~60 ms of CPU; Prometheus sends the same credentials every scrape, so successful
 * verifications are cached, keyed by an HMAC of user and password under a per-process random key (the cache
 * then holds nothing that could be brute-forced offline faster than the bcrypt hashes themselves).
 * Failures are never cached, so guessing stays as slow as bcrypt. Unknown users are checked against a decoy
 * hash of the same cost, so response time does not reveal which user names exist.
 */
export function basicAuth(options: BasicAuthOptions): BasicAuthMiddleware {
  const { users } = options;
  const exempt = new Set(options.exemptPaths ?? []);
  const cacheSize = options.cacheSize ?? 256;
  const cacheKeySecret = randomBytes(32);
  const verified = new Set<string>();
  // Same cost as the costliest real hash: a cheaper decoy would make unknown users answer faster.
  // Started now, in the background, so the first unknown user does not wait for it either.
  const decoyCost = Math.max(4, ...[...users.values()].map((hash) => bcrypt.getRounds(hash)));
  const decoyHash = users.size ? bcrypt.hash(randomBytes(16).toString('hex'), decoyCost) : Promise.resolve('');

  const isAuthorized = async ({ user, password }: Credentials): Promise<boolean> => {
    const cacheKey = createHmac('sha256', cacheKeySecret).update(user).update('\0').update(password).digest('base64');
    if (verified.has(cacheKey)) return true;
    const hash = users.get(user);
    const matches = await bcrypt.compare(password, hash ?? (await decoyHash));
    if (!matches || hash === undefined) return false;
    if (verified.size >= cacheSize) verified.delete(verified.values().next().value as string);
    verified.add(cacheKey);
    return true;
  };

  return (req, res, next) => {
    if (users.size === 0 || exempt.has(pathOf(req))) return next();
    const credentials = parseAuthorization(req.headers.authorization);
    if (!credentials) return rejectUnauthorized(res);
    isAuthorized(credentials)
      .then((ok) => (ok ? next() : rejectUnauthorized(res)), next)
      // Only if next itself throws: end this response rather than let an unhandled rejection end the process.
      .catch(() => res.destroy());
  };
}
