import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { z } from 'zod';
import { ConfigError, readYamlFile, schemaError } from '../config/yaml-file.js';

/**
 * `--web.config.file`: the Prometheus exporter-toolkit web configuration format, so operators can reuse the
 * file they already have for node_exporter. Differences from exporter-toolkit, all reported at load time:
 * - `rate_limit` is rejected (not implemented here; put a reverse proxy in front instead).
 * - `client_ca_file`/`client_ca` is rejected unless client_auth_type verifies with it, and a verifying type
 *   needs a CA: Node would otherwise fall back to the public roots.
 * - `http2` is accepted and ignored: express runs on node:http(s), HTTP/1.1 only.
 * - Changes are picked up as exporter-toolkit does, without a restart (see web-config-watch.ts), except
 *   switching TLS on or off and changing client_auth_type, which need one.
 */

const CLIENT_AUTH_TYPES = [
  'NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'RequireClientCert',
  'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert',
] as const;
/** `RequireClientCert` is exporter-toolkit's backwards-compatible alias, folded into RequireAnyClientCert. */
export type ClientAuthType = Exclude<(typeof CLIENT_AUTH_TYPES)[number], 'RequireClientCert'>;

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
const CURVES = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' } as const;

/** Go's crypto/tls names (what exporter-toolkit accepts) to OpenSSL names. */
const TLS12_CIPHERS: Readonly<Record<string, string>> = {
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
const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

/** exporter-toolkit's fixed list: only these headers, and for two of them only these exact values. */
const ALLOWED_HEADERS: Readonly<Record<string, readonly string[] | null>> = {
  'Strict-Transport-Security': null, 'X-Content-Type-Options': ['nosniff'], 'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null, 'Content-Security-Policy': null,
};

const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const enumOf = (values: readonly string[], message = `must be one of ${values.join(', ')}`) =>
  z.string().refine((v) => values.includes(v), { message });

const webConfigSchema = z.strictObject({
  tls_server_config: z.strictObject({
    cert: z.string().optional(),
    key: z.string().optional(),
    client_ca: z.string().optional(),
    cert_file: z.string().optional(),
    key_file: z.string().optional(),
    client_auth_type: enumOf(CLIENT_AUTH_TYPES).optional(),
    client_ca_file: z.string().optional(),
    client_allowed_sans: z.array(z.string().min(1)).optional(),
    min_version: enumOf(Object.keys(TLS_VERSIONS)).default('TLS12'),
    max_version: enumOf(Object.keys(TLS_VERSIONS)).default('TLS13'),
    cipher_suites: z.array(enumOf([...Object.keys(TLS12_CIPHERS), ...TLS13_SUITES],
      'not a cipher suite Go accepts (example: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)')).optional(),
    prefer_server_cipher_suites: z.boolean().default(true),
    curve_preferences: z.array(enumOf(Object.keys(CURVES))).optional(),
  }).nullish(),
  http_server_config: z.strictObject({
    http2: z.boolean().default(true),
    // YAML reads `X-XSS-Protection: 0` as a number; Go's yaml takes it as the string it means.
    headers: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).nullish(),
  }).nullish(),
  basic_auth_users: z.record(z.string(), z.string()).nullish(),
  rate_limit: z.unknown()
    .refine(() => false, { message: 'not supported by this exporter; remove it (use a reverse proxy to rate-limit)' })
    .optional(),
});
type RawTls = NonNullable<z.infer<typeof webConfigSchema>['tls_server_config']>;

export interface TlsSettings {
  /** PEM, as node:tls takes them. */
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
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

export interface WebConfig {
  /** The file it was loaded from, for messages and reloads. */
  readonly origin: string;
  /** Every file it was read from (origin first), so a change to any of them can be noticed. */
  readonly files: readonly string[];
  /** Absent: serve plain HTTP (as exporter-toolkit does when no certificate is configured). */
  readonly tls?: TlsSettings;
  /** Set on every response. */
  readonly headers: Readonly<Record<string, string>>;
  /** User name to bcrypt hash; empty: no basic auth. */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
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
  const { tls_server_config: rawTls, http_server_config: http, basic_auth_users: users } = result.data;
  const tls = rawTls ? resolveTls(rawTls, dirname(path), fail) : undefined;
  return {
    origin: path,
    files: [resolve(path), ...(tls?.files ?? [])],
    tls,
    headers: checkHeaders(http?.headers ?? {}, fail),
    basicAuthUsers: checkUsers(users ?? {}, fail),
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

/** Reads a PEM either inline (`inlineKey`) or from a file (`fileKey`), resolving the file against `baseDir`. */
function pemSource(
  tls: RawTls, inlineKey: 'cert' | 'key' | 'client_ca', fileKey: 'cert_file' | 'key_file' | 'client_ca_file', baseDir: string, fail: Fail,
): { key: string; pem: string; file?: string } | undefined {
  // An empty value counts as unset, as in exporter-toolkit.
  const inline = tls[inlineKey] || undefined;
  const file = tls[fileKey] || undefined;
  if (inline !== undefined && file !== undefined) fail(`tls_server_config.${fileKey}`, `set only one of ${inlineKey} and ${fileKey}`);
  if (file === undefined) return inline === undefined ? undefined : { key: `tls_server_config.${inlineKey}`, pem: inline };
  const absolute = isAbsolute(file) ? file : resolve(baseDir, file);
  try {
    return { key: `tls_server_config.${fileKey}`, pem: readFileSync(absolute, 'utf8'), file: absolute };
  } catch (err) {
    return fail(`tls_server_config.${fileKey}`, `cannot read ${absolute} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function resolveTls(tls: RawTls, baseDir: string, fail: Fail): TlsSettings | undefined {
  const cert = pemSource(tls, 'cert', 'cert_file', baseDir, fail);
  const key = pemSource(tls, 'key', 'key_file', baseDir, fail);
  const ca = pemSource(tls, 'client_ca', 'client_ca_file', baseDir, fail);
  // exporter-toolkit's rule: TLS is on as soon as any of these is set; then cert and key are both required.
  if (!cert && !key && !ca && tls.client_auth_type === undefined) return undefined;
  if (!cert) return fail('tls_server_config', 'missing one of cert or cert_file');
  if (!key) return fail('tls_server_config', 'missing one of key or key_file');

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
  if (ca) checkCaBundle(ca.key, ca.pem, fail);

  const clientAuth: ClientAuthType = tls.client_auth_type === 'RequireClientCert'
    ? 'RequireAnyClientCert'
    : ((tls.client_auth_type ?? 'NoClientCert') as ClientAuthType);
  const verifies = clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert';
  if (ca && !verifies) fail(ca.key, `is only used with client_auth_type VerifyClientCertIfGiven or RequireAndVerifyClientCert, not ${clientAuth}`);
  if (!ca && verifies) fail('tls_server_config.client_auth_type', `${clientAuth} needs client_ca_file (or client_ca) to verify client certificates against`);
  if (tls.client_allowed_sans && clientAuth !== 'RequireAnyClientCert' && clientAuth !== 'RequireAndVerifyClientCert') {
    fail('tls_server_config.client_allowed_sans', 'needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert');
  }

  const versionOrder = Object.keys(TLS_VERSIONS);
  if (versionOrder.indexOf(tls.min_version) > versionOrder.indexOf(tls.max_version)) {
    fail('tls_server_config.min_version', `${tls.min_version} is above max_version ${tls.max_version}`);
  }
  const tls12Ciphers = (tls.cipher_suites ?? []).flatMap((name) => TLS12_CIPHERS[name] ?? []);
  const settings: TlsSettings = {
    cert: cert.pem,
    key: key.pem,
    ca: ca?.pem,
    clientAuth,
    clientAllowedSans: tls.client_allowed_sans,
    minVersion: TLS_VERSIONS[tls.min_version as keyof typeof TLS_VERSIONS],
    maxVersion: TLS_VERSIONS[tls.max_version as keyof typeof TLS_VERSIONS],
    ciphers: tls12Ciphers.length ? tls12Ciphers.join(':') : undefined,
    honorCipherOrder: tls.prefer_server_cipher_suites,
    ecdhCurve: tls.curve_preferences?.map((name) => CURVES[name as keyof typeof CURVES]).join(':'),
    files: [cert, key, ca].flatMap((source) => source?.file ?? []),
  };
  try {
    // Last word to OpenSSL, so that anything it would refuse at the first handshake is refused now.
    createSecureContext(settings);
  } catch (err) {
    fail('tls_server_config', `rejected by OpenSSL (${(err as Error).message.split('\n')[0]})`);
  }
  return settings;
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
