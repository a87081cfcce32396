// promtool on the shipped files: syntax, the unit tests, and that the unit tests notice a broken rule.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROMETHEUS_DIR } from './helpers/paths.js';
import { ruleTestFiles } from './helpers/rules.js';
import { run, skipWithout } from './helpers/tools.js';

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
    const scratch = mkdtempSync(join(tmpdir(), 'hve-promtool-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    // Copies deploy/prometheus, replaces `from` by `to` in one file, runs the unit tests there.
    function testMutant(file: 'alerts.yml' | 'rules.yml', from: string | RegExp, to: string) {
      const dir = mkdtempSync(join(scratch, 'm-'));
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
      ['StatusAbnormal alerting on deleting', 'alerts.yml', 'status!~"available|deleting"', 'status!="available"'],
      ['Stale matching on every label but the pair\'s (blind to a target\'s own labels)', 'alerts.yml', '> on (job, instance) group_left', '> ignoring (source, project_id, region) group_left'],
      ['DiscoveryFailing without its hour', 'alerts.yml', /(HuaweiCloudVaultExporterDiscoveryFailing\n\s+expr: [^\n]+\n\s+for: )1h/, '$15m'],
    ] as const)('%s', (_what, file, from, to) => {
      const result = testMutant(file, from, to);
      expect(result.status, explain(result)).not.toBe(0);
      // Failed on an expectation (promtool prints exp/got), not on a rule that no longer loads.
      expect(explain(result)).toMatch(/got:/);
    });
  });
});
