import type { X509Certificate } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsSettings } from './web-config.js';


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
export function clientCertificateProblem(socket: TLSSocket, tls: TlsSettings): string | undefined {
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
