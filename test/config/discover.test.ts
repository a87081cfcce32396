import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/config/auth.js';
import { regionAllowed, targetsOfProjects, type DiscoveredProject } from '../../src/config/discover.js';
import { validateConfig } from '../../src/config/load.js';
import { servesProject } from '../../src/config/shard.js';
import { targetList } from '../../src/config/target-list.js';
import { configErrorOf } from '../helpers/config-error.js';

const AUTH: AuthConfig = { kind: 'token', token: 't' };
const ACCOUNT = 'd78cbac186b744899480f25bd022f468';
const PROJECTS: DiscoveredProject[] = [
  { id: 'p-ap1', name: 'ap-southeast-1', parentId: ACCOUNT, enabled: true },
  { id: 'p-ap1-dev', name: 'ap-southeast-1_dev', parentId: 'p-ap1', enabled: true },
  { id: 'p-eu', name: 'eu-west-101', parentId: ACCOUNT, enabled: true },
  { id: 'p-cn4', name: 'cn-north-4', parentId: ACCOUNT, enabled: true },
  { id: 'p-ap3', name: 'ap-southeast-3', parentId: ACCOUNT, enabled: false },
  { id: 'p-mos', name: 'MOS', parentId: ACCOUNT, enabled: true },
  { id: 'p-orphan', name: 'la-south-2_batch', parentId: 'not-listed', enabled: true },
];

function entry(raw: Record<string, unknown>) {
  return validateConfig({ auth: { token: 't' }, discover: [raw] }, 'x').discover[0]!;
}

describe('discovered targets', () => {
  it('makes every enabled region project a target, sub-projects under their parent region, and skips the rest with a reason', () => {
    const { targets, skipped } = targetsOfProjects(entry({ labels: { account: 'prod' } }), AUTH, PROJECTS);
    expect(targets.map((t) => [t.project_id, t.region])).toEqual([
      ['p-ap1', 'ap-southeast-1'],
      ['p-ap1-dev', 'ap-southeast-1'],
      ['p-eu', 'eu-west-101'],
      ['p-cn4', 'cn-north-4'],
      ['p-orphan', 'la-south-2'],
    ]);
    expect(skipped.map((s) => [s.project.name, s.reason])).toEqual([['ap-southeast-3', 'disabled'], ['MOS', 'not_region']]);
    const dev = targets[1]!;
    expect(dev).toMatchObject({ labels: { account: 'prod' }, auth: AUTH, sources: ['cbr', 'hss'], discovered: { entry: 0, name: 'ap-southeast-1_dev' } });
    expect(dev.endpoints).toEqual({ cbr: 'https://cbr.ap-southeast-1.myhuaweicloud.com', hss: 'https://hss.ap-southeast-1.myhuaweicloud.com', iam: 'https://iam.myhuaweicloud.com' });
    // The EU site's own hosts, from the clouds table.
    expect(targets[2]!.endpoints.cbr).toBe('https://cbr.eu-west-101.myhuaweicloud.eu');
  });

  it('keeps only regions in regions: and not in exclude_regions:, globs included', () => {
    const { targets, skipped } = targetsOfProjects(entry({ regions: ['ap-*', 'eu-west-101'], exclude_regions: ['ap-southeast-1'] }), AUTH, PROJECTS);
    expect(targets.map((t) => t.project_id)).toEqual(['p-eu']);
    expect(skipped.filter((s) => s.reason === 'excluded_region').map((s) => s.project.id)).toEqual(['p-ap1', 'p-ap1-dev', 'p-cn4', 'p-orphan']);
    expect(regionAllowed({ regions: ['cn-north-?'], excludeRegions: [] }, 'cn-north-4')).toBe(true);
    expect(regionAllowed({ regions: ['cn-north-?'], excludeRegions: [] }, 'cn-north-11')).toBe(false);
    expect(regionAllowed({ excludeRegions: ['*'] }, 'ap-southeast-1')).toBe(false);
  });

  it('gives discovered targets the entry cloud, sources and endpoint overrides', () => {
    const otc = entry({ cloud: 'otc', endpoints: { iam: 'https://iam.example' } });
    const { targets } = targetsOfProjects(otc, AUTH, [{ id: 'o', name: 'eu-de', enabled: true }, { id: 'c', name: 'eu-ch2', enabled: true }]);
    expect(targets.map((t) => [t.sources, t.endpoints])).toEqual([
      [['cbr'], { cbr: 'https://cbr.eu-de.otc.t-systems.com', iam: 'https://iam.example' }],
      [['cbr'], { cbr: 'https://cbr.eu-ch2.sc.otc.t-systems.com', iam: 'https://iam.example' }],
    ]);
    const pinned = entry({ sources: ['cbr'], endpoints: { cbr: 'http://127.0.0.1:1' }, interval: '10m' });
    expect(pinned.intervalMs).toBe(600_000);
    expect(targetsOfProjects(pinned, AUTH, PROJECTS.slice(0, 1)).targets[0]).toMatchObject({ sources: ['cbr'], endpoints: { cbr: 'http://127.0.0.1:1' } });
  });

  it('checks a discover entry against its cloud as a target is checked', () => {
    expect(configErrorOf(() => validateConfig({ auth: { token: 't' }, discover: [{ cloud: 'otc', sources: ['hss'] }] }, 'x'))).toBe(
      'x: discover[0].sources: cloud otc publishes no HSS ransomware vault list: remove hss (or give endpoints.hss)',
    );
    expect(configErrorOf(() => validateConfig({ auth: { token: 't' }, discover: [{ regions: ['AP-*'] }] }, 'x'))).toBe(
      'x: discover[0].regions[0]: not a region name or glob such as ap-* or eu-west-101',
    );
    expect(configErrorOf(() => validateConfig({ auth: { token: 't' }, discover: [{ interval: '0s' }] }, 'x'))).toBe('x: discover[0].interval: must be longer than 0s');
    expect(configErrorOf(() => validateConfig({ auth: { token: 't' }, discover: [{ region: 'x' }] }, 'x'))).toBe('x: discover[0]: unknown key "region"');
    expect(entry({}).intervalMs).toBe(3_600_000);
  });
});

describe('the target list', () => {
  const config = validateConfig({ auth: { token: 'listed' }, targets: [{ project_id: 'p-ap1', region: 'ap-southeast-1' }] }, 'x');
  const listedAuths: AuthConfig[] = [{ kind: 'token', token: 'listed' }];
  const discovered = targetsOfProjects(entry({}), AUTH, PROJECTS).targets;

  it('lets targets: win over a discovered project, and the first discovery over a later one', () => {
    const again = targetsOfProjects({ ...entry({}), index: 1 }, { kind: 'token', token: 'other' }, PROJECTS.slice(2, 3)).targets;
    const list = targetList(config.targets, listedAuths, [...discovered, ...again], { index: 0, total: 1 });
    expect(list.targets.map((t) => t.project_id)).toEqual(['p-ap1', 'p-ap1-dev', 'p-eu', 'p-cn4', 'p-orphan']);
    expect(list.auths.map((a) => (a as { token: string }).token)).toEqual(['listed', 't', 't', 't', 't']);
    expect(list.duplicates.map((d) => [d.target.project_id, d.listedBy])).toEqual([['p-ap1', 'targets[0]'], ['p-eu', 'discover[0]']]);
    expect(list.all).toEqual({ static: 1, discovered: 4 });
  });

  it('serves one shard of every target, and the shards together serve each exactly once', () => {
    const lists = [0, 1].map((index) => targetList(config.targets, listedAuths, discovered, { index, total: 2 }));
    const served = lists.flatMap((list) => list.targets.map((t) => t.project_id));
    expect(served.sort()).toEqual(['p-ap1', 'p-ap1-dev', 'p-cn4', 'p-eu', 'p-orphan']);
    for (const [index, list] of lists.entries()) {
      expect(list.targets.every((t) => servesProject({ index, total: 2 }, t.project_id))).toBe(true);
      expect(list.all).toEqual({ static: 1, discovered: 4 });
    }
    expect(lists[0]!.served.static + lists[1]!.served.static).toBe(1);
  });
});
