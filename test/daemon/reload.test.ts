import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/config/auth.js';
import { validateConfig } from '../../src/config/load.js';
import type { ExportConfig } from '../../src/config/schema.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { fullGc } from '../../src/daemon/release-memory.js';
import type { Runtime } from '../../src/daemon/runtime.js';
import { createExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud } from '../../src/sim/server.js';
import { inconsistencies, pairViews } from '../helpers/consistency.js';
import { samplesOf, silentLog } from '../helpers/exposition.js';
import { waitFor } from '../helpers/wait-for.js';
import { stoppedAfterEach } from '../helpers/in-process.js';

const TOKEN = 'reload-token-1a2b3c4d';
const PROJECT = 'reload0000000000000000000000000a';

const inProcess = stoppedAfterEach();

async function started(options: { malformed?: boolean; exported?: () => ExportConfig; labels?: () => Record<string, string> } = {}): Promise<{ daemon: Daemon; runtime: () => Runtime }> {
  const cloud = await startSimulatedCloud({ fleets: [generateFleet({ projectId: PROJECT, cbrVaults: 1200, hssVaults: 300, malformed: options.malformed })], tokens: [TOKEN] });
  inProcess.cloud = cloud;
  const load = () => {
    const config = validateConfig(
      {
        refresh: { schedule: '0 0 1 1 *' },
        auth: { token: TOKEN },
        targets: [{ project_id: PROJECT, region: 'ap-southeast-1', endpoints: { cbr: cloud.url, hss: cloud.url }, labels: options.labels?.() ?? {} }],
        export: options.exported?.(),
      },
      'test config',
    );
    return { config, auths: [config.auth as AuthConfig], discoveryAuths: [] };
  };
  const d = new Daemon(
    { version: 'test', telemetryPath: '/metrics', listen: { host: '127.0.0.1', port: 0 }, log: silentLog, metrics: createExporterMetrics('test'), loadConfig: async () => load() },
    load(),
  );
  inProcess.daemon = d;
  await d.start();
  // The runtime is private: a test reads it to follow what a reload leaves behind.
  return { daemon: d, runtime: () => (d as unknown as { running: Runtime }).running };
}

const body = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe('Daemon reload', () => {
  it('serves every vault on every scrape across reloads, sends no request for them, and keeps ready', async () => {
    const { daemon: d, runtime } = await started();
    await waitFor('the first refresh', () => d.isReady(), { intervalMs: 20 });
    const requests = inProcess.cloud!.requests.total;
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
    expect(inProcess.cloud!.requests.total).toBe(requests);
  });

  it('lists a pair again when a reload changes its labels: every body shows it whole, with one set of labels', async () => {
    let account = 'one';
    const { daemon: d } = await started({ labels: () => ({ account }) });
    await waitFor('the first refresh', () => d.isReady(), { intervalMs: 20 });
    const requests = inProcess.cloud!.requests.total;
    const accounts = (lines: string[]) => new Set(lines.map((line) => /account="([^"]*)"/.exec(line)?.[1]));
    /** Each pair whole under one set of labels, its figures under the labels of its series; CBR's account. */
    const check = (text: string) => {
      expect(inconsistencies(text)).toEqual([]);
      const shown = (['cbr', 'hss'] as const).map((source) => {
        expect(pairViews(text).get(`${source}/${PROJECT}/ap-southeast-1`)?.figures.get('source_up')).toBe(1);
        const series = accounts(samplesOf(text, `huaweicloud_${source}_vault_size_bytes`));
        expect(series.size).toBe(1);
        // The pair's figures carry the labels its vault series carry, in the same body. (The two pairs are
        // published one after the other, so they may show different labels for a moment.)
        expect(accounts(samplesOf(text, 'huaweicloud_vault_exporter_vaults').filter((line) => line.includes(`source="${source}"`)))).toEqual(series);
        return [...series][0] ?? '';
      });
      expect(pairViews(text).get(`cbr/${PROJECT}/ap-southeast-1`)?.families.get('size_bytes')?.size).toBe(1200);
      return shown;
    };
    expect(check(await body(d.url!))).toEqual(['one', 'one']);
    account = 'two';
    expect(await d.reload()).toBeUndefined();
    // Each pair under the old labels until its new listing is rendered, then under the new: never without series.
    const seen: string[][] = [];
    await waitFor('both pairs under their new labels', async () => {
      seen.push(check(await body(d.url!)));
      return seen.at(-1)!.every((shown) => shown === 'two');
    }, { intervalMs: 10 });
    for (const pair of [0, 1]) {
      const shown = seen.map((accountsShown) => accountsShown[pair]);
      expect(shown.slice(shown.indexOf('two'))).not.toContain('one');
    }
    // The series under new labels come from a new listing: the worker that had the vaults is gone with the old runtime.
    expect(inProcess.cloud!.requests.total).toBeGreaterThan(requests);
    expect(d.isReady()).toBe(true);
  });

  it('lets go of the runtime a reload replaces (its worker ends; what it rendered lives on in the new one)', async () => {
    const gc = fullGc();
    expect(gc, 'a garbage collector to call').toBeDefined();
    const { daemon: d, runtime } = await started();
    await waitFor('the first refresh', () => d.isReady(), { intervalMs: 20 });
    const replaced: WeakRef<object>[] = [];
    // No local variable holds a runtime across an await: the test's own frame must not be what keeps it.
    const refsOf = (old: Runtime) => [old, old.exposition].map((part) => new WeakRef<object>(part));
    for (let i = 0; i < 3; i++) {
      replaced.push(...refsOf(runtime()));
      expect(await d.reload()).toBeUndefined();
    }
    // Collected once nothing holds them: the dispatcher closes its sockets first, so look until it has. A WeakRef
    // keeps what deref() returned until the end of the task, so a look that finds them held looks again in a new task.
    let held = replaced.length;
    await waitFor('the replaced runtimes to be collected', () => {
      gc!();
      held = replaced.filter((ref) => ref.deref() !== undefined).length;
      return held === 0;
    }, { timeoutMs: 20_000, intervalMs: 25, detail: () => `${held} of ${replaced.length} objects of replaced runtimes are still held` });
  });

  it('lists CBR again at once after a reload to another export:, keeping its counters, while HSS carries on', async () => {
    let exported: ExportConfig = { tags: [], resources: false };
    const { daemon: d } = await started({ malformed: true, exported: () => exported });
    await waitFor('the first refresh', () => d.isReady(), { intervalMs: 20 });
    const cbrKey = `cbr/${PROJECT}/ap-southeast-1`;
    const before = pairViews(await body(d.url!)).get(cbrKey)!;
    const invalidBefore = before.figures.get('invalid_fields_total')!;
    expect(invalidBefore).toBeGreaterThan(0);
    expect(before.families.has('tags')).toBe(false);
    const listings = inProcess.cloud!.requests.total;
    exported = { tags: ['env', 'team'], resources: true };
    expect(await d.reload()).toBeUndefined();
    // Every body, until the new listing is in: HSS as it was, CBR either starting over or whole with its tags.
    // (The malformed records make families name different vaults, so inconsistencies() does not apply here.)
    const hssBefore = pairViews(await body(d.url!)).get(`hss/${PROJECT}/ap-southeast-1`)!;
    expect(hssBefore.figures.get('source_up')).toBe(1);
    await waitFor('CBR listed with its tags', async () => {
      const views = pairViews(await body(d.url!));
      expect(views.get(`hss/${PROJECT}/ap-southeast-1`)?.families).toEqual(hssBefore.families);
      const cbr = views.get(cbrKey)!;
      if (cbr.families.has('tags')) {
        expect(cbr.families.get('tags')?.size).toBe(cbr.families.get('info')?.size);
        expect(cbr.resources.get('resource_info')?.size).toBeGreaterThan(1200);
        // The same malformed records counted again by the new listing, on top of what was counted before.
        expect(cbr.figures.get('invalid_fields_total')).toBe(2 * invalidBefore);
        return true;
      }
      expect(cbr.families.size, 'CBR series of the old export: served under the new one').toBe(0);
      expect(cbr.figures.get('vaults')).toBe(0);
      return false;
    }, { timeoutMs: 50_000, intervalMs: 20 });
    expect(inProcess.cloud!.requests.total).toBeGreaterThan(listings);
    expect(d.isReady()).toBe(true);
  });
});
