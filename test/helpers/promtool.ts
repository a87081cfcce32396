import { spawnSync } from 'node:child_process';

/** promtool from Debian's prometheus package; tests may skip without it only outside CI. */
export function havePromtool(): boolean {
  const found = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI) throw new Error('promtool is required in CI (apt-get install -y prometheus)');
  return found;
}

/** `promtool check metrics` on `text`: exit status and what it printed. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
