import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/process.js';

const BENCH_JS = new URL('../../dist/bench/run.js', import.meta.url).pathname;

/** `npm run bench` started wrong: one line naming the problem, exit 1, and nothing started. */
function refused(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = run(process.execPath, [BENCH_JS, ...args], { env });
  expect(result.status, result.stderr).toBe(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('starting the simulator');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  return result.stderr.trimEnd();
}

describe('npm run bench, started wrong', () => {
  it('names a bad flag value, an unknown flag and an unknown size', () => {
    expect(refused(['--latency=abc'])).toBe('bench: --latency: a whole number from 0 to 1000');
    expect(refused(['--nope'])).toMatch(/^bench: Unknown option '--nope'/);
    expect(refused(['--sizes=1m'])).toBe('bench: --sizes: "1m" is not one of 10k, 100k');
  });

  it('says wrk is missing, and how to install it, before it starts anything', () => {
    const withoutWrk = { ...process.env, PATH: dirname(process.execPath) };
    expect(refused(['--sizes=10k'], withoutWrk)).toBe(
      'bench: wrk cannot be run (ENOENT): it makes the /metrics load; install it (Debian: apt-get install -y wrk)',
    );
  });
});
