import { readdirSync } from 'node:fs';
import { readYaml, PROMETHEUS_DIR, repositoryUrl } from './paths.js';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export const ruleGroups = (file: 'alerts.yml' | 'rules.yml'): RuleGroup[] =>
  readYaml<{ groups: RuleGroup[] }>('deploy/prometheus', file).groups;

export const alertRules = (): Rule[] => ruleGroups('alerts.yml').flatMap((g) => g.rules);
export const recordingRules = (): Rule[] => ruleGroups('rules.yml').flatMap((g) => g.rules);

/** The promtool unit test files, relative to deploy/prometheus. */
export const ruleTestFiles = (): string[] =>
  readdirSync(`${PROMETHEUS_DIR}/tests`)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => `tests/${f}`);

/** The runbooks page of the repository package.json names: where every alert's runbook_url must point. */
export const RUNBOOK_PAGE = 'docs/runbooks.md';
export const RUNBOOK_BASE = `${repositoryUrl()}/blob/main/${RUNBOOK_PAGE}`;
