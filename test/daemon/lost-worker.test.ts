import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/config/auth.js';
import { validateConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud } from '../../src/sim/server.js';
import { pairViews } from '../helpers/consistency.js';
import { silentLog } from '../helpers/exposition.js';
import { makeTempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait-for.js';
import { stoppedAfterEach } from '../helpers/in-process.js';

const TOKEN = 'lost-worker-token';
const PROJECT = 'lostworker000000000000000000000a';
const SCRIPT = new URL('../fixtures/losing-refresh-worker.mjs', import.meta.url);

const inProcess = stoppedAfterEach();

/** A daemon whose worker is lost (`how`) once armed; disarmed at first, so that its first refresh is whole. */
async function started(how: 'die' | 'hang') {
  const marker = join(makeTempDir('lost-worker'), 'lost');
  writeFileSync(marker, 'not yet');
  process.env.HVE_TEST_LOSE_MARKER = marker;
  process.env.HVE_TEST_LOSE = how;
  const cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 300, hssVaults: 60 })], tokens: [TOKEN] });
  inProcess.cloud = cloud;
  const config = validateConfig(
    {
      refresh: { schedule: '0 0 1 1 *', timeout: '2s' },
      auth: { token: TOKEN },
      targets: [{ project_id: PROJECT, region: 'ap-southeast-1', endpoints: { cbr: cloud.url, hss: cloud.url } }],
    },
    'test config',
  );
  const metrics = createExporterMetrics('test');
  const d = new Daemon(
    { version: 'test', telemetryPath: '/metrics', listen: { host: '127.0.0.1', port: 0 }, log: silentLog, metrics, worker: { script: SCRIPT, hungGraceMs: 500 } },
    { config, auths: [config.auth as AuthConfig], discoveryAuths: [] },
  );
  inProcess.daemon = d;
  await d.start();
  // Once this resolves the first refresh is over, to its last message: arming the worker while that refresh
  // still posts would lose it there, before the refresh the test runs.
  await d.refreshNow();
  expect(d.publication().attempted).toBe(true);
  return { d, marker, metrics };
}

const restarts = async (metrics: ReturnType<typeof createExporterMetrics>) =>
  (await metrics.registry.getSingleMetric('huaweicloud_vault_exporter_refresh_worker_restarts_total')!.get()).values[0]?.value;

describe.each(['die', 'hang'] as const)('a refresh worker that is lost mid-refresh (%s)', (how) => {
  it('fails only the pairs it had not published, keeps their series, and a new worker refreshes them', async () => {
    const { d, marker, metrics } = await started(how);
    const before = d.publication();
    expect(before.statuses.map((s) => s.up)).toEqual([true, true]);
    rmSync(marker); // armed: lost right after the next refresh's first unit
    await d.refreshNow();
    await waitFor('the worker to be lost and replaced', async () => existsSync(marker) && (await restarts(metrics)) === 1, { intervalMs: 20 });
    const lost = d.publication();
    const [published, failed] = [...lost.statuses].sort((a, b) => Number(b.up) - Number(a.up));
    expect(published?.up, `the published pair: ${published?.lastError}; the failed one: ${failed?.lastError}`).toBe(true);
    expect(failed).toMatchObject({ up: false, snapshot: before.statuses.find((s) => s.pair.key === failed?.pair.key)?.snapshot });
    expect(failed?.lastError).toMatch(how === 'die' ? /^refresh failed: the refresh worker failed: lost on purpose/ : /^refresh failed: the refresh worker did not finish a refresh within refresh\.timeout \+ 0\.5 s/);
    // Its series stay, with source_up 0 beside them.
    const view = pairViews((await (await fetch(`${d.url}/metrics`)).text())).get(failed!.pair.key);
    expect(view?.figures.get('source_up')).toBe(0);
    expect(view?.families.get('info')?.size).toBe(failed!.snapshot!.vaults);
    // The new worker refreshes them all.
    expect(await d.refreshNow()).toBe(true);
    expect(d.publication().statuses.map((s) => s.up)).toEqual([true, true]);
    expect(await restarts(metrics)).toBe(1);
  });
});
