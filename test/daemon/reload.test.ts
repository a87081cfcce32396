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
import { samplesOf, silentLog } from '../helpers/exposition.js';

const TOKEN = 'reload-token-1a2b3c4d';
const PROJECT = 'reload0000000000000000000000000a';

let cloud: SimulatedCloud | undefined;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.shutdown(1000);
  await cloud?.close();
  daemon = cloud = undefined;
});

async function started(labels: () => Record<string, string> = () => ({})): Promise<{ daemon: Daemon; runtime: () => Runtime }> {
  cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 1200, hssVaults: 300 })], tokens: [TOKEN] });
  const load = () => {
    const config = validateConfig(
      {
        refresh: { schedule: '0 0 1 1 *' },
        auth: { token: TOKEN },
        targets: [{ project_id: PROJECT, region: 'ap-southeast-1', endpoints: { cbr: cloud!.url, hss: cloud!.url }, labels: labels() }],
      },
      'test config',
    );
    return { config, auths: [config.auth as AuthConfig], discoveryAuths: [] };
  };
  const d = new Daemon(
    { version: 'test', telemetryPath: '/metrics', listen: { host: '127.0.0.1', port: 0 }, log: silentLog, metrics: createExporterMetrics('test'), loadConfig: load },
    load(),
  );
  daemon = d;
  await d.start();
  // The runtime is private: a test reads it to follow what a reload leaves behind.
  return { daemon: d, runtime: () => (d as unknown as { runtime: Runtime }).runtime };
}

const body = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe('Daemon reload', () => {
  it('serves every vault on every scrape across reloads, sends no request for them, and keeps ready', async () => {
    const { daemon: d, runtime } = await started();
    while (!d.isReady()) await sleep(20);
    const requests = cloud!.requests.total;
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
      expect(runtime().exposition.isIdle()).toBe(true); // nothing rendered again
    }
    expect(cloud!.requests.total).toBe(requests);
  });

  it('renders a pair again when a reload changes its labels: every body shows it whole, with one set of labels', async () => {
    let account = 'one';
    const { daemon: d, runtime } = await started(() => ({ account }));
    while (!d.isReady()) await sleep(20);
    const requests = cloud!.requests.total;
    const accounts = (text: string, family: string) => new Set(samplesOf(text, family).map((line) => /account="([^"]*)"/.exec(line)?.[1]));
    const check = (text: string) => {
      expect(inconsistencies(text)).toEqual([]);
      for (const source of ['cbr', 'hss']) expect(pairViews(text).get(`${source}/${PROJECT}/ap-southeast-1`)?.figures.get('source_up')).toBe(1);
      const shown = accounts(text, 'huaweicloud_cbr_vault_size_bytes');
      expect(shown.size).toBe(1);
      // The pair's figures carry the labels its vault series carry, in the same body.
      expect(accounts(text, 'huaweicloud_vault_exporter_vaults')).toEqual(new Set([...shown]));
      return [...shown][0];
    };
    expect(check(await body(d.url!))).toBe('one');
    account = 'two';
    const reload = d.reload();
    const during: string[] = [];
    while (!runtime().exposition.isIdle() || during.length === 0) during.push(await body(d.url!));
    expect(await reload).toBeUndefined();
    await runtime().exposition.settled();
    for (const text of during) expect(['one', 'two']).toContain(check(text));
    expect(check(await body(d.url!))).toBe('two');
    expect(cloud!.requests.total).toBe(requests); // rendered again from the snapshot it had, not listed again
  });

  it('lets go of everything of the runtime a reload replaces', async () => {
    const gc = fullGc();
    expect(gc, 'a garbage collector to call').toBeDefined();
    const { daemon: d, runtime } = await started();
    while (!d.isReady()) await sleep(20);
    const replaced: WeakRef<object>[] = [];
    // No local variable holds a runtime across an await: the test's own frame must not be what keeps it.
    const refsOf = (old: Runtime) => [old.collector, old.exposition, old.scheduler, old.dispatcher].map((part) => new WeakRef<object>(part));
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
