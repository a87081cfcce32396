// The proof, with real daemon processes: discovery against a simulated IAM + CBR + HSS with two accounts,
// and two shards of the same discovery that together export every vault exactly once.
import { execFile } from 'node:child_process';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../../src/sim/fleet.js';
import { discoverEntries, FORBIDDEN, LATE, NOT_TARGETS, startScenario, TARGETS, vaultsByProject, type Scenario } from '../helpers/discovery-scenario.js';
import { startDaemon, waitFor200, writeTempFile, type DaemonProcess } from '../helpers/daemon-process.js';
import { havePromtool, promtoolCheckMetrics } from '../helpers/promtool.js';
import { scrape, scrapeUntil, values } from '../helpers/scrape.js';
import type { ParsedSample } from '../helpers/parse-exposition.js';
import { MAIN_JS } from '../helpers/process.js';

const FAMILIES = ['huaweicloud_cbr_vault_size_bytes', 'huaweicloud_hss_vault_size_bytes'] as const;
const SOURCE_OF = { huaweicloud_cbr_vault_size_bytes: 'cbr', huaweicloud_hss_vault_size_bytes: 'hss' } as const;

function configFile(url: string, interval: string, extra: Record<string, unknown> = {}): string {
  return writeTempFile('exporter.yaml', stringify({ refresh: { schedule: '0 0 1 1 *' }, discover: discoverEntries(url, interval), ...extra }));
}

/** Every vault id each exporter exports, per source: `${source}/${project}/${vault}`. */
function exported(samples: ParsedSample[]): string[] {
  return FAMILIES.flatMap((family) => [...vaultsByProject(samples, family)].flatMap(([project, { ids }]) => [...ids].map((id) => `${SOURCE_OF[family]}/${project}/${id}`)));
}

describe('discovery: two accounts, a sub-project, a disabled and a system project, a forbidden region, a late project', () => {
  let scenario: Scenario;
  let daemon: DaemonProcess;
  let first: ParsedSample[];
  let text: string;

  beforeAll(async () => {
    scenario = await startScenario();
    daemon = await startDaemon([`--config.file=${configFile(scenario.cloud.url, '1s')}`]);
    await waitFor200(`${daemon.url}/-/ready`);
    text = await (await fetch(`${daemon.url}/metrics`)).text();
    first = await scrape(daemon.url);
  });
  afterAll(async () => {
    await daemon?.stop();
    await scenario?.cloud.close();
  });

  it('exports every vault of every listed project with its project, region and account', () => {
    for (const family of FAMILIES) {
      const byProject = vaultsByProject(first, family);
      for (const project of TARGETS().filter((p) => p.id !== FORBIDDEN)) {
        const expected = scenario.cloud.vaults(project.id, SOURCE_OF[family]).map((v) => ('vault_id' in v ? v.vault_id : v.id));
        expect(byProject.get(project.id)?.ids, `${family} of ${project.name}`).toEqual(new Set(expected));
        expect(byProject.get(project.id)?.labels).toEqual(new Set([`${project.region}/${project.account}`]));
      }
    }
    // The sub-project is a target of its own, in its parent's region.
    expect(values(first, 'huaweicloud_vault_exporter_vaults', { project_id: 'disc-prod-ap1-dev', region: 'ap-southeast-1', account: 'prod', source: 'cbr' })).toEqual([15]);
  });

  it('shows the forbidden region as source_up 0 with its reason, and the other targets up', async () => {
    expect(values(first, 'huaweicloud_vault_exporter_source_up', { project_id: FORBIDDEN, account: 'prod' })).toEqual([0, 0]);
    const others = first.filter((s) => s.name === 'huaweicloud_vault_exporter_source_up' && s.labels.project_id !== FORBIDDEN);
    expect(others.map((s) => s.value)).toEqual(Array(2 * (TARGETS().length - 1)).fill(1));
    const landing = await (await fetch(`${daemon.url}/`)).text();
    expect(landing).toMatch(/disc-prod-eu<\/td><td>eu-west-101<\/td><td>down<\/td><td>0<\/td><td>never<\/td><td>GET \/v3\/disc-prod-eu\/vaults: HTTP 403, APIG\.0302, The IAM user is not authorized to access the API\./);
    const line = daemon.logs().find((r) => r.pair === `cbr/${FORBIDDEN}/eu-west-101` && r.msg === 'refresh failed; keeping the previous snapshot');
    expect(String(line?.err_msg)).toContain('HTTP 403');
  });

  it('never asks for a project outside the lists: disabled, system, excluded regions', () => {
    const asked = new Set(scenario.cloud.requests.entries.flatMap((r) => (r.api === 'cbr' || r.api === 'hss' ? [r.projectId] : [])));
    expect([...asked].sort()).toEqual(TARGETS().map((p) => p.id).sort());
    for (const project of NOT_TARGETS()) expect(asked.has(project.id), `${project.name} (${project.skipped})`).toBe(false);
    const iam = scenario.cloud.requests.filter({ api: 'iam' }).map((r) => r.path);
    expect(new Set(iam)).toEqual(new Set(['/v3/projects', '/v3/auth/projects']));
  });

  it('passes promtool check metrics with the extra labels and the discovery families', async () => {
    expect(text).toContain('huaweicloud_vault_exporter_discovery_up{discovery="0",account="prod"} 1');
    expect(text).toContain('huaweicloud_vault_exporter_discovery_skipped_projects{discovery="1",account="dev",reason="excluded_region"} 1');
    if (!havePromtool()) return;
    expect(promtoolCheckMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it('serves a project created mid-run after the next discovery, within one interval', async () => {
    // prod's discovery runs as they ended, in order, with the targets each found.
    const completed = () => daemon.logs().filter((r) => r.msg === 'discovery complete' && r.discovery === 0);
    const before = completed();
    scenario.addLate();
    const after = await scrapeUntil(daemon.url, (s) => values(s, 'huaweicloud_vault_exporter_source_up', { project_id: LATE.id, account: 'prod' }).join() === '1,1', 30_000);
    // Found by the discovery in flight when the project was created or by the next one, however long the refresh
    // of the new target then took (counting the runs started until it was served counted that time, on a busy CI).
    const finder = completed().slice(before.length).findIndex((r) => (r.targets as number) > (before.at(-1)?.targets as number));
    expect(finder).toBeGreaterThanOrEqual(0);
    expect(finder).toBeLessThanOrEqual(1);
    expect(vaultsByProject(after, 'huaweicloud_cbr_vault_size_bytes').get(LATE.id)?.ids.size).toBe(LATE.cbr);
    expect(daemon.logs().some((r) => r.msg === 'discovered targets applied')).toBe(true);
  });
});

describe('--config.check with discover entries', () => {
  let scenario: Scenario;
  beforeAll(async () => {
    scenario = await startScenario();
  });
  afterAll(async () => {
    await scenario?.cloud.close();
  });
  const check = (config: string, ...flags: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [MAIN_JS, '--config.check', `--config.file=${config}`, ...flags], { env: { PATH: process.env.PATH } }, (_err, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });

  it('lists what discovery finds and skips, and which shard serves each target, asking IAM only', async () => {
    scenario.cloud.requests.clear();
    const result = await check(configFile(scenario.cloud.url, '1h'), '--shard=1/2');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/: SUCCESS: 0 target\(s\), 0 source\(s\) and 2 discover entries to refresh on "0 0 1 1 \*"$/);
    const url = scenario.cloud.url;
    expect(lines).toContain(`  discover[0]: GET ${url}/v3/projects on huaweicloud: 6 project(s), 3 target(s)`);
    expect(lines).toContain(`  discover[1]: GET ${url}/v3/auth/projects on huaweicloud: 3 project(s), 2 target(s)`);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^    ap-southeast-1_dev: project disc-prod-ap1-dev in ap-southeast-1 on huaweicloud \\{account="prod"\\}: cbr ${url}, hss ${url} \\[shard [01]\\]$`)));
    expect(lines).toContain('    cn-north-4: project disc-prod-cn4 skipped: disabled');
    expect(lines).toContain('    MOS: project disc-prod-mos skipped: not region');
    expect(lines).toContain('    la-south-2: project disc-prod-la2 skipped: excluded region');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}shard 1\/2: serves \d of 5 target\(s\)$/));
    expect(scenario.cloud.requests.entries.map((r) => r.api)).toEqual(['iam', 'iam']);
  });

  it('exits 1 with one line when a discovery fails', async () => {
    scenario.accounts.failProjectLists(403);
    try {
      const result = await check(configFile(scenario.cloud.url, '1h'));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^huaweicloud-vault-exporter: .*exporter\.yaml: discover\[0\]: discovery failed: GET \/v3\/projects: HTTP 403, You are not authorized to perform the requested action\., request id [0-9a-f]{32}\n$/);
    } finally {
      scenario.accounts.failProjectLists(undefined);
    }
  });
});

describe('two shards of one discovery', () => {
  let scenario: Scenario;
  let shards: DaemonProcess[];

  beforeAll(async () => {
    scenario = await startScenario();
    // More projects than the scenario's, so that both shards have several.
    for (let i = 0; i < 12; i++) {
      const id = `disc-prod-extra-${i}`;
      scenario.cloud.addFleet(generateFleet({ projectId: id, cbrVaults: 3 + i, hssVaults: 10 }));
      scenario.accounts.addProject('disc-domain-prod', { id, name: `ap-southeast-1_extra${i}`, parent_id: 'disc-prod-ap1' });
    }
    const config = configFile(scenario.cloud.url, '1h');
    shards = await Promise.all([0, 1].map((index) => startDaemon([`--config.file=${config}`, `--shard=${index}/2`])));
    await Promise.all(shards.map((shard) => waitFor200(`${shard.url}/-/ready`)));
  });
  afterAll(async () => {
    await Promise.all((shards ?? []).map((shard) => shard.stop()));
    await scenario?.cloud.close();
  });

  it('export every vault exactly once between them, each asking the vault lists of its own projects only', async () => {
    const [zero, one] = await Promise.all(shards.map((shard) => scrape(shard.url)));
    const a = exported(zero!);
    const b = exported(one!);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.filter((key) => b.includes(key))).toEqual([]);
    const expected = TARGETS()
      .filter((p) => p.id !== FORBIDDEN)
      .map((p) => p.id)
      .concat(Array.from({ length: 12 }, (_, i) => `disc-prod-extra-${i}`))
      .flatMap((project) => (['cbr', 'hss'] as const).flatMap((source) => scenario.cloud.vaults(project, source).map((v) => `${source}/${project}/${'vault_id' in v ? v.vault_id : v.id}`)));
    expect([...a, ...b].sort()).toEqual(expected.sort());
    // One refresh each: every project's lists asked once in all (CBR public and hybrid, HSS), not once per replica.
    const perProject = new Map<string, number>();
    for (const r of scenario.cloud.requests.entries) if (r.api === 'cbr' || r.api === 'hss') perProject.set(r.projectId!, (perProject.get(r.projectId!) ?? 0) + 1);
    for (const [project, count] of perProject) expect(count, project).toBe(project === FORBIDDEN ? 2 : 3);
    // Each says which shard it is, and how many targets it serves of all.
    for (const [index, samples] of [zero!, one!].entries()) {
      expect(values(samples, 'huaweicloud_vault_exporter_shard_index')).toEqual([index]);
      expect(values(samples, 'huaweicloud_vault_exporter_shards')).toEqual([2]);
      expect(values(samples, 'huaweicloud_vault_exporter_targets_all_shards', { origin: 'discovered' })).toEqual([TARGETS().length + 12]);
    }
    const servedBoth = [zero!, one!].map((s) => values(s, 'huaweicloud_vault_exporter_targets', { origin: 'discovered' })[0]!);
    expect(servedBoth[0]! + servedBoth[1]!).toBe(TARGETS().length + 12);
  });
});
