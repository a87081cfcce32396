import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageVersion } from './deploy/helpers/paths.js';
import { writeTempFile } from './helpers/daemon-process.js';

const MAIN = new URL('../dist/src/main.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });

const GOOD = 'auth: { token: t }\ntargets: [{ project_id: p, region: ap-southeast-1 }]\n';

describe('the command line', () => {
  it('--config.check exits 0 for a valid file and says so', () => {
    const result = run('--config.check', `--config.file=${writeTempFile('ok.yaml', GOOD)}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: 1 target\(s\), 2 source\(s\)/);
  });

  it.each([
    ['a bad cron expression', GOOD.replace('auth:', 'refresh: { schedule: "every day" }\nauth:'), /refresh\.schedule: not a valid cron expression/],
    ['an unknown key', `${GOOD}extra: 1\n`, /unknown key "extra"/],
    ['no credentials', 'targets: [{ project_id: p, region: ap-southeast-1 }]\n', /targets\[0\]: no credentials/],
    ['an unreadable secret file', GOOD.replace('token: t', 'access_key_file: /nonexistent/ak, secret_key: s'), /targets\[0\]: credentials: cannot read access_key_file \/nonexistent\/ak: ENOENT/],
    ['an unreadable CA file', `${GOOD}tls: { ca_file: /nonexistent/ca.pem }\n`, /tls\.ca_file: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/],
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
    for (const flag of ['--config.file', '--web.listen-address', '--web.telemetry-path', '--log.level', '--log.format', '--config.check', '--demo']) {
      expect(help.stdout).toContain(flag);
    }
  });
});
