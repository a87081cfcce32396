import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { withCredentials } from '../../src/config/target-auth.js';
import { loadConfigOffThread } from '../../src/daemon/config-thread.js';
import { makeTempDir, writeTempFile as file } from '../helpers/temp-dirs.js';

/** Every kind of value the schema makes: durations, sizes, cloud specs, labels, credentials of each mode, discovery, shard, export. */
const RICH = `
refresh:
  schedule: "*/30 * * * * *"
  timeout: 90s
  request_timeout: 5s
  max_retries: 2
  concurrency: 3
  body_size_limit: 16MiB
cloud: { domain: stack.example.com, iam: "https://iam.stack.example.com" }
tls: { ca_file: /etc/ssl/certs/ca.pem }
targets:
  - project_id: "0605767b5780d5762fc5c0118072a564"
    region: "ap-southeast-1"
    cloud: huaweicloud
    sources: [cbr]
    labels: { team: "存储", env: prod }
    auth: { access_key_file: /run/ak, secret_key_file: /run/sk, security_token: tok }
  - project_id: "1605767b5780d5762fc5c0118072a564"
    region: "eu-west-101"
    endpoints: { cbr: "http://127.0.0.1:1/", hss: "http://127.0.0.1:2" }
    auth: { iam: { domain_name: d, user_name: u, password_file: /run/pw } }
discover:
  - auth: { token_file: /run/token }
    regions: ["ap-*"]
    exclude_regions: ["cn-*"]
    labels: { account: prod }
    interval: 30m
shard: { index: 1, total: 3 }
export: { tags: [env, "环境"], resources: true }
`;

const SDK_KEYS = ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'];
const saved = SDK_KEYS.map((key) => process.env[key]);
afterEach(() => {
  SDK_KEYS.forEach((key, i) => {
    if (saved[i] === undefined) delete process.env[key];
    else process.env[key] = saved[i];
  });
});

describe('loadConfigOffThread', () => {
  it('gives what loading on this thread gives, for every kind of value the schema makes', async () => {
    const path = file('rich.yml', RICH);
    const here = withCredentials(loadConfig(path), process.env, path);
    const there = await loadConfigOffThread(path);
    expect(there).toEqual(here);
    expect(there.config.shard).toEqual({ index: 1, total: 3 });
    expect(there.config.refresh.timeout).toBe(90_000);
    expect(there.config.targets[0]?.labels).toEqual({ team: '存储', env: 'prod' });
  });

  it('reads the environment as it is at the call (the credentials of targets without auth)', async () => {
    const path = file('env.yml', 'targets: [{ project_id: p, region: ap-southeast-1 }]\n');
    process.env.HUAWEICLOUD_SDK_AK = 'AK-NOW';
    process.env.HUAWEICLOUD_SDK_SK = 'SK-NOW';
    const loaded = await loadConfigOffThread(path);
    expect(loaded.auths).toEqual([{ kind: 'access_key', accessKey: { value: 'AK-NOW' }, secretKey: { value: 'SK-NOW' } }]);
  });

  it.each([
    ['a schema problem', 'bad.yml', 'auth: { token: t }\ntargets: [{ project_id: p, region: ap-southeast-1, project: x }]\n'],
    ['bad YAML', 'yaml.yml', 'targets: [\n'],
    ['no credentials', 'nocreds.yml', 'targets: [{ project_id: p, region: ap-southeast-1 }]\n'],
  ])('rejects %s with the ConfigError this thread would throw', async (_what, name, text) => {
    for (const key of SDK_KEYS) delete process.env[key];
    const path = file(name, text);
    let here: unknown;
    try {
      withCredentials(loadConfig(path), process.env, path);
    } catch (err) {
      here = err;
    }
    expect(here).toBeInstanceOf(ConfigError);
    const there = await loadConfigOffThread(path).catch((err: unknown) => err);
    expect(there).toBeInstanceOf(ConfigError);
    expect((there as Error).message).toBe((here as Error).message);
  });

  it('rejects a file that cannot be read with a ConfigError naming it', async () => {
    const path = join(makeTempDir('config-thread'), 'missing.yml');
    await expect(loadConfigOffThread(path)).rejects.toThrow(new ConfigError(`${path}: cannot read the config file (ENOENT)`));
  });
});
