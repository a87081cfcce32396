import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { generateFleet, generateInsertedVault } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { startDaemon, waitForReady, type DaemonProcess } from '../helpers/process.js';
import { writeTempFile } from '../helpers/temp-dirs.js';
import { scrape, scrapeUntil, values } from '../helpers/scrape.js';
import { waitFor } from '../helpers/wait-for.js';

const TOKEN = 'faults-token-5e4d3c2b1a';
const A = { id: 'faults000000000000000000000000a1', region: 'ap-southeast-1' };
const B = { id: 'faults000000000000000000000000b2', region: 'la-south-2' };
const UP = 'huaweicloud_vault_exporter_source_up';
const VAULTS = 'huaweicloud_vault_exporter_vaults';

const running: { daemon?: DaemonProcess; cloud?: SimulatedCloud }[] = [];
afterEach(async () => {
  for (const { daemon, cloud } of running.splice(0)) {
    await daemon?.stop('SIGKILL');
    await cloud?.close();
  }
});

function configText(cloud: SimulatedCloud, refresh: string, projects = [A]): string {
  return (
    `refresh:\n${refresh.replace(/^/gm, '  ')}\nauth:\n  token: "${TOKEN}"\ntargets:\n` +
    projects.map((p) => `  - project_id: "${p.id}"\n    region: ${p.region}\n    endpoints: { cbr: "${cloud.url}", hss: "${cloud.url}" }\n`).join('')
  );
}

async function setup(refresh: string, sizes = { cbr: 300, hss: 60 }, projects = [A, B], configured = projects) {
  const cloud = await startSimulatedCloud({
    fleets: projects.map((p) => generateFleet({ projectId: p.id, cbrVaults: sizes.cbr, hssVaults: sizes.hss })),
    tokens: [TOKEN],
  });
  const configFile = writeTempFile('exporter.yaml', configText(cloud, refresh, configured));
  const daemon = await startDaemon([`--config.file=${configFile}`, '--web.enable-lifecycle']);
  running.push({ daemon, cloud });
  return { cloud, daemon, configFile };
}

const cbrSeriesOf = (samples: Awaited<ReturnType<typeof scrape>>, project: string) =>
  samples.filter((s) => s.name === 'huaweicloud_cbr_vault_size_bytes' && s.labels.project_id === project);

describe('faults of the cloud', () => {
  it('collects complete data despite throttling every 5th request and server errors every 13th', async () => {
    // 3 CBR pages and 5 HSS pages per project; retries enough that a request cannot lose 7 draws in a row.
    const { cloud, daemon } = await setup('schedule: "0 0 1 1 *"\nmax_retries: 6', { cbr: 2500, hss: 900 });
    cloud.faults.set({ throttleEvery: 5, retryAfterSeconds: 1, serverErrorEvery: 13 });
    await waitForReady(daemon, 60_000);
    const samples = await scrape(daemon.url);
    expect(values(samples, UP)).toEqual([1, 1, 1, 1]);
    expect(cbrSeriesOf(samples, A.id)).toHaveLength(2500);
    expect(cbrSeriesOf(samples, B.id)).toHaveLength(2500);
    expect(samples.filter((s) => s.name === 'huaweicloud_hss_vault_size_bytes')).toHaveLength(1800);
    const requests = samples.filter((s) => s.name === 'huaweicloud_vault_exporter_api_requests_total');
    const byCode = (code: string) => requests.filter((s) => s.labels.code === code).reduce((n, s) => n + s.value, 0);
    expect(byCode('429')).toBe(cloud.requests.count({ fault: 'throttle' }));
    expect(byCode('500')).toBe(cloud.requests.count({ fault: 'server_error' }));
    expect(byCode('429')).toBeGreaterThan(0);
    expect(byCode('500')).toBeGreaterThan(0);
    // Every attempt is counted, none twice.
    expect(requests.reduce((n, s) => n + s.value, 0)).toBe(cloud.requests.total);
  });

  it('serves the last snapshot with source_up 0 during an outage, drops it after max staleness, and recovers', async () => {
    const { cloud, daemon } = await setup('schedule: "* * * * * *"\nmax_staleness: 4s\nmax_retries: 0\nrequest_timeout: 1s');
    await waitForReady(daemon);
    cloud.faults.set({ outage: 'unavailable', only: 'hss' });
    // HSS fails; its last snapshot is still served; CBR is untouched.
    const down = await scrapeUntil(daemon, (s) => values(s, UP, { source: 'hss' }).every((v) => v === 0) && values(s, UP, { source: 'hss' }).length === 2);
    expect(values(down, UP, { source: 'cbr' })).toEqual([1, 1]);
    expect(values(down, VAULTS, { source: 'hss', project_id: A.id })).toEqual([60]);
    expect(down.filter((s) => s.name === 'huaweicloud_hss_vault_size_bytes')).toHaveLength(120);
    // After max staleness the dead source's series are gone and it reports 0 vaults.
    const stale = await scrapeUntil(daemon, (s) => s.filter((x) => x.name === 'huaweicloud_hss_vault_size_bytes').length === 0, 15_000);
    expect(values(stale, VAULTS, { source: 'hss' })).toEqual([0, 0]);
    expect(cbrSeriesOf(stale, A.id)).toHaveLength(300);
    // Recovery: the next good refresh brings everything back.
    cloud.faults.reset();
    const back = await scrapeUntil(daemon, (s) => values(s, UP).every((v) => v === 1) && s.filter((x) => x.name === 'huaweicloud_hss_vault_size_bytes').length === 120);
    expect(values(back, VAULTS, { source: 'hss' })).toEqual([60, 60]);
    expect(daemon.logs().some((r) => r.msg === 'last snapshot is older than max staleness; its vault series are dropped')).toBe(true);
    // The failure's log line names the API error and the request id, for a ticket with Huawei.
    const failed = daemon.logs().find((r) => r.msg === 'refresh failed; keeping the previous snapshot');
    expect(String(failed?.err_msg)).toMatch(/HTTP 502, APIG\.0202, .+, request id [0-9a-f]{32}$/);
  });

  it('drops deleted vaults and adds created ones at the next refresh', async () => {
    const { cloud, daemon } = await setup('schedule: "* * * * * *"', { cbr: 300, hss: 60 }, [A]);
    await waitForReady(daemon);
    const gone = cloud.vaults(A.id, 'cbr').slice(20, 25).map((v) => v.id);
    expect(cloud.deleteVaults(A.id, 'cbr', gone)).toBe(5);
    const created = [generateInsertedVault(A.id, 'cbr', 1), generateInsertedVault(A.id, 'cbr', 2)];
    cloud.addVaults(A.id, 'cbr', created, 'end');
    const after = await scrapeUntil(daemon, (s) => cbrSeriesOf(s, A.id).length === 297);
    const ids = new Set(cbrSeriesOf(after, A.id).map((s) => s.labels.vault_id));
    for (const id of gone) expect(ids.has(id)).toBe(false);
    for (const vault of created) expect(ids.has(vault.id)).toBe(true);
    expect(values(after, VAULTS, { source: 'cbr' })).toEqual([297]);
  });

  it('skips and counts a scheduled refresh that finds the previous one still running', async () => {
    const { cloud, daemon } = await setup('schedule: "* * * * * *"', { cbr: 50, hss: 20 }, [A]);
    cloud.faults.set({ extraDelayMs: 1500 });
    const samples = await scrapeUntil(daemon, (s) => (values(s, 'huaweicloud_vault_exporter_refreshes_skipped_total')[0] ?? 0) > 0, 10_000);
    expect(values(samples, 'huaweicloud_vault_exporter_refreshes_total')[0]).toBeGreaterThan(0);
  });

  it('abandons a refresh that outlives refresh.timeout, and says which limit ended it', async () => {
    // Slow from the first request on, so the refresh at start is the one that times out.
    const cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: A.id, cbrVaults: 50, hssVaults: 20 })], tokens: [TOKEN] });
    cloud.faults.set({ extraDelayMs: 20_000 });
    running.push({ cloud });
    const config = writeTempFile('exporter.yaml', configText(cloud, 'schedule: "0 0 1 1 *"\ntimeout: 1s\nrequest_timeout: 30s'));
    const daemon = await startDaemon([`--config.file=${config}`]);
    running.push({ daemon });
    const failed = await daemon.waitForLog((r) => r.msg === 'refresh failed; keeping the previous snapshot', 10_000);
    expect(failed.err_msg).toBe('refresh aborted: refresh.timeout of 1000 ms passed');
    const samples = await scrapeUntil(daemon, (s) => values(s, UP).length === 2);
    expect(values(samples, UP)).toEqual([0, 0]);
    expect(values(samples, VAULTS)).toEqual([0, 0]);
  });

  it('exits 0 within a few seconds on SIGTERM in the middle of a refresh', async () => {
    const { cloud, daemon } = await setup('schedule: "0 0 1 1 *"', { cbr: 50, hss: 20 }, [A]);
    cloud.faults.set({ extraDelayMs: 20_000 });
    await waitFor('the first refresh to be waiting on the cloud', () => cloud.faults.counted > 0, { intervalMs: 50, daemons: [daemon] });
    expect((await fetch(`${daemon.url}/-/ready`)).status).toBe(503);
    const started = Date.now();
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(daemon.logs().some((r) => r.msg === 'shutting down')).toBe(true);
  });

  it('keeps the running config when a reload brings a broken file, and applies a good one', async () => {
    const { cloud, daemon, configFile } = await setup('schedule: "* * * * * *"', { cbr: 30, hss: 10 }, [A, B], [A]);
    await waitForReady(daemon);
    const good = configText(cloud, 'schedule: "* * * * * *"', [A, B]);
    writeFileSync(configFile, good.replace('targets:', 'targets: [oops'));
    daemon.child.kill('SIGHUP');
    await daemon.waitForLog((r) => r.msg === 'config reload rejected; keeping the running config');
    const reply = await fetch(`${daemon.url}/-/reload`, { method: 'POST' });
    expect(reply.status).toBe(500);
    expect(await reply.text()).toMatch(/^Reload failed: .*not valid YAML/);
    const kept = await scrape(daemon.url);
    expect(values(kept, 'huaweicloud_vault_exporter_config_last_reload_successful')).toEqual([0]);
    expect(cbrSeriesOf(kept, A.id)).toHaveLength(30);
    expect(values(kept, UP)).toHaveLength(2);
    // A good file: the new target appears, the old one keeps its series throughout.
    writeFileSync(configFile, good);
    expect((await fetch(`${daemon.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    const reloaded = await scrapeUntil(daemon, (s) => cbrSeriesOf(s, B.id).length === 30);
    expect(cbrSeriesOf(reloaded, A.id)).toHaveLength(30);
    expect(values(reloaded, 'huaweicloud_vault_exporter_config_last_reload_successful')).toEqual([1]);
    expect((await fetch(`${daemon.url}/-/reload`)).status).toBe(405);
  });
});
