import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { hashSync } from '@node-rs/bcrypt';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { startDaemon, waitForReady, type DaemonProcess } from '../helpers/process.js';
import { writeTempFile } from '../helpers/temp-dirs.js';
import { makePki } from '../helpers/pki.js';
import { isModuleLoad, loadedModules, moduleLoadsHook } from '../helpers/module-loads.js';
import { scrape, scrapeUntil, values } from '../helpers/scrape.js';

const TOKEN = 'endpoint-token-77aa';
const PASSWORD = 'scrape-me-9!';
let cloud: SimulatedCloud;
let pki: ReturnType<typeof makePki>;

function config(): string {
  return `refresh: { schedule: "0 0 1 1 *" }\nauth: { token: "${TOKEN}" }\ntargets:\n  - project_id: "ep"\n    region: ap-southeast-1\n    endpoints: { cbr: "${cloud.url}", hss: "${cloud.url}" }\n`;
}

/** Sends raw bytes and returns what the server answered before closing. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
  });
}

beforeAll(async () => {
  cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: 'ep', cbrVaults: 20, hssVaults: 10 })], tokens: [TOKEN] });
  pki = makePki();
});
afterAll(() => cloud?.close());

describe('a secured endpoint (TLS with client certificates, basic auth)', () => {
  let daemon: DaemonProcess;
  let withCert: Agent;
  beforeAll(async () => {
    const hash = hashSync(PASSWORD, 10);
    const web = writeTempFile(
      'web.yml',
      `tls_server_config:\n  cert_file: ${join(pki.dir, 'server.crt')}\n  key_file: ${join(pki.dir, 'server.key')}\n` +
        `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${join(pki.dir, 'ca.crt')}\n` +
        `basic_auth_users:\n  prometheus: "${hash}"\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n`,
    );
    daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config())}`, `--web.config.file=${web}`]);
    withCert = new Agent({ connect: { ca: pki.pem('ca.crt'), cert: pki.pem('client.crt'), key: pki.pem('client.key') } });
  });
  afterAll(() => daemon?.stop());

  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('serves metrics over TLS to a client with a certificate and the right password', async () => {
    expect(daemon.url.startsWith('https://')).toBe(true);
    const response = await request(`${daemon.url}/metrics`, { dispatcher: withCert, headers: { authorization: basic('prometheus', PASSWORD) } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(await response.body.text()).toContain('huaweicloud_vault_exporter_build_info');
  });

  it('answers 401 with WWW-Authenticate without credentials and 401 with a wrong password, health paths included', async () => {
    for (const path of ['/metrics', '/-/healthy', '/']) {
      const none = await request(`${daemon.url}${path}`, { dispatcher: withCert });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
      await none.body.dump();
    }
    const wrong = await request(`${daemon.url}/metrics`, { dispatcher: withCert, headers: { authorization: basic('prometheus', 'nope') } });
    expect(wrong.statusCode).toBe(401);
    await wrong.body.dump();
  });

  it('fails the TLS handshake for a client without a certificate', async () => {
    const noCert = new Agent({ connect: { ca: pki.pem('ca.crt') } });
    await expect(request(`${daemon.url}/-/healthy`, { dispatcher: noCert, headers: { authorization: basic('prometheus', PASSWORD) } })).rejects.toThrow();
    await noCert.close();
  });
});

// Says in the daemon's output when bcrypt's native addon is loaded.
const BCRYPT_HOOK = moduleLoadsHook('/node_modules/@node-rs/bcrypt');

describe('bcrypt is loaded for basic auth users only', () => {
  it('a start without basic_auth_users serves without loading it', async () => {
    const web = writeTempFile('web.yml', 'http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n');
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config())}`, `--web.config.file=${web}`], { NODE_OPTIONS: BCRYPT_HOOK });
    try {
      await waitForReady(daemon);
      expect((await scrape(daemon.url)).length).toBeGreaterThan(0);
      expect(loadedModules(daemon.lines)).toEqual([]);
    } finally {
      await daemon.stop();
    }
  });

  it('a start with them loads it before it listens, and checks passwords with it', async () => {
    const web = writeTempFile('web.yml', `basic_auth_users:\n  prometheus: "${hashSync(PASSWORD, 4)}"\n`);
    const args = [`--config.file=${writeTempFile('c.yaml', config())}`, `--web.config.file=${web}`, '--web.health-without-auth'];
    const daemon = await startDaemon(args, { NODE_OPTIONS: BCRYPT_HOOK });
    try {
      const listening = daemon.lines.findIndex((line) => line.includes('"listening"'));
      const loaded = daemon.lines.findIndex(isModuleLoad);
      expect(loaded).toBeGreaterThanOrEqual(0);
      expect(loaded).toBeLessThan(listening);
      await waitForReady(daemon);
      const as = (password: string) => ({ headers: { authorization: `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}` } });
      expect((await fetch(`${daemon.url}/metrics`, as(PASSWORD))).status).toBe(200);
      expect((await fetch(`${daemon.url}/metrics`, as('wrong'))).status).toBe(401);
    } finally {
      await daemon.stop();
    }
  });
});

describe('health probes without credentials, when asked for', () => {
  it('serves /-/healthy and /-/ready without basic auth, and still guards /metrics', async () => {
    const web = writeTempFile('web.yml', `basic_auth_users:\n  prometheus: "${hashSync(PASSWORD, 4)}"\n`);
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config())}`, `--web.config.file=${web}`, '--web.health-without-auth']);
    try {
      expect((await fetch(`${daemon.url}/-/healthy`)).status).toBe(200);
      await waitForReady(daemon);
      expect((await fetch(`${daemon.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${daemon.url}/`)).status).toBe(401);
    } finally {
      await daemon.stop();
    }
  });
});

describe('a web config file that changes while the daemon runs', () => {
  it('rejects a broken change and keeps serving, then applies a good one without a restart', async () => {
    const userLine = (user: string) => `basic_auth_users:\n  ${user}: "${hashSync(PASSWORD, 4)}"\n`;
    const web = writeTempFile('web.yml', userLine('prometheus'));
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config())}`, `--web.config.file=${web}`]);
    const as = (user: string) => ({ headers: { authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}` } });
    const reloaded = 'huaweicloud_vault_exporter_web_config_last_reload_successful';
    try {
      expect(values(await scrape(daemon.url, as('prometheus')), reloaded)).toEqual([1]);
      // The file is looked at when requests come in (at most once a second), as exporter-toolkit does.
      writeFileSync(web, 'basic_auth_users: [');
      const kept = await scrapeUntil(daemon, (s) => values(s, reloaded)[0] === 0, 10_000, as('prometheus'));
      expect(values(kept, 'huaweicloud_vault_exporter_build_info')).toEqual([1]);
      const rejected = await daemon.waitForLog((r) => r.msg === 'web config change rejected; keeping the running one');
      expect(rejected.err_msg).toMatch(/web\.yml: .*not valid YAML/);

      writeFileSync(web, userLine('vmagent'));
      const applied = await scrapeUntil(daemon, (s) => values(s, reloaded)[0] === 1, 10_000, as('vmagent'));
      expect(values(applied, reloaded)).toEqual([1]);
      expect((await fetch(`${daemon.url}/metrics`, as('prometheus'))).status).toBe(401);
      await daemon.waitForLog((r) => r.msg === 'web config reloaded' && r.basic_auth_users === 1);
    } finally {
      await daemon.stop();
    }
  });
});

describe('an endpoint facing malformed requests', () => {
  let daemon: DaemonProcess;
  let port: number;
  beforeAll(async () => {
    daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config())}`]);
    port = Number(new URL(daemon.url).port);
    await waitForReady(daemon);
  });
  afterAll(() => daemon?.stop());

  it('answers garbage with 400, oversized headers with 431, and keeps serving', async () => {
    expect(await raw(port, 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    expect((await fetch(`${daemon.url}/-/healthy`)).status).toBe(200);
  });

  it('refuses a large body on the metrics path with 405 and survives it', async () => {
    const response = await fetch(`${daemon.url}/metrics`, { method: 'POST', body: Buffer.alloc(5 * 1024 * 1024, 120) });
    expect(response.status).toBe(405);
    expect((await fetch(`${daemon.url}/metrics`)).status).toBe(200);
  });

  it('logs no stack trace for any of it', () => {
    expect(daemon.lines.join('\n')).not.toMatch(/\n\s+at /);
  });
});

describe('POST /-/reload', () => {
  const post = (url: string, init: RequestInit = {}) => fetch(`${url}/-/reload`, { method: 'POST', ...init });

  it('is off without --web.enable-lifecycle, as in Prometheus: 403, and no reload happens', async () => {
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config())}`]);
    try {
      const reply = await post(daemon.url);
      expect(reply.status).toBe(403);
      expect(await reply.text()).toBe('Lifecycle API is not enabled (start with --web.enable-lifecycle).\n');
      expect(daemon.logs().filter((r) => r.msg === 'config reloaded')).toEqual([]);
    } finally {
      await daemon.stop();
    }
  });

  it('with the flag: behind basic auth like /metrics, and rate-limited with a counted 429', async () => {
    const web = writeTempFile('web.yml', `basic_auth_users:\n  prometheus: "${hashSync(PASSWORD, 4)}"\n`);
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config())}`, `--web.config.file=${web}`, '--web.enable-lifecycle']);
    const as = { headers: { authorization: `Basic ${Buffer.from(`prometheus:${PASSWORD}`).toString('base64')}` } };
    try {
      // Strangers neither reload nor spend the budget.
      for (let i = 0; i < 5; i++) expect((await post(daemon.url)).status).toBe(401);
      const answers: number[] = [];
      const started = Date.now();
      for (let i = 0; i < 6; i++) answers.push((await post(daemon.url, as)).status);
      // 3 at once, then one per 10 s: however slow this machine is, no more than the bucket can have held.
      const earned = Math.floor((Date.now() - started) / 10_000);
      const passed = answers.filter((status) => status === 200).length;
      expect(answers.slice(0, 3)).toEqual([200, 200, 200]);
      expect(passed).toBeLessThanOrEqual(3 + earned);
      expect(answers.every((status) => status === 200 || status === 429)).toBe(true);
      const refused = await post(daemon.url, as);
      if (refused.status === 429) {
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await refused.text()).toMatch(/^Reload refused: 3 at once, then one per 10s; retry in \d+s \(SIGHUP is not limited\)\.\n$/);
      }
      const rejectedCount = answers.filter((status) => status === 429).length + (refused.status === 429 ? 1 : 0);
      expect(rejectedCount).toBeGreaterThan(0);
      const samples = await scrape(daemon.url, as);
      const refusals = (reason: string) => values(samples, 'huaweicloud_vault_exporter_web_refused_total', { reason });
      expect(refusals('reload_rate_limit')).toEqual([rejectedCount]);
      expect(refusals('unauthorized')).toEqual([5]);
      expect(refusals('auth_busy')).toEqual([0]);
      expect(daemon.logs().filter((r) => r.msg === 'config reloaded')).toHaveLength(7 - rejectedCount);
    } finally {
      await daemon.stop();
    }
  });
});

describe('a TLS endpoint facing what Go answers', () => {
  it('answers plain HTTP on the HTTPS port with Go\'s 400, and verifies client certificates against the system roots without client_ca_file', async () => {
    const web = writeTempFile('web.yml',
      `tls_server_config:\n  cert_file: ${join(pki.dir, 'server.crt')}\n  key_file: ${join(pki.dir, 'server.key')}\n  client_auth_type: RequireAndVerifyClientCert\n`);
    // The system store is read from SSL_CERT_FILE when set: here it holds the test CA alone.
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config())}`, `--web.config.file=${web}`], { SSL_CERT_FILE: join(pki.dir, 'ca.crt') });
    try {
      const port = Number(new URL(daemon.url).port);
      expect(await raw(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
      const withCert = new Agent({ connect: { ca: pki.pem('ca.crt'), cert: pki.pem('client.crt'), key: pki.pem('client.key') } });
      const response = await request(`${daemon.url}/-/healthy`, { dispatcher: withCert });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
      await withCert.close();
      const line = await daemon.waitForLog((r) => r.msg === 'TLS connection rejected');
      expect(line).toMatchObject({ remote_address: '127.0.0.1', reason: 'plain HTTP request on the HTTPS port', suppressed: 0 });
    } finally {
      await daemon.stop();
    }
  });
});
