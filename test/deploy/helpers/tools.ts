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

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by `timeoutMs`). */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunResult {
  const result = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
