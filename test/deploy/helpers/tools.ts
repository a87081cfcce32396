import { spawnSync } from 'node:child_process';

/** True when `name` runs from PATH. */
export function hasTool(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0;
}

/**
 * Whether to skip a test that needs `tools`: only on a developer machine that lacks one of them.
 * Under CI (env CI set) the test always runs, and fails there if a tool is missing.
 */
export function skipWithout(...tools: string[]): boolean {
  if (process.env.CI) return false;
  return tools.some((tool) => !hasTool(tool));
}
