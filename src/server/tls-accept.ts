import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { clientCertificateProblem } from './client-certificate.js';
import type { TlsSettings } from './tls-settings.js';

/** The first byte of every TLS connection: a handshake record. */
const TLS_HANDSHAKE_RECORD = 0x16;

/** Go's exact answer to plain HTTP on its HTTPS port. */
const PLAIN_HTTP_ANSWER = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

export interface TlsAcceptOptions {
  /** Read per connection, so a reloaded policy or certificate applies to the next one. */
  readonly tls: TlsSettings;
  readonly secureContext: SecureContext;
  /** Covers the wait for the first byte too. */
  readonly handshakeTimeoutMs: number;
  /** A connection that passed every check, for the HTTP server. */
  onSecure(socket: TLSSocket): void;
  /** A connection refused, with one clean line saying why. */
  onRejected(reason: string): void;
}

/**
 * One line from an OpenSSL error ("4017...:error:0A000126:SSL routines:func:reason:file:line:\n" becomes
 * "reason"), or the first line of any other error.
 */
export function tlsErrorReason(err: Error): string {
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:\n]+)/.exec(err.message);
  return (openssl?.[1] ?? err.message.split('\n')[0] ?? 'error').trim();
}

/** A refusal after the handshake: OpenSSL cannot send an alert then, so the client gets a one-line 403. */
function refuseAfterHandshake(socket: TLSSocket, reason: string): void {
  const body = `Forbidden: ${reason}.\n`;
  socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  socket.setTimeout(1000, () => socket.destroy());
}

/**
 * Takes one TCP connection on the HTTPS port: plain HTTP is answered 400 as Go does; TLS goes through a
 * TLSSocket made here rather than by tls.Server, so that the client certificate policy can be set per type:
 * RequireAnyClientCert and RequireAndVerifyClientCert make OpenSSL itself fail a handshake without a
 * certificate (the client gets the alert), which tls.Server only does together with destroying every
 * untrusted chain, also for RequireAnyClientCert.
 */
export function acceptTls(raw: Socket, options: TlsAcceptOptions): void {
  const { tls } = options;
  let settled = false;
  const settle = () => {
    settled = true;
    clearTimeout(timer);
  };
  const reject = (reason: string) => {
    if (settled) return;
    settle();
    options.onRejected(reason);
  };
  const timer = setTimeout(() => {
    reject('TLS handshake timed out');
    raw.destroy();
  }, options.handshakeTimeoutMs);
  // A TCP probe that connects and leaves, or a reset before any byte, is no TLS attempt: nothing to log.
  raw.on('error', () => undefined);
  raw.once('close', () => {
    if (!settled) settle();
  });
  raw.once('data', (first: Buffer) => {
    raw.pause();
    raw.unshift(first);
    if (first[0] !== TLS_HANDSHAKE_RECORD) {
      reject('plain HTTP request on the HTTPS port');
      raw.end(PLAIN_HTTP_ANSWER);
      return;
    }
    const requires = tls.clientAuth === 'RequireAnyClientCert' || tls.clientAuth === 'RequireAndVerifyClientCert';
    const socket = new TLSSocket(raw, {
      isServer: true,
      secureContext: options.secureContext,
      requestCert: tls.clientAuth !== 'NoClientCert',
      // For a server socket this only sets OpenSSL's "fail if no peer certificate"; chains are judged below.
      rejectUnauthorized: requires,
      ALPNProtocols: ['http/1.1'],
    });
    socket.once('secure', () => {
      const problem = clientCertificateProblem(socket, tls);
      if (problem) {
        reject(problem);
        refuseAfterHandshake(socket, problem);
        return;
      }
      settle();
      options.onSecure(socket);
    });
    socket.on('error', (err: Error) => {
      reject(tlsErrorReason(err));
      socket.destroy();
    });
    socket.once('close', () => reject(requires ? 'connection closed during the TLS handshake (no client certificate?)' : 'connection closed during the TLS handshake'));
  });
}
