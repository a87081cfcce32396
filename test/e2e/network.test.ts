import http from 'node:http';
import https from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { startDaemon, waitForReady } from '../helpers/process.js';
import { writeTempFile } from '../helpers/temp-dirs.js';
import { makePki } from '../helpers/pki.js';
import { scrape, scrapeUntil, values } from '../helpers/scrape.js';

const TOKEN = 'network-token-31c';
const PROJECT = 'net-project';
let cloud: SimulatedCloud;
let pki: ReturnType<typeof makePki>;
let tlsFront: https.Server;
let proxy: http.Server;
/** host:port of every request or tunnel the proxy carried. */
const proxied: string[] = [];

const urlOf = (server: http.Server | https.Server, scheme: string) => `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
const listen = (server: http.Server | https.Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

/** The simulated cloud behind HTTPS with a certificate of a private CA, as a private endpoint would be. */
function startTlsFront(): https.Server {
  const target = new URL(cloud.url);
  return https.createServer({ cert: pki.pem('server.crt'), key: pki.pem('server.key') }, (req, res) => {
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
}

/** A forward proxy: absolute-form HTTP requests and CONNECT tunnels. */
function startProxy(): http.Server {
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '');
    proxied.push(target.host);
    const upstream = http.request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    proxied.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return server;
}

function config(endpoint: string, extra = ''): string {
  return `refresh: { schedule: "0 0 1 1 *", max_retries: 0 }\nauth: { token: "${TOKEN}" }\n${extra}targets:\n  - project_id: "${PROJECT}"\n    region: ap-southeast-1\n    endpoints: { cbr: "${endpoint}", hss: "${endpoint}" }\n`;
}

beforeAll(async () => {
  cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 40, hssVaults: 15 })], tokens: [TOKEN] });
  pki = makePki();
  tlsFront = startTlsFront();
  proxy = startProxy();
  await Promise.all([listen(tlsFront), listen(proxy)]);
});
afterAll(async () => {
  tlsFront?.close();
  proxy?.close();
  await cloud?.close();
});

describe('TLS to the APIs', () => {
  it('trusts a private CA given as tls.ca_file', async () => {
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config(urlOf(tlsFront, 'https'), `tls: { ca_file: ${join(pki.dir, 'ca.crt')} }\n`))}`]);
    try {
      await waitForReady(daemon);
      expect(values(await scrape(daemon.url), 'huaweicloud_vault_exporter_source_up')).toEqual([1, 1]);
    } finally {
      await daemon.stop();
    }
  });

  it('refuses the same endpoint without it: verification is never turned off', async () => {
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config(urlOf(tlsFront, 'https')))}`]);
    try {
      const samples = await scrapeUntil(daemon, (s) => values(s, 'huaweicloud_vault_exporter_api_requests_total', { code: 'error' }).length === 2);
      expect(values(samples, 'huaweicloud_vault_exporter_source_up')).toEqual([0, 0]);
      const failure = await daemon.waitForLog((r) => r.msg === 'refresh failed; keeping the previous snapshot');
      expect(String(failure.err_msg)).toMatch(/certificate/i);
    } finally {
      await daemon.stop();
    }
  });
});

describe('proxies from the environment', () => {
  it('sends every API request through HTTP_PROXY', async () => {
    proxied.length = 0;
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config(cloud.url))}`], { HTTP_PROXY: urlOf(proxy, 'http') });
    try {
      await waitForReady(daemon);
      expect(values(await scrape(daemon.url), 'huaweicloud_vault_exporter_source_up')).toEqual([1, 1]);
      expect(proxied.length).toBeGreaterThanOrEqual(1);
      expect(new Set(proxied)).toEqual(new Set([new URL(cloud.url).host]));
    } finally {
      await daemon.stop();
    }
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    proxied.length = 0;
    const daemon = await startDaemon([`--config.file=${writeTempFile('c.yaml', config(cloud.url))}`], { HTTP_PROXY: urlOf(proxy, 'http'), NO_PROXY: '127.0.0.1' });
    try {
      await waitForReady(daemon);
      expect(values(await scrape(daemon.url), 'huaweicloud_vault_exporter_source_up')).toEqual([1, 1]);
      expect(proxied).toEqual([]);
    } finally {
      await daemon.stop();
    }
  });
});
