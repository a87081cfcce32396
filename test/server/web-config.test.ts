import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSync } from '@node-rs/bcrypt';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { loadWebConfig } from '../../src/server/web-config.js';
import { Pki, SERVER_LOCALHOST } from '../helpers/pki.js';

const pki = new Pki();
const dir = pki.dir;

/** A CA and a server certificate it signed, plus keys that do not fit (another key, an encrypted one). */
function makeFiles(): void {
  pki.ca('ca', { cn: 'test-ca' }).leaf('server', { cn: 'localhost', extensions: SERVER_LOCALHOST });
  pki.key('other.key').encryptedKey('encrypted.key', 'server.key', 'secret');
  pki.write('empty-ca.crt', 'no certificates in here\n');
}

let fileCount = 0;
/** Writes `yaml` into the PKI directory, so relative paths there resolve only against the file's directory. */
function load(yaml: string) {
  return loadWebConfig(pki.write(`web-${++fileCount}.yml`, yaml));
}

function loadError(yaml: string): string {
  try {
    load(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message.startsWith(join(dir, 'web-'))).toBe(true);
    return message;
  }
  throw new Error('expected a ConfigError');
}

const hash = hashSync('secret', 4).replace(/^\$2b\$/, '$2y$');
const tlsBase = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';

beforeAll(makeFiles);

describe('loadWebConfig accepts', () => {
  it('an empty file: plain HTTP, no auth, no headers', () => {
    expect(load('')).toMatchObject({ tls: undefined, headers: {}, basicAuthUsers: new Map() });
  });

  it('a full node_exporter style file, resolving relative paths against its own directory', () => {
    const config = load(`${tlsBase}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  client_allowed_sans: [prometheus.example]
  min_version: TLS12
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  prefer_server_cipher_suites: false
  curve_preferences: [X25519, CurveP256]
http_server_config:
  http2: true
  headers:
    Strict-Transport-Security: max-age=31536000
    X-Frame-Options: deny
    X-XSS-Protection: 0
    Content-Security-Policy: ""
basic_auth_users:
  alice: ${hash}
`);
    expect(config.tls).toEqual({
      cert: readFileSync(join(dir, 'server.crt'), 'utf8'),
      key: readFileSync(join(dir, 'server.key'), 'utf8'),
      ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      clientAuth: 'RequireAndVerifyClientCert',
      clientAllowedSans: ['prometheus.example'],
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
      honorCipherOrder: false,
      ecdhCurve: 'X25519:P-256',
      files: ['server.crt', 'server.key', 'ca.crt'].map((name) => join(dir, name)),
    });
    expect(config.files).toEqual([join(dir, `web-${fileCount}.yml`), ...(config.tls?.files ?? [])]);
    // A blank value means "unset", as exporter-toolkit documents.
    expect(config.headers).toEqual({ 'Strict-Transport-Security': 'max-age=31536000', 'X-Frame-Options': 'deny', 'X-XSS-Protection': '0' });
    expect(config.basicAuthUsers).toEqual(new Map([['alice', hash]]));
  });

  it('exporter-toolkit defaults: TLS 1.2 to 1.3, server cipher order, no client certificate', () => {
    expect(load(tlsBase).tls).toMatchObject({
      clientAuth: 'NoClientCert', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', honorCipherOrder: true, ciphers: undefined,
    });
  });

  it('inline PEM and the RequireClientCert alias', () => {
    const indent = (pem: string) => pem.trim().replace(/\n/g, '\n    ');
    const config = load(`tls_server_config:
  cert: |
    ${indent(readFileSync(join(dir, 'server.crt'), 'utf8'))}
  key: |
    ${indent(readFileSync(join(dir, 'server.key'), 'utf8'))}
  client_auth_type: RequireClientCert
`);
    expect(config.tls?.clientAuth).toBe('RequireAnyClientCert');
    expect(config.tls?.cert).toContain('BEGIN CERTIFICATE');
  });

  it('client CAs with every type that asks for a certificate; without one, verifying types use the system roots', () => {
    for (const type of ['RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven']) {
      expect(load(`${tlsBase}  client_ca_file: ca.crt\n  client_auth_type: ${type}\n`).tls?.ca).toBe(readFileSync(join(dir, 'ca.crt'), 'utf8'));
    }
    const system = load(`${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n`).tls?.ca;
    expect(Array.isArray(system) && system.length).toBeGreaterThan(0);
    expect(load(`${tlsBase}  client_auth_type: RequireAnyClientCert\n`).tls?.ca).toBeUndefined();
  });

  it('rate_limit as exporter-toolkit reads it: Go durations or nanoseconds, off at interval 0', () => {
    expect(load('rate_limit:\n  interval: 1s\n  burst: 5\n').rateLimit).toEqual({ intervalMs: 1000, burst: 5 });
    expect(load('rate_limit:\n  interval: 1m30.5s\n').rateLimit).toEqual({ intervalMs: 90_500, burst: 0 });
    expect(load('rate_limit:\n  interval: 250000000\n  burst: 1\n').rateLimit).toEqual({ intervalMs: 250, burst: 1 });
    expect(load('rate_limit:\n  interval: 0\n  burst: 0\n').rateLimit).toBeUndefined();
    expect(load('rate_limit:\n  interval: "0s"\n').rateLimit).toBeUndefined();
    expect(load('rate_limit:\n').rateLimit).toBeUndefined();
  });

  it('TLS settings without any certificate setting, or empty ones: plain HTTP, as exporter-toolkit does', () => {
    expect(load('tls_server_config:\n  min_version: TLS13\n').tls).toBeUndefined();
    expect(load('tls_server_config:\n  cert_file: ""\n  key_file: ""\n').tls).toBeUndefined();
  });
});

describe('loadWebConfig rejects with one line naming the key', () => {
  const cases: [string, string, RegExp][] = [
    ['an unknown top-level key', 'tls_config: {}\n', /: unknown key "tls_config"$/],
    ['an unknown TLS key', `${tlsBase}  certfile: x\n`, /: tls_server_config: unknown key "certfile"$/],
    ['a wrong type', 'http_server_config:\n  http2: "yes"\n', /: http_server_config\.http2: .*expected boolean/],
    ['a list where a map belongs', 'basic_auth_users: [alice]\n', /: basic_auth_users: .*expected record/],
    ['a document that is not a map', '- a\n', /: \(top level\): .*expected object/],
    ['an unreadable cert file', 'tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n',
      /: tls_server_config\.cert_file: cannot read \/.*\/missing\.crt \(ENOENT\)$/],
    ['a cert file without a certificate', 'tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n',
      /: tls_server_config\.cert_file: not a PEM certificate$/],
    ['a key that does not match the cert', 'tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n',
      /: tls_server_config\.key_file: does not match the certificate in tls_server_config\.cert_file$/],
    ['an encrypted key', 'tls_server_config:\n  cert_file: server.crt\n  key_file: encrypted.key\n',
      /: tls_server_config\.key_file: the key is encrypted/],
    ['a cert without a key', 'tls_server_config:\n  cert_file: server.crt\n', /: tls_server_config: missing one of key or key_file$/],
    ['both cert and cert_file', `${tlsBase}  cert: x\n`, /: tls_server_config\.cert_file: set only one of cert and cert_file$/],
    ['a CA without a client_auth_type', `${tlsBase}  client_ca_file: ca.crt\n`,
      /: tls_server_config\.client_ca_file: client CA's have been configured without a client_auth_type$/],
    ['a CA file without certificates', `${tlsBase}  client_ca_file: empty-ca.crt\n  client_auth_type: VerifyClientCertIfGiven\n`,
      /: tls_server_config\.client_ca_file: contains no PEM certificate$/],
    ['an unknown client_auth_type', `${tlsBase}  client_auth_type: Always\n`, /: tls_server_config\.client_auth_type: must be one of NoClientCert, /],
    ['SANs the client may skip', `${tlsBase}  client_ca_file: ca.crt\n  client_auth_type: VerifyClientCertIfGiven\n  client_allowed_sans: [a]\n`,
      /: tls_server_config\.client_allowed_sans: needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert$/],
    ['a min_version OpenSSL 3 cannot serve', `${tlsBase}  min_version: TLS10\n`,
      /: tls_server_config\.min_version: TLS10: this runtime \(OpenSSL 3\.[^)]*\) serves only TLS12 and TLS13; set TLS12 or remove it$/],
    ['a max_version OpenSSL 3 cannot serve', `${tlsBase}  min_version: TLS11\n  max_version: TLS11\n`,
      /: tls_server_config\.max_version: TLS11: this runtime \(OpenSSL 3\.[^)]*\) serves only TLS12 and TLS13$/],
    ['TLS 1.2 cipher_suites without an HTTP/2 suite while http2 is on', `${tlsBase}  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n`,
      /: tls_server_config\.cipher_suites: with http2 on \(the default\), needs one of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or /],
    ['an unknown TLS version', `${tlsBase}  min_version: TLS14\n`, /: tls_server_config\.min_version: must be one of TLS10, TLS11, TLS12, TLS13$/],
    ['a TLS version as a number', `${tlsBase}  max_version: 1.3\n`, /: tls_server_config\.max_version: .*expected string/],
    ['min_version above max_version', `${tlsBase}  min_version: TLS13\n  max_version: TLS12\n`,
      /: tls_server_config\.min_version: TLS13 is above max_version TLS12$/],
    ['an unknown cipher suite', `${tlsBase}  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n`, /: tls_server_config\.cipher_suites\[0\]: not a cipher suite Go accepts/],
    ['an unknown curve', `${tlsBase}  curve_preferences: [CurveP256, P-256]\n`, /: tls_server_config\.curve_preferences\[1\]: must be one of CurveP256, /],
    ['a header exporter-toolkit does not allow', 'http_server_config:\n  headers:\n    X-Powered-By: me\n',
      /: http_server_config\.headers\.X-Powered-By: cannot be configured \(allowed: Strict-Transport-Security, /],
    ['a header value outside its list', 'http_server_config:\n  headers:\n    X-Frame-Options: DENY\n',
      /: http_server_config\.headers\.X-Frame-Options: must be one of deny, sameorigin$/],
    ['a header value with a line break', 'http_server_config:\n  headers:\n    Content-Security-Policy: "a\\nb"\n',
      /: http_server_config\.headers\.Content-Security-Policy: contains a control character or a line break$/],
    ['a password that is not a bcrypt hash', 'basic_auth_users:\n  alice: plain-text-password\n', /: basic_auth_users\.alice: not a bcrypt hash/],
    ['a user name with a colon', `basic_auth_users:\n  "a:b": ${hash}\n`, /: basic_auth_users\.a:b: a user name cannot contain ":"/],
    ['a rate_limit interval that is no Go duration', 'rate_limit:\n  interval: 1 second\n', /: rate_limit\.interval: "1 second" is not a Go duration/],
    ['a negative rate_limit burst', 'rate_limit:\n  interval: 1s\n  burst: -1\n', /: rate_limit\.burst: .*>=0/],
    ['an unknown rate_limit key', 'rate_limit:\n  every: 1s\n', /: rate_limit: unknown key "every"$/],
    ['YAML that does not parse', 'tls_server_config: [\n', /: not valid YAML: /],
  ];

  it.each(cases)('%s', (_name, yaml, expected) => {
    expect(loadError(yaml)).toMatch(expected);
  });

  it('a missing file', () => {
    expect(() => loadWebConfig(join(dir, 'absent.yml'))).toThrow(/absent\.yml: cannot read the web config file \(ENOENT\)$/);
  });

  it('without echoing the secret it rejects', () => {
    expect(loadError('basic_auth_users:\n  alice: plain-text-password\n')).not.toContain('plain-text-password');
  });
});
