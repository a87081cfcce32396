import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { withCredentials, type LoadedConfig } from '../../src/config/target-auth.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { discoverEntries, FORBIDDEN, LATE, NOT_TARGETS, startScenario, TARGETS, vaultsByProject, type Scenario } from '../helpers/discovery-scenario.js';
import { silentLog } from '../helpers/exposition.js';
import type { ParsedSample } from '../helpers/parse-exposition.js';
import { scrape, scrapeUntil, values } from '../helpers/scrape.js';
import { waitFor } from '../helpers/wait-for.js';

let scenario: Scenario | undefined;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.shutdown(1000);
  await scenario?.cloud.close();
  daemon = scenario = undefined;
});

/** The daemon in this process on the scenario's two accounts; `edit` changes the config each (re)load reads. */
async function started(edit: (raw: Record<string, unknown>) => Record<string, unknown> = (raw) => raw, interval = '1s') {
  scenario = await startScenario();
  const url = scenario.cloud.url;
  const load = (): LoadedConfig =>
    withCredentials(validateConfig(edit({ refresh: { schedule: '0 0 1 1 *' }, discover: discoverEntries(url, interval) }), 'test config'), {}, 'test config');
  const d = new Daemon(
    { version: 'test', telemetryPath: '/metrics', listen: { host: '127.0.0.1', port: 0 }, log: silentLog, metrics: createExporterMetrics('test'), loadConfig: async () => load(), backoff: { baseMs: 5, capMs: 20 } },
    load(),
  );
  daemon = d;
  await d.start();
  await waitFor('the first refresh of every discovered target', () => d.isReady(), { intervalMs: 20 });
  return { d, url: d.url!, cloud: scenario.cloud, accounts: scenario.accounts };
}

const runs = (samples: ParsedSample[], discovery: string) => values(samples, 'huaweicloud_vault_exporter_discovery_runs_total', { discovery })[0] ?? 0;
const served = (samples: ParsedSample[]) => new Set(samples.filter((s) => s.name === 'huaweicloud_vault_exporter_source_up').map((s) => s.labels.project_id));

describe('discovery in the daemon', () => {
  it('is ready with every target of both accounts refreshed, each series labelled with its account, and asks nothing else', async () => {
    const { url, cloud } = await started();
    const samples = await scrape(url);
    const cbr = vaultsByProject(samples, 'huaweicloud_cbr_vault_size_bytes');
    for (const project of TARGETS().filter((p) => p.id !== FORBIDDEN)) {
      expect(cbr.get(project.id)?.ids, project.id).toEqual(new Set(cloud.vaults(project.id, 'cbr').map((v) => v.id)));
      expect(cbr.get(project.id)?.labels).toEqual(new Set([`${project.region}/${project.account}`]));
      expect(values(samples, 'huaweicloud_vault_exporter_source_up', { project_id: project.id, account: project.account })).toEqual([1, 1]);
    }
    expect(values(samples, 'huaweicloud_vault_exporter_source_up', { project_id: FORBIDDEN, region: 'eu-west-101', account: 'prod' })).toEqual([0, 0]);
    // Refused once per refresh: a 403 is not retried, and the hybrid listing is not asked after it.
    expect(values(samples, 'huaweicloud_vault_exporter_api_requests_total', { source: 'cbr', project_id: FORBIDDEN, account: 'prod', code: '403' })).toEqual([1]);
    expect(values(samples, 'huaweicloud_vault_exporter_api_requests_total', { source: 'hss', project_id: FORBIDDEN, account: 'prod', code: '403' })).toEqual([1]);
    const asked = new Set(cloud.requests.entries.flatMap((r) => (r.projectId ? [r.projectId] : [])));
    expect([...asked].sort()).toEqual(TARGETS().map((p) => p.id).sort());
    for (const project of NOT_TARGETS()) expect(asked.has(project.id), project.name).toBe(false);
    expect(values(samples, 'huaweicloud_vault_exporter_discovery_up')).toEqual([1, 1]);
    expect(values(samples, 'huaweicloud_vault_exporter_discovery_targets', { account: 'prod' })).toEqual([3]);
    expect(values(samples, 'huaweicloud_vault_exporter_discovery_skipped_projects', { account: 'prod', reason: 'disabled' })).toEqual([1]);
    expect(values(samples, 'huaweicloud_vault_exporter_targets', { origin: 'discovered' })).toEqual([TARGETS().length]);
    expect(values(samples, 'huaweicloud_vault_exporter_api_requests_total', { source: 'iam', discovery: '0', account: 'prod', code: '200' })[0]).toBeGreaterThan(0);
  });

  it('adds a project created later after the next discovery, and drops a deleted one', async () => {
    const { url, accounts } = await started();
    const before = runs(await scrape(url), '0');
    scenario!.addLate();
    const after = await scrapeUntil(url, (s) => served(s).has(LATE.id) && values(s, 'huaweicloud_vault_exporter_source_up', { project_id: LATE.id }).join() === '1,1');
    // It came with the first discovery that began after it was created: within one interval.
    expect(runs(after, '0')).toBeLessThanOrEqual(before + 2);
    expect(vaultsByProject(after, 'huaweicloud_cbr_vault_size_bytes').get(LATE.id)?.ids.size).toBe(LATE.cbr);
    accounts.removeProject('disc-dev-af1');
    const gone = await scrapeUntil(url, (s) => !served(s).has('disc-dev-af1'));
    expect(vaultsByProject(gone, 'huaweicloud_cbr_vault_size_bytes').has('disc-dev-af1')).toBe(false);
    expect(served(gone).has(LATE.id)).toBe(true);
  });

  it('keeps the last good targets through a failed discovery, and counts and shows the failure, across a reload too', async () => {
    const { d, url, accounts } = await started();
    const before = await scrape(url);
    accounts.failProjectLists(503);
    const failing = await scrapeUntil(url, (s) => values(s, 'huaweicloud_vault_exporter_discovery_failures_total', { discovery: '1' })[0]! >= 1);
    expect(values(failing, 'huaweicloud_vault_exporter_discovery_up', { discovery: '1', account: 'dev' })).toEqual([0]);
    expect(served(failing)).toEqual(served(before));
    expect(vaultsByProject(failing, 'huaweicloud_cbr_vault_size_bytes').get('disc-dev-af1')?.ids.size).toBe(22);
    // A reload hands over the last good list and that the last attempt failed.
    expect(await d.reload()).toBeUndefined();
    const reloaded = await scrape(url);
    expect(values(reloaded, 'huaweicloud_vault_exporter_discovery_up', { discovery: '1' })).toEqual([0]);
    expect(served(reloaded)).toEqual(served(before));
    accounts.failProjectLists(undefined);
    await scrapeUntil(url, (s) => values(s, 'huaweicloud_vault_exporter_discovery_up').join() === '1,1');
  });

  it('asks IAM nothing at a reload that leaves the accounts as they were, and applies new region lists and labels at once', async () => {
    let regions = ['af-*', 'ap-*'];
    let team: Record<string, string> = {};
    const edit = (raw: Record<string, unknown>) => {
      const [prod, dev] = raw.discover as Record<string, unknown>[];
      return { ...raw, discover: [{ ...prod, labels: { account: 'prod', ...team } }, { ...dev, regions }] };
    };
    // A long interval: only a reload could ask IAM again.
    const { d, url, accounts } = await started(edit, '1h');
    const asked = accounts.projectListRequests();
    regions = ['af-*'];
    team = { team: 'backup' };
    expect(await d.reload()).toBeUndefined();
    const relabelled = (s: ParsedSample[]) => values(s, 'huaweicloud_vault_exporter_source_up', { project_id: 'disc-prod-ap1', team: 'backup' }).join() === '1,1';
    const after = await scrapeUntil(url, (s) => !served(s).has('disc-dev-ap3') && relabelled(s));
    expect(accounts.projectListRequests()).toEqual(asked);
    expect(served(after).has('disc-dev-af1')).toBe(true);
    expect(vaultsByProject(after, 'huaweicloud_cbr_vault_size_bytes').get('disc-prod-ap1')?.ids.size).toBe(40);
  });
});
