// npm pack on a clean copy of the checkout (no dist/: prepack must build it), then the README's way to
// install and run the tarball: npm install it into an empty directory and npx huaweicloud-vault-exporter.
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageJson, packageVersion, readText, repo } from './helpers/paths.js';
import { run, type RunResult } from '../helpers/process.js';
import { makeTempDir } from '../helpers/temp-dirs.js';

const ok = (result: RunResult, what: string): string => {
  expect(result.status, `${what}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
};

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

describe('the npm package', () => {
  let scratch: string;
  let pack: PackResult;
  let installed: string;
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };

  beforeAll(() => {
    scratch = makeTempDir('pack');
    const checkout = join(scratch, 'checkout');
    // What a clean checkout holds: the tracked files and the new ones git does not ignore (no dist/).
    const files = ok(run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo() }), 'git ls-files')
      .split('\0')
      .filter((f) => f && existsSync(repo(f)));
    for (const file of files) {
      mkdirSync(dirname(join(checkout, file)), { recursive: true });
      cpSync(repo(file), join(checkout, file));
    }
    expect(existsSync(join(checkout, 'dist'))).toBe(false);
    // The dev dependencies prepack's build needs, as npm ci would install them.
    symlinkSync(repo('node_modules'), join(checkout, 'node_modules'));
    pack = (JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: checkout, env, timeoutMs: 180_000 }), 'npm pack')) as PackResult[])[0]!;

    installed = join(scratch, 'install');
    mkdirSync(installed);
    writeFileSync(join(installed, 'package.json'), '{ "private": true }\n');
    ok(run('npm', ['install', '--prefer-offline', join(scratch, pack.filename)], { cwd: installed, env, timeoutMs: 240_000 }), 'npm install the tarball');
  }, 600_000);

  it('holds the build of src/, package.json, README.md and LICENSE, and no source map', () => {
    const paths = pack.files.map((f) => f.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', packageJson().bin['huaweicloud-vault-exporter']!]));
    expect(paths.filter((p) => !['LICENSE', 'README.md', 'package.json'].includes(p) && !p.startsWith('dist/src/'))).toEqual([]);
    expect(paths.filter((p) => !p.endsWith('.js') && p.startsWith('dist/'))).toEqual([]);
    const module = join(installed, 'node_modules', packageJson().name);
    for (const file of paths.filter((p) => p.endsWith('.js'))) {
      expect(readFileSync(join(module, file), 'utf8'), file).not.toContain('sourceMappingURL');
    }
  });

  it('ships the full Apache-2.0 licence that package.json names', () => {
    expect(packageJson().license).toBe('Apache-2.0');
    const license = readText('LICENSE');
    expect(license).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    for (let section = 1; section <= 9; section++) expect(license).toMatch(new RegExp(`\\n\\s+${section}\\. [A-Z]`));
  });

  it('npx huaweicloud-vault-exporter --version runs from the installed tarball', () => {
    const version = run('npx', ['--no-install', 'huaweicloud-vault-exporter', '--version'], { cwd: installed, env });
    expect(ok(version, 'npx --version')).toBe(`huaweicloud-vault-exporter ${packageVersion()} (node ${process.version})\n`);
  });

  it('and checks a config with it (every runtime dependency is installed)', () => {
    const check = run('npx', ['--no-install', 'huaweicloud-vault-exporter', '--config.check', `--config.file=${repo('deploy/kubernetes/config.yml')}`], {
      cwd: installed,
      env: { ...env, HUAWEICLOUD_SDK_AK: 'DUMMYAK0000000000000', HUAWEICLOUD_SDK_SK: 'dummy-secret-key' },
    });
    expect(ok(check, 'npx --config.check')).toContain('SUCCESS');
  });
});
