/**
 * Every web config shape in exporter-toolkit's web/testdata, written afresh (none of its files is copied),
 * with the outcome its Go tests (tls_config_test.go, rate_limit_test.go, users_test.go) expect. Where this
 * exporter answers differently, the case says how and docs/securing.md lists it.
 */
import http from 'node:http';
import https from 'node:https';
import { connect as netConnect } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { hashSync } from '@node-rs/bcrypt';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { decoyHash } from '../../src/server/decoy-hash.js';
import { serve, type RunningServer } from '../../src/server/secure-listen.js';
import { loadWebConfig } from '../../src/server/web-config.js';
import { Pki, SERVER_LOCALHOST } from '../helpers/pki.js';

const pki = new Pki();
const pem = (name: string) => pki.pem(name);

/** toolkit's server key is RSA (its suites are ECDHE_RSA ones); its two clients are self-signed, the second with SANs. */
function makeFiles(): void {
  pki.ca('ca', { cn: 'shape-ca', key: 'rsa', certFile: 'tls-ca-chain.pem' }).leaf('server', { cn: 'localhost', key: 'rsa', extensions: SERVER_LOCALHOST });
  for (const [name, sans] of [['client_selfsigned', 'DNS:client'], ['client2_selfsigned', 'DNS:test3,DNS:dns,email:client2@example.net']] as const) {
    pki.selfSigned(name, { addext: [`subjectAltName=${sans}`, 'extendedKeyUsage=clientAuth'] });
  }
}

const tlsBase = 'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\n';
let users = '';

beforeAll(() => {
  makeFiles();
  // toolkit's user file shape: costs 12, 18, 10, 10. Only carol and dave ever log in here, so alice's and
  // bob's hashes need not be computed (bob's cost 18 would take seconds): well-formed hashes of those costs stand in.
  users = `basic_auth_users:\n  alice: ${decoyHash(12).replace('$2b$', '$2y$')}\n  bob: ${decoyHash(18).replace('$2b$', '$2y$')}\n` +
    `  carol: ${hashSync('carol123', 10).replace('$2b$', '$2y$')}\n  dave: ${hashSync('dave123', 10).replace('$2b$', '$2y$')}\n`;
});

let count = 0;
function write(yaml: string): string {
  return pki.write(`shape-${++count}.yml`, yaml);
}

function loadError(yaml: string): string {
  try {
    loadWebConfig(write(yaml));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('loaded, but should have been refused');
}

describe('toolkit shapes refused at load (TestYAMLFiles), one line naming the key', () => {
  const cases: [string, string, RegExp][] = [
    ['web_config_junk.yml (not a map)', 'tls_server_config: [cert_file: x\n', /not valid YAML/],
    ['web_config_junk_key.yml', 'tls_server_config:\n  cert_filse: "server.crt"\n', /tls_server_config: unknown key "cert_filse"$/],
    ['noAuth_certPath_empty.bad', 'tls_server_config:\n  cert_file: ""\n  key_file: "server.key"\n', /missing one of cert or cert_file$/],
    ['noAuth_cert_empty.bad', 'tls_server_config:\n  cert: ""\n  key_file: "server.key"\n', /missing one of cert or cert_file$/],
    ['noAuth_keyPath_empty.bad', 'tls_server_config:\n  cert_file: "server.crt"\n  key_file: ""\n', /missing one of key or key_file$/],
    ['noAuth_key_empty.bad', 'tls_server_config:\n  cert_file: "server.crt"\n  key: ""\n', /missing one of key or key_file$/],
    // toolkit names the missing cert first; the invalid client_auth_type "x" is named here.
    ['noAuth_certPath_keyPath_empty.bad', 'tls_server_config:\n  cert_file: ""\n  key_file: ""\n  client_auth_type: "x"\n',
      /tls_server_config\.client_auth_type: must be one of /],
    ['noAuth_certPath_invalid.bad', 'tls_server_config:\n  cert_file: "somefile"\n  key_file: "server.key"\n', /cert_file: cannot read .*somefile \(ENOENT\)$/],
    ['noAuth_keyPath_invalid.bad', 'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "somefile"\n', /key_file: cannot read .*somefile \(ENOENT\)$/],
    ['noAuth_certPath_keyPath_invalid.bad', 'tls_server_config:\n  cert_file: "somefile"\n  key_file: "somefile"\n', /cert_file: cannot read .*\(ENOENT\)$/],
    ['noAuth.bad (a CA without a policy)', `${tlsBase}  client_ca_file: "/dev/null"\n`, /client CA's have been configured without a client_auth_type$/],
    ['auth_clientCAs_invalid.bad', `${tlsBase}  client_ca_file: "somefile"\n`, /client_ca_file: cannot read .*\(ENOENT\)$/],
    ['auth_clientCAs_nocerts.bad', `${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: "server.key"\n`, /client_ca_file: contains no PEM certificate$/],
    ['auth_clientCAsText_nocerts.bad', `${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n  client_ca: "this is not a PEM encoded certificate"\n`,
      /client_ca: contains no PEM certificate$/],
    ['auth_user_list_invalid.bad', `${tlsBase}basic_auth_users:\n  john: doe\n`, /basic_auth_users\.john: not a bcrypt hash/],
    ['noAuth_inventedCiphers.bad', `${tlsBase}  cipher_suites:\n    - TLS_RSA_WITH_RC4_128_SHAD\n`, /cipher_suites\[0\]: not a cipher suite Go accepts/],
    ['noAuth_inventedCurves.bad', `${tlsBase}  curve_preferences:\n    - CurveP257\n`, /curve_preferences\[0\]: must be one of /],
    ['noAuth_wrongTLSVersion.bad', `${tlsBase}  min_version: TLS111\n`, /min_version: must be one of TLS10, TLS11, TLS12, TLS13$/],
    ['noAuth_noHTTP2Cipher.bad', `${tlsBase}  cipher_suites:\n    - TLS_RSA_WITH_AES_128_CBC_SHA\n  max_version: TLS12\n`, /cipher_suites: with http2 on/],
    ['headers_content_type_options.bad', 'http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff,nosniff\n', /X-Content-Type-Options: must be one of nosniff$/],
    ['headers_frame_options.bad', 'http_server_config:\n  headers:\n    X-Frame-Options: allow\n', /X-Frame-Options: must be one of deny, sameorigin$/],
    ['headers_extra_header.bad', 'http_server_config:\n  headers:\n    Server: MyServer\n', /headers\.Server: cannot be configured/],
    ['auth_client_san_no_client_auth.bad', `${tlsBase}  client_allowed_sans: ["one"]\n`, /client_allowed_sans: needs client_auth_type/],
    ['auth_client_san_optional_cert.bad', `${tlsBase}  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: client2_selfsigned.pem\n  client_allowed_sans: ["one"]\n`,
      /client_allowed_sans: needs client_auth_type/],
    // Keys of toolkit branches that its released Config struct (and so its strict YAML) refuses as well.
    ['tokens.good (bearer_auth_tokens, not in a toolkit release)', `${tlsBase}bearer_auth_tokens:\n  - TokenTest12345\n`, /unknown key "bearer_auth_tokens"$/],
    ['ip_socket.good / dscp / ttl (not in a toolkit release)', 'ip_socket_config:\n  ipv4_ttl: 2\n  dscp: 46\n', /unknown key "ip_socket_config"$/],
    ['auth_excluded_paths.good (not in a toolkit release)', 'auth_excluded_paths:\n  - /metrics\n', /unknown key "auth_excluded_paths"$/],
    ['auth_client_common_name / san_dns / san_regex (not in a toolkit release)', `${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n  client_cert_allowed_cn: x\n`,
      /unknown key "client_cert_allowed_cn"$/],
    // Not a toolkit file: a version OpenSSL 3 cannot serve, which toolkit (Go) serves.
    ['min_version TLS10 (Go serves it, OpenSSL 3 does not)', `${tlsBase}  min_version: TLS10\n`, /min_version: TLS10: this runtime \(OpenSSL [^)]+\) serves only TLS12 and TLS13/],
  ];
  it.each(cases)('%s', (_name, yaml, expected) => {
    expect(loadError(yaml)).toMatch(expected);
  });

  it('a missing file and an empty one (path invalid: refused; empty: plain HTTP, no auth)', () => {
    expect(() => loadWebConfig(pki.path('somefile'))).toThrow(/cannot read the web config file \(ENOENT\)$/);
    expect(loadWebConfig(write(''))).toMatchObject({ tls: undefined, basicAuthUsers: new Map(), rateLimit: undefined });
  });
});

interface Attempt {
  readonly name: string;
  readonly tls?: ConnectionOptions;
  readonly auth?: string;
  readonly requests?: number;
  /** A status (for every request), the cipher negotiated, or the client error. */
  readonly expect: number | { cipher: string } | RegExp;
}

/** Status (and cipher) of one request on a fresh connection; plain HTTP when `tls` is absent. */
function request(server: RunningServer, attempt: Attempt): Promise<{ status: number; cipher?: string; body: string }> {
  const headers = attempt.auth ? { authorization: `Basic ${Buffer.from(attempt.auth).toString('base64')}` } : {};
  return new Promise((resolve, reject) => {
    const url = `${attempt.tls ? 'https' : 'http'}://localhost:${server.port}/`;
    const options = { agent: false, headers, ca: pem('tls-ca-chain.pem'), ...attempt.tls };
    const req = (attempt.tls ? https : http).request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cipher: (res.socket as { getCipher?(): { name: string } }).getCipher?.().name, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What a plain-HTTP client gets from an HTTPS port (toolkit: "HTTP Request to HTTPS server"). */
function plainHttp(server: RunningServer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(server.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
  });
}

/** Read when the request is made (the files are written in beforeAll). */
const clientCert = (name: string): ConnectionOptions => ({
  get cert() {
    return pem(`${name}.pem`);
  },
  get key() {
    return pem(`${name}.key`);
  },
});
const tls12 = (ciphers: string): ConnectionOptions => ({ maxVersion: 'TLSv1.2', ciphers });

describe('toolkit shapes served (TestServerBehaviour, TestUsers), each client getting the outcome toolkit documents', () => {
  const shapes: [string, () => string, Attempt[]][] = [
    ['noAuth.good (VerifyClientCertIfGiven without client_ca_file)', () => `${tlsBase}  client_auth_type: "VerifyClientCertIfGiven"\n`, [
      { name: 'TLS client', tls: {}, expect: 200 },
      { name: 'TLS 1.1 client: incompatible version', tls: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, expect: /protocol version/ },
    ]],
    ['noAuth_tlsInline.good', () => `tls_server_config:\n  cert: |\n    ${pem('server.crt').toString().trim().replace(/\n/g, '\n    ')}\n  key: |\n    ${
      pem('server.key').toString().trim().replace(/\n/g, '\n    ')}\n  client_auth_type: "VerifyClientCertIfGiven"\n`, [{ name: 'TLS client', tls: {}, expect: 200 }]],
    ['noAuth_allCiphers.good', () => `${tlsBase}  client_auth_type: "VerifyClientCertIfGiven"\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ` +
      'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, ' +
      'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, ' +
      'TLS_CHACHA20_POLY1305_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, ' +
      'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_256_GCM_SHA384]\n',
    [{ name: 'TLS client', tls: {}, expect: 200 }]],
    ['noAuth_someCiphers.good (TLS 1.2 only, two ECDHE_RSA suites, server order)', () => `${tlsBase}  client_auth_type: "VerifyClientCertIfGiven"\n` +
      '  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n  min_version: TLS12\n  max_version: TLS12\n', [
      { name: 'a common suite', tls: tls12('ECDHE-RSA-AES128-GCM-SHA256'), expect: { cipher: 'ECDHE-RSA-AES128-GCM-SHA256' } },
      { name: 'no common suite: handshake failure', tls: tls12('ECDHE-RSA-AES256-SHA'), expect: /handshake failure/ },
      { name: 'client offers both, server order wins', tls: tls12('ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256'), expect: { cipher: 'ECDHE-RSA-AES128-GCM-SHA256' } },
    ]],
    ['noAuth_someCiphers_noOrder.good (client order)', () => `${tlsBase}  client_auth_type: "VerifyClientCertIfGiven"\n` +
      '  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n  prefer_server_cipher_suites: false\n  min_version: TLS12\n  max_version: TLS12\n', [
      { name: 'client offers both, its first wins', tls: tls12('ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384'), expect: { cipher: 'ECDHE-RSA-AES128-GCM-SHA256' } },
    ]],
    ['noAuth_allCurves.good (X25519MLKEM768 included)', () => `${tlsBase}  client_auth_type: "VerifyClientCertIfGiven"\n  curve_preferences: [CurveP256, CurveP384, CurveP521, X25519, X25519MLKEM768]\n`,
      [{ name: 'TLS client', tls: {}, expect: 200 }]],
    ['noAuth_someCurves.good (TLS 1.3, P-521 only)', () => `${tlsBase}  client_auth_type: "VerifyClientCertIfGiven"\n  min_version: TLS13\n  curve_preferences: [CurveP521]\n`, [
      { name: 'client with P-521', tls: { ecdhCurve: 'P-521' }, expect: 200 },
      { name: 'client with P-384 only: handshake failure', tls: { ecdhCurve: 'P-384' }, expect: /handshake failure/ },
    ]],
    ['noAuth_noHTTP2.good', () => `${tlsBase}  client_auth_type: "VerifyClientCertIfGiven"\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n  max_version: TLS12\n` +
      'http_server_config:\n  http2: false\n', [{ name: 'TLS client', tls: {}, expect: { cipher: 'ECDHE-RSA-AES256-GCM-SHA384' } }]],
    ['headers.good', () => 'http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000; includeSubDomains\n' +
      '    X-Content-Type-Options: nosniff\n    X-XSS-Protection: 1\n    Content-Security-Policy: "default-src \'self\'"\n', [{ name: 'plain client', expect: 200 }]],
    ['requireanyclientcert.good (CA given as a hint)', () => `${tlsBase}  client_auth_type: "RequireAnyClientCert"\n  client_ca_file: "tls-ca-chain.pem"\n`, [
      { name: 'self-signed client certificate', tls: clientCert('client_selfsigned'), expect: 200 },
    ]],
    ['requireandverifyclientcert.good (the client is its own CA)', () => `${tlsBase}  client_auth_type: "RequireAndVerifyClientCert"\n  client_ca_file: "client_selfsigned.pem"\n`, [
      { name: 'that client', tls: clientCert('client_selfsigned'), expect: 200 },
      // toolkit: "bad certificate" alert; here the chain is judged after the handshake: a one-line 403.
      { name: 'another client: refused', tls: clientCert('client2_selfsigned'), expect: 403 },
    ]],
    ['noAuth.good.blocking (RequireAndVerifyClientCert without client_ca_file: system roots)', () => `${tlsBase}  client_auth_type: "RequireAndVerifyClientCert"\n`, [
      { name: 'no certificate: alert', tls: {}, expect: /certificate required/ },
      { name: 'a self-signed one, in no system store: refused', tls: clientCert('client_selfsigned'), expect: 403 },
    ]],
    ['auth_client_san.good', () => `${tlsBase}  client_auth_type: "RequireAndVerifyClientCert"\n  client_ca_file: "client2_selfsigned.pem"\n  client_allowed_sans: ["one", "test3", "two"]\n`, [
      { name: 'a client with SAN test3', tls: clientCert('client2_selfsigned'), expect: 200 },
    ]],
    ['auth_client_san.bad', () => `${tlsBase}  client_auth_type: "RequireAndVerifyClientCert"\n  client_ca_file: "client2_selfsigned.pem"\n  client_allowed_sans: ["bad"]\n`, [
      { name: 'no allowed SAN: refused (toolkit: bad certificate alert)', tls: clientCert('client2_selfsigned'), expect: 403 },
    ]],
    ['rate_limiter_nonblocking (interval 0: off)', () => 'rate_limit:\n  interval: 0\n  burst: 0\n', [{ name: '11 requests', requests: 11, expect: 200 }]],
    ['rate_limiter_one_second (burst 0: every request refused)', () => 'rate_limit:\n  interval: "1s"\n  burst: 0\n', [{ name: 'first request', expect: 429 }]],
    ['rate_limit_test (interval 1h, burst 1)', () => 'rate_limit:\n  interval: 1h\n  burst: 1\n', [
      { name: 'first request', expect: 200 }, { name: 'second request', expect: 429 },
    ]],
    ['users_noTLS.good', () => users, [
      { name: 'without basic auth', expect: 401 }, { name: 'dave, right password', auth: 'dave:dave123', expect: 200 },
    ]],
    ['users.good (TLS)', () => `${tlsBase}${users}`, [
      { name: 'without basic auth', tls: {}, expect: 401 },
      { name: 'dave', tls: {}, auth: 'dave:dave123', expect: 200 },
      { name: 'carol', tls: {}, auth: 'carol:carol123', expect: 200 },
      { name: 'bad password', tls: {}, auth: 'dave:bad', expect: 401 },
      { name: 'bad username', tls: {}, auth: 'nonexistent:nonexistent', expect: 401 },
    ]],
  ];

  const app: http.RequestListener = (_req, res) => res.end('Hello World!');

  it.each(shapes)('%s', async (_name, yaml, attempts) => {
    const webConfig = loadWebConfig(write(yaml()));
    const server = await serve(app, { host: '127.0.0.1', port: 0, webConfig });
    try {
      if (webConfig.tls) {
        // toolkit: "HTTP Request to HTTPS server"; Go's own answer, word for word.
        expect(await plainHttp(server)).toBe('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
      } else {
        // toolkit: "HTTP Response to HTTPS" for a TLS client on a plain port.
        await expect(request(server, { name: 'tls', tls: {}, expect: 0 })).rejects.toThrow(/wrong version number|packet length too long/);
      }
      for (const attempt of attempts) {
        const expected = attempt.expect;
        if (expected instanceof RegExp) {
          await expect(request(server, attempt), attempt.name).rejects.toThrow(expected);
          continue;
        }
        for (let i = 0; i < (attempt.requests ?? 1); i++) {
          const reply = await request(server, attempt);
          if (typeof expected === 'number') {
            expect(reply.status, attempt.name).toBe(expected);
            if (expected === 200) expect(reply.body).toBe('Hello World!');
          } else {
            expect([reply.status, reply.cipher], attempt.name).toEqual([200, expected.cipher]);
          }
        }
      }
    } finally {
      await server.close(100);
    }
  });
});
