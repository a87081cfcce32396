// Writes the two objects of the kustomize base that copy files kept elsewhere in deploy/ (kustomize loads
// no file from outside its folder), unchanged:
//   prometheusrule.yaml     a PrometheusRule with the groups of deploy/prometheus/rules.yml and alerts.yml
//   grafana-dashboard.yaml  a ConfigMap with deploy/grafana/huaweicloud-vaults.json, labelled for the
//                           Grafana sidecar of kube-prometheus-stack (grafana_dashboard: "1")
// Run after editing any of them: node deploy/kubernetes/generate.mjs
// (test/deploy/kubernetes.test.ts fails while they are out of sync).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const groupsOf = (file) => parse(readFileSync(here(`../prometheus/${file}`), 'utf8')).groups;
const write = (file, header, object) => writeFileSync(here(file), header + stringify(object, { lineWidth: 0 }));

write(
  'prometheusrule.yaml',
  '# Generated from deploy/prometheus/rules.yml and alerts.yml by generate.mjs: do not edit.\n' +
    '# Prometheus Operator. Your Prometheus may select rules by label (kube-prometheus-stack: release: <name>).\n',
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'huaweicloud-vault-exporter' },
    spec: { groups: [...groupsOf('rules.yml'), ...groupsOf('alerts.yml')] },
  },
);

write(
  'grafana-dashboard.yaml',
  '# Generated from deploy/grafana/huaweicloud-vaults.json by generate.mjs: do not edit.\n' +
    "# Grafana's dashboard sidecar (kube-prometheus-stack) loads ConfigMaps labelled grafana_dashboard: \"1\".\n",
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'huaweicloud-vault-exporter-dashboard', labels: { grafana_dashboard: '1' } },
    data: { 'huaweicloud-vaults.json': readFileSync(here('../grafana/huaweicloud-vaults.json'), 'utf8') },
  },
);
