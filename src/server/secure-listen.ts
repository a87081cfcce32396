import type { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIPv6, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ConfigError } from '../config/load.js';
import { basicAuth } from './basic-auth.js';
import type { TlsSettings, WebConfig } from './web-config.js';

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

/** The app behind the web config: headers on every response (401s included), then basic auth. */
function withWebConfig(app: http.RequestListener, options: ServeOptions): http.RequestListener {
  const headers = Object.entries(options.webConfig?.headers ?? {});
  const auth = basicAuth({ users: options.webConfig?.basicAuthUsers ?? new Map(), exemptPaths: options.authExemptPaths });
  return (req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    auth(req, res, (err) => {
      if (err === undefined) return void app(req, res);
      res.statusCode = 500;
      res.end('Internal Server Error\n');
    });
  };
}

function canonicalSan(value: string): string {
  // Node may print IPv6 SANs uncompressed; the URL parser gives one spelling for every form.
  return isIPv6(value) ? new URL(`http://[${value}]`).hostname.slice(1, -1) : value;
}

/** DNS, IP, email and URI SANs, unquoting the values Node quotes (those holding commas or quotes). */
function subjectAltNames(cert: X509Certificate): string[] {
  const entries = (cert.subjectAltName ?? '').match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  return entries.flatMap((entry) => {
    const match = entry.trim().match(/^(DNS|IP Address|email|URI):(.*)$/s);
    if (!match?.[2]) return [];
    const value = match[2].startsWith('"') ? (JSON.parse(match[2]) as string) : match[2];
    return [canonicalSan(value)];
  });
}

/**
 * What node:tls cannot do during the handshake: require a certificate without verifying it, verify only one
 * that was given, match SANs. Returns why the connection must be dropped, if it must.
 */
function clientCertificateProblem(socket: TLSSocket, tls: TlsSettings): string | undefined {
  if (tls.clientAuth === 'NoClientCert' || tls.clientAuth === 'RequestClientCert') return undefined;
  const cert = socket.getPeerX509Certificate();
  if (!cert) return tls.clientAuth === 'VerifyClientCertIfGiven' ? undefined : 'no client certificate';
  if (tls.clientAuth === 'VerifyClientCertIfGiven' && !socket.authorized) {
    return `client certificate not trusted (${String(socket.authorizationError)})`;
  }
  if (tls.clientAllowedSans) {
    const allowed = new Set(tls.clientAllowedSans.map(canonicalSan));
    if (!subjectAltNames(cert).some((san) => allowed.has(san))) return 'client certificate has none of client_allowed_sans';
  }
  return undefined;
}

function createServer(listener: http.RequestListener, options: ServeOptions): http.Server | https.Server {
  const { maxHeaderSize, connectionsCheckingInterval, handshakeTimeout } = SERVER_LIMITS;
  const tls = options.webConfig?.tls;
  const server = tls
    ? https.createServer({
        maxHeaderSize, connectionsCheckingInterval, handshakeTimeout,
        cert: tls.cert, key: tls.key, ca: tls.ca,
        minVersion: tls.minVersion, maxVersion: tls.maxVersion,
        ciphers: tls.ciphers, honorCipherOrder: tls.honorCipherOrder, ecdhCurve: tls.ecdhCurve,
        requestCert: tls.clientAuth !== 'NoClientCert',
        // Only this type fails the handshake itself; the others are checked right after it, before any request.
        rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
      }, listener)
    : http.createServer({ maxHeaderSize, connectionsCheckingInterval }, listener);
  server.headersTimeout = SERVER_LIMITS.headersTimeout;
  server.requestTimeout = SERVER_LIMITS.requestTimeout;
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeout;
  server.maxHeadersCount = SERVER_LIMITS.maxHeadersCount;
  if (tls) {
    server.on('secureConnection', (socket: TLSSocket) => {
      const problem = clientCertificateProblem(socket, tls);
      if (!problem) return;
      options.onTlsRejection?.(problem, socket.remoteAddress);
      socket.destroy();
    });
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => options.onTlsRejection?.(err.message, socket.remoteAddress));
  }
  return server;
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
  const server = createServer(withWebConfig(app, options), options);
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
