import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageVersion } from './deploy/helpers/paths.js';
import { MAIN_JS } from './helpers/process.js';
import { writeTempFile } from './helpers/temp-dirs.js';

const run = (...args: string[]) => spawnSync(process.execPath, [MAIN_JS, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });

const GOOD = 'auth: { token: t }\ntargets: [{ project_id: p, region: ap-southeast-1 }]\n';

describe('the command line', () => {
  it('--config.check exits 0 for a valid file and says so', () => {
    const result = run('--config.check', `--config.file=${writeTempFile('ok.yaml', GOOD)}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: 1 target\(s\), 2 source\(s\)/);
    // The endpoints each target will call, from the clouds table (Huawei Cloud by default).
    expect(result.stdout).toContain('  targets[0]: project p in ap-southeast-1 on huaweicloud: cbr https://cbr.ap-southeast-1.myhuaweicloud.com, hss https://hss.ap-southeast-1.myhuaweicloud.com\n');
  });

  it('--config.check prints IAM where a target logs in with a password, and a stack\'s own hosts', () => {
    const stack = 'cloud: { domain: "hcs.example.com:8443" }\nauth: { iam: { domain_name: d, user_name: u, password: p } }\ntargets: [{ project_id: p, region: region-a }]\n';
    const result = run('--config.check', `--config.file=${writeTempFile('stack.yaml', stack)}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'targets[0]: project p in region-a on stack hcs.example.com:8443: cbr https://cbr.region-a.hcs.example.com:8443, hss https://hss.region-a.hcs.example.com:8443, iam https://iam-apigateway-proxy.hcs.example.com:8443',
    );
  });

  it.each([
    ['a bad cron expression', GOOD.replace('auth:', 'refresh: { schedule: "every day" }\nauth:'), /refresh\.schedule: not a valid cron expression/],
    ['an unknown key', `${GOOD}extra: 1\n`, /unknown key "extra"/],
    ['no credentials', 'targets: [{ project_id: p, region: ap-southeast-1 }]\n', /targets\[0\]: no credentials/],
    ['an unreadable secret file', GOOD.replace('token: t', 'access_key_file: /nonexistent/ak, secret_key: s'), /targets\[0\]: credentials: cannot read access_key_file \/nonexistent\/ak: ENOENT/],
    ['an unreadable CA file', `${GOOD}tls: { ca_file: /nonexistent/ca.pem }\n`, /tls\.ca_file: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/],
    ['a missing token file', GOOD.replace('token: t', 'token_file: /nonexistent/token'), /targets\[0\]: credentials: cannot read token_file \/nonexistent\/token: ENOENT/],
    ['hss on a cloud without it', GOOD.replace('auth:', 'cloud: otc\nauth:').replace('region: ap-southeast-1 }', 'region: eu-de, sources: [cbr, hss] }'), /targets\[0\]\.sources: cloud otc publishes no HSS ransomware vault list/],
    ['a target listed twice', GOOD.replace(']\n', ', { project_id: p, region: ap-southeast-1 }]\n'), /targets\[1\]: repeats targets\[0\]/],
    ['a discover entry without credentials', 'discover: [{ labels: { account: prod } }]\n', /discover\[0\]: no credentials: set auth \(globally or on the entry\)/],
    ['an unreadable secret file of a discover entry', 'discover: [{ auth: { token_file: /nonexistent/dev-token } }]\n', /discover\[0\]: credentials: cannot read token_file \/nonexistent\/dev-token: ENOENT/],
    ['a discovery label the exporter writes', 'auth: { token: t }\ndiscover: [{ labels: { region: x } }]\n', /discover\[0\]\.labels\.region: the exporter writes this label itself/],
    ['a YAML syntax error', 'targets: [oops\n', /bad\.yaml: not valid YAML: line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a \]$/m],
  ])('--config.check exits 1 with one line for %s', (_name, text, message) => {
    const result = run('--config.check', `--config.file=${writeTempFile('bad.yaml', text)}`);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [[], /--config\.file is required/],
    [['--demo', '--web.listen-address=nowhere'], /--web\.listen-address: "nowhere" is not host:port/],
    [['--demo', '--log.level=loud'], /--log\.level: "loud" is not one of debug, info, warn, error/],
    [['--demo', '--web.telemetry-path=/-/metrics'], /--web\.telemetry-path: "\/-\/metrics" must be a path/],
    [['--demo', '--shard=2/2'], /--shard: shard index 2 is not below the shard count 2 \(shards are numbered 0 to 1\)/],
    [['--demo', '--shard=half'], /--shard: "half" is not INDEX\/TOTAL/],
  ])('rejects %j with one line and exit 1', (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints --version and --help', () => {
    // The Node.js that runs it, whichever that is: .ci/run pins it in .node-version (test/deploy/runtime.test.ts).
    expect(run('--version').stdout).toBe(`huaweicloud-vault-exporter ${packageVersion()} (node ${process.version})\n`);
    const help = run('--help');
    expect(help.status).toBe(0);
    for (const flag of ['--config.file', '--web.listen-address', '--web.telemetry-path', '--web.enable-lifecycle', '--log.level', '--log.format', '--config.check', '--shard', '--demo']) {
      expect(help.stdout).toContain(flag);
    }
  });
});
