import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, readYamlFile, schemaError } from '../config/yaml-file.js';
import { parseGoDuration } from './go-duration.js';
import { tlsServerConfigSchema } from './tls-schema.js';
import { resolveTls, type TlsSettings } from './tls-settings.js';

export type { ClientAuthType, TlsSettings } from './tls-settings.js';

/**
 * `--web.config.file`: the Prometheus exporter-toolkit web configuration format, so operators can reuse the
 * file they already have for node_exporter. Every difference from exporter-toolkit is listed in docs/securing.md;
 * those that show at load time:
 * - `http2` is accepted and ignored (express runs on node:http(s), HTTP/1.1 only), but an explicit
 *   cipher_suites list is still checked for an HTTP/2 suite as Go checks it, so a file behaves alike in both.
 * - A min_version or max_version that OpenSSL cannot serve (TLS10, TLS11) is refused at load.
 * - Changes are picked up as exporter-toolkit does, without a restart (see web-config-watch.ts), except
 *   switching TLS on or off and changing client_auth_type, which need one.
 */

/** exporter-toolkit's fixed list: only these headers, and for two of them only these exact values. */
const ALLOWED_HEADERS: Readonly<Record<string, readonly string[] | null>> = {
  'Strict-Transport-Security': null, 'X-Content-Type-Options': ['nosniff'], 'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null, 'Content-Security-Policy': null,
};

const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const webConfigSchema = z.strictObject({
  tls_server_config: tlsServerConfigSchema.nullish(),
  http_server_config: z.strictObject({
    http2: z.boolean().default(true),
    // YAML reads `X-XSS-Protection: 0` as a number; Go's yaml takes it as the string it means.
    headers: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).nullish(),
  }).nullish(),
  basic_auth_users: z.record(z.string(), z.string()).nullish(),
  rate_limit: z.strictObject({
    interval: z.union([z.string(), z.number()]).default(0),
    burst: z.number().int().min(0).default(0),
  }).nullish(),
});

/** exporter-toolkit's `rate_limit`: one token bucket for all requests, before authentication. */
export interface RateLimit {
  readonly intervalMs: number;
  readonly burst: number;
}

export interface WebConfig {
  /** The file it was loaded from, for messages and reloads. */
  readonly origin: string;
  /** Every file it was read from (origin first), so a change to any of them can be noticed. */
  readonly files: readonly string[];
  /** Absent: serve plain HTTP (as exporter-toolkit does when no certificate is configured). */
  readonly tls?: TlsSettings;
  /** Set on every response. */
  readonly headers: Readonly<Record<string, string>>;
  /** User name to bcrypt hash; empty: no basic auth. Loading never runs bcrypt. */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
  /** Absent when off (no rate_limit, or interval 0). */
  readonly rateLimit?: RateLimit;
}

/** Reads and validates a web config file; every problem is a one-line ConfigError naming the key. */
export function loadWebConfig(path: string): WebConfig {
  const raw = readYamlFile(path, 'web config file');
  // An empty file is valid for exporter-toolkit: plain HTTP, no auth.
  const result = webConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw schemaError(path, result.error);
  }
  const fail = (key: string, problem: string): never => {
    throw new ConfigError(`${path}: ${key}: ${problem}`);
  };
  const { tls_server_config: rawTls, http_server_config: http, basic_auth_users: users, rate_limit: rateLimit } = result.data;
  const tls = rawTls ? resolveTls(rawTls, dirname(path), http?.http2 ?? true, fail) : undefined;
  return {
    origin: path,
    files: [resolve(path), ...(tls?.files ?? [])],
    tls,
    headers: checkHeaders(http?.headers ?? {}, fail),
    basicAuthUsers: checkUsers(users ?? {}, fail),
    rateLimit: rateLimit ? checkRateLimit(rateLimit, fail) : undefined,
  };
}

type Fail = (key: string, problem: string) => never;

function checkHeaders(headers: Record<string, string>, fail: Fail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = `http_server_config.headers.${name}`;
    const allowedValues = ALLOWED_HEADERS[name];
    if (allowedValues === undefined) fail(key, `cannot be configured (allowed: ${Object.keys(ALLOWED_HEADERS).join(', ')})`);
    if (allowedValues && !allowedValues.includes(value)) fail(key, `must be one of ${allowedValues.join(', ')}`);
    // Node throws on control characters at response time; catch them here instead.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) fail(key, 'contains a control character or a line break');
    if (value !== '') out[name] = value; // "Unset if blank", as documented by exporter-toolkit.
  }
  return out;
}

function checkUsers(users: Record<string, string>, fail: Fail): Map<string, string> {
  for (const [user, hash] of Object.entries(users)) {
    const key = `basic_auth_users.${user}`;
    if (user.includes(':')) fail(key, 'a user name cannot contain ":" (HTTP basic auth splits on it)');
    if (!BCRYPT_HASH.test(hash)) {
      fail(key, 'not a bcrypt hash ($2a$, $2b$ or $2y$; make one with: htpasswd -nBC 10 "" | tr -d \':\\n\')');
    }
  }
  return new Map(Object.entries(users));
}

function checkRateLimit(raw: { interval: string | number; burst: number }, fail: Fail): RateLimit | undefined {
  const intervalMs = parseGoDuration(raw.interval);
  if (intervalMs === undefined) return fail('rate_limit.interval', `"${raw.interval}" is not a Go duration (examples: 1s, 500ms, 1m; 0 turns the limit off)`);
  return intervalMs === 0 ? undefined : { intervalMs, burst: raw.burst };
}
