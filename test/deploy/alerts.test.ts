// Static checks of deploy/prometheus/alerts.yml and rules.yml against the metric and alert contract.
import { describe, expect, it } from 'vitest';
import { ALERT_NAMES, CONTRACT_METRICS, JOB_NAME, metricNames, nameRegexes } from './helpers/contract.js';
import { readText, readYaml } from './helpers/paths.js';
import { alertRules, recordingRules, ruleGroups, ruleTestFiles, RUNBOOK_BASE, RUNBOOK_PAGE, type Rule } from './helpers/rules.js';

const alerts = alertRules();
const recorded = new Set(recordingRules().map((r) => r.record as string));
const known = (name: string): boolean => CONTRACT_METRICS.includes(name) || recorded.has(name);
const PER_VAULT_GROUP = 'huaweicloud-vault.alerts';

describe('alerts.yml', () => {
  it('defines exactly the contracted alerts, once each', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([...ALERT_NAMES].sort());
  });

  it.each(alerts.map((a) => [a.alert as string, a] as const))('%s has a severity, summary, description and its runbook', (name, rule) => {
    expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary?.trim()).toBeTruthy();
    expect(rule.annotations?.description?.trim()).toBeTruthy();
    expect(rule.annotations?.runbook_url).toBe(`${RUNBOOK_BASE}#${name.toLowerCase()}`);
  });

  it('per-vault alerts name the vault, its id, project and region', () => {
    const perVault = ruleGroups('alerts.yml').find((g) => g.name === PER_VAULT_GROUP)?.rules ?? [];
    expect(perVault.length).toBeGreaterThan(0);
    for (const rule of perVault) {
      for (const label of ['vault_name', 'vault_id', 'project_id', 'region']) {
        expect(rule.annotations?.description, `${rule.alert} description lacks ${label}`).toContain(`$labels.${label}`);
      }
    }
  });

  it('formats ratios with humanizePercentage and bytes with humanize1024', () => {
    const texts = alerts.map((a) => a.annotations?.description ?? '').join('\n');
    for (const rule of alerts) {
      const text = rule.annotations?.description ?? '';
      // A byte count or a ratio printed raw ({{ $value }} alone) is unreadable at 3 a.m.
      expect(text, `${rule.alert} prints $value unformatted`).not.toMatch(/\{\{\s*\$value\s*\}\}/);
    }
    expect(texts).toContain('humanizePercentage');
    expect(texts).toContain('humanize1024');
  });

  it('HuaweiCloudVaultFull is evaluated before HuaweiCloudVaultNearFull, which reads its ALERTS', () => {
    const group = ruleGroups('alerts.yml').find((g) => g.rules.some((r) => r.alert === 'HuaweiCloudVaultNearFull'));
    const order = group?.rules.map((r) => r.alert) ?? [];
    const nearFull = group?.rules.find((r) => r.alert === 'HuaweiCloudVaultNearFull') as Rule;
    expect(nearFull.expr).toContain('alertname="HuaweiCloudVaultFull"');
    expect(order.indexOf('HuaweiCloudVaultFull')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('HuaweiCloudVaultFull')).toBeLessThan(order.indexOf('HuaweiCloudVaultNearFull'));
  });

  it(`HuaweiCloudVaultExporterDown looks for the job ${JOB_NAME}, as prometheus.yml scrapes it`, () => {
    const down = alerts.find((a) => a.alert === 'HuaweiCloudVaultExporterDown') as Rule;
    expect(down.expr).toContain(`up{job="${JOB_NAME}"}`);
    expect(down.expr).toContain(`absent(up{job="${JOB_NAME}"})`);
    const config = readYaml<{ scrape_configs: Array<{ job_name: string }> }>('deploy/prometheus/prometheus.yml');
    expect(config.scrape_configs.map((s) => s.job_name)).toContain(JOB_NAME);
  });
});

describe('metric names in rules, alerts and their templates', () => {
  const rules: Rule[] = [...recordingRules(), ...alerts];

  it.each(rules.map((r) => [r.alert ?? r.record, r] as const))('%s reads only contracted or recorded metrics', (_name, rule) => {
    const texts = [rule.expr, ...Object.values(rule.annotations ?? {})].join('\n');
    const unknown = metricNames(texts).filter((name) => !known(name));
    expect(unknown).toEqual([]);
    for (const regex of nameRegexes(rule.expr)) {
      expect(CONTRACT_METRICS.some((m) => regex.test(m)), `${regex} matches no contracted metric`).toBe(true);
    }
  });

  it('recording rules are defined before they are read in their group', () => {
    for (const group of ruleGroups('rules.yml')) {
      const seen = new Set<string>();
      for (const rule of group.rules) {
        const later = metricNames(rule.expr).filter((n) => recorded.has(n) && !seen.has(n));
        expect(later, `${rule.record} reads rules recorded after it`).toEqual([]);
        seen.add(rule.record as string);
      }
    }
  });
});

describe('promtool unit tests (tests/*.yml)', () => {
  interface AlertTest {
    alertname: string;
    exp_alerts?: unknown[];
  }
  const files = ruleTestFiles();
  const cases = files.flatMap((file) => {
    const suite = readYaml<{ tests: Array<{ alert_rule_test?: AlertTest[] }> }>('deploy/prometheus', file);
    return suite.tests.flatMap((t) => t.alert_rule_test ?? []);
  });

  it.each([...ALERT_NAMES])('%s is tested both firing and not firing', (name) => {
    const mine = cases.filter((c) => c.alertname === name);
    expect(mine.some((c) => (c.exp_alerts?.length ?? 0) > 0), 'no firing case').toBe(true);
    expect(mine.some((c) => (c.exp_alerts?.length ?? 0) === 0), 'no silent case').toBe(true);
  });

  it('every test file loads the shipped rule files', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const suite = readYaml<{ rule_files: string[] }>('deploy/prometheus', file);
      expect(suite.rule_files.sort()).toEqual(['../alerts.yml', '../rules.yml']);
    }
  });
});

describe('runbooks page', () => {
  // The page is kept by hand; every alert's runbook anchor must resolve on it.
  it('has a heading for every alert', () => {
    const anchors = new Set(
      readText(RUNBOOK_PAGE)
        .split('\n')
        .filter((line) => /^#{1,6}\s/.test(line))
        .map((line) => line.replace(/^#+\s+/, '').trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')),
    );
    for (const name of ALERT_NAMES) expect(anchors, `no heading for ${name}`).toContain(name.toLowerCase());
  });
});
