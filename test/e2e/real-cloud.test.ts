import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { startDaemon, waitForReady, type DaemonProcess } from '../helpers/process.js';
import { writeTempFile } from '../helpers/temp-dirs.js';
import { scrape, scrapeUntil, values } from '../helpers/scrape.js';

/**
 * Issue #10 end to end: the real daemon against a simulated cloud that behaves as Huawei Cloud does
 * (totals that lie, APIG windows, hybrid vaults, contradicting pages), and the hosts it would call on
 * each cloud, read from the CONNECTs of an HTTPS proxy on loopback (no request leaves this machine).
 */

const TOKEN = 'real-cloud-token-6d5c4b3a2f1e0d9c';
const UP = 'huaweicloud_vault_exporter_source_up';
const running: { daemon?: DaemonProcess; cloud?: SimulatedCloud }[] = [];
afterEach(async () => {
  for (const { daemon, cloud } of running.splice(0)) {
    await daemon?.stop('SIGKILL');
    await cloud?.close();
  }
});

function targetLines(cloud: SimulatedCloud, projects: readonly string[]): string {
  return projects.map((p) => `  - project_id: "${p}"\n    region: ap-southeast-1\n    endpoints: { cbr: "${cloud.url}", hss: "${cloud.url}" }\n`).join('');
}

async function run(
  fleets: Parameters<typeof generateFleet>[0][],
  refresh: string,
  prepare: (cloud: SimulatedCloud) => void = () => undefined,
): Promise<{ cloud: SimulatedCloud; daemon: DaemonProcess; configFile: string }> {
  const cloud = await startSimulatedCloud({ fleets: fleets.map(generateFleet), tokens: [TOKEN] });
  running.push({ cloud });
  prepare(cloud);
  const configFile = writeTempFile('exporter.yaml', `refresh: { ${refresh} }\nauth: { token: "${TOKEN}" }\ntargets:\n${targetLines(cloud, fleets.map((f) => f.projectId))}`);
  const daemon = await startDaemon([`--config.file=${configFile}`]);
  running.push({ daemon });
  return { cloud, daemon, configFile };
}

const seriesOf = (samples: Awaited<ReturnType<typeof scrape>>, name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const attemptsByCode = (samples: Awaited<ReturnType<typeof scrape>>, code: string) =>
  values(samples, 'huaweicloud_vault_exporter_api_requests_total', { code }).reduce((n, v) => n + v, 0);

describe('paging that trusts no total', () => {
  it('exports every vault when the totals lie low (one page long) and high (the HSS page example), spending at most concurrency requests past the end', async () => {
    const { cloud, daemon } = await run(
      [{ projectId: 'low', cbrVaults: 2500, hssVaults: 450 }, { projectId: 'high', cbrVaults: 1, hssVaults: 1 }],
      'schedule: "0 0 1 1 *", concurrency: 3',
      (c) => {
        // As measured: a total equal to one page's length, and the HSS page example's 2,097,152.
        c.setReportedTotal('low', 'cbr', 1000);
        c.setReportedTotal('low', 'hss', 200);
        c.setReportedTotal('high', 'cbr', 2_097_152);
        c.setReportedTotal('high', 'hss', 2_097_152);
      },
    );
    await waitForReady(daemon, 60_000);
    const samples = await scrape(daemon.url);
    expect(values(samples, UP)).toEqual([1, 1, 1, 1]);
    expect(seriesOf(samples, 'huaweicloud_cbr_vault_size_bytes', { project_id: 'low' })).toHaveLength(2500);
    expect(seriesOf(samples, 'huaweicloud_hss_vault_size_bytes', { project_id: 'low' })).toHaveLength(450);
    expect(seriesOf(samples, 'huaweicloud_cbr_vault_size_bytes', { project_id: 'high' })).toHaveLength(1);
    expect(seriesOf(samples, 'huaweicloud_hss_vault_size_bytes', { project_id: 'high' })).toHaveLength(1);
    // One page each (public CBR, HSS), plus at most concurrency (3) past the end; the hybrid CBR list is one page.
    const high = cloud.requests.filter({ projectId: 'high' });
    expect(high.filter((r) => r.api === 'hss').length).toBeLessThanOrEqual(1 + 3);
    expect(high.filter((r) => r.api === 'cbr' && r.query.get('cloud_type') === 'public').length).toBeLessThanOrEqual(1 + 3);
  });

  it('fails the refresh with a clear error and keeps the previous snapshot when pages contradict each other', async () => {
    const { cloud, daemon } = await run([{ projectId: 'contra', cbrVaults: 2500, hssVaults: 40 }], 'schedule: "* * * * * *", max_retries: 0');
    await waitForReady(daemon);
    cloud.faults.set({ listing: { ignoreOffset: true }, only: 'cbr' });
    // The first refresh to fail may have begun before the fault (its first pages still honoured offset, so a later
    // page is the one that repeats them); the one after it began with the fault in place.
    const failures = () => daemon.logs().filter((r) => r.msg === 'refresh failed; keeping the previous snapshot' && r.pair === 'cbr/contra/ap-southeast-1');
    await daemon.waitForLog(() => failures().length >= 2);
    expect(failures()[1]?.err_msg).toBe('GET /v3/contra/vaults: pages contradict each other: the full page at offset 1000 lists only vaults of earlier pages (does the API ignore offset?); not published');
    const samples = await scrapeUntil(daemon, (s) => values(s, UP, { source: 'cbr' })[0] === 0);
    expect(seriesOf(samples, 'huaweicloud_cbr_vault_size_bytes')).toHaveLength(2500);
    expect(values(samples, 'huaweicloud_vault_exporter_vaults', { source: 'cbr' })).toEqual([2500]);
  });

  it('publishes a complete listing whose pages overlap, with a warning and listing_inconsistencies_total', async () => {
    const { daemon } = await run([{ projectId: 'overlap', cbrVaults: 30, hssVaults: 450 }], 'schedule: "0 0 1 1 *"', (c) => c.faults.set({ listing: { overlap: 20 }, only: 'hss' }));
    await waitForReady(daemon);
    const samples = await scrape(daemon.url);
    expect(values(samples, UP, { source: 'hss' })).toEqual([1]);
    expect(seriesOf(samples, 'huaweicloud_hss_vault_size_bytes')).toHaveLength(450);
    expect(values(samples, 'huaweicloud_vault_exporter_listing_inconsistencies_total', { source: 'hss' })).toEqual([20]);
    expect(values(samples, 'huaweicloud_vault_exporter_listing_inconsistencies_total', { source: 'cbr' })).toEqual([0]);
    const warning = daemon.logs().find((r) => r.msg === 'listing pages contradicted each other, but no vault is missing; published');
    expect(warning).toMatchObject({ level: 'warn', inconsistencies: 20, pair: 'hss/overlap/ap-southeast-1' });
  });
});

describe('APIG throttling', () => {
  it('collects every vault through a 4-requests-per-minute limit without Retry-After, never hammering the gateway', { timeout: 240_000 }, async () => {
    const { cloud, daemon } = await run([{ projectId: 'throttled', cbrVaults: 2500, hssVaults: 450 }], 'schedule: "0 0 1 1 *", timeout: 3m', (c) =>
      c.faults.set({ rateLimit: { limit: 4, window: 'minute' } }),
    );
    await waitForReady(daemon, 200_000);
    const samples = await scrape(daemon.url);
    expect(values(samples, UP)).toEqual([1, 1]);
    expect(seriesOf(samples, 'huaweicloud_cbr_vault_size_bytes')).toHaveLength(2500);
    expect(seriesOf(samples, 'huaweicloud_hss_vault_size_bytes')).toHaveLength(450);
    const throttled = cloud.requests.count({ status: 429 });
    expect(throttled).toBeGreaterThan(0);
    // After the first 429 the host is paused: only requests already in flight (concurrency 4) can meet the limit again.
    expect(throttled).toBeLessThanOrEqual(4 * 2);
    expect(cloud.requests.entries.every((r) => r.status !== 429 || r.fault === 'rate_limit')).toBe(true);
    expect(attemptsByCode(samples, '429')).toBe(throttled);
    expect(values(samples, 'huaweicloud_vault_exporter_api_requests_total').reduce((n, v) => n + v, 0)).toBe(cloud.requests.total);
    expect(daemon.logs().some((r) => r.msg === 'throttled; waiting for the next window' && Number(r.wait_ms) >= 60_000)).toBe(true);
  });
});

describe('hybrid vaults', () => {
  it('exports hybrid-cloud vaults with cloud_type="hybrid" beside the public ones', async () => {
    const { daemon } = await run([{ projectId: 'hybrid', cbrVaults: 40, hssVaults: 10, cbrHybridVaults: 6 }], 'schedule: "0 0 1 1 *"');
    await waitForReady(daemon);
    const samples = await scrape(daemon.url);
    expect(seriesOf(samples, 'huaweicloud_cbr_vault_info', { cloud_type: 'hybrid' })).toHaveLength(6);
    expect(seriesOf(samples, 'huaweicloud_cbr_vault_info', { cloud_type: 'public' })).toHaveLength(40);
    expect(values(samples, 'huaweicloud_vault_exporter_vaults', { source: 'cbr' })).toEqual([46]);
  });
});

describe('secrets and shutdown', () => {
  it('keeps a token that the gateway quotes back out of every log line', async () => {
    const { daemon } = await run([{ projectId: 'echo', cbrVaults: 3, hssVaults: 10 }], 'schedule: "0 0 1 1 *"', (c) => c.faults.set({ echoHeaders: true }));
    const failed = await daemon.waitForLog((r) => r.msg === 'refresh failed; keeping the previous snapshot');
    expect(String(failed.err_msg)).toMatch(/x-auth-token: \*\*\*/);
    await daemon.waitForLog((r) => r.msg === 'refresh failed; keeping the previous snapshot' && r !== failed);
    expect(daemon.lines.join('\n')).not.toContain(TOKEN);
    expect(await (await fetch(`${daemon.url}/`)).text()).not.toContain(TOKEN);
  });

  it('refuses a reload whose token_file is missing, and logs no error for a clean shutdown mid-refresh', async () => {
    const cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: 'tf', cbrVaults: 3, hssVaults: 10 })], tokens: [TOKEN] });
    running.push({ cloud });
    const tokenFile = writeTempFile('token', `${TOKEN}\n`);
    const text = (file: string, projects = ['tf']) => `refresh: { schedule: "0 0 1 1 *" }\nauth: { token_file: "${file}" }\ntargets:\n${targetLines(cloud, projects)}`;
    const configFile = writeTempFile('exporter.yaml', text(tokenFile));
    const daemon = await startDaemon([`--config.file=${configFile}`, '--web.enable-lifecycle']);
    running.push({ daemon });
    await waitForReady(daemon);
    writeFileSync(configFile, text('/nonexistent/token'));
    const reply = await fetch(`${daemon.url}/-/reload`, { method: 'POST' });
    expect(reply.status).toBe(500);
    expect(await reply.text()).toMatch(/credentials: cannot read token_file \/nonexistent\/token: ENOENT/);
    // A refresh in flight when SIGTERM comes (a reload that adds a target refreshes at once): it stops, and
    // that is no error.
    writeFileSync(configFile, text(tokenFile, ['tf', 'tf-added']));
    cloud.faults.set({ extraDelayMs: 20_000 });
    expect((await fetch(`${daemon.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    await daemon.waitForLog((r) => r.msg === 'config reloaded');
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(daemon.logs().some((r) => r.msg === 'refresh stopped before this pair finished; keeping what it showed')).toBe(true);
    const errors = daemon.logs().filter((r) => r.level === 'error' && r.msg !== 'config reload rejected; keeping the running config');
    expect(errors).toEqual([]);
  });
});

describe("each cloud's default hosts, through an HTTPS proxy", () => {
  /** host:port of every CONNECT; each is refused, so nothing goes further than this proxy. */
  const connects: string[] = [];
  let proxy: http.Server;
  beforeAll(async () => {
    proxy = http.createServer((_req, res) => res.writeHead(403).end());
    proxy.on('connect', (req, socket) => {
      connects.push(req.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => proxy.close(resolve)));

  const IAM = '{ iam: { domain_name: d, user_name: u, password: p } }';
  const ROWS: { cloud: string; region: string; hosts: string[]; iam: string }[] = [
    { cloud: 'huaweicloud', region: 'ap-southeast-1', hosts: ['cbr.ap-southeast-1.myhuaweicloud.com:443', 'hss.ap-southeast-1.myhuaweicloud.com:443'], iam: 'iam.myhuaweicloud.com:443' },
    { cloud: 'huaweicloud', region: 'ap-southeast-5', hosts: ['cbr.ap-southeast-5.myhuaweicloud.com:443', 'hss.ap-southeast-5.myhuaweicloud.com:443'], iam: 'iam.myhuaweicloud.com:443' },
    { cloud: 'huaweicloud', region: 'eu-west-101', hosts: ['cbr.eu-west-101.myhuaweicloud.eu:443', 'hss.eu-west-101.myhuaweicloud.eu:443'], iam: 'iam.myhuaweicloud.eu:443' },
    { cloud: 'otc', region: 'eu-de', hosts: ['cbr.eu-de.otc.t-systems.com:443'], iam: 'iam.eu-de.otc.t-systems.com:443' },
    { cloud: 'otc', region: 'eu-ch2', hosts: ['cbr.eu-ch2.sc.otc.t-systems.com:443'], iam: 'iam-pub.eu-ch2.sc.otc.t-systems.com:443' },
    { cloud: 'cloudru', region: 'ru-moscow-1', hosts: ['cbr.ru-moscow-1.hc.sbercloud.ru:443', 'hss.ru-moscow-1.hc.sbercloud.ru:443'], iam: 'iam.ru-moscow-1.hc.sbercloud.ru:443' },
    { cloud: 'flexibleengine', region: 'eu-west-0', hosts: ['cbr.eu-west-0.prod-cloud-ocb.orange-business.com:443', 'hss.eu-west-0.prod-cloud-ocb.orange-business.com:443'], iam: 'iam.eu-west-0.prod-cloud-ocb.orange-business.com:443' },
    { cloud: '{ domain: "hcs.example.test:8443", iam: "https://iam.hcs.example.test:31943" }', region: 'region-a', hosts: ['cbr.region-a.hcs.example.test:8443', 'hss.region-a.hcs.example.test:8443'], iam: 'iam.hcs.example.test:31943' },
    { cloud: '{ domain: "stack.example.test" }', region: 'region-b', hosts: ['cbr.region-b.stack.example.test:443', 'hss.region-b.stack.example.test:443'], iam: 'iam-apigateway-proxy.stack.example.test:443' },
  ];

  it('calls the table\'s CBR, HSS and IAM hosts of every cloud, with no endpoints: given', async () => {
    // Per row: a target with a token (CBR and HSS are called) and one with an IAM password (IAM is called first).
    const targets = ROWS.flatMap((row, i) => [
      `  - { project_id: "tok${i}", region: ${row.region}, cloud: ${row.cloud} }`,
      `  - { project_id: "iam${i}", region: ${row.region}, cloud: ${row.cloud}, auth: ${IAM} }`,
    ]);
    const configFile = writeTempFile('clouds.yaml', `refresh: { schedule: "0 0 1 1 *", max_retries: 0, parallel_pairs: 64 }\nauth: { token: "${TOKEN}" }\ntargets:\n${targets.join('\n')}\n`);
    const check = await startDaemon([`--config.file=${configFile}`], { HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    running.push({ daemon: check });
    const expected = new Set(ROWS.flatMap((row) => [...row.hosts, row.iam]));
    await waitForReady(check, 60_000);
    expect(new Set(connects)).toEqual(expected);
  });
});
