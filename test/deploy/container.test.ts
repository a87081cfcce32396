// The Dockerfile, checked without Docker: its structure, and a rehearsal of its build stage. The image
// itself is built and run in image.test.ts (with buildah, in CI).
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { describe, expect, it } from 'vitest';
import { copies, dockerfileStages, execForm, labels, type Stage } from './helpers/dockerfile.js';
import { debianSuite } from './helpers/images.js';
import { packageJson, packageVersion, readText, readYaml, repo, repositoryUrl } from './helpers/paths.js';
import { run } from '../helpers/process.js';
import { makeTempDir } from '../helpers/temp-dirs.js';

const stages = dockerfileStages();
const [build, runtime] = stages as [Stage, Stage];
const args = (stage: Stage, op: string): string[] => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const workdir = (stage: Stage): string => args(stage, 'WORKDIR').at(-1) ?? '/';

describe('Dockerfile', () => {
  // The Node.js major of both is checked against .node-version in runtime.test.ts.
  it('builds on a node slim image and runs on a distroless nodejs nonroot image, one Debian release for both', () => {
    expect(stages).toHaveLength(2);
    expect(build.name).toBeTruthy();
    expect(build.from).toMatch(/^node:\d+-\w+-slim$/);
    expect(runtime.from).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian\d+:nonroot$/);
    expect(() => debianSuite(build.from, runtime.from)).not.toThrow();
  });

  it("builds on the builder's platform and runs on the target's: native code only prebuilt, picked for the target", () => {
    expect(build.platform).toBe('$BUILDPLATFORM');
    expect(runtime.platform).toBeUndefined();
    const lock = JSON.parse(readText('package-lock.json')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean; hasInstallScript?: boolean; os?: string[]; cpu?: string[] }>;
    };
    const production = Object.entries(lock.packages).filter(([path, p]) => path && !p.dev);
    // Nothing compiles at install (that would need the target's toolchain, or emulation)...
    expect(production.filter(([, p]) => p.hasInstallScript).map(([path]) => path)).toEqual([]);
    // ...and what is native is an optional package of one platform, of which npm installs the target's.
    const native = production.filter(([, p]) => p.os || p.cpu);
    expect(native.filter(([, p]) => !p.optional).map(([path]) => path)).toEqual([]);
    expect(native.some(([, p]) => p.os?.includes('linux') && p.cpu?.includes('arm64'))).toBe(true);
    const prune = args(build, 'RUN').find((r) => /\bnpm ci\b.*--omit=dev/.test(r)) ?? '';
    expect(prune).toMatch(/--os=linux --libc=glibc --cpu=/);
    expect(args(build, 'ARG')).toContain('TARGETARCH=amd64');
  });

  it('builds with npm ci, then npm run build, then keeps the production dependencies alone', () => {
    const runs = args(build, 'RUN');
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'));
    const compile = runs.findIndex((r) => r.includes('npm run build'));
    const prune = runs.findIndex((r) => /\bnpm ci\b.*--omit=dev/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(compile).toBeGreaterThan(ci);
    expect(prune).toBeGreaterThan(compile);
  });

  it('runs nothing in the runtime stage (it has no shell) and takes package.json, node_modules and dist/src from the build', () => {
    expect(args(runtime, 'RUN')).toEqual([]);
    expect(copies(runtime).every((c) => c.from === build.name)).toBe(true);
    const sources = copies(runtime).flatMap((c) => c.sources).sort();
    expect(sources).toEqual(['dist/src', 'node_modules', 'package.json'].map((p) => `${workdir(build)}/${p}`));
  });

  it('runs as a non-root user by number, the one the Deployment names', () => {
    const [user = '', group = ''] = (args(runtime, 'USER').at(-1) ?? 'root').split(':');
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).toBeGreaterThan(0);
    const pod = readYaml<IDeployment>('deploy/kubernetes/deployment.yaml').spec?.template.spec?.securityContext;
    expect(pod?.runAsUser).toBe(Number(user));
    expect(pod?.runAsGroup).toBe(Number(group));
  });

  it('labels the image with the OCI keys: version, source and licence from package.json', () => {
    const found = labels(runtime);
    expect(found['org.opencontainers.image.version']).toBe(packageVersion());
    expect(found['org.opencontainers.image.source']).toBe(repositoryUrl());
    expect(found['org.opencontainers.image.licenses']).toBe(packageJson().license);
    expect(found['org.opencontainers.image.title']).toBe(packageJson().name);
    expect(found['org.opencontainers.image.documentation']).toMatch(new RegExp(`^${repositoryUrl()}/blob/main/docs/`));
  });

  it("exposes 9797 and starts distroless's node on the package's bin with the mounted config", () => {
    expect(args(runtime, 'EXPOSE')).toEqual(['9797']);
    const entrypoint = execForm(args(runtime, 'ENTRYPOINT').at(-1) ?? '[]');
    expect(entrypoint).toEqual(['/nodejs/bin/node', packageJson().bin['huaweicloud-vault-exporter']]);
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
  it('npm run build succeeds on the COPYed files alone and emits the entrypoint', () => {
    const ctx = makeTempDir('build');
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
