// Writes prometheusrule.yaml: a PrometheusRule carrying the groups of deploy/prometheus/rules.yml
// and alerts.yml, unchanged. Run after editing either file: node deploy/kubernetes/generate-prometheusrule.mjs
// (test/deploy/kubernetes.test.ts fails while the two are out of sync).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const groupsOf = (file) => parse(readFileSync(here(`../prometheus/${file}`), 'utf8')).groups;

const rule = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'huaweicloud-vault-exporter' },
  spec: { groups: [...groupsOf('rules.yml'), ...groupsOf('alerts.yml')] },
};

const header =
  '# Generated from deploy/prometheus/rules.yml and alerts.yml by generate-prometheusrule.mjs: do not edit.\n' +
  '# Prometheus Operator. Your Prometheus may select rules by label (kube-prometheus-stack: release: <name>).\n';
writeFileSync(here('prometheusrule.yaml'), header + stringify(rule, { lineWidth: 0 }));
