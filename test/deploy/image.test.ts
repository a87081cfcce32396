// The Dockerfile built for real with buildah (vfs storage, chroot isolation: no Docker engine runs here) on
// local stand-ins of its base images (image/standin-bases.sh), then the image run: --demo serving /metrics
// that promtool accepts, as the image's non-root user; --config.check with the Kubernetes config.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, waitFor200 } from '../helpers/http.js';
import { freePort, run, TestProcess } from '../helpers/process.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { writeTempFile } from '../helpers/temp-dirs.js';
import { dockerfileStages, type Stage } from './helpers/dockerfile.js';
import { debianSuite, qualifiedImageName } from './helpers/images.js';
import { packageJson, packageVersion, repo, repositoryUrl } from './helpers/paths.js';
import { hasTool, skipWithout } from './helpers/tools.js';

const buildah = (args: string[], timeoutMs = 60_000) => run('buildah', ['--storage-driver=vfs', ...args], { cwd: repo(), timeoutMs });
const ok = (result: { status: number | null; stdout: string; stderr: string }, what: string): string => {
  expect(result.status, `${what}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout.trim();
};

const [build, runtime] = dockerfileStages() as [Stage, Stage];
const IMAGE = `localhost/huaweicloud-vault-exporter:test-${process.pid}`;
// buildah needs root here (chroot isolation, vfs storage in /var/lib/containers).
const skip = skipWithout('buildah', 'debootstrap') || (!process.env.CI && process.getuid?.() !== 0);

interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

/** The uids (real, effective, saved, filesystem) of the process listening on 127.0.0.1:`port`. */
function uidsOfListener(port: number): number[][] {
  const found: number[][] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('/node') || !argv.includes(`--web.listen-address=127.0.0.1:${port}`)) continue;
      const uid = /^Uid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (uid) found.push(uid.split(/\s+/).map(Number));
    } catch {
      // a process that ended meanwhile
    }
  }
  return found;
}

describe.skipIf(skip)('the image, built with buildah and run', () => {
  let config: ImageConfig;
  let container: string | undefined;
  let exporter: TestProcess | undefined;
  let port: number;
  let root: string;

  beforeAll(async () => {
    expect(hasTool('buildah'), 'buildah is required in CI (apt-get install -y buildah debootstrap)').toBe(true);
    const suite = debianSuite(build.from, runtime.from);
    const bases = run(repo('test/deploy/image/standin-bases.sh'), [suite, qualifiedImageName(build.from), qualifiedImageName(runtime.from)], {
      cwd: repo(),
      timeoutMs: 600_000,
    });
    ok(bases, 'making the stand-in base images');
    ok(buildah(['build', '--isolation=chroot', '--pull=never', '--quiet', '-t', IMAGE, '.'], 600_000), 'buildah build');
    config = (JSON.parse(ok(buildah(['inspect', '--type', 'image', IMAGE]), 'inspect')) as { OCIv1: { config: ImageConfig } }).OCIv1.config;
    container = ok(buildah(['from', '--pull=never', IMAGE]), 'buildah from');
    root = ok(buildah(['mount', container]), 'buildah mount');

    port = await freePort();
    exporter = new TestProcess('image', 'buildah', [
      '--storage-driver=vfs',
      'run',
      '--isolation=chroot',
      container,
      '--',
      ...(config.Entrypoint ?? []),
      '--demo',
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    await waitFor200(`http://127.0.0.1:${port}/-/ready`, 60_000, [exporter]);
  }, 1_200_000);

  afterAll(async () => {
    await exporter?.stop();
    if (container) buildah(['rm', container]);
    buildah(['rmi', IMAGE]);
  });

  it('is labelled with its version, source and licence (org.opencontainers.image.*)', () => {
    const labels = config.Labels ?? {};
    expect(labels['org.opencontainers.image.version']).toBe(packageVersion());
    expect(labels['org.opencontainers.image.source']).toBe(repositoryUrl());
    expect(labels['org.opencontainers.image.licenses']).toBe(packageJson().license);
    expect(labels['org.opencontainers.image.title']).toBe(packageJson().name);
  });

  it('runs as a non-root user given by number', () => {
    const [user = '', group] = (config.User ?? '').split(':');
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).toBeGreaterThan(0);
    if (group !== undefined) expect(group).toMatch(/^\d+$/);
  });

  it('holds package.json, the production dependencies and dist/src only', () => {
    const app = join(root, config.WorkingDir ?? '/');
    expect(readdirSync(app).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(readdirSync(join(app, 'dist'))).toEqual(['src']);
    const files = readdirSync(join(app, 'dist/src'), { recursive: true, encoding: 'utf8' });
    expect(files).toContain('main.js');
    expect(files.filter((f) => !f.endsWith('.js') && !/^[a-z-]+$/.test(f))).toEqual([]);
    const lock = JSON.parse(readFileSync(repo('package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; os?: string[]; cpu?: string[]; libc?: string[] }>;
    };
    // Platform packages: only the image's own (linux, glibc, this machine's architecture) belongs in it.
    const ours = (p: { os?: string[]; cpu?: string[]; libc?: string[] }) =>
      (!p.os || p.os.includes('linux')) && (!p.cpu || p.cpu.includes(process.arch)) && (!p.libc || p.libc.includes('glibc'));
    const wanted = Object.entries(lock.packages).filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && ours(p)).map(([path]) => path);
    const otherPlatforms = Object.entries(lock.packages).filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && !ours(p)).map(([path]) => path);
    for (const path of otherPlatforms) expect(() => readdirSync(join(app, path)), path).toThrow();
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev).map(([path]) => path);
    expect(wanted.length).toBeGreaterThan(0);
    for (const path of wanted) expect(readdirSync(join(app, path)), path).toContain('package.json');
    for (const path of devOnly) expect(() => readdirSync(join(app, path)), path).toThrow();
  });

  it('has no shell and no package manager', () => {
    for (const program of ['bin/sh', 'bin/bash', 'usr/bin/apt-get', 'usr/bin/dpkg', 'usr/local/bin/npm']) {
      expect(() => readFileSync(join(root, program)), program).toThrow();
    }
  });

  it('serves --demo /metrics that promtool accepts, with this version in build_info', async () => {
    const { status, body } = await get(`http://127.0.0.1:${port}/metrics`);
    expect(status).toBe(200);
    expect(body).toContain(`version="${packageVersion()}"`);
    expect(body).toMatch(/^huaweicloud_cbr_vault_size_bytes\{/m);
    const check = promtoolCheckMetrics(body);
    expect(check.status, check.output).toBe(0);
  });

  it("the process serving it runs as the image's user", () => {
    const uid = Number((config.User ?? '').split(':')[0]);
    const processes = uidsOfListener(port);
    expect(processes.length).toBeGreaterThan(0);
    for (const uids of processes) expect(uids).toEqual([uid, uid, uid, uid]);
  });

  // In the image's root filesystem, as its user, in its working directory, with its environment: run
  // directly (unshare --root), because buildah run does not always pass on a short-lived command's output.
  it('--config.check (the default CMD with the Kubernetes ConfigMap) passes with AK/SK from the environment, and fails for a broken config', () => {
    const configFlag = (config.Cmd ?? []).find((a) => a.startsWith('--config.file='));
    expect(configFlag).toBeDefined();
    const path = (configFlag as string).slice('--config.file='.length);
    const [uid = '', gid = uid] = (config.User ?? '').split(':');
    const env = Object.fromEntries(
      [...(config.Env ?? []), 'HUAWEICLOUD_SDK_AK=DUMMYAK0000000000000', 'HUAWEICLOUD_SDK_SK=dummy-secret-key'].map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    const check = (file: string) => {
      mkdirSync(join(root, dirname(path)), { recursive: true });
      copyFileSync(file, join(root, path));
      const args = [`--root=${root}`, `--wd=${config.WorkingDir ?? '/'}`, `--setgid=${gid}`, `--setuid=${uid}`, '--', ...(config.Entrypoint ?? []), ...(config.Cmd ?? []), '--config.check'];
      return run('unshare', args, { env, timeoutMs: 30_000 });
    };
    const good = check(repo('deploy/kubernetes/config.yml'));
    expect(good.status, `${good.stdout}\n${good.stderr}`).toBe(0);
    expect(good.stdout).toMatch(/: SUCCESS: 1 target\(s\), 2 source\(s\)/);
    const broken = check(writeTempFile('broken.yml', `${readFileSync(repo('deploy/kubernetes/config.yml'), 'utf8')}no_such_key: true\n`));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/unknown key "no_such_key"/);
  });
});
