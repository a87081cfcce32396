// The kustomize base renders, every object is valid, and the objects fit together.
import { PrometheusRule, type IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor, type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { beforeAll, describe, expect, it } from 'vitest';
import { JOB_NAME } from './helpers/contract.js';
import { renderBase, type KubeObject } from './helpers/kustomize.js';
import { packageVersion, readText, readYaml } from './helpers/paths.js';
import { ruleGroups, type RuleGroup } from './helpers/rules.js';
import { skipWithout } from './helpers/tools.js';

const CONFIG_KEY = 'config.yml';

/** Prometheus duration → seconds (the forms a ServiceMonitor uses). */
function seconds(duration: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

const subset = (inner: Record<string, string> = {}, outer: Record<string, string> = {}): boolean =>
  Object.keys(inner).length > 0 && Object.entries(inner).every(([k, v]) => outer[k] === v);

describe.skipIf(skipWithout('kubectl'))('kubectl kustomize deploy/kubernetes', () => {
  let objects: KubeObject[];
  const one = <T>(kind: string): T => {
    const found = objects.filter((o) => o.kind === kind);
    expect(found, `expected one ${kind}`).toHaveLength(1);
    return found[0] as T;
  };
  beforeAll(() => {
    objects = renderBase();
  });

  it('renders a Deployment, Service, two ConfigMaps (config, dashboard), ServiceMonitor and PrometheusRule', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'PrometheusRule', 'Service', 'ServiceMonitor']);
  });

  it('every object passes its schema (Kubernetes, and the Prometheus Operator CRDs)', () => {
    new Deployment(one<IDeployment>('Deployment')).validate();
    new Service(one<IService>('Service')).validate();
    for (const configMap of objects.filter((o) => o.kind === 'ConfigMap')) new ConfigMap(configMap).validate();
    new ServiceMonitor(one<IServiceMonitor>('ServiceMonitor')).validate();
    new PrometheusRule(one<IPrometheusRule>('PrometheusRule')).validate();
  });

  it('the schemas catch a broken ServiceMonitor and PrometheusRule (so the check above means something)', () => {
    const monitor = one<IServiceMonitor>('ServiceMonitor');
    expect(() => new ServiceMonitor({ ...monitor, spec: { ...monitor.spec, endpoints: [{ port: 'http', interval: 'every minute' }] } }).validate()).toThrow();
    const rule = one<IPrometheusRule>('PrometheusRule');
    expect(() => new PrometheusRule({ ...rule, spec: { groups: [{ name: 'g', rules: [{ alert: 'A' }] }] } } as unknown as IPrometheusRule).validate()).toThrow();
  });

  it('ships the Grafana dashboard as a ConfigMap labelled grafana_dashboard: "1", the same JSON as deploy/grafana', () => {
    const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1') as IConfigMap[];
    expect(dashboards).toHaveLength(1);
    expect(
      dashboards[0]?.data?.['huaweicloud-vaults.json'],
      'out of sync: run node deploy/kubernetes/generate.mjs',
    ).toBe(readText('deploy/grafana/huaweicloud-vaults.json'));
  });

  describe('Deployment', () => {
    const pod = () => one<IDeployment>('Deployment').spec?.template;
    const container = () => {
      const containers = pod()?.spec?.containers ?? [];
      expect(containers).toHaveLength(1);
      return containers[0]!;
    };

    it('runs as a non-root user with a read-only root filesystem and no privilege escalation', () => {
      const podSecurity = pod()?.spec?.securityContext;
      expect(podSecurity?.runAsNonRoot).toBe(true);
      expect(podSecurity?.runAsUser).toBeGreaterThan(0);
      expect(container().securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(container().securityContext?.allowPrivilegeEscalation).toBe(false);
      expect(container().securityContext?.capabilities?.drop).toContain('ALL');
    });

    it('requests and limits CPU and memory', () => {
      const { requests, limits } = container().resources ?? {};
      for (const resources of [requests, limits]) {
        expect(resources?.cpu).toBeTruthy();
        expect(resources?.memory).toBeTruthy();
      }
    });

    it('probes /-/healthy (liveness) and /-/ready (readiness) on the listening port', () => {
      const ports = container().ports ?? [];
      const listen = container().args?.find((a) => a.startsWith('--web.listen-address='));
      const listenPort = Number(listen?.split(':').pop() ?? '9797');
      for (const [probe, path] of [[container().livenessProbe, '/-/healthy'], [container().readinessProbe, '/-/ready']] as const) {
        expect(probe?.httpGet?.path).toBe(path);
        const port = ports.find((p) => p.name === probe?.httpGet?.port || p.containerPort === probe?.httpGet?.port);
        expect(port?.containerPort, `${path} probes an unknown port`).toBe(listenPort);
      }
    });

    it('reads --config.file from the generated ConfigMap', () => {
      const configFile = container().args?.find((a) => a.startsWith('--config.file='))?.slice('--config.file='.length);
      const mount = container().volumeMounts?.find((m) => configFile?.startsWith(`${m.mountPath}/`));
      expect(mount, `no volume mounted at ${configFile}`).toBeDefined();
      const volume = pod()?.spec?.volumes?.find((v) => v.name === mount?.name);
      const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume?.configMap?.name) as IConfigMap | undefined;
      expect(configMap, `no ConfigMap ${volume?.configMap?.name}`).toBeDefined();
      expect(configMap?.metadata?.name).toMatch(/^huaweicloud-vault-exporter-config-/);
      expect(configFile).toBe(`${mount?.mountPath}/${CONFIG_KEY}`);
      expect(configMap?.data?.[CONFIG_KEY]).toBe(readText('deploy/kubernetes', CONFIG_KEY));
    });

    it('takes HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK from the example Secret', () => {
      const secret = readYaml<ISecret>('deploy/kubernetes/secret.example.yaml');
      new Secret(secret).validate();
      for (const name of ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK']) {
        const ref = container().env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
        expect(ref?.name, name).toBe(secret.metadata?.name);
        expect(Object.keys(secret.stringData ?? {}), name).toContain(ref?.key);
      }
      // The example's placeholder values must never be applied by `kubectl apply -k`.
      expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    });

    it(`runs the image tag of this release (${packageVersion()})`, () => {
      expect(container().image?.split(':').pop()).toBe(packageVersion());
    });
  });

  it('the Service selects the pods and targets the container port', () => {
    const service = one<IService>('Service');
    const podSpec = one<IDeployment>('Deployment').spec?.template;
    expect(subset(service.spec?.selector, podSpec?.metadata?.labels)).toBe(true);
    const names = (podSpec?.spec?.containers[0]?.ports ?? []).map((p) => p.name);
    for (const port of service.spec?.ports ?? []) expect(names).toContain(port.targetPort);
  });

  it('the ServiceMonitor selects the Service, scrapes /metrics and labels the job for the alerts', () => {
    const monitor = one<KubeObject>('ServiceMonitor') as KubeObject & {
      spec: {
        selector: { matchLabels: Record<string, string> };
        endpoints: Array<{ port: string; path: string; interval: string; scrapeTimeout: string; relabelings?: Array<Record<string, string>> }>;
      };
    };
    const service = one<IService>('Service');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(subset(monitor.spec.selector.matchLabels, service.metadata?.labels)).toBe(true);
    expect(monitor.spec.endpoints.length).toBeGreaterThan(0);
    for (const endpoint of monitor.spec.endpoints) {
      expect((service.spec?.ports ?? []).map((p) => p.name)).toContain(endpoint.port);
      expect(endpoint.path).toBe('/metrics');
      expect(seconds(endpoint.scrapeTimeout)).toBeLessThan(seconds(endpoint.interval));
      const jobRelabel = endpoint.relabelings?.find((r) => r.targetLabel === 'job');
      expect(jobRelabel?.replacement).toBe(JOB_NAME);
    }
  });

  it('the PrometheusRule carries exactly the groups of rules.yml and alerts.yml', () => {
    const rule = one<KubeObject>('PrometheusRule') as KubeObject & { spec: { groups: RuleGroup[] } };
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    for (const group of rule.spec.groups) {
      expect(typeof group.name).toBe('string');
      for (const r of group.rules) expect(typeof (r.alert ?? r.record)).toBe('string');
    }
    const byName = (a: RuleGroup, b: RuleGroup) => a.name.localeCompare(b.name);
    const shipped = [...ruleGroups('rules.yml'), ...ruleGroups('alerts.yml')].sort(byName);
    expect(
      [...rule.spec.groups].sort(byName),
      'out of sync: run node deploy/kubernetes/generate.mjs',
    ).toEqual(shipped);
  });
});
