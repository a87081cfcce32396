// The sharded kustomize variant renders, its StatefulSet is valid, and each pod's ordinal becomes its shard.
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { type IService } from 'kubernetes-models/v1/Service';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../../src/config/load.js';
import { parseFlags } from '../../src/flags.js';
import { oneOf, renderBase, type KubeObject } from './helpers/kustomize.js';
import { readText, repo } from './helpers/paths.js';
import { skipWithout } from './helpers/tools.js';

describe.skipIf(skipWithout('kubectl'))('kubectl kustomize deploy/kubernetes-sharded', () => {
  let objects: KubeObject[];
  const one = <T>(kind: string): T => oneOf<T>(objects, kind);
  beforeAll(() => {
    objects = renderBase(repo('deploy/kubernetes-sharded'));
  });

  it('turns the base Deployment into a StatefulSet, keeping the Service, ConfigMaps (config, dashboard) and Operator objects', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'PrometheusRule', 'Service', 'ServiceMonitor', 'StatefulSet']);
    new StatefulSet(one<IStatefulSet>('StatefulSet')).validate();
  });

  it('gives each pod its ordinal as --shard index, over as many shards as replicas', () => {
    const set = one<IStatefulSet>('StatefulSet');
    const container = set.spec?.template.spec?.containers[0];
    const arg = container?.args?.find((a) => a.startsWith('--shard='));
    expect(arg).toMatch(/^--shard=\$\(SHARD_INDEX\)\/\d+$/);
    const env = container?.env?.find((e) => e.name === 'SHARD_INDEX');
    expect(env?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['apps.kubernetes.io/pod-index']");
    const replicas = set.spec?.replicas ?? 1;
    expect(replicas).toBeGreaterThan(1);
    expect(arg?.endsWith(`/${replicas}`), `--shard's count is not replicas (${replicas})`).toBe(true);
    // Every ordinal Kubernetes will give makes a --shard the exporter takes.
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      expect(parseFlags([arg!.replace('$(SHARD_INDEX)', String(ordinal))]).shard).toEqual({ index: ordinal, total: replicas });
    }
    expect(set.spec?.podManagementPolicy).toBe('Parallel');
  });

  it('is governed by the Service that selects its pods (and that the ServiceMonitor scrapes, pod by pod)', () => {
    const set = one<IStatefulSet>('StatefulSet');
    const service = one<IService>('Service');
    expect(set.spec?.serviceName).toBe(service.metadata?.name);
    const labels = set.spec?.template.metadata?.labels ?? {};
    expect(Object.entries(service.spec?.selector ?? {}).every(([k, v]) => labels[k] === v)).toBe(true);
    expect(set.spec?.selector.matchLabels).toEqual(service.spec?.selector);
  });

  it('mounts a config that discovers the projects, and passes the exporter\'s own validation', () => {
    const set = one<IStatefulSet>('StatefulSet');
    const volume = set.spec?.template.spec?.volumes?.find((v) => v.configMap?.name?.startsWith('huaweicloud-vault-exporter-config'));
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume?.configMap?.name) as IConfigMap | undefined;
    expect(configMap, 'the ConfigMap the pods mount').toBeDefined();
    expect(configMap?.data?.['config.yml']).toBe(readText('deploy/kubernetes-sharded', 'config.yml'));
    const config = validateConfig(parseYaml(configMap!.data!['config.yml']!), 'config.yml');
    expect(config.discover.length).toBeGreaterThan(0);
    expect(config.targets).toEqual([]);
  });
});

