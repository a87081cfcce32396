import type http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { constants } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { ConfigError } from '../config/config-error.js';
import { createServer } from '../node-http.js';
import { createBasicAuth, type BasicAuth, type BasicAuthMiddleware, type RefusalReason } from './basic-auth.js';
import { createPasswordChecks, loadBcrypt } from './password-checks.js';
import { acceptTls } from './tls-accept.js';
import { secureContextOf, type TlsSettings } from './tls-settings.js';
import { TokenBucket } from './token-bucket.js';
import type { RateLimit, WebConfig } from './web-config.js';
import type { WebConfigChanges } from './web-config-watch.js';

/**
 * Limits against slow or abusive clients. Scrapes are small GETs with a handful of headers, so all of these
 * are far below Node's defaults without getting in Prometheus' way.
 */
export const SERVER_LIMITS = {
  /** Whole header block must arrive within this (slowloris); Node's default is 60 s. */
  headersTimeout: 10_000,
  /** Whole request, body included, must arrive within this; Node's default is 300 s. Response time is not counted. */
  requestTimeout: 30_000,
  /** Idle keep-alive kept above a 60 s scrape interval, so a TLS handshake is not paid on every scrape. */
  keepAliveTimeout: 65_000,
  /** How often the two timeouts above are enforced; Node's default of 30 s would let them overrun by as much. */
  connectionsCheckingInterval: 2_000,
  /** Request line plus headers; nginx's default buffer size, half of Node's. */
  maxHeaderSize: 8 * 1024,
  maxHeadersCount: 64,
  /** TLS handshake deadline, first byte included; Node's default is 120 s. */
  handshakeTimeout: 10_000,
} as const;

/** TLS rejection log lines: 5 at once, then one per 10 s; the count of those left out rides on the next one. */
export const TLS_LOG_LIMIT = { burst: 5, intervalMs: 10_000 } as const;


export interface ServeOptions {
  /** Omitted: all interfaces. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** From loadWebConfig; omitted: plain HTTP, no auth, no extra headers. */
  readonly webConfig?: WebConfig;
  /** Given with webConfig: its files are followed (see watchWebConfig) and changes reported here. */
  readonly webConfigChanges?: WebConfigChanges;
  /** Exact paths served without basic auth. Default none. */
  readonly authExemptPaths?: readonly string[];
  /**
   * A TLS connection refused (failed handshake, a client certificate the policy refuses, plain HTTP on the
   * HTTPS port), rate-limited by TLS_LOG_LIMIT; `suppressed` counts the refusals not reported since the last call.
   */
  readonly onTlsRejection?: (reason: string, remoteAddress: string | undefined, suppressed: number) => void;
  /** Every request or connection turned away before the app: for a counter. */
  readonly onRefused?: (reason: RefusalReason | 'tls') => void;
}

export interface RunningServer {
  readonly server: http.Server;
  readonly protocol: 'http' | 'https';
  readonly port: number;
  /** For log lines, e.g. https://[::]:9100 */
  readonly url: string;
  /**
   * Stops accepting, closes idle keep-alive connections, lets requests in flight finish, and after `graceMs`
   * cuts whatever is left. Safe to call more than once.
   */
  close(graceMs?: number): Promise<void>;
}

/** What requests are checked against, rebuilt when the web config changes. */
interface Guard {
  readonly headers: readonly (readonly [string, string])[];
  readonly rateLimit?: TokenBucket;
  readonly auth: BasicAuthMiddleware;
}

function sameRateLimit(bucket: TokenBucket | undefined, limit: RateLimit | undefined): boolean {
  return bucket?.intervalMs === limit?.intervalMs && bucket?.burst === limit?.burst;
}

function guardOf(config: WebConfig | undefined, auth: BasicAuth, previous?: Guard): Guard {
  const limit = config?.rateLimit;
  return {
    headers: Object.entries(config?.headers ?? {}),
    // An unchanged rate_limit keeps its bucket: a fresh one would hand out a new burst on every reload.
    rateLimit: sameRateLimit(previous?.rateLimit, limit) ? previous?.rateLimit : limit && new TokenBucket(limit.intervalMs, limit.burst),
    auth: auth.forUsers(config?.basicAuthUsers ?? new Map()),
  };
}

/** The app behind the web config: headers on every response (401s and 429s included), rate limit, basic auth. */
function withWebConfig(app: http.RequestListener, guard: () => Guard, onRefused: ServeOptions['onRefused']): http.RequestListener {
  return (req, res) => {
    const { headers, rateLimit, auth } = guard();
    for (const [name, value] of headers) res.setHeader(name, value);
    if (rateLimit && !rateLimit.take()) {
      onRefused?.('rate_limit');
      res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(rateLimit.retryAfterSeconds()) });
      res.end('Too Many Requests\n');
      return;
    }
    auth(req, res, (err) => {
      if (err === undefined) return void app(req, res);
      res.statusCode = 500;
      res.end('Internal Server Error\n');
    });
  };
}

function contextOf(tls: TlsSettings): SecureContext {
  // No session resumption with client certificates: a resumed TLS 1.3 session carries no certificate to check.
  const secureOptions = tls.clientAuth === 'NoClientCert' ? undefined : constants.SSL_OP_NO_TICKET;
  return createSecureContext({ ...secureContextOf(tls), secureOptions });
}

/** Reports TLS refusals: every one counted, log calls rate-limited. */
function tlsRejections(options: ServeOptions): (reason: string, remote: string | undefined) => void {
  const bucket = new TokenBucket(TLS_LOG_LIMIT.intervalMs, TLS_LOG_LIMIT.burst);
  let suppressed = 0;
  return (reason, remote) => {
    options.onRefused?.('tls');
    if (!bucket.take()) {
      suppressed++;
      return;
    }
    options.onTlsRejection?.(reason, remote, suppressed);
    suppressed = 0;
  };
}

/**
 * Follows the web config's files when asked to, applying each accepted change to `server` and the guard. The
 * watch (and the schema it validates changes with) loads only for a web config.
 */
async function followWebConfig(options: ServeOptions, apply: (next: WebConfig) => void): Promise<{ current(): WebConfig | undefined; check(): void }> {
  const { webConfig, webConfigChanges: changes } = options;
  if (!webConfig || !changes) return { current: () => webConfig, check: () => undefined };
  const { watchWebConfig } = await import('./web-config-watch.js');
  return watchWebConfig(webConfig, {
    onReload(next) {
      apply(next);
      changes.onReload(next);
    },
    onRejected: (message) => changes.onRejected(message),
  });
}

function formatUrl(protocol: string, address: AddressInfo): string {
  return `${protocol}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

function listen(server: http.Server, options: ServeOptions): Promise<void> {
  const where = `${options.host ?? '*'}:${options.port}`;
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(new ConfigError(`cannot listen on ${where}: ${err.code ?? err.message}`));
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Serves `app` (an express app or any request listener) as the web config says: HTTPS with the configured
 * client certificate policy, or plain HTTP without TLS settings; rate limit, basic auth and headers either way.
 * One node:http server does the HTTP part in both cases (its header and request timeouts apply alike); with
 * TLS, each TCP connection goes through acceptTls first. Throws ConfigError when the address cannot be listened on.
 */
export async function serve(app: http.RequestListener, options: ServeOptions): Promise<RunningServer> {
  if (options.webConfig?.basicAuthUsers.size) await loadBcrypt();
  const auth = createBasicAuth({ checks: createPasswordChecks(), exemptPaths: options.authExemptPaths, onRefused: options.onRefused });
  let guard = guardOf(options.webConfig, auth);
  let context = options.webConfig?.tls && contextOf(options.webConfig.tls);
  // Called only from check(), which runs per connection and request.
  const apply = (next: WebConfig) => {
    guard = guardOf(next, auth, guard);
    if (next.tls) context = contextOf(next.tls);
  };
  const webConfig = await followWebConfig(options, apply);
  const currentGuard = () => {
    webConfig.check();
    return guard;
  };
  const { maxHeaderSize, connectionsCheckingInterval } = SERVER_LIMITS;
  const server = createServer({ maxHeaderSize, connectionsCheckingInterval }, withWebConfig(app, currentGuard, options.onRefused));
  server.headersTimeout = SERVER_LIMITS.headersTimeout;
  server.requestTimeout = SERVER_LIMITS.requestTimeout;
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeout;
  server.maxHeadersCount = SERVER_LIMITS.maxHeadersCount;
  const handshakes = new Set<Socket>();
  if (options.webConfig?.tls) {
    const httpConnection = server.listeners('connection')[0] as (socket: Socket) => void;
    const rejected = tlsRejections(options);
    server.removeAllListeners('connection');
    server.on('connection', (raw: Socket) => {
      webConfig.check();
      const tls = webConfig.current()?.tls;
      if (!tls || !context) return void raw.destroy();
      handshakes.add(raw);
      raw.once('close', () => handshakes.delete(raw));
      acceptTls(raw, {
        tls,
        secureContext: context,
        handshakeTimeoutMs: SERVER_LIMITS.handshakeTimeout,
        onSecure: (socket) => {
          handshakes.delete(raw);
          httpConnection.call(server, socket);
        },
        onRejected: (reason) => rejected(reason, raw.remoteAddress),
      });
    });
  } else {
    server.prependListener('connection', () => webConfig.check());
  }
  await listen(server, options);
  const address = server.address() as AddressInfo;
  const protocol = options.webConfig?.tls ? 'https' : 'http';
  let closing: Promise<void> | undefined;
  return {
    server,
    protocol,
    port: address.port,
    url: formatUrl(protocol, address),
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const raw of handshakes) raw.destroy();
        const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
        // Node 19+ closes idle keep-alive connections here too; busy ones get until the cut-off.
        server.close((err) => {
          clearTimeout(cutOff);
          if (err) reject(err);
          else resolve();
        });
      });
      return closing;
    },
  };
}
