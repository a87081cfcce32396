/**
 * The clouds that run the CBR/HSS API family, and the hosts each one serves them on. This table is the
 * one place the default endpoints are written: config resolution, --config.check, the pair builder (via
 * the resolved config) and the documentation test all read it.
 */

import { SOURCES, type PerSource } from './sources.js';

/** URL patterns per source, and IAM's; `{region}` and `{domain}` are filled in. A source absent: the cloud does not publish it. */
export type HostPatterns = Partial<PerSource<string>> & { iam: string };

export interface CloudPreset {
  /** What the docs call it. */
  title: string;
  hosts: HostPatterns;
  /** Regions whose hosts differ from the pattern (only the differing APIs). */
  regions?: Readonly<Record<string, Partial<HostPatterns>>>;
  /** CBR takes `enterprise_project_id` here. */
  enterpriseProjects: boolean;
  /** Where IAM is regional: the region whose IAM host discovery asks for the account's projects. */
  iamRegion?: string;
  /** Why the hosts are what they are, for the docs. */
  note: string;
}

export const CLOUD_PRESETS = {
  huaweicloud: {
    title: 'Huawei Cloud, international and Chinese sites',
    hosts: {
      cbr: 'https://cbr.{region}.myhuaweicloud.com',
      hss: 'https://hss.{region}.myhuaweicloud.com',
      // Regions such as ap-southeast-5, cn-north-11, af-north-1 have no regional IAM; a token from the global
      // endpoint works in every region.
      iam: 'https://iam.myhuaweicloud.com',
    },
    regions: {
      // The EU site: its own domain. The SDKs disagree for CBR; .eu keeps the whole site on one domain
      // (HSS and IAM are .eu only), so one firewall or proxy rule covers it.
      'eu-west-101': {
        cbr: 'https://cbr.eu-west-101.myhuaweicloud.eu',
        hss: 'https://hss.eu-west-101.myhuaweicloud.eu',
        iam: 'https://iam.myhuaweicloud.eu',
      },
    },
    enterpriseProjects: true,
    note: 'global IAM (regional IAM does not exist in every region); the EU site `eu-west-101` is on `myhuaweicloud.eu`',
  },
  otc: {
    title: 'Open Telekom Cloud, T-Systems',
    hosts: { cbr: 'https://cbr.{region}.otc.t-systems.com', iam: 'https://iam.{region}.otc.t-systems.com' },
    regions: {
      'eu-ch2': { cbr: 'https://cbr.eu-ch2.sc.otc.t-systems.com', iam: 'https://iam-pub.eu-ch2.sc.otc.t-systems.com' },
    },
    enterpriseProjects: false,
    iamRegion: 'eu-de',
    note: 'no HSS ransomware vault list: `sources` defaults to `[cbr]`; the Swiss region `eu-ch2` is under `sc.otc.t-systems.com`',
  },
  cloudru: {
    title: 'Cloud.ru Advanced, formerly SberCloud',
    hosts: {
      cbr: 'https://cbr.{region}.hc.sbercloud.ru',
      hss: 'https://hss.{region}.hc.sbercloud.ru',
      iam: 'https://iam.{region}.hc.sbercloud.ru',
    },
    enterpriseProjects: false,
    iamRegion: 'ru-moscow-1',
    note: 'regional IAM',
  },
  flexibleengine: {
    title: 'Orange FlexibleEngine',
    hosts: {
      cbr: 'https://cbr.{region}.prod-cloud-ocb.orange-business.com',
      hss: 'https://hss.{region}.prod-cloud-ocb.orange-business.com',
      iam: 'https://iam.{region}.prod-cloud-ocb.orange-business.com',
    },
    enterpriseProjects: true,
    iamRegion: 'eu-west-0',
    note: 'regional IAM',
  },
} as const satisfies Record<string, CloudPreset>;

export type CloudName = keyof typeof CLOUD_PRESETS;
export const CLOUD_NAMES = Object.keys(CLOUD_PRESETS) as CloudName[];
export const DEFAULT_CLOUD: CloudName = 'huaweicloud';

/** Huawei Cloud Stack and other private stacks: hosts under the operator's own domain. */
export const STACK_HOSTS: PerSource<string> & { iam: string } = {
  cbr: 'https://cbr.{region}.{domain}',
  hss: 'https://hss.{region}.{domain}',
  iam: 'https://iam-apigateway-proxy.{domain}',
};

/** A `cloud:` value after validation: a preset, or a stack's domain (and IAM URL, when given). */
export type CloudSpec = { preset: CloudName } | { domain: string; iam?: string };

/** A target's endpoints: one per source its cloud publishes (or `endpoints:` names), and IAM. */
export type Endpoints = Partial<PerSource<string>> & { iam: string };

function fill(pattern: string, region: string, domain = ''): string {
  return pattern.replaceAll('{region}', region).replaceAll('{domain}', domain);
}

/** The default endpoints of `cloud` in `region`, before any `endpoints:` override. */
export function defaultEndpoints(cloud: CloudSpec, region: string): Endpoints {
  const stack = 'domain' in cloud;
  const patterns: HostPatterns = stack ? STACK_HOSTS : { ...CLOUD_PRESETS[cloud.preset].hosts, ...(CLOUD_PRESETS[cloud.preset] as CloudPreset).regions?.[region] };
  const domain = stack ? cloud.domain : '';
  const endpoints: Endpoints = { iam: stack && cloud.iam ? cloud.iam : fill(patterns.iam, region, domain) };
  for (const source of SOURCES) {
    const pattern = patterns[source];
    if (pattern) endpoints[source] = fill(pattern, region, domain);
  }
  return endpoints;
}

/**
 * The IAM host that lists an account's projects (discovery): the cloud's global IAM, or where IAM is regional, that
 * of the cloud's main region (the auth URL its SDKs and terraform default to); a stack's own; `override` wins.
 */
export function discoveryIamEndpoint(cloud: CloudSpec, override: string | undefined): string {
  if (override !== undefined) return override;
  const region = 'domain' in cloud ? '' : ((CLOUD_PRESETS[cloud.preset] as CloudPreset).iamRegion ?? '');
  return defaultEndpoints(cloud, region).iam;
}

export function cloudName(cloud: CloudSpec): string {
  return 'domain' in cloud ? `stack ${cloud.domain}` : cloud.preset;
}

/** Whether CBR on `cloud` takes enterprise_project_id (a stack: assumed, as Huawei Cloud does). */
export function takesEnterpriseProject(cloud: CloudSpec): boolean {
  return 'domain' in cloud || CLOUD_PRESETS[cloud.preset].enterpriseProjects;
}

/** The rows of the default-hosts table in docs/configuration.md, in Markdown (the docs test compares them). */
export function cloudTableMarkdown(): string {
  const code = (text: string | undefined) => (text ? `\`${text}\`` : 'none');
  const hostCells = (hosts: Partial<HostPatterns>, base: HostPatterns) => SOURCES.map((source) => code(hosts[source] ?? base[source])).join(' | ');
  const rows = [`| \`cloud:\` | ${SOURCES.map((source) => source.toUpperCase()).join(' | ')} | IAM | notes |`, `| --- |${' --- |'.repeat(SOURCES.length + 2)}`];
  for (const name of CLOUD_NAMES) {
    const preset: CloudPreset = CLOUD_PRESETS[name];
    rows.push(`| \`${name}\`: ${preset.title} | ${hostCells(preset.hosts, preset.hosts)} | ${code(preset.hosts.iam)} | ${preset.note} |`);
    for (const [region, hosts] of Object.entries(preset.regions ?? {})) {
      rows.push(`| ↳ region \`${region}\` | ${hostCells(hosts, preset.hosts)} | ${code(hosts.iam ?? preset.hosts.iam)} | |`);
    }
  }
  rows.push(`| \`{ domain: D, iam: URL }\`: Huawei Cloud Stack and other stacks | ${hostCells(STACK_HOSTS, STACK_HOSTS)} | the given \`iam\`, else ${code(STACK_HOSTS.iam)} | CBR takes \`enterprise_project_id\` |`);
  return rows.join('\n');
}
