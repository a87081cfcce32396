import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const repo = (...parts: string[]): string => resolve(ROOT, ...parts);

export const PROMETHEUS_DIR = repo('deploy/prometheus');
export const KUBERNETES_DIR = repo('deploy/kubernetes');
export const DASHBOARD_FILE = repo('deploy/grafana/huaweicloud-vaults.json');
export const MAIN_JS = repo('dist/src/main.js');

export const readText = (...parts: string[]): string => readFileSync(repo(...parts), 'utf8');
export const readYaml = <T = unknown>(...parts: string[]): T => parse(readText(...parts)) as T;

export const packageVersion = (): string => (JSON.parse(readText('package.json')) as { version: string }).version;
