import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ConfigError } from '../config/load.js';
import { basicAuth, type BasicAuthMiddleware } from './basic-auth.js';
import { clientCertificateProblem } from './client-certificate.js';
import type { TlsSettings, WebConfig } from './web-config.js';
import { watchWebConfig, type WebConfigChanges } from './web-config-watch.js';

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
  /** TLS handshake deadline; Node's default is 120 s. */
  handshakeTimeout: 10_000,
} as const;

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
  /** A TLS connection refused: failed handshake or a client certificate the client_auth_type does not accept. */
  readonly onTlsRejection?: (reason: string, remoteAddress: string | undefined) => void;
}

export interface RunningServer {
  readonly server: http.Server | https.Server;
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

/** What requests are checked against, rebuilt when the web config changes (a new cache forgets removed users). */
interface Guard {
  readonly headers: readonly (readonly [string, string])[];
  readonly auth: BasicAuthMiddleware;
}

function guardOf(config: WebConfig | undefined, exemptPaths: readonly string[] | undefined): Guard {
  return {
    headers: Object.entries(config?.headers ?? {}),
    auth: basicAuth({ users: config?.basicAuthUsers ?? new Map(), exemptPaths }),
  };
}

/** The app behind the web config: headers on every response (401s included), then basic auth. */
function withWebConfig(app: http.RequestListener, guard: () => Guard): http.RequestListener {
  return (req, res) => {
    const { headers, auth } = guard();
    for (const [name, value] of headers) res.setHeader(name, value);
    auth(req, res, (err) => {
      if (err === undefined) return void app(req, res);
      res.statusCode = 500;
      res.end('Internal Server Error\n');
    });
  };
}

/** The parts of TlsSettings that make up node:tls's secure context (all but the client certificate policy). */
function secureContextOf(tls: TlsSettings) {
  const { cert, key, ca, minVersion, maxVersion, ciphers, honorCipherOrder, ecdhCurve } = tls;
  return { cert, key, ca, minVersion, maxVersion, ciphers, honorCipherOrder, ecdhCurve };
}

/**
 * `currentTls` is read per connection, so a reloaded client_allowed_sans applies at once; `beforeConnection`
 * runs before node:tls sets a connection up, so a certificate reloaded there is the one this connection gets.
 */
function createServer(
  listener: http.RequestListener, options: ServeOptions, currentTls: () => TlsSettings | undefined, beforeConnection: () => void,
): http.Server | https.Server {
  const { maxHeaderSize, connectionsCheckingInterval, handshakeTimeout } = SERVER_LIMITS;
  const tls = currentTls();
  const server = tls
    ? https.createServer({
        maxHeaderSize, connectionsCheckingInterval, handshakeTimeout,
        ...secureContextOf(tls),
        requestCert: tls.clientAuth !== 'NoClientCert',
        // Only this type fails the handshake itself; the others are checked right after it, before any request.
        rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
      }, listener)
    : http.createServer({ maxHeaderSize, connectionsCheckingInterval }, listener);
  server.headersTimeout = SERVER_LIMITS.headersTimeout;
  server.requestTimeout = SERVER_LIMITS.requestTimeout;
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeout;
  server.maxHeadersCount = SERVER_LIMITS.maxHeadersCount;
  server.prependListener('connection', beforeConnection);
  if (tls) {
    server.on('secureConnection', (socket: TLSSocket) => {
      const problem = clientCertificateProblem(socket, currentTls() ?? tls);
      if (!problem) return;
      options.onTlsRejection?.(problem, socket.remoteAddress);
      socket.destroy();
    });
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => options.onTlsRejection?.(err.message, socket.remoteAddress));
  }
  return server;
}

/** Follows the web config's files when asked to, applying each accepted change to `server` and the guard. */
function followWebConfig(options: ServeOptions, apply: (next: WebConfig) => void): { current(): WebConfig | undefined; check(): void } {
  const { webConfig, webConfigChanges: changes } = options;
  if (!webConfig || !changes) return { current: () => webConfig, check: () => undefined };
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

/**
 * Serves `app` (an express app or any request listener) as the web config says: HTTPS with the configured
 * client certificate policy, or plain HTTP without TLS settings; basic auth and headers either way.
 * Throws ConfigError when the address cannot be listened on.
 */
export async function serve(app: http.RequestListener, options: ServeOptions): Promise<RunningServer> {
  let guard = guardOf(options.webConfig, options.authExemptPaths);
  // Called only from check(), which runs per connection and request: `server` exists by then.
  const apply = (next: WebConfig) => {
    guard = guardOf(next, options.authExemptPaths);
    if (next.tls && server instanceof https.Server) server.setSecureContext(secureContextOf(next.tls));
  };
  const webConfig = followWebConfig(options, apply);
  const currentGuard = () => {
    webConfig.check();
    return guard;
  };
  const server = createServer(withWebConfig(app, currentGuard), options, () => webConfig.current()?.tls, () => webConfig.check());
  const where = `${options.host ?? '*'}:${options.port}`;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(new ConfigError(`cannot listen on ${where}: ${err.code ?? err.message}`));
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
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
