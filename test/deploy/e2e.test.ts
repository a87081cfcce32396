// The proof: the daemon in --demo mode, scraped by a real Prometheus running the shipped rules
// (every `for:` shortened), and everything read back through Prometheus's HTTP API.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIND_BLOCKED_REASONS, CBR_VAULT_METRICS, HSS_VAULT_METRICS, JOB_NAME, VAULT_LABELS } from './helpers/contract.js';
import { loadDashboard, parseLabelValues, queryPanels, substitute, variableQuery } from './helpers/dashboard.js';
import { waitFor200 } from '../helpers/http.js';
import { freePort, MAIN_JS, startDaemon, TestProcess, waitForReady, type DaemonProcess } from '../helpers/process.js';
import { makeTempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait-for.js';
import { packageVersion, readYaml } from './helpers/paths.js';
import { PrometheusApi, type ActiveAlert } from './helpers/prometheus-api.js';
import { ruleGroups, type RuleGroup } from './helpers/rules.js';
import { skipWithout } from './helpers/tools.js';
import { demoFleets } from '../../src/demo.js';

const SHORT_FOR_SECONDS = 5;
const DEMO_VAULTS = 200;
const EXPECTED_FIRING = [
  'HuaweiCloudVaultNearFull',
  'HuaweiCloudVaultFull',
  'HuaweiCloudVaultWillExpand',
  'HuaweiCloudHssVaultBindIneligible',
  'HuaweiCloudVaultResourceUnprotected',
];
const EXPECTED_SILENT = ['HuaweiCloudVaultExporterSourceDown', 'HuaweiCloudVaultExporterDown', 'HuaweiCloudVaultExporterStale'];

const shorten = (groups: RuleGroup[]): RuleGroup[] =>
  groups.map((g) => ({ ...g, rules: g.rules.map((r) => (r.for ? { ...r, for: `${SHORT_FOR_SECONDS}s` } : r)) }));
const vaultKey = (labels: Record<string, string>): string => `${labels.project_id}/${labels.vault_id}`;
const firing = (alerts: ActiveAlert[], name: string): ActiveAlert[] => alerts.filter((a) => a.labels.alertname === name && a.state === 'firing');

/** The built daemon with --demo, once it is ready (its first refresh done); Prometheus scrapes `target`. */
async function startDemoExporter(vaults?: number): Promise<{ exporter: DaemonProcess; target: string }> {
  const exporter = await startDaemon(['--demo', ...(vaults === undefined ? [] : [`--demo.vaults=${vaults}`])]);
  await waitForReady(exporter);
  return { exporter, target: new URL(exporter.url).host };
}

// Skips only where promtool is missing outside CI (promtool and prometheus come in one Debian package).
describe.skipIf(skipWithout('promtool'))('end to end: --demo exporter scraped by Prometheus with the shipped rules', () => {
  let exporter: DaemonProcess | undefined;
  let prometheus: TestProcess | undefined;
  let api: PrometheusApi;
  let alerts: ActiveAlert[];

  beforeAll(async () => {
    expect(existsSync(MAIN_JS), `${MAIN_JS} is missing: run npm run build (npm test does)`).toBe(true);
    const scratch = makeTempDir('prometheus');
    const demo = await startDemoExporter(DEMO_VAULTS);
    exporter = demo.exporter;

    // The shipped prometheus.yml and rule files, at 1s intervals and with short `for:`s.
    const shipped = readYaml<{ rule_files: string[]; scrape_configs: Array<Record<string, unknown> & { job_name: string }> }>('deploy/prometheus/prometheus.yml');
    const job = shipped.scrape_configs.find((s) => s.job_name === JOB_NAME);
    expect(job, `prometheus.yml has no job ${JOB_NAME}`).toBeDefined();
    for (const file of shipped.rule_files) {
      writeFileSync(join(scratch, file), stringify({ groups: shorten(ruleGroups(file as 'alerts.yml' | 'rules.yml')) }));
    }
    writeFileSync(
      join(scratch, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: shipped.rule_files,
        scrape_configs: [{ ...job, scrape_interval: '1s', scrape_timeout: '1s', static_configs: [{ targets: [demo.target] }] }],
      }),
    );
    const promPort = await freePort();
    prometheus = new TestProcess('prometheus', 'prometheus', [
      `--config.file=${join(scratch, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(scratch, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    api = new PrometheusApi(`http://127.0.0.1:${promPort}`);
    const daemons = [exporter, prometheus];
    await waitFor200(`${api.base}/-/ready`, 30_000, daemons);

    await waitFor(
      `${EXPECTED_FIRING.join(', ')} to fire`,
      async () => {
        const active = await api.alerts();
        return EXPECTED_FIRING.every((name) => firing(active, name).length > 0);
      },
      { timeoutMs: 90_000, intervalMs: 500, daemons },
    );
    // Every rule evaluated again a `for:` after that: an alert pending when those fired has fired too, and every
    // alert some evaluation would make pending is.
    const firedAt = Date.now();
    await waitFor(
      `every rule to be evaluated ${SHORT_FOR_SECONDS}s after the alerts fired`,
      async () => (await api.rules()).every((rule) => Date.parse(rule.lastEvaluation) >= firedAt + SHORT_FOR_SECONDS * 1000),
      { timeoutMs: 60_000, intervalMs: 500, daemons },
    );
    alerts = await api.alerts();
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('scrapes every per-vault metric, each series naming its vault', async () => {
    for (const metric of [...CBR_VAULT_METRICS, ...HSS_VAULT_METRICS]) {
      const series = await api.query(metric);
      expect(series.length, metric).toBeGreaterThan(0);
      for (const { metric: labels } of series) {
        for (const label of VAULT_LABELS) expect(labels[label], `${metric} without ${label}`).toBeTruthy();
      }
    }
  });

  it("reports as many vaults per pair as the exporter's vaults gauge", async () => {
    for (const source of ['cbr', 'hss']) {
      const gauge = await api.query(`sum by (project_id, region) (huaweicloud_vault_exporter_vaults{source="${source}"})`);
      const seen = await api.query(`count by (project_id, region) (group by (project_id, region, vault_id) ({__name__=~"huaweicloud_${source}_vault_.+"}))`);
      const asMap = (s: typeof seen) => Object.fromEntries(s.map((x) => [`${x.metric.project_id}/${x.metric.region}`, Number(x.value[1])]));
      expect(Object.keys(asMap(gauge)).length).toBeGreaterThan(0);
      expect(asMap(seen), source).toEqual(asMap(gauge));
    }
  });

  it('exporter: every (source, project, region) up and refreshed; build_info carries the package version', async () => {
    const up = await api.query('huaweicloud_vault_exporter_source_up');
    expect(up.length).toBeGreaterThan(0);
    for (const s of up) expect(s.value[1], JSON.stringify(s.metric)).toBe('1');
    const build = await api.query('huaweicloud_vault_exporter_build_info');
    expect(build.map((s) => s.metric.version)).toEqual([packageVersion()]);
    const target = await api.query(`up{job="${JOB_NAME}"}`);
    expect(target.map((s) => s.value[1])).toEqual(['1']);
  });

  it('every recording and alerting rule evaluates without error', async () => {
    const rules = await api.rules();
    const shipped = [...ruleGroups('rules.yml'), ...ruleGroups('alerts.yml')].flatMap((g) => g.rules);
    expect(rules.length).toBe(shipped.length);
    for (const rule of rules) expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({ rule: rule.name, health: 'ok', error: '' });
  });

  it.each(EXPECTED_FIRING)('%s fires on the demo fleet', (name) => {
    expect(firing(alerts, name).length).toBeGreaterThan(0);
  });

  it.each(EXPECTED_SILENT)('%s is neither firing nor pending', (name) => {
    expect(alerts.filter((a) => a.labels.alertname === name)).toEqual([]);
  });

  it("capacity alerts: Full at ≥ 95%, NearFull at the vault's own threshold (else 85%), WillExpand instead for auto_expand, one alert per vault", async () => {
    const full = firing(alerts, 'HuaweiCloudVaultFull');
    const nearFull = firing(alerts, 'HuaweiCloudVaultNearFull');
    const willExpand = firing(alerts, 'HuaweiCloudVaultWillExpand');
    const thresholds = new Map((await api.query('huaweicloud:vault_capacity_alarm_threshold_ratio')).map((s) => [vaultKey(s.metric), Number(s.value[1])]));
    const expanding = new Set((await api.query('huaweicloud_cbr_vault_info{auto_expand="true"}')).map((s) => vaultKey(s.metric)));
    expect(expanding.size).toBeGreaterThan(0);
    for (const a of full) expect(Number(a.value), a.labels.vault_id).toBeGreaterThanOrEqual(0.95);
    for (const a of nearFull) expect(Number(a.value), a.labels.vault_id).toBeGreaterThanOrEqual(thresholds.get(vaultKey(a.labels)) ?? 0.85);
    // The demo has a vault nearly full by its own threshold of 50 %, below the rule's 85 %.
    expect(nearFull.some((a) => thresholds.get(vaultKey(a.labels)) === 0.5 && Number(a.value) < 0.85)).toBe(true);
    for (const a of [...full, ...nearFull]) expect(expanding, vaultKey(a.labels)).not.toContain(vaultKey(a.labels));
    for (const a of willExpand) {
      expect(expanding).toContain(vaultKey(a.labels));
      expect(a.labels.severity).toBe('info');
    }
    // A vault both CBR and HSS report, or that is full, raises one capacity alert, not two.
    const keys = [...full, ...nearFull, ...willExpand].map((a) => vaultKey(a.labels));
    expect(new Set(keys).size).toBe(keys.length);
    for (const a of [...full, ...nearFull, ...willExpand]) {
      expect(a.annotations.description).toContain(a.labels.vault_id);
      expect(a.annotations.description).toMatch(/\d+(\.\d+)?% full: [\d.]+[KMGTPE]?iB used of [\d.]+[KMGTPE]?iB/);
    }
    for (const a of [...nearFull, ...willExpand]) {
      const own = thresholds.get(vaultKey(a.labels));
      expect(a.annotations.description).toContain(own === undefined ? 'It has no capacity alarm threshold of its own' : `Its capacity alarm threshold is ${own * 100}%.`);
    }
  });

  it('capacity alerts cover every vault at or above its threshold', async () => {
    const thresholds = new Map((await api.query('huaweicloud:vault_capacity_alarm_threshold_ratio')).map((s) => [vaultKey(s.metric), Number(s.value[1])]));
    const ratios = (await api.query('huaweicloud:vault_used_ratio')).filter((s) => Number(s.value[1]) >= Math.min(thresholds.get(vaultKey(s.metric)) ?? 0.85, 0.95));
    const alerted = new Set(
      alerts
        .filter((a) => ['HuaweiCloudVaultFull', 'HuaweiCloudVaultNearFull', 'HuaweiCloudVaultWillExpand'].includes(a.labels.alertname ?? ''))
        .map((a) => vaultKey(a.labels)),
    );
    expect(ratios.length).toBeGreaterThan(0);
    for (const s of ratios) expect(alerted, vaultKey(s.metric)).toContain(vaultKey(s.metric));
    expect(alerted.size).toBe(ratios.length);
  });

  it('HuaweiCloudVaultResourceUnprotected fires for exactly the resources the demo cloud has unprotected', () => {
    const expected = demoFleets(DEMO_VAULTS).flatMap(({ projectId, fleet }) =>
      fleet.cbr.flatMap((vault) =>
        vault.resources
          .filter((r) => r.backup_count === 0 || !['available', ''].includes(r.protect_status))
          .map((r) => `${projectId}/${vault.id}/${r.id}`),
      ),
    );
    const alerted = firing(alerts, 'HuaweiCloudVaultResourceUnprotected');
    expect(expected.length).toBeGreaterThan(10);
    expect(alerted.map((a) => `${a.labels.project_id}/${a.labels.vault_id}/${a.labels.resource_id}`).sort()).toEqual([...expected].sort());
    for (const a of alerted) {
      expect(a.labels.resource_name, a.labels.resource_id).toBeTruthy();
      expect(a.annotations.description).toMatch(/it has \d+ backups and protect status [a-z]+\.$/);
    }
  });

  it('HuaweiCloudHssVaultBindIneligible names the reasons that hold for the vault', async () => {
    const blocked = await api.query('max by (project_id, vault_id, reason) (huaweicloud_hss_vault_bind_blocked) == 1');
    const reasonsOf = new Map<string, string[]>();
    for (const s of blocked) reasonsOf.set(vaultKey(s.metric), [...(reasonsOf.get(vaultKey(s.metric)) ?? []), s.metric.reason as string]);
    const named = new Set<string>();
    for (const alert of firing(alerts, 'HuaweiCloudHssVaultBindIneligible')) {
      const text = alert.annotations.description ?? '';
      expect(text).toContain(alert.labels.vault_id);
      const reasons = reasonsOf.get(vaultKey(alert.labels)) ?? [];
      expect(reasons.length, `${vaultKey(alert.labels)} has no blocking reason`).toBeGreaterThan(0);
      for (const reason of reasons) expect(text).toContain(reason);
      reasons.forEach((r) => named.add(r));
    }
    expect([...named].sort()).toEqual([...BIND_BLOCKED_REASONS].sort());
  });

  it('HuaweiCloudVaultStatusAbnormal fires for vaults in a bad status, never for available or deleting', () => {
    const abnormal = alerts.filter((a) => a.labels.alertname === 'HuaweiCloudVaultStatusAbnormal');
    expect(abnormal.length).toBeGreaterThan(0);
    for (const a of abnormal) expect(['available', 'deleting']).not.toContain(a.labels.status);
  });

  describe('Grafana dashboard queries', () => {
    const dashboard = loadDashboard();
    const [, ...variables] = dashboard.templating.list;
    const all = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, '.*']));

    it('every template variable query returns values', async () => {
      for (const v of variables) {
        const { match, label } = parseLabelValues(substitute(variableQuery(v), all));
        expect((await api.labelValues(label, match)).length, v.name).toBeGreaterThan(0);
      }
    });

    // For each project the dashboard offers (and for all of them), every panel target returns data.
    it('every panel query returns data, for all projects and for each one', async () => {
      const projectVar = variables.find((v) => v.name === 'project');
      const { match, label } = parseLabelValues(substitute(variableQuery(projectVar!), all));
      const projects = await api.labelValues(label, match);
      const selections = [all];
      for (const project of projects) {
        const regionVar = variables.find((v) => v.name === 'region');
        const region = parseLabelValues(substitute(variableQuery(regionVar!), { ...all, project }));
        const [first] = await api.labelValues(region.label, region.match);
        selections.push({ ...all, project, region: first as string });
      }
      const empty: string[] = [];
      for (const values of selections) {
        for (const panel of queryPanels(dashboard)) {
          for (const target of panel.targets) {
            const expr = substitute(target.expr, values);
            const series = target.instant ? await api.query(expr) : await api.queryRange(expr, 30);
            if (series.length === 0) empty.push(`${panel.title} [${target.refId}] with project=${values.project}: ${expr}`);
          }
        }
      }
      expect(empty).toEqual([]);
    });

    // Grafana's merge transformation joins table rows on equal label columns: a stray __name__ or
    // label in one query would leave its values on rows of their own.
    it('tables that merge several queries get rows with the same labels from each', async () => {
      const merged = queryPanels(dashboard).filter((p) => p.transformations?.some((t) => t.id === 'merge'));
      expect(merged.length).toBeGreaterThan(0);
      for (const panel of merged) {
        const results = await Promise.all(panel.targets.map((t) => api.query(substitute(t.expr, all))));
        const keys = results.map((series) => [...new Set(series.map((s) => Object.keys(s.metric).sort().join(',')))]);
        for (const k of keys) expect(k, panel.title).toEqual(keys[0]);
        expect(keys[0]?.[0], panel.title).not.toContain('__name__');
        const rows = results.map((series) => new Set(series.map((s) => JSON.stringify(s.metric))));
        const common = [...(rows[0] ?? [])].filter((row) => rows.every((r) => r.has(row)));
        expect(common.length, `${panel.title}: no row that every query fills`).toBeGreaterThan(0);
      }
    });
  });
});

// HuaweiCloudVaultExporterStale must stay silent for the healthy demo (refresh every 10s) at the scrape
// intervals people use, 15s and the shipped 60s. A rule reads a sample up to a scrape interval after it
// was taken, plus the evaluation delay (up to the shipped 60s evaluation interval); Prometheus evaluates
// the shipped expression over exactly that window after a real scrape, times to come included.
describe.skipIf(skipWithout('promtool'))('HuaweiCloudVaultExporterStale at 15s and 60s scrape intervals, real Prometheus', () => {
  const INTERVALS = [15, 60];
  const stale = ruleGroups('alerts.yml').flatMap((g) => g.rules).find((r) => r.alert === 'HuaweiCloudVaultExporterStale');
  const shipped = readYaml<{ global: { evaluation_interval: string }; scrape_configs: Array<Record<string, unknown> & { job_name: string }> }>('deploy/prometheus/prometheus.yml');
  const evaluationSeconds = Number(/^(\d+)s$/.exec(shipped.global.evaluation_interval)?.[1]);
  let exporter: DaemonProcess | undefined;
  const servers: { interval: number; api: PrometheusApi; daemon: TestProcess; scrapedAt: number }[] = [];

  beforeAll(async () => {
    expect(stale, 'alerts.yml has no HuaweiCloudVaultExporterStale').toBeDefined();
    expect(evaluationSeconds).toBeGreaterThan(0);
    const scratch = makeTempDir('prometheus-stale');
    const demo = await startDemoExporter();
    exporter = demo.exporter;
    const job = shipped.scrape_configs.find((s) => s.job_name === JOB_NAME);
    await Promise.all(
      INTERVALS.map(async (interval) => {
        const dir = join(scratch, String(interval));
        mkdirSync(dir);
        writeFileSync(
          join(dir, 'prometheus.yml'),
          stringify({ global: shipped.global, scrape_configs: [{ ...job, scrape_interval: `${interval}s`, static_configs: [{ targets: [demo.target] }] }] }),
        );
        const port = await freePort();
        const daemon = new TestProcess(`prometheus-${interval}s`, 'prometheus', [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ]);
        const api = new PrometheusApi(`http://127.0.0.1:${port}`);
        // Prometheus spreads first scrapes over the interval: up to 60s of waiting here.
        const scrapedAt = await waitFor(
          `the first ${interval}s scrape`,
          async () => {
            const [sample] = await api.query(`timestamp(up{job="${JOB_NAME}"} == 1)`).catch(() => []);
            return sample ? Number(sample.value[1]) : undefined;
          },
          { timeoutMs: (interval + 30) * 1000, intervalMs: 500, daemons: [demo.exporter, daemon] },
        );
        servers.push({ interval, api, daemon, scrapedAt });
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.daemon.stop()));
    await exporter?.stop();
  });

  it.each(INTERVALS)('at %is: the age it reads is the one at the scrape, under 3 refresh intervals', async (interval) => {
    const { api } = servers.find((s) => s.interval === interval)!;
    const ages = await api.query('timestamp(huaweicloud_vault_exporter_last_success_timestamp_seconds) - huaweicloud_vault_exporter_last_success_timestamp_seconds');
    const [refresh] = await api.query('huaweicloud_vault_exporter_refresh_interval_seconds');
    expect(ages.length).toBe(4);
    for (const age of ages) expect(Number(age.value[1])).toBeLessThan(3 * Number(refresh?.value[1]));
  });

  it.each(INTERVALS)('at %is: the shipped expression is empty from a scrape until the next one is due, plus the evaluation delay', async (interval) => {
    const { api, scrapedAt } = servers.find((s) => s.interval === interval)!;
    const end = scrapedAt + interval + evaluationSeconds;
    expect(await api.queryBetween(stale!.expr, scrapedAt, end)).toEqual([]);
    // The window reaches where an age taken at evaluation time (time() - last success) passes 3 intervals.
    const atEvaluation = 'time() - huaweicloud_vault_exporter_last_success_timestamp_seconds > ignoring (source, project_id, region) group_left 3 * huaweicloud_vault_exporter_refresh_interval_seconds';
    expect((await api.queryBetween(atEvaluation, scrapedAt, end)).length).toBe(4);
  });
});
