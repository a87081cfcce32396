import { spawnSync } from 'node:child_process';
import { run } from './process.js';

/** promtool from Debian's prometheus package; tests may skip without it only outside CI. */
export function havePromtool(): boolean {
  const found = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI) throw new Error('promtool is required in CI (apt-get install -y prometheus)');
  return found;
}

/** `promtool check metrics` on `text`: exit status and what it printed. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const result = run('promtool', ['check', 'metrics'], { input: text });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
