import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { hashSync } from '@node-rs/bcrypt';
import express from 'express';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { SERVER_LIMITS, serve, type RunningServer, type ServeOptions } from '../../src/server/secure-listen.js';
import { loadWebConfig } from '../../src/server/web-config.js';
import { Pki, SERVER_LOCALHOST } from '../helpers/pki.js';
import { waitFor } from '../helpers/wait-for.js';

// Counts bcrypt work, to see the cache and the decoy hash at work.
const bcryptCalls = vi.hoisted(() => ({ compare: 0, hashes: [] as string[] }));
vi.mock('@node-rs/bcrypt', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@node-rs/bcrypt')>();
  const verify = (password: string, hash: string) => {
    bcryptCalls.compare++;
    bcryptCalls.hashes.push(hash);
    return actual.verify(password, hash);
  };
  return { ...actual, verify };
});

const pki = new Pki();
const pem = (name: string) => pki.pem(name);
const client = (name: string) => ({ cert: pem(`${name}.crt`), key: pem(`${name}.key`) });

let fileCount = 0;
function webConfig(yaml: string) {
  return loadWebConfig(pki.write(`web-${++fileCount}.yml`, yaml));
}

const tlsBase = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';
const hash = hashSync('right', 4).replace(/^\$2b\$/, '$2y$');

const app = express();
app.get('/metrics', (_req, res) => void res.type('text/plain').send('vault_up 1\n'));
app.get('/healthz', (_req, res) => void res.send('ok'));
// Never answers: a request still in flight when the server closes.
app.get('/stuck', () => undefined);

const running: RunningServer[] = [];
async function start(options: Omit<ServeOptions, 'port' | 'host'>): Promise<RunningServer> {
  const server = await serve(app, { ...options, host: '127.0.0.1', port: 0 });
  running.push(server);
  return server;
}

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a fresh connection, trusting the test CA; TLS options add a client certificate. */
function get(server: RunningServer, path: string, options: { tls?: ConnectionOptions; auth?: string } = {}): Promise<Reply> {
  const headers = options.auth ? { authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` } : {};
  const transport = server.protocol === 'https' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(`${server.protocol}://127.0.0.1:${server.port}${path}`,
      { agent: false, headers, ca: pem('ca.crt'), ...options.tls }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the negotiated protocol and cipher, or rejects when the handshake fails. */
function handshake(server: RunningServer, options: ConnectionOptions = {}): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, ca: pem('ca.crt'), ...options }, () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.on('error', reject);
  });
}

function countConnections(server: RunningServer): Promise<number> {
  return new Promise((resolve, reject) => server.server.getConnections((err, count) => (err ? reject(err) : resolve(count))));
}

beforeAll(() => {
  const clientExtensions = 'subjectAltName=DNS:prometheus.monitoring.svc,URI:spiffe://cluster/prometheus\nextendedKeyUsage=clientAuth\n';
  pki.ca('ca').ca('rogue-ca').leaf('server', { extensions: SERVER_LOCALHOST });
  pki.leaf('client', { extensions: clientExtensions }).leaf('rogue', { ca: 'rogue-ca', extensions: clientExtensions });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close(100)));
});

describe('serve without a web config', () => {
  it('serves plain HTTP with the hardening limits set', async () => {
    const server = await start({});
    expect(server.protocol).toBe('http');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await get(server, '/metrics')).toMatchObject({ status: 200, body: 'vault_up 1\n' });
    const { headersTimeout, requestTimeout, keepAliveTimeout, maxHeadersCount } = server.server;
    expect({ headersTimeout, requestTimeout, keepAliveTimeout, maxHeadersCount }).toEqual({
      headersTimeout: SERVER_LIMITS.headersTimeout, requestTimeout: SERVER_LIMITS.requestTimeout,
      keepAliveTimeout: SERVER_LIMITS.keepAliveTimeout, maxHeadersCount: SERVER_LIMITS.maxHeadersCount,
    });
  });

  it('answers 431 to a header block above maxHeaderSize', async () => {
    const server = await start({});
    const reply = await get(server, '/metrics', { auth: `u:${'x'.repeat(SERVER_LIMITS.maxHeaderSize)}` });
    expect(reply.status).toBe(431);
  });

  it('reports a busy port as a one-line ConfigError', async () => {
    const first = await start({});
    const error = await serve(app, { host: '127.0.0.1', port: first.port }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`cannot listen on 127.0.0.1:${first.port}: EADDRINUSE`);
  });
});

describe('serve with TLS client certificates', () => {
  it('RequireAndVerifyClientCert: a client certificate from the CA gets in; none, or a foreign one, fails', async () => {
    const onTlsRejection = vi.fn();
    const server = await start({
      webConfig: webConfig(`${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n`),
      onTlsRejection,
    });
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    expect(await get(server, '/metrics', { tls: client('client') })).toMatchObject({ status: 200, body: 'vault_up 1\n' });
    // No certificate: OpenSSL fails the handshake and tells the client so (TLS 1.3: the alert arrives on read).
    await expect(get(server, '/metrics')).rejects.toThrow(/alert certificate required/i);
    // An untrusted chain is judged after the handshake, where no alert can be sent: a one-line 403 instead.
    expect(await get(server, '/metrics', { tls: client('rogue') })).toMatchObject({
      status: 403, body: 'Forbidden: client certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE).\n',
    });
    await waitFor('two TLS rejections reported', () => onTlsRejection.mock.calls.length === 2, { intervalMs: 50 });
    expect(onTlsRejection.mock.calls).toEqual([
      ['peer did not return a certificate', '127.0.0.1', 0],
      ['client certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)', '127.0.0.1', 0],
    ]);
  });

  it('RequireAndVerifyClientCert under TLS 1.2 fails the handshake itself without a certificate', async () => {
    const server = await start({
      webConfig: webConfig(`${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  max_version: TLS12\n`),
    });
    await expect(handshake(server)).rejects.toThrow(/handshake failure|alert/i);
    await expect(handshake(server, client('client'))).resolves.toMatchObject({ protocol: 'TLSv1.2' });
  });

  it('RequireAnyClientCert: any certificate gets in; none fails the handshake with an alert', async () => {
    const onTlsRejection = vi.fn();
    const server = await start({ webConfig: webConfig(`${tlsBase}  client_auth_type: RequireAnyClientCert\n`), onTlsRejection });
    expect((await get(server, '/metrics', { tls: client('rogue') })).status).toBe(200);
    await expect(get(server, '/metrics')).rejects.toThrow(/alert certificate required/i);
    await expect(handshake(server, { maxVersion: 'TLSv1.2' })).rejects.toThrow(/alert handshake failure/i);
    await waitFor('two TLS rejections reported', () => onTlsRejection.mock.calls.length === 2, { intervalMs: 50 });
    expect(onTlsRejection).toHaveBeenCalledWith('peer did not return a certificate', '127.0.0.1', 0);
  });

  it('VerifyClientCertIfGiven: no certificate gets in, a foreign one is refused', async () => {
    const server = await start({
      webConfig: webConfig(`${tlsBase}  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n`),
    });
    expect((await get(server, '/metrics')).status).toBe(200);
    expect((await get(server, '/metrics', { tls: client('client') })).status).toBe(200);
    expect((await get(server, '/metrics', { tls: client('rogue') })).status).toBe(403);
  });

  it('a verifying type without client_ca_file verifies against the system roots, as Go does', async () => {
    // The test CA is in no system store: its client certificate is refused, where a private CA file would admit it.
    const server = await start({ webConfig: webConfig(`${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n`) });
    const reply = await get(server, '/metrics', { tls: client('client') });
    expect(reply).toMatchObject({ status: 403, body: expect.stringMatching(/^Forbidden: client certificate not trusted \(/) });
  });

  it('client_allowed_sans: only a certificate carrying one of the listed SANs gets in', async () => {
    const config = (san: string) => webConfig(
      `${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: ["${san}"]\n`);
    const allowed = await start({ webConfig: config('spiffe://cluster/prometheus') });
    expect((await get(allowed, '/metrics', { tls: client('client') })).status).toBe(200);
    const onTlsRejection = vi.fn();
    const other = await start({ webConfig: config('grafana.monitoring.svc'), onTlsRejection });
    expect((await get(other, '/metrics', { tls: client('client') })).status).toBe(403);
    expect(onTlsRejection).toHaveBeenCalledWith('client certificate has none of client_allowed_sans', '127.0.0.1', 0);
  });
});

describe('serve with TLS versions and cipher suites', () => {
  it('uses the configured TLS 1.2 suite and keeps TLS 1.3 available', async () => {
    const server = await start({
      webConfig: webConfig(`${tlsBase}  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\nhttp_server_config:\n  http2: false\n`),
    });
    expect(await handshake(server, { maxVersion: 'TLSv1.2' })).toEqual({ protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384' });
    expect((await handshake(server)).protocol).toBe('TLSv1.3');
  });

  it('refuses clients below min_version', async () => {
    const server = await start({ webConfig: webConfig(`${tlsBase}  min_version: TLS13\n`) });
    await expect(handshake(server, { maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert/i);
  });
});

describe('serve with basic auth and headers', () => {
  const authConfig = () => webConfig(`${tlsBase}http_server_config:
  headers:
    Strict-Transport-Security: max-age=31536000
    X-Content-Type-Options: nosniff
basic_auth_users:
  alice: ${hash}
`);

  it('401 with WWW-Authenticate without or with wrong credentials, 200 with the right ones; headers on all', async () => {
    const server = await start({ webConfig: authConfig() });
    for (const auth of [undefined, 'alice:wrong', 'mallory:right', 'alice']) {
      const reply = await get(server, '/metrics', { auth });
      expect(reply.status, `credentials ${auth}`).toBe(401);
      expect(reply.headers['www-authenticate']).toBe('Basic realm="huaweicloud-vault-exporter"');
      expect(reply.headers['strict-transport-security']).toBe('max-age=31536000');
    }
    const ok = await get(server, '/metrics', { auth: 'alice:right' });
    expect(ok).toMatchObject({ status: 200, body: 'vault_up 1\n' });
    expect(ok.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
  });

  it('guards every path unless exempted', async () => {
    const guarded = await start({ webConfig: authConfig() });
    expect((await get(guarded, '/healthz')).status).toBe(401);
    const exempting = await start({ webConfig: authConfig(), authExemptPaths: ['/healthz'] });
    expect((await get(exempting, '/healthz?probe=1')).status).toBe(200);
    expect((await get(exempting, '/healthz/')).status).toBe(401);
    expect((await get(exempting, '/metrics')).status).toBe(401);
  });

  it('runs bcrypt once per distinct credentials; unknown users against a decoy of the same cost', async () => {
    const server = await start({ webConfig: authConfig() });
    const before = bcryptCalls.compare;
    for (let i = 0; i < 3; i++) expect((await get(server, '/metrics', { auth: 'alice:right' })).status).toBe(200);
    expect(bcryptCalls.compare - before).toBe(1);
    // A wrong password is remembered too (apart from successes): repeating it costs nothing.
    for (let i = 0; i < 2; i++) expect((await get(server, '/metrics', { auth: 'alice:wrong' })).status).toBe(401);
    expect((await get(server, '/metrics', { auth: 'alice:wrong-2' })).status).toBe(401);
    expect(bcryptCalls.compare - before).toBe(3);
    // Unknown users are compared against a decoy hash of the same cost, not answered at once.
    expect((await get(server, '/metrics', { auth: 'mallory:right' })).status).toBe(401);
    expect(bcryptCalls.compare - before).toBe(4);
    const decoy = bcryptCalls.hashes.at(-1) ?? '';
    expect(decoy).not.toBe(hash);
    expect(decoy.slice(0, 7)).toBe('$2b$04$');
  });
});

describe('serve following its web config file', () => {

  /** The serial number of the certificate a fresh connection is served. */
  function servedSerial(server: RunningServer): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: server.port, ca: pem('ca.crt') }, () => {
        resolve(socket.getPeerX509Certificate()?.serialNumber ?? '');
        socket.end();
      });
      socket.on('error', reject);
    });
  }

  /** Connects until `seen` holds: every connection lets the watch look at the files (at most once a second). */
  const afterLooks = (server: RunningServer, what: string, seen: () => boolean) =>
    waitFor(what, async () => {
      await servedSerial(server);
      return seen();
    }, { timeoutMs: 10_000, intervalMs: 100 });

  it('serves a rotated certificate to new connections, and a changed user list at once', async () => {
    pki.leaf('rotated', { extensions: SERVER_LOCALHOST });
    writeFileSync(pki.path('live.crt'), pem('server.crt'));
    writeFileSync(pki.path('live.key'), pem('server.key'));
    const path = pki.path('live-web.yml');
    writeFileSync(path, `tls_server_config:\n  cert_file: live.crt\n  key_file: live.key\nbasic_auth_users:\n  alice: ${hash}\n`);
    const reloads: string[] = [];
    const rejections: string[] = [];
    const server = await start({
      webConfig: loadWebConfig(path),
      webConfigChanges: { onReload: (next) => reloads.push(next.origin), onRejected: (message) => rejections.push(message) },
    });
    const serial = (name: string) => new X509Certificate(pem(`${name}.crt`)).serialNumber;
    expect(await servedSerial(server)).toBe(serial('server'));
    expect((await get(server, '/metrics', { auth: 'alice:right' })).status).toBe(200);

    // cert-manager style: the key and the certificate are replaced, one after the other.
    writeFileSync(pki.path('live.key'), pem('rotated.key'));
    writeFileSync(pki.path('live.crt'), pem('rotated.crt'));
    await afterLooks(server, 'the rotated certificate to be loaded', () => reloads.length === 1);
    expect(await servedSerial(server)).toBe(serial('rotated'));
    expect(reloads).toEqual([path]);

    // alice's password was verified and cached before; removing her must not leave the cache open to her.
    writeFileSync(path, `tls_server_config:\n  cert_file: live.crt\n  key_file: live.key\nbasic_auth_users:\n  bob: ${hash}\n`);
    await afterLooks(server, 'the new user list to be loaded', () => reloads.length === 2);
    expect((await get(server, '/metrics', { auth: 'alice:right' })).status).toBe(401);
    expect((await get(server, '/metrics', { auth: 'bob:right' })).status).toBe(200);

    // A broken file changes nothing and is reported.
    writeFileSync(path, 'basic_auth_users: [');
    await afterLooks(server, 'the broken file to be reported', () => rejections.length === 1);
    expect((await get(server, '/metrics', { auth: 'bob:right' })).status).toBe(200);
    expect(rejections).toEqual([expect.stringContaining('live-web.yml')]);
    expect(reloads).toHaveLength(2);
  });
});

describe('serve following a changed client_auth_type', () => {
  it('applies it to the next connection without a restart, as toolkit\'s TestConfigReloading', async () => {
    const path = pki.path('policy-web.yml');
    writeFileSync(path, `${tlsBase}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n`);
    const reloads: string[] = [];
    const server = await start({ webConfig: loadWebConfig(path), webConfigChanges: { onReload: (next) => reloads.push(next.origin), onRejected: () => undefined } });
    await expect(get(server, '/metrics')).rejects.toThrow(/alert certificate required/i);
    writeFileSync(path, `${tlsBase}  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n`);
    // The file is looked at per connection, at most once a second: the first connections may still see the old policy.
    await waitFor('the new client_auth_type to apply', async () => (await get(server, '/metrics')).status === 200, { timeoutMs: 10_000, intervalMs: 200 });
    expect(reloads).toEqual([path]);
  });
});

describe('RunningServer.close', () => {
  it('closes idle keep-alive connections and stops listening', async () => {
    const server = await start({});
    const agent = new http.Agent({ keepAlive: true });
    const reply = await new Promise<number>((resolve, reject) => {
      http.get(`http://127.0.0.1:${server.port}/metrics`, { agent }, (res) => {
        res.resume().on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject);
    });
    expect(reply).toBe(200);
    const started = Date.now();
    await server.close(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(new Promise((resolve, reject) => {
      netConnect(server.port, '127.0.0.1', () => resolve('connected')).on('error', reject);
    })).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
  });

  it('cuts requests still in flight after the grace period', async () => {
    const server = await start({});
    const stuck = get(server, '/stuck');
    await waitFor('the stuck request to be in flight', async () => (await countConnections(server)) === 1, { intervalMs: 50 });
    const started = Date.now();
    await server.close(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(stuck).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
