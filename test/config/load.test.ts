import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configErrorOf } from '../helpers/config-error.js';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { authForTargets } from '../../src/config/target-auth.js';
import { makeTempDir } from '../helpers/temp-dirs.js';

const dir = makeTempDir('config');
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const GOOD = `
refresh:
  schedule: "*/5 * * * *"
  timeout: 2m
auth:
  token: "secret-token"
targets:
  - project_id: "0605767b5780d5762fc5c0118072a564"
    region: "ap-southeast-1"
    sources: [cbr, hss]
    endpoints:
      cbr: "https://cbr.ap-southeast-1.myhuaweicloud.com"
      hss: "https://hss.ap-southeast-1.myhuaweicloud.com/"
`;

const errorOf = configErrorOf;

const target = { project_id: 'p', region: 'ap-southeast-1' };

describe('config file', () => {
  it('reads the documented example, with defaults filled in', () => {
    const config = loadConfig(file('good.yaml', GOOD));
    expect(config.refresh).toMatchObject({ schedule: '*/5 * * * *', timeout: 120_000, concurrency: 4, max_retries: 3 });
    expect(config.targets[0]).toMatchObject({ sources: ['cbr', 'hss'], endpoints: { hss: 'https://hss.ap-southeast-1.myhuaweicloud.com' } });
    expect(config.auth).toEqual({ kind: 'token', token: 'secret-token' });
  });

  it('defaults schedule, timeout and sources', () => {
    const config = validateConfig({ auth: { token: 't' }, targets: [target] }, 'x');
    expect(config.refresh.schedule).toBe('*/5 * * * *');
    expect(config.targets[0]!.sources).toEqual(['cbr', 'hss']);
  });

  it('exports nothing beyond the base contract unless export: says so', () => {
    expect(validateConfig({ auth: { token: 't' }, targets: [target] }, 'x').export).toEqual({ tags: [], resources: false });
    expect(validateConfig({ auth: { token: 't' }, targets: [target], export: {} }, 'x').export).toEqual({ tags: [], resources: false });
    const config = validateConfig({ auth: { token: 't' }, targets: [target], export: { tags: ['env', 'cost-center', '环境'], resources: true } }, 'x');
    expect(config.export).toEqual({ tags: ['env', 'cost-center', '环境'], resources: true });
  });

  it.each([
    ['an unknown top-level key', { auth: { token: 't' }, targets: [target], refesh: {} }, 'x: unknown key "refesh"'],
    ['an unknown nested key', { auth: { token: 't' }, targets: [{ ...target, project: 'p' }] }, 'x: targets[0]: unknown key "project"'],
    ['a wrong type', { auth: { token: 't' }, targets: [{ ...target, project_id: 42 }] }, 'x: targets[0].project_id: Invalid input: expected string, received number'],
    ['a bad cron expression', { refresh: { schedule: '61 * * * *' }, auth: { token: 't' }, targets: [target] }, 'x: refresh.schedule: not a valid cron expression'],
    ['a cron expression with 4 fields', { refresh: { schedule: '* * * *' }, auth: { token: 't' }, targets: [target] }, 'x: refresh.schedule: not a valid cron expression'],
    ['a bad duration', { refresh: { timeout: '2 minutes' }, auth: { token: 't' }, targets: [target] }, 'x: refresh.timeout: not a Prometheus duration'],
    ['no targets', { auth: { token: 't' }, targets: [] }, 'x: targets: needs at least one target'],
    ['neither targets nor discover', { auth: { token: 't' } }, 'x: targets: needs at least one target, or a discover: entry'],
    ['an unknown source', { auth: { token: 't' }, targets: [{ ...target, sources: ['evs'] }] }, 'x: targets[0].sources[0]: Invalid option: expected one of "cbr"|"hss"'],
    ['a source listed twice', { auth: { token: 't' }, targets: [{ ...target, sources: ['cbr', 'cbr'] }] }, 'x: targets[0].sources: lists a source twice'],
    ['an endpoint that is not a URL', { auth: { token: 't' }, targets: [{ ...target, endpoints: { cbr: 'cbr.example' } }] }, 'x: targets[0].endpoints.cbr: not an http(s) URL'],
    ['concurrency 0', { refresh: { concurrency: 0 }, auth: { token: 't' }, targets: [target] }, 'x: refresh.concurrency: Too small'],
    ['an unknown export key', { auth: { token: 't' }, targets: [target], export: { labels: ['env'] } }, 'x: export: unknown key "labels"'],
    ['export.tags not a list', { auth: { token: 't' }, targets: [target], export: { tags: 'env' } }, 'x: export.tags: Invalid input: expected array, received string'],
    ['a tag key listed twice', { auth: { token: 't' }, targets: [target], export: { tags: ['env', 'team', 'env'] } }, 'x: export.tags: lists a tag key twice'],
    ['an empty tag key', { auth: { token: 't' }, targets: [target], export: { tags: [''] } }, 'x: export.tags[0]: an empty tag key matches no tag'],
    ['a tag key with surrounding spaces', { auth: { token: 't' }, targets: [target], export: { tags: ['env', ' team'] } }, 'x: export.tags[1]: not a tag key (no surrounding spaces or control characters)'],
    ['export.resources not a boolean', { auth: { token: 't' }, targets: [target], export: { resources: 'yes' } }, 'x: export.resources: Invalid input: expected boolean, received string'],
  ])('rejects %s with one line naming the key', (_name, raw, message) => {
    const error = errorOf(() => validateConfig(raw, 'x'));
    expect(error.startsWith(message)).toBe(true);
    expect(error).not.toContain('\n');
  });

  it('rejects a target without any credentials, naming the variables that would do', () => {
    const config = validateConfig({ targets: [target] }, 'x');
    expect(errorOf(() => authForTargets(config, {}, 'x'))).toBe(
      'x: targets[0]: no credentials: set auth (globally or on the target) or the HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK environment variables',
    );
    expect(authForTargets(config, { HUAWEICLOUD_SDK_AK: 'ak', HUAWEICLOUD_SDK_SK: 'sk' }, 'x')[0]).toMatchObject({ kind: 'access_key' });
  });

  it('lets a target override the global credentials', () => {
    const config = validateConfig({ auth: { token: 'global' }, targets: [target, { ...target, project_id: 'q', auth: { token: 'own' } }] }, 'x');
    expect(authForTargets(config, {}, 'x')).toEqual([{ kind: 'token', token: 'global' }, { kind: 'token', token: 'own' }]);
  });

  it('reports a missing file, bad YAML and an empty file in one line', () => {
    expect(errorOf(() => loadConfig(join(dir, 'absent.yaml')))).toMatch(/absent\.yaml: cannot read the config file \(ENOENT\)$/);
    expect(errorOf(() => loadConfig(file('bad.yaml', 'targets: [\n  - project_id: "x\n')))).toMatch(/bad\.yaml: not valid YAML: line 3, column 1: Missing closing "quote$/);
    expect(errorOf(() => loadConfig(file('empty.yaml', '')))).toMatch(/empty\.yaml: the file is empty$/);
  });

  it('never puts a secret into an error message', () => {
    const error = errorOf(() => validateConfig({ auth: { token: 'hunter2-secret', token_file: '/x' }, targets: [target] }, 'x'));
    expect(error).not.toContain('hunter2-secret');
  });
});
