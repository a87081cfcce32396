import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/config/auth.js';
import { validateConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { fullGc } from '../../src/daemon/release-memory.js';
import type { Runtime } from '../../src/daemon/runtime.js';
import { createExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { inconsistencies, pairViews } from '../helpers/consistency.js';
import { silentLog } from '../helpers/exposition.js';

const TOKEN = 'reload-token-1a2b3c4d';
const PROJECT = 'reload0000000000000000000000000a';

let cloud: SimulatedCloud | undefined;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.shutdown(1000);
  await cloud?.close();
  daemon = cloud = undefined;
});

async function started(): Promise<{ daemon: Daemon; runtime: () => Runtime }> {
  cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 1200, hssVaults: 300 })], tokens: [TOKEN] });
  const load = () => {
    const config = validateConfig(
      {
        refresh: { schedule: '0 0 1 1 *' },
        auth: { token: TOKEN },
        targets: [{ project_id: PROJECT, region: 'ap-southeast-1', endpoints: { cbr: cloud!.url, hss: cloud!.url } }],
      },
      'test config',
    );
    return { config, auths: [config.auth as AuthConfig] };
  };
  const d = new Daemon(
    { version: 'test', telemetryPath: '/metrics', listen: { host: '127.0.0.1', port: 0 }, log: silentLog, metrics: createExporterMetrics('test'), loadConfig: load },
    load(),
  );
  daemon = d;
  await d.start();
  // The runtime is private: a test reads it to follow what a reload leaves behind.
  return { daemon: d, runtime: () => (d as unknown as { running: Runtime }).running };
}

const body = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe('Daemon reload', () => {
  it('serves every vault on every scrape across reloads, sends no request for them, and keeps ready', async () => {
    const { daemon: d, runtime } = await started();
    while (!d.isReady()) await sleep(20);
    const requests = cloud!.requests.total;
    const rendered = [...runtime().exposition.rendered().values()];
    expect(rendered).toHaveLength(2);
    for (let i = 0; i < 5; i++) {
      const reload = d.reload();
      // Scrapes while the reload runs and right after it.
      const during = await body(d.url!);
      expect(await reload).toBeUndefined();
      for (const text of [during, await body(d.url!)]) {
        expect(inconsistencies(text)).toEqual([]);
        expect(pairViews(text).get(`cbr/${PROJECT}/ap-southeast-1`)?.families.get('size_bytes')?.size).toBe(1200);
        expect(pairViews(text).get(`hss/${PROJECT}/ap-southeast-1`)?.families.get('size_bytes')?.size).toBe(300);
      }
      expect(d.isReady()).toBe(true);
      // Nothing rendered again: the new exposition serves the very renderings of the old.
      expect([...runtime().exposition.rendered().values()]).toEqual(rendered);
    }
    expect(cloud!.requests.total).toBe(requests);
  });

  it('lets go of the runtime a reload replaces (its worker ends; what it rendered lives on in the new one)', async () => {
    const gc = fullGc();
    expect(gc, 'a garbage collector to call').toBeDefined();
    const { daemon: d, runtime } = await started();
    while (!d.isReady()) await sleep(20);
    const replaced: WeakRef<object>[] = [];
    // No local variable holds a runtime across an await: the test's own frame must not be what keeps it.
    const refsOf = (old: Runtime) => [old, old.exposition].map((part) => new WeakRef<object>(part));
    for (let i = 0; i < 3; i++) {
      replaced.push(...refsOf(runtime()));
      expect(await d.reload()).toBeUndefined();
    }
    // Collected once nothing holds them: the dispatcher closes its sockets first, so look until it has. A WeakRef
    // keeps what deref() returned until the end of the task, so each look collects in a new task, then looks.
    for (let look = 0; ; look++) {
      await sleep(25);
      gc!();
      const held = replaced.filter((ref) => ref.deref() !== undefined).length;
      if (held === 0) break;
      if (look > 200) throw new Error(`${held} of ${replaced.length} objects of replaced runtimes are still held`);
    }
  });
});
