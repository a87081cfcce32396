import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const repo = (...parts: string[]): string => resolve(ROOT, ...parts);

export const PROMETHEUS_DIR = repo('deploy/prometheus');
export const KUBERNETES_DIR = repo('deploy/kubernetes');
export const DASHBOARD_FILE = repo('deploy/grafana/huaweicloud-vaults.json');

export const readText = (...parts: string[]): string => readFileSync(repo(...parts), 'utf8');
export const readYaml = <T = unknown>(...parts: string[]): T => parse(readText(...parts)) as T;

export interface PackageJson {
  name: string;
  version: string;
  license: string;
  repository: { url: string };
  engines: { node: string };
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  files: string[];
}
export const packageJson = (): PackageJson => JSON.parse(readText('package.json')) as PackageJson;
export const packageVersion = (): string => packageJson().version;
/** The repository package.json names, as a browser URL (no git+, no .git). */
export const repositoryUrl = (): string => packageJson().repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
/** The Node.js version CI runs on and the image's major follows (.ci/node.sh reads the same file). */
export const pinnedNodeVersion = (): string => readText('.node-version').trim();
