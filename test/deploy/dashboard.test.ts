// Static checks of the Grafana dashboard and of the docker-compose wiring that provisions it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_METRICS, metricNames } from './helpers/contract.js';
import { allPanels, loadDashboard, queryPanels, substitute, variableQuery } from './helpers/dashboard.js';
import { readYaml, repo } from './helpers/paths.js';
import { recordingRules } from './helpers/rules.js';

const dashboard = loadDashboard();
const panels = queryPanels(dashboard);
const exprs = panels.flatMap((p) => p.targets.map((t) => t.expr));
const recorded = new Set(recordingRules().map((r) => r.record as string));

describe('deploy/grafana/huaweicloud-vaults.json', () => {
  it('has the template variables datasource, project, region and vault', () => {
    const vars = dashboard.templating.list;
    expect(vars.map((v) => v.name)).toEqual(['datasource', 'project', 'region', 'vault']);
    expect(vars[0]?.type).toBe('datasource');
    const labels = vars.slice(1).map((v) => /,\s*(\w+)\)$/.exec(variableQuery(v))?.[1]);
    expect(labels).toEqual(['project_id', 'region', 'vault_name']);
    for (const v of vars.slice(1)) expect(v.allValue, `${v.name}: All must be a regex`).toBe('.*');
  });

  it('every panel queries through the datasource variable', () => {
    for (const panel of panels) {
      for (const target of panel.targets) expect(target.datasource?.uid, panel.title).toBe('${datasource}');
    }
  });

  it('panel ids are unique and panels do not overlap', () => {
    const all = allPanels(dashboard);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    const cells = new Set<string>();
    for (const { gridPos: g, title } of all) {
      expect(g.x + g.w, title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('queries read only contracted or recorded metrics', () => {
    const unknown = exprs.flatMap(metricNames).filter((n) => !CONTRACT_METRICS.includes(n) && !recorded.has(n));
    expect(unknown).toEqual([]);
  });

  it('every vault and exporter query is filtered by project and region', () => {
    for (const panel of panels) {
      for (const { expr } of panel.targets) {
        const global = metricNames(expr).every((n) => ['huaweicloud_vault_exporter_build_info', 'huaweicloud_vault_exporter_refresh_interval_seconds'].includes(n));
        if (global) continue;
        expect(expr, panel.title).toContain('project_id=~"$project"');
        expect(expr, panel.title).toContain('region=~"$region"');
      }
    }
  });

  it('only uses variables the dashboard defines (or Grafana built-ins)', () => {
    const values = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, '.*']));
    for (const expr of exprs) expect(() => substitute(expr, values)).not.toThrow();
  });

  it.each([
    ['fleet totals', ['huaweicloud:fleet_size_bytes:sum', 'huaweicloud:fleet_used_bytes:sum', 'huaweicloud:fleet_allocated_bytes:sum']],
    ['fullest vaults and used vs size', ['huaweicloud:vault_used_ratio', 'huaweicloud:vault_used_bytes', 'huaweicloud:vault_size_bytes']],
    ['forecast to full', ['huaweicloud:vault_used_bytes:predict_linear4d']],
    ['HSS bind eligibility', ['huaweicloud_hss_vault_bind_eligible', 'huaweicloud_hss_vault_bind_blocked']],
    ['status overview', ['huaweicloud:vault_status']],
    ['unprotected resources', ['huaweicloud_cbr_vault_resource_backups', 'huaweicloud_cbr_vault_resource_info']],
    ['exporter health', ['huaweicloud_vault_exporter_source_up', 'huaweicloud_vault_exporter_refresh_duration_seconds', 'huaweicloud_vault_exporter_api_requests_total']],
  ])('shows %s', (_what, metrics) => {
    const used = new Set(exprs.flatMap(metricNames));
    for (const metric of metrics) expect(used, metric).toContain(metric);
  });

  it('the fullest-vaults table colours at the alert thresholds', () => {
    const table = panels.find((p) => p.targets.some((t) => t.expr.includes('topk') && t.expr.includes('huaweicloud:vault_used_ratio')));
    const steps = (table as unknown as { fieldConfig: { defaults: { thresholds: { steps: Array<{ value: number | null }> } } } }).fieldConfig.defaults.thresholds.steps;
    const alerts = readYaml<{ groups: Array<{ rules: Array<{ alert?: string; expr: string }> }> }>('deploy/prometheus/alerts.yml').groups.flatMap((g) => g.rules);
    const threshold = (name: string) => Number(/>=\s*([\d.]+)/.exec(alerts.find((a) => a.alert === name)?.expr ?? '')?.[1]);
    expect(steps.map((s) => s.value).filter((v) => v !== null)).toEqual([threshold('HuaweiCloudVaultNearFull'), threshold('HuaweiCloudVaultFull')]);
  });
});

describe('deploy/docker-compose.yml', () => {
  interface Service {
    image?: string;
    build?: { context: string; dockerfile: string };
    command?: string[];
    volumes?: string[];
    environment?: Record<string, string>;
  }
  const compose = readYaml<{ services: Record<string, Service> }>('deploy/docker-compose.yml');
  const deployDir = repo('deploy');
  const binds = (service: string) =>
    (compose.services[service]?.volumes ?? [])
      .map((v) => v.split(':'))
      .filter(([source]) => source?.startsWith('.'))
      .map(([source, target]) => ({ source: resolve(deployDir, source as string), target: target as string }));

  it('runs the exporter image built from the Dockerfile in --demo mode', () => {
    const exporter = compose.services.exporter;
    expect(existsSync(resolve(deployDir, exporter?.build?.context ?? '', exporter?.build?.dockerfile ?? ''))).toBe(true);
    expect(exporter?.command).toContain('--demo');
  });

  it('mounts files that exist', () => {
    for (const service of ['prometheus', 'grafana']) {
      const mounts = binds(service);
      expect(mounts.length).toBeGreaterThan(0);
      for (const { source } of mounts) expect(existsSync(source), source).toBe(true);
    }
  });

  it('gives Prometheus its config and every rule file the config names', () => {
    const mounts = binds('prometheus');
    const configFlag = compose.services.prometheus?.command?.find((c) => c.startsWith('--config.file='));
    const configPath = configFlag?.slice('--config.file='.length) ?? '';
    const config = mounts.find((m) => m.target === configPath);
    expect(config?.source).toBe(repo('deploy/prometheus/prometheus.yml'));
    const ruleFiles = readYaml<{ rule_files: string[] }>('deploy/prometheus/prometheus.yml').rule_files;
    const configDir = configPath.replace(/\/[^/]+$/, '');
    for (const file of ruleFiles) {
      expect(mounts.find((m) => m.target === `${configDir}/${file}`)?.source, file).toBe(repo('deploy/prometheus', file));
    }
    const targets = readYaml<{ scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> }>('deploy/prometheus/prometheus.yml')
      .scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets));
    expect(targets).toContain('exporter:9797');
  });

  it('provisions Grafana with the Prometheus datasource and the dashboard', () => {
    const mounts = binds('grafana');
    const provider = readYaml<{ providers: Array<{ options: { path: string } }> }>('deploy/grafana/provisioning/dashboards/huaweicloud-vault-exporter.yml');
    const dashboardMount = mounts.find((m) => m.source === repo('deploy/grafana/huaweicloud-vaults.json'));
    expect(dashboardMount?.target.startsWith(`${provider.providers[0]?.options.path}/`)).toBe(true);
    const datasources = readYaml<{ datasources: Array<{ type: string; url: string }> }>('deploy/grafana/provisioning/datasources/prometheus.yml');
    expect(datasources.datasources[0]?.type).toBe('prometheus');
    expect(Object.keys(compose.services)).toContain(new URL(datasources.datasources[0]?.url ?? '').hostname);
    for (const dir of ['datasources', 'dashboards']) {
      expect(mounts.find((m) => m.target === `/etc/grafana/provisioning/${dir}`)?.source).toBe(repo('deploy/grafana/provisioning', dir));
    }
  });
});
