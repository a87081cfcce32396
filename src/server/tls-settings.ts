import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import tls, { createSecureContext, type SecureVersion } from 'node:tls';
import type { RawTls } from './tls-schema.js';

export const CLIENT_AUTH_TYPES = [
  'NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'RequireClientCert',
  'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert',
] as const;
/** `RequireClientCert` is exporter-toolkit's backwards-compatible alias, folded into RequireAnyClientCert. */
export type ClientAuthType = Exclude<(typeof CLIENT_AUTH_TYPES)[number], 'RequireClientCert'>;

export const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;
export const CURVES = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519', X25519MLKEM768: 'X25519MLKEM768' } as const;

/**
 * OpenSSL 3 (every Node.js this runs on bundles it) refuses TLS 1.0 and 1.1 at its default security level:
 * they need SHA-1 handshake signatures. A config naming them would load and then fail every such handshake.
 */
const SERVABLE_VERSIONS: readonly TlsVersionName[] = Number(process.versions.openssl?.split('.')[0]) >= 3
  ? ['TLS12', 'TLS13'] : ['TLS10', 'TLS11', 'TLS12', 'TLS13'];

/** Go's crypto/tls names (what exporter-toolkit accepts) to OpenSSL names. */
export const TLS12_CIPHERS: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
};
/** Go does not let TLS 1.3 suites be configured and ignores them in the list; so do we (Node keeps its defaults). */
export const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];
/** Go's net/http refuses to start HTTP/2 over TLS 1.2 without one of these in an explicit cipher_suites list. */
const HTTP2_REQUIRED = ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'];

export interface TlsSettings {
  /** PEM, as node:tls takes them. */
  readonly cert: string;
  readonly key: string;
  /**
   * Trust anchors for client certificates: client_ca_file or client_ca, else (for a verifying
   * client_auth_type) the system's roots, as Go uses then.
   */
  readonly ca?: string | readonly string[];
  readonly clientAuth: ClientAuthType;
  /** Exact-match list of SANs (DNS, IP, email, URI) one of which the client certificate must carry. */
  readonly clientAllowedSans?: readonly string[];
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  /** OpenSSL cipher string, or undefined for Node's defaults. */
  readonly ciphers?: string;
  readonly honorCipherOrder: boolean;
  /** OpenSSL group list, or undefined for Node's defaults. */
  readonly ecdhCurve?: string;
  /** Absolute paths of the PEM files read (cert_file, key_file, client_ca_file), watched for changes. */
  readonly files: readonly string[];
}

type Fail = (key: string, problem: string) => never;

/**
 * The system's trust store (OpenSSL's default file and directory, SSL_CERT_FILE and SSL_CERT_DIR honoured),
 * what Go verifies client certificates against when no client CA is configured. Node before 22.15 cannot read
 * it; there Node's bundled Mozilla roots stand in.
 */
function systemRoots(): readonly string[] {
  const read = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  return read ? read('system') : tls.rootCertificates;
}

/** Reads a PEM either inline (`inlineKey`) or from a file (`fileKey`), resolving the file against `baseDir`. */
function pemSource(
  raw: RawTls, inlineKey: 'cert' | 'key' | 'client_ca', fileKey: 'cert_file' | 'key_file' | 'client_ca_file', baseDir: string, fail: Fail,
): { key: string; pem: string; file?: string } | undefined {
  // An empty value counts as unset, as in exporter-toolkit.
  const inline = raw[inlineKey] || undefined;
  const file = raw[fileKey] || undefined;
  if (inline !== undefined && file !== undefined) fail(`tls_server_config.${fileKey}`, `set only one of ${inlineKey} and ${fileKey}`);
  if (file === undefined) return inline === undefined ? undefined : { key: `tls_server_config.${inlineKey}`, pem: inline };
  const absolute = isAbsolute(file) ? file : resolve(baseDir, file);
  try {
    return { key: `tls_server_config.${fileKey}`, pem: readFileSync(absolute, 'utf8'), file: absolute };
  } catch (err) {
    return fail(`tls_server_config.${fileKey}`, `cannot read ${absolute} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function checkCaBundle(key: string, pem: string, fail: Fail): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) fail(key, 'contains no PEM certificate');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      fail(key, `certificate #${i + 1} is not valid`);
    }
  });
}

function checkKeyPair(cert: { key: string; pem: string }, key: { key: string; pem: string }, fail: Fail): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert.pem);
  } catch {
    return fail(cert.key, 'not a PEM certificate');
  }
  // Told apart up front: OpenSSL's error for a missing passphrase varies by version and says little.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key.pem)) fail(key.key, 'the key is encrypted; give an unencrypted key');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key.pem);
  } catch {
    return fail(key.key, 'not a PEM private key');
  }
  if (!certificate.checkPrivateKey(privateKey)) fail(key.key, `does not match the certificate in ${cert.key}`);
}

function checkVersions(raw: RawTls, fail: Fail): void {
  const order = Object.keys(TLS_VERSIONS);
  if (order.indexOf(raw.min_version) > order.indexOf(raw.max_version)) {
    fail('tls_server_config.min_version', `${raw.min_version} is above max_version ${raw.max_version}`);
  }
  const servable = `this runtime (OpenSSL ${process.versions.openssl}) serves only ${SERVABLE_VERSIONS.join(' and ')}`;
  if (!SERVABLE_VERSIONS.includes(raw.max_version as TlsVersionName)) fail('tls_server_config.max_version', `${raw.max_version}: ${servable}`);
  if (!SERVABLE_VERSIONS.includes(raw.min_version as TlsVersionName)) {
    fail('tls_server_config.min_version', `${raw.min_version}: ${servable}; set ${SERVABLE_VERSIONS[0]} or remove it`);
  }
}

function checkClientAuth(raw: RawTls, clientAuth: ClientAuthType, hasCa: boolean, fail: Fail): void {
  // exporter-toolkit's own rule and words; with the other types the CA list is sent as a hint.
  if (hasCa && clientAuth === 'NoClientCert') fail('tls_server_config.client_ca_file', "client CA's have been configured without a client_auth_type");
  if (raw.client_allowed_sans && clientAuth !== 'RequireAnyClientCert' && clientAuth !== 'RequireAndVerifyClientCert') {
    fail('tls_server_config.client_allowed_sans', 'needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert');
  }
}

function checkHttp2Ciphers(raw: RawTls, http2: boolean, fail: Fail): void {
  if (!http2 || !raw.cipher_suites || raw.min_version === 'TLS13') return;
  if (!raw.cipher_suites.some((name) => HTTP2_REQUIRED.includes(name))) {
    fail('tls_server_config.cipher_suites', `with http2 on (the default), needs one of ${HTTP2_REQUIRED.join(' or ')}, as Go's net/http does; add one or set http_server_config.http2: false`);
  }
}

/** Validates `tls_server_config`; undefined when it configures no TLS (exporter-toolkit then serves plain HTTP). */
export function resolveTls(raw: RawTls, baseDir: string, http2: boolean, fail: Fail): TlsSettings | undefined {
  const cert = pemSource(raw, 'cert', 'cert_file', baseDir, fail);
  const key = pemSource(raw, 'key', 'key_file', baseDir, fail);
  const ca = pemSource(raw, 'client_ca', 'client_ca_file', baseDir, fail);
  // exporter-toolkit's rule: TLS is on as soon as any of these is set; then cert and key are both required.
  if (!cert && !key && !ca && raw.client_auth_type === undefined) return undefined;
  if (!cert) return fail('tls_server_config', 'missing one of cert or cert_file');
  if (!key) return fail('tls_server_config', 'missing one of key or key_file');
  checkKeyPair(cert, key, fail);
  const clientAuth: ClientAuthType = raw.client_auth_type === 'RequireClientCert'
    ? 'RequireAnyClientCert'
    : ((raw.client_auth_type ?? 'NoClientCert') as ClientAuthType);
  // The policy first, as exporter-toolkit: its CA-without-policy test file names /dev/null as the CA.
  checkClientAuth(raw, clientAuth, Boolean(ca), fail);
  if (ca) checkCaBundle(ca.key, ca.pem, fail);
  checkVersions(raw, fail);
  checkHttp2Ciphers(raw, http2, fail);
  const verifies = clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert';
  const tls12Ciphers = (raw.cipher_suites ?? []).flatMap((name) => TLS12_CIPHERS[name] ?? []);
  const settings: TlsSettings = {
    cert: cert.pem,
    key: key.pem,
    ca: ca?.pem ?? (verifies ? systemRoots() : undefined),
    clientAuth,
    clientAllowedSans: raw.client_allowed_sans,
    minVersion: TLS_VERSIONS[raw.min_version as TlsVersionName],
    maxVersion: TLS_VERSIONS[raw.max_version as TlsVersionName],
    ciphers: tls12Ciphers.length ? tls12Ciphers.join(':') : undefined,
    honorCipherOrder: raw.prefer_server_cipher_suites,
    ecdhCurve: raw.curve_preferences?.map((name) => CURVES[name as keyof typeof CURVES]).join(':'),
    files: [cert, key, ca].flatMap((source) => source?.file ?? []),
  };
  try {
    // Last word to OpenSSL, so that anything it would refuse at the first handshake is refused now.
    createSecureContext(secureContextOf(settings));
  } catch (err) {
    fail('tls_server_config', `rejected by OpenSSL (${(err as Error).message.split('\n')[0]})`);
  }
  return settings;
}

/** The parts of TlsSettings that make up node:tls's secure context (all but the client certificate policy). */
export function secureContextOf(tls: TlsSettings): tls.SecureContextOptions {
  const { cert, key, minVersion, maxVersion, ciphers, honorCipherOrder, ecdhCurve } = tls;
  return { cert, key, ca: tls.ca as string | string[] | undefined, minVersion, maxVersion, ciphers, honorCipherOrder, ecdhCurve };
}
