import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/config/auth.js';
import { validateConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud } from '../../src/sim/server.js';
import { silentLog } from '../helpers/exposition.js';
import { waitFor } from '../helpers/wait-for.js';
import { stoppedAfterEach } from '../helpers/in-process.js';

const TOKEN = 'worker-heap-token';
const PROJECT = 'workerheap0000000000000000000000';
const NAMES = ['heap_used_bytes', 'heap_size_bytes', 'external_memory_bytes'].map((n) => `huaweicloud_vault_exporter_refresh_worker_${n}`);
const BOUNDED = ['bounded_collections_total', 'bounded_collection_seconds_total'].map((n) => `huaweicloud_vault_exporter_refresh_worker_${n}`);

const inProcess = stoppedAfterEach();

/** The worker heap gauges (or other series of `names`) from a scrape, by name; absent ones left out. */
async function heapGauges(url: string, names = NAMES): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, value] = line.split(' ');
    if (name && names.includes(name)) found.set(name, Number(value));
  }
  return found;
}

/** A daemon on its own simulated cloud of `cbrVaults`, refreshing only when asked (after its start-up refresh). */
async function daemonOn(cbrVaults: number) {
  const cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults, hssVaults: 300 })], tokens: [TOKEN] });
  inProcess.cloud = cloud;
  const config = validateConfig(
    { refresh: { schedule: '0 0 1 1 *' }, auth: { token: TOKEN }, targets: [{ project_id: PROJECT, region: 'ap-southeast-1', endpoints: { cbr: cloud.url, hss: cloud.url } }] },
    'test config',
  );
  const metrics = createExporterMetrics('test');
  const d = new Daemon({ version: 'test', telemetryPath: '/metrics', listen: { host: '127.0.0.1', port: 0 }, log: silentLog, metrics }, { config, auths: [config.auth as AuthConfig], discoveryAuths: [] });
  inProcess.daemon = d;
  await d.start();
  await waitFor('the start-up refresh', () => d.publication().attempted);
  return { d, metrics };
}

describe('the refresh worker heap gauges', () => {
  it('report the worker thread heap once it started and after each refresh', async () => {
    const { d, metrics } = await daemonOn(1500);
    await waitFor('the worker heap gauges', async () => (await heapGauges(d.url as string)).size === 3);
    const before = metrics.version();
    expect(await d.refreshNow()).toBe(true);
    // Reported again after the refresh's collection (a reported fact changed).
    await waitFor('a report after the refresh', () => metrics.version() > before);
    const gauges = await heapGauges(d.url as string);
    const used = gauges.get(NAMES[0]!)!;
    const size = gauges.get(NAMES[1]!)!;
    // A worker that loaded undici and listed 1,800 vaults holds megabytes, within its heap's size.
    expect(used).toBeGreaterThan(4e6);
    expect(used).toBeLessThanOrEqual(size);
    expect(gauges.get(NAMES[2]!)).toBeGreaterThanOrEqual(0);
    // Not the main thread's heap (this test process's, with vitest in it, is several times larger).
    expect(used).toBeLessThan(getHeapStatistics().used_heap_size);
    // The worker's collection after a refresh is V8's last-resort one, which hands freed pages back: a regular
    // one left about 11 MB of the heap's size unused at this size (2 MB after a last-resort one).
    expect(size - used).toBeLessThan(6e6);
  });

  it("collects a refresh's garbage while it grows, and counts those collections", async () => {
    // Six pages of 1,000 vaults, each a 2.7 MB string (the simulator's names are not all ASCII), which V8 alone
    // leaves in the heap until 64 MB of such memory piled up: well past the bound's 6 MB and a quarter.
    const { d } = await daemonOn(6000);
    const after = async () => {
      const found = await heapGauges(d.url as string, BOUNDED);
      return { collections: found.get(BOUNDED[0]!) ?? 0, seconds: found.get(BOUNDED[1]!) ?? 0 };
    };
    // Told with the heap after the start-up refresh.
    await waitFor('bounded collections in the start-up refresh', async () => (await after()).collections > 0);
    const first = await after();
    expect(first.seconds).toBeGreaterThan(0);
    expect(await d.refreshNow()).toBe(true);
    await waitFor('more bounded collections', async () => (await after()).collections > first.collections);
    expect((await after()).seconds).toBeGreaterThan(first.seconds);
  });

  it("frees a replaced unit's buffers when its newer unit is published, and serves the newer one whole", async () => {
    const { d } = await daemonOn(1500);
    const first = d.publication().body;
    // One unit for each pair, crossed from the worker.
    expect(first.holds).toHaveLength(2);
    expect(first.holds.some((hold) => hold.freed)).toBe(false);
    expect(await d.refreshNow()).toBe(true);
    await waitFor('both pairs published again', () => d.publication().body.holds.every((hold) => !first.holds.includes(hold)));
    // No scrape was writing the first body: freed at once, not at the main thread's next collection.
    expect(first.holds.every((hold) => hold.freed)).toBe(true);
    const text = await (await fetch(`${d.url}/metrics`)).text();
    expect(text.match(/^huaweicloud_cbr_vault_size_bytes\{/gm)).toHaveLength(1500);
    expect(d.publication().body.holds.some((hold) => hold.freed)).toBe(false);
  });
});
