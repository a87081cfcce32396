import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configErrorOf } from '../helpers/config-error.js';
import { CLOUD_NAMES, cloudTableMarkdown, defaultEndpoints } from '../../src/config/clouds.js';
import { validateConfig } from '../../src/config/load.js';
import { describeEndpoints } from '../../src/config/targets.js';

/** Issue #10: each cloud's real hosts, from one table, and the config errors that follow from them. */

const auth = { token: 't' };
const config = (extra: object) => validateConfig({ auth, ...extra }, 'x.yaml');
const errorOf = configErrorOf;

describe('default endpoints per cloud', () => {
  it.each([
    ['huaweicloud', 'ap-southeast-1', { cbr: 'https://cbr.ap-southeast-1.myhuaweicloud.com', hss: 'https://hss.ap-southeast-1.myhuaweicloud.com', iam: 'https://iam.myhuaweicloud.com' }],
    // Regions without a regional IAM: the global one serves them.
    ['huaweicloud', 'ap-southeast-5', { cbr: 'https://cbr.ap-southeast-5.myhuaweicloud.com', hss: 'https://hss.ap-southeast-5.myhuaweicloud.com', iam: 'https://iam.myhuaweicloud.com' }],
    ['huaweicloud', 'eu-west-101', { cbr: 'https://cbr.eu-west-101.myhuaweicloud.eu', hss: 'https://hss.eu-west-101.myhuaweicloud.eu', iam: 'https://iam.myhuaweicloud.eu' }],
    ['otc', 'eu-de', { cbr: 'https://cbr.eu-de.otc.t-systems.com', iam: 'https://iam.eu-de.otc.t-systems.com' }],
    ['otc', 'eu-ch2', { cbr: 'https://cbr.eu-ch2.sc.otc.t-systems.com', iam: 'https://iam-pub.eu-ch2.sc.otc.t-systems.com' }],
    ['cloudru', 'ru-moscow-1', { cbr: 'https://cbr.ru-moscow-1.hc.sbercloud.ru', hss: 'https://hss.ru-moscow-1.hc.sbercloud.ru', iam: 'https://iam.ru-moscow-1.hc.sbercloud.ru' }],
    ['flexibleengine', 'eu-west-0', { cbr: 'https://cbr.eu-west-0.prod-cloud-ocb.orange-business.com', hss: 'https://hss.eu-west-0.prod-cloud-ocb.orange-business.com', iam: 'https://iam.eu-west-0.prod-cloud-ocb.orange-business.com' }],
  ] as const)('%s in %s', (cloud, region, expected) => {
    const [resolved] = config({ cloud, targets: [{ project_id: 'p', region }] }).targets;
    expect(resolved!.endpoints).toEqual(expected);
    expect(resolved!.sources).toEqual('hss' in expected ? ['cbr', 'hss'] : ['cbr']);
  });

  it('builds a stack\'s hosts from its domain, with the IAM URL given or the stack default', () => {
    const { targets } = config({
      cloud: { domain: 'hcs.example.com:8443', iam: 'https://iam.hcs.example.com:31943' },
      targets: [{ project_id: 'p', region: 'region-a' }, { project_id: 'q', region: 'region-b', cloud: { domain: 'other.example' } }],
    });
    expect(targets[0]!.endpoints).toEqual({ cbr: 'https://cbr.region-a.hcs.example.com:8443', hss: 'https://hss.region-a.hcs.example.com:8443', iam: 'https://iam.hcs.example.com:31943' });
    expect(targets[1]!.endpoints).toEqual({ cbr: 'https://cbr.region-b.other.example', hss: 'https://hss.region-b.other.example', iam: 'https://iam-apigateway-proxy.other.example' });
  });

  it('lets endpoints: override any host of any cloud, and a target\'s cloud: win over the top level', () => {
    const { targets } = config({
      cloud: 'otc',
      targets: [
        { project_id: 'p', region: 'eu-de', endpoints: { cbr: 'https://cbr.private.example/' } },
        { project_id: 'p', region: 'eu-de', cloud: 'huaweicloud', sources: ['hss'] },
      ],
    });
    expect(targets[0]!.endpoints).toEqual({ cbr: 'https://cbr.private.example', iam: 'https://iam.eu-de.otc.t-systems.com' });
    expect(targets[1]!.endpoints.hss).toBe('https://hss.eu-de.myhuaweicloud.com');
  });

  it('prints the endpoints each target uses, IAM only where it logs in with a password', () => {
    const parsed = config({
      targets: [
        { project_id: 'p', region: 'eu-west-101', enterprise_project_id: 'all_granted_eps' },
        { project_id: 'q', region: 'eu-de', cloud: 'otc', auth: { iam: { domain_name: 'd', user_name: 'u', password: 'pw' } } },
      ],
    });
    const auths = parsed.targets.map((t) => t.auth ?? { kind: 'token' as const, token: 't' });
    expect(describeEndpoints(parsed.targets, auths)).toEqual([
      'targets[0]: project p in eu-west-101 on huaweicloud, enterprise project all_granted_eps: cbr https://cbr.eu-west-101.myhuaweicloud.eu, hss https://hss.eu-west-101.myhuaweicloud.eu',
      'targets[1]: project q in eu-de on otc: cbr https://cbr.eu-de.otc.t-systems.com, iam https://iam.eu-de.otc.t-systems.com',
    ]);
  });
});

describe('what the clouds table rules out', () => {
  it('refuses hss on a cloud without the HSS vault list, unless an endpoint is given', () => {
    expect(errorOf(() => config({ cloud: 'otc', targets: [{ project_id: 'p', region: 'eu-de', sources: ['cbr', 'hss'] }] }))).toBe(
      'x.yaml: targets[0].sources: cloud otc publishes no HSS ransomware vault list: remove hss (or give endpoints.hss)',
    );
    expect(config({ cloud: 'otc', targets: [{ project_id: 'p', region: 'eu-de', sources: ['hss'], endpoints: { hss: 'https://hss.example' } }] }).targets[0]!.sources).toEqual(['hss']);
  });

  it('refuses enterprise_project_id where CBR takes none', () => {
    expect(errorOf(() => config({ targets: [{ project_id: 'p', region: 'eu-de', cloud: 'otc', enterprise_project_id: '0' }] }))).toBe(
      'x.yaml: targets[0].enterprise_project_id: CBR on cloud otc takes no enterprise_project_id',
    );
    expect(errorOf(() => config({ targets: [{ project_id: 'p', region: 'r', enterprise_project_id: 'a b' }] }))).toMatch(/enterprise_project_id: not an enterprise project id/);
  });

  it('refuses two targets that would list the same source of the same project and region', () => {
    const twice = { targets: [{ project_id: 'p', region: 'ap-southeast-1' }, { project_id: 'p', region: 'ap-southeast-1', auth: { token: 'other' } }] };
    expect(errorOf(() => config(twice))).toBe(
      'x.yaml: targets[1]: repeats targets[0]: cbr of project p in ap-southeast-1 is listed twice (its series would appear twice) (and 1 more)',
    );
    // Split by source, or in another region: fine.
    expect(config({ targets: [{ project_id: 'p', region: 'r1', sources: ['cbr'] }, { project_id: 'p', region: 'r1', sources: ['hss'] }, { project_id: 'p', region: 'r2' }] }).targets).toHaveLength(3);
  });

  it('refuses an unknown cloud, naming the choices', () => {
    expect(errorOf(() => config({ cloud: 'aws', targets: [{ project_id: 'p', region: 'r' }] }))).toBe(
      `x.yaml: cloud: not one of ${CLOUD_NAMES.join(', ')}, nor { domain, iam } for Huawei Cloud Stack`,
    );
  });

  it('reads refresh.body_size_limit as Prometheus sizes', () => {
    const limit = (value: unknown) => config({ refresh: { body_size_limit: value }, targets: [{ project_id: 'p', region: 'r' }] }).refresh.body_size_limit;
    expect(config({ targets: [{ project_id: 'p', region: 'r' }] }).refresh.body_size_limit).toBe(32 * 2 ** 20);
    expect(limit('64MB')).toBe(64 * 2 ** 20);
    expect(limit('512KiB')).toBe(512 * 1024);
    expect(limit(4096)).toBe(4096);
    expect(errorOf(() => limit('lots'))).toMatch(/refresh\.body_size_limit: not a size of at least 1KiB/);
  });
});

describe('the docs', () => {
  it('show the default hosts table exactly as the code has it', () => {
    const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(docs).toContain(cloudTableMarkdown());
    // Every preset row is in the table.
    for (const name of CLOUD_NAMES) expect(cloudTableMarkdown()).toContain(`| \`${name}\`: `);
    expect(defaultEndpoints({ preset: 'huaweicloud' }, 'eu-west-101').cbr).toBe('https://cbr.eu-west-101.myhuaweicloud.eu');
  });
});
