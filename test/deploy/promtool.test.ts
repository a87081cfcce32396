// promtool on the shipped files: syntax, the unit tests, and that the unit tests notice a broken rule.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PROMETHEUS_DIR, readText } from './helpers/paths.js';
import { alertRules, ruleTestFiles } from './helpers/rules.js';
import { run } from '../helpers/process.js';
import { makeTempDir } from '../helpers/temp-dirs.js';
import { skipWithout } from './helpers/tools.js';

const promtool = (args: string[], cwd = PROMETHEUS_DIR) => run('promtool', args, { cwd, timeoutMs: 120_000 });
const explain = (r: { stdout: string; stderr: string }): string => `${r.stdout}\n${r.stderr}`;

describe.skipIf(skipWithout('promtool'))('promtool', () => {
  it('check rules: alerts.yml and rules.yml', () => {
    const result = promtool(['check', 'rules', 'alerts.yml', 'rules.yml']);
    expect(result.status, explain(result)).toBe(0);
  });

  it('check config: prometheus.yml and the rule files it loads', () => {
    const result = promtool(['check', 'config', 'prometheus.yml']);
    expect(result.status, explain(result)).toBe(0);
    expect(result.stdout).toContain('2 rule files found');
  });

  it('test rules: every unit test file passes', () => {
    const files = ruleTestFiles();
    expect(files.length).toBeGreaterThan(0);
    const result = promtool(['test', 'rules', ...files]);
    expect(result.status, explain(result)).toBe(0);
    expect(result.stdout.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  describe('the unit tests fail on a broken rule', () => {
    // Copies deploy/prometheus, replaces `from` by `to` in one file, runs the unit tests there.
    function testMutant(file: 'alerts.yml' | 'rules.yml', from: string | RegExp, to: string) {
      const dir = makeTempDir('promtool-mutant');
      cpSync(PROMETHEUS_DIR, dir, { recursive: true });
      const original = readFileSync(join(dir, file), 'utf8');
      const mutated = original.replace(from, to);
      expect(mutated, `mutation ${String(from)} did not apply`).not.toBe(original);
      writeFileSync(join(dir, file), mutated);
      return promtool(['test', 'rules', ...ruleTestFiles()], dir);
    }

    it.each([
      ['NearFull threshold 0.85 → 0.86', 'alerts.yml', '>= 0.85', '>= 0.86'],
      ['Full threshold 0.95 → 0.96', 'alerts.yml', 'huaweicloud:vault_used_ratio >= 0.95', 'huaweicloud:vault_used_ratio >= 0.96'],
      ['NearFull without the Full inhibition', 'alerts.yml', /unless on \(project_id, vault_id\)\s+ALERTS\{[^}]*\}/, ''],
      ['HSS values used for vaults CBR reports', 'rules.yml', /unless on \(project_id, vault_id\) huaweicloud:cbr_vault:reported/g, ''],
      ['FillingUp without the history requirement', 'alerts.yml', /\s+and on \(project_id, vault_id\) \(huaweicloud:vault_used_bytes offset 12h\)/, ''],
      ['FillingUp firing on full vaults', 'alerts.yml', 'huaweicloud:vault_used_ratio < 0.95', 'huaweicloud:vault_used_ratio < 2'],
      ['FillingUp for vaults that expand', 'alerts.yml', /\n\s+unless on \(project_id, vault_id\) \(huaweicloud_cbr_vault_info\{auto_expand="true"\}\)/, ''],
      ['StatusAbnormal alerting on deleting', 'alerts.yml', 'status!~"available|deleting"', 'status!="available"'],
      ['NearFull ignoring the vault\'s own threshold', 'alerts.yml', /huaweicloud:vault_used_ratio >= on \(project_id, vault_id\) group_left huaweicloud:vault_capacity_alarm_threshold_ratio\n\s+or\n\s+\(huaweicloud:vault_used_ratio >= 0.85 unless on \(project_id, vault_id\) huaweicloud:vault_capacity_alarm_threshold_ratio\)/, 'huaweicloud:vault_used_ratio >= 0.85'],
      ['Full paging for vaults that expand', 'alerts.yml', /huaweicloud:vault_used_ratio >= 0.95\n\s+unless on \(project_id, vault_id\) huaweicloud_cbr_vault_info\{auto_expand="true"\}/, 'huaweicloud:vault_used_ratio >= 0.95'],
      ['WillExpand missing vaults past 95 % below their own threshold', 'alerts.yml', /\n\s+or\n\s+huaweicloud:vault_used_ratio >= 0.95\n/, '\n'],
      ['ResourceUnprotected firing on an absent protect_status', 'alerts.yml', 'protect_status!~"available|"', 'protect_status!="available"'],
      ['ResourceUnprotected waiting less than a day', 'alerts.yml', /(huaweicloud_cbr_vault_resource_info\{protect_status!~"available\|"\}\)\n\s+for: )1d/, '$112h'],
      ['Stale matching on every label but the pair\'s (blind to a target\'s own labels)', 'alerts.yml', '> on (job, instance) group_left', '> ignoring (source, project_id, region) group_left'],
      ['DiscoveryFailing without its hour', 'alerts.yml', /(HuaweiCloudVaultExporterDiscoveryFailing\n\s+expr: [^\n]+\n\s+for: )1h/, '$15m'],
    ] as const)('%s', (_what, file, from, to) => {
      const result = testMutant(file, from, to);
      expect(result.status, explain(result)).not.toBe(0);
      // Failed on an expectation (promtool prints exp/got), not on a rule that no longer loads.
      expect(explain(result)).toMatch(/got:/);
    });
  });

  // docs/runbooks.md shows how to route HuaweiCloudVaultNearFull by tag_team: the snippet, with the shipped
  // expression put in, must load and give the alert its tag_team label.
  it("the runbook's group_left example routes HuaweiCloudVaultNearFull by tag_team", () => {
    const snippet = /\*\*Routing by tag\.\*\*[\s\S]*?```yaml\nexpr: \|\n([\s\S]*?)```/.exec(readText('docs/runbooks.md'))?.[1];
    expect(snippet, 'no expr snippet under "Routing by tag" in docs/runbooks.md').toBeDefined();
    const shipped = alertRules().find((r) => r.alert === 'HuaweiCloudVaultNearFull')!;
    const expr = snippet!.replace('<the shipped HuaweiCloudVaultNearFull expression>', shipped.expr.trim().replaceAll('\n', '\n    '));
    expect(expr).not.toContain('<');
    const dir = makeTempDir('promtool-routing');
    cpSync(PROMETHEUS_DIR, dir, { recursive: true });
    const routed = { ...shipped, alert: 'HuaweiCloudVaultNearFullByTeam', expr: expr.replace(/^ {2}/gm, ''), annotations: {} };
    writeFileSync(join(dir, 'routed.yml'), stringify({ groups: [{ name: 'routed', rules: [routed] }] }));
    const L = 'project_id="p1",region="ap-southeast-1"';
    const vault = (id: string, team: string | undefined) => [
      { series: `huaweicloud_cbr_vault_size_bytes{${L},vault_id="${id}",vault_name="${id}"}`, values: '100+0x30' },
      { series: `huaweicloud_cbr_vault_used_bytes{${L},vault_id="${id}",vault_name="${id}"}`, values: '90+0x30' },
      ...(team === undefined ? [] : [{ series: `huaweicloud_cbr_vault_tags{${L},vault_id="${id}",vault_name="${id}",tag_team="${team}",tag_env="prod"}`, values: '1+0x30' }]),
    ];
    const suite = {
      rule_files: ['rules.yml', 'alerts.yml', 'routed.yml'],
      group_eval_order: ['huaweicloud-vault.rules', 'huaweicloud-vault.alerts', 'routed'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [...vault('v-storage', 'storage'), ...vault('v-untagged', '')],
          alert_rule_test: [
            {
              eval_time: '20m',
              alertname: 'HuaweiCloudVaultNearFullByTeam',
              exp_alerts: [
                { exp_labels: { severity: 'warning', project_id: 'p1', region: 'ap-southeast-1', vault_id: 'v-storage', vault_name: 'v-storage', tag_team: 'storage' } },
                // An empty label is no label to Prometheus: the alert has none, and Alertmanager's tag_team="" matches it.
                { exp_labels: { severity: 'warning', project_id: 'p1', region: 'ap-southeast-1', vault_id: 'v-untagged', vault_name: 'v-untagged' } },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'routed.test.yml'), stringify(suite));
    const result = promtool(['test', 'rules', 'routed.test.yml'], dir);
    expect(result.status, explain(result)).toBe(0);
  });
});
