import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchSetupError } from './options.js';

/** Throws BenchSetupError when wrk cannot be run: checked before a run starts anything. */
export function requireWrk(): void {
  const { error } = spawnSync('wrk', ['-v'], { stdio: 'ignore' });
  if (error) throw new BenchSetupError(`wrk cannot be run (${(error as NodeJS.ErrnoException).code ?? error.message}): it makes the /metrics load; install it (Debian: apt-get install -y wrk)`);
}

export interface WrkResult {
  requests: number;
  seconds: number;
  perSecond: number;
  /** Latencies in ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  bytes: number;
}

/** wrk's `done` hook, printing one machine-readable line (latencies in µs, as wrk keeps them). */
const REPORT_SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;

/**
 * Runs wrk against `url` as a gzip-accepting scraper. wrk reads bodies without inflating them, so the
 * client's cost stays small next to the server's (autocannon tops out near 25 req/s on bodies this size).
 * One wrk thread: on two cores, the other core is the server's.
 */
export function runWrk(url: string, options: { connections: number; seconds: number; timeoutSeconds?: number; threads?: number }): Promise<WrkResult> {
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  // The report script, in a directory of this run's own, removed once wrk has exited.
  const dir = mkdtempSync(join(tmpdir(), 'hvx-bench-'));
  const script = join(dir, 'report.lua');
  writeFileSync(script, REPORT_SCRIPT);
  const removeScript = () => rmSync(dir, { recursive: true, force: true });
  const args = [
    '-t', String(options.threads ?? 1), '-c', String(options.connections), '-d', `${options.seconds}s`,
    '--timeout', `${timeoutSeconds}s`, '-H', 'Accept-Encoding: gzip', '-s', script, url,
  ];
  return new Promise((resolve, reject) => {
    const wrk = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    wrk.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    wrk.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const killer = setTimeout(() => wrk.kill('SIGKILL'), (options.seconds + timeoutSeconds + 15) * 1000);
    wrk.on('error', (err) => {
      clearTimeout(killer);
      removeScript();
      reject(new Error(`wrk: ${err.message} (is wrk installed?)`));
    });
    wrk.on('close', (code) => {
      clearTimeout(killer);
      removeScript();
      const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk ${args.join(' ')}: exit ${code}\n${out}`));
      const raw = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>;
      const seconds = (raw.duration_us ?? 0) / 1e6;
      const requests = raw.requests ?? 0;
      resolve({
        requests,
        seconds,
        perSecond: seconds > 0 ? requests / seconds : 0,
        p50Ms: (raw.p50_us ?? 0) / 1000,
        p99Ms: (raw.p99_us ?? 0) / 1000,
        maxMs: (raw.max_us ?? 0) / 1000,
        errors: raw.errors ?? 0,
        bytes: raw.bytes ?? 0,
      });
    });
  });
}
