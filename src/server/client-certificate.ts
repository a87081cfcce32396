import type { X509Certificate } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsSettings } from './tls-settings.js';

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

interface VerifyingHandle {
  verifyError?(): (Error & { code?: string }) | null;
}

/**
 * Why OpenSSL did not trust the client's chain, or undefined when it did. The socket is one we made
 * (tls-accept.ts), so Node's server code that reads this into `socket.authorized` never ran: this reads it the
 * same way. A handle without the method fails closed.
 */
function untrustedBecause(socket: TLSSocket): string | undefined {
  const handle = (socket as unknown as { _handle?: VerifyingHandle })._handle;
  if (typeof handle?.verifyError !== 'function') return 'verification result unavailable';
  const error = handle.verifyError();
  return error ? (error.code ?? error.message) : undefined;
}

/**
 * What OpenSSL cannot refuse during the handshake here: a chain it does not trust (Node's verify callback
 * accepts every chain and leaves the verdict for later) and SANs. Returns why the connection must be refused.
 */
export function clientCertificateProblem(socket: TLSSocket, tls: TlsSettings): string | undefined {
  if (tls.clientAuth === 'NoClientCert' || tls.clientAuth === 'RequestClientCert') return undefined;
  const cert = socket.getPeerX509Certificate();
  // Require* types fail the handshake itself without a certificate; this is the last guard.
  if (!cert) return tls.clientAuth === 'VerifyClientCertIfGiven' ? undefined : 'no client certificate';
  if (tls.clientAuth !== 'RequireAnyClientCert') {
    const untrusted = untrustedBecause(socket);
    if (untrusted) return `client certificate not trusted (${untrusted})`;
  }
  if (tls.clientAllowedSans) {
    const allowed = new Set(tls.clientAllowedSans.map(canonicalSan));
    if (!subjectAltNames(cert).some((san) => allowed.has(san))) return 'client certificate has none of client_allowed_sans';
  }
  return undefined;
}
