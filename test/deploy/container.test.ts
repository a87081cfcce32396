// The Dockerfile, checked without Docker: its structure, and a rehearsal of its runtime stage.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copies, dockerfileStages, execForm, type Stage } from './helpers/dockerfile.js';
import { MAIN_JS, packageVersion, readText, readYaml, repo } from './helpers/paths.js';
import { run } from './helpers/tools.js';

const stages = dockerfileStages();
const [build, runtime] = stages as [Stage, Stage];
const args = (stage: Stage, op: string): string[] => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const workdir = (stage: Stage): string => args(stage, 'WORKDIR').at(-1) ?? '/';

describe('Dockerfile', () => {
  it('has a build and a runtime stage on node:20-bookworm-slim', () => {
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage.from).toBe('node:20-bookworm-slim');
    expect(build.name).toBeTruthy();
  });

  it('builds with npm ci, then npm run build', () => {
    const runs = args(build, 'RUN');
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'));
    const compile = runs.findIndex((r) => r.includes('npm run build'));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(compile).toBeGreaterThan(ci);
  });

  it('ships production dependencies and dist only, as a non-root user', () => {
    expect(args(runtime, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    const fromContext = copies(runtime).filter((c) => !c.from).flatMap((c) => c.sources);
    expect(fromContext.sort()).toEqual(['package-lock.json', 'package.json']);
    const fromBuild = copies(runtime).filter((c) => c.from === build.name);
    expect(fromBuild.flatMap((c) => c.sources).every((s) => s.startsWith(`${workdir(build)}/dist`))).toBe(true);
    const user = args(runtime, 'USER').at(-1) ?? 'root';
    expect(user.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  it('exposes 9797 and starts node dist/src/main.js with the mounted config', () => {
    expect(args(runtime, 'EXPOSE')).toEqual(['9797']);
    const entrypoint = execForm(args(runtime, 'ENTRYPOINT').at(-1) ?? '[]');
    expect(entrypoint).toEqual(['node', 'dist/src/main.js']);
    const cmd = execForm(args(runtime, 'CMD').at(-1) ?? '[]');
    // The same path the Kubernetes Deployment mounts its ConfigMap at.
    const deployment = readText('deploy/kubernetes/deployment.yaml');
    const configFlag = cmd.find((a) => a.startsWith('--config.file='));
    expect(configFlag).toBe('--config.file=/etc/huaweicloud-vault-exporter/config.yml');
    expect(deployment).toContain(configFlag);
  });

  it('.dockerignore keeps out node_modules and dist but not what the build copies', () => {
    const ignored = readText('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist']));
    const needed = stages.flatMap((s) => copies(s).filter((c) => !c.from).flatMap((c) => c.sources));
    for (const path of needed) expect(ignored, path).not.toContain(path);
  });
});

// The build stage compiles from only what it copies in (node_modules linked instead of npm ci).
describe('Dockerfile build stage rehearsal', () => {
  let ctx: string;
  afterAll(() => {
    if (ctx) rmSync(ctx, { recursive: true, force: true });
  });

  it('npm run build succeeds on the COPYed files alone and emits the entrypoint', () => {
    ctx = mkdtempSync(join(tmpdir(), 'hve-build-'));
    for (const { sources, dest } of copies(build)) {
      for (const source of sources) {
        const target = dest.endsWith('/') || sources.length > 1 ? join(ctx, dest, posix.basename(source)) : join(ctx, dest);
        cpSync(repo(source), target, { recursive: true });
      }
    }
    symlinkSync(repo('node_modules'), join(ctx, 'node_modules'));
    const result = run('npm', ['run', 'build'], { cwd: ctx, timeoutMs: 180_000 });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const [, entry] = execForm(args(runtime, 'ENTRYPOINT').at(-1) ?? '[]');
    expect(existsSync(join(ctx, entry as string))).toBe(true);
  }, 200_000);
});

// Does what the runtime stage does, in a temp dir: the COPYs (the build stage's WORKDIR is this
// checkout after `npm run build`), `npm ci --omit=dev --ignore-scripts`, then runs the entrypoint.
describe('Dockerfile runtime stage rehearsal', () => {
  let app: string;
  const env = { ...process.env, NODE_ENV: 'production', HUAWEICLOUD_SDK_AK: 'DUMMYAK0000000000000', HUAWEICLOUD_SDK_SK: 'dummy-secret-key' };
  const entry = (extra: string[]) => {
    const [cmd, ...rest] = execForm(args(runtime, 'ENTRYPOINT').at(-1) ?? '[]');
    return run(cmd === 'node' ? process.execPath : (cmd as string), [...rest, ...extra], { cwd: app, env, timeoutMs: 30_000 });
  };

  beforeAll(() => {
    expect(existsSync(MAIN_JS), `${MAIN_JS} is missing: run npm run build (npm test does)`).toBe(true);
    app = mkdtempSync(join(tmpdir(), 'hve-image-'));
    for (const { from, sources, dest } of copies(runtime)) {
      for (const source of sources) {
        const local = from ? repo(posix.relative(workdir(build), source)) : repo(source);
        const target = dest.endsWith('/') ? join(app, dest, posix.basename(source)) : join(app, dest);
        mkdirSync(join(target, '..'), { recursive: true });
        cpSync(local, target, { recursive: true });
      }
    }
    const ci = run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, env, timeoutMs: 240_000 });
    expect(ci.status, ci.stderr).toBe(0);
  }, 300_000);
  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('installs no dev dependency', () => {
    const lock = JSON.parse(readFileSync(repo('package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev).map(([path]) => path);
    expect(devOnly.length).toBeGreaterThan(0);
    for (const path of devOnly) expect(existsSync(join(app, path)), path).toBe(false);
  });

  it('--version exits 0 and prints the package version', () => {
    const result = entry(['--version']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain(packageVersion());
  });

  it('--config.check accepts the ConfigMap config with AK/SK from the environment', () => {
    const result = entry(['--config.check', `--config.file=${repo('deploy/kubernetes/config.yml')}`]);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('--config.check rejects a broken config (so the check above means something)', () => {
    const config = readYaml<Record<string, unknown>>('deploy/kubernetes/config.yml');
    const broken = join(app, 'broken.yml');
    writeFileSync(broken, JSON.stringify({ ...config, no_such_key: true }));
    const result = entry(['--config.check', `--config.file=${broken}`]);
    expect(result.status).not.toBe(0);
  });
});
