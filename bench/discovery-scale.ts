/**
 * The discovery scale bench (issue 11), not part of `npm test`: one exporter process discovers 2,000 targets of
 * 20 vaults each (20 accounts of 100 projects: 25 region projects and 75 sub-projects each) through the
 * simulated IAM, and refreshes them. Prints and writes to bench/results-discovery.md: the first refresh after
 * discovery (listed, and published: /-/ready), a scheduled one, RSS, and /metrics size and scrape time.
 *
 *   npm run -s build && node dist/bench/discovery-scale.js [--accounts=20] [--projects=100] [--cbr=16] [--hss=4]
 *     [--latency=20] [--concurrency=32] [--parallel-pairs=32]
 *
 * The simulator runs in a process of its own (it serialises the pages) and serves every target on one host; a
 * real fleet spreads them over one host per region, each with its own refresh.concurrency. The default 32 in
 * flight stands for 8 regional hosts at the default 4.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import type { DiscoverySimOptions } from './discovery-sim.js';
import { wholeOption } from './options.js';
import { rawGet } from './raw-get.js';
import { simulatedEndpoints } from '../src/sim/sources.js';
import { markdownTable, mb, ms, type Row } from './table.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const RESULTS = fileURLToPath(new URL('../../bench/results-discovery.md', import.meta.url));

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      accounts: { type: 'string', default: '20' },
      projects: { type: 'string', default: '100' },
      cbr: { type: 'string', default: '16' },
      hss: { type: 'string', default: '4' },
      latency: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '32' },
      'parallel-pairs': { type: 'string', default: '32' },
      // e.g. --exporter-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags for the exporter only.
      'exporter-node-args': { type: 'string', default: '' },
    },
  });
  const whole = (name: Exclude<keyof typeof values, 'exporter-node-args'>, min: number, max: number) => wholeOption(values[name], name, min, max);
  return {
    accounts: whole('accounts', 1, 200),
    projects: whole('projects', 1, 1000),
    cbr: whole('cbr', 0, 1000),
    hss: whole('hss', 0, 200),
    latencyMs: whole('latency', 0, 1000),
    concurrency: whole('concurrency', 1, 64),
    parallelPairs: whole('parallel-pairs', 1, 256),
    nodeArgs: (values['exporter-node-args'] ?? '').split(' ').filter(Boolean),
  };
}

interface Child {
  process: ChildProcess;
  lines: string[];
  /** The first line (so far or to come) that `match` takes. */
  next(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  onLine(listener: (line: string) => void): void;
}

/** A child whose stdout lines are kept as they come. */
function child(script: string, args: string[], nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  const listeners: ((line: string) => void)[] = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    lines.push(line);
    for (const listener of listeners) listener(line);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (match: (line: string) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`${script}: no such line within ${timeoutMs} ms (exit ${proc.exitCode})`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  };
  return { process: proc, lines, next, onLine: (listener) => listeners.push(listener) };
}

interface LogRecord {
  time: number;
  msg: string;
  duration_ms?: number;
  pair?: string;
}

const records = (lines: readonly string[]): LogRecord[] =>
  lines.flatMap((line) => {
    try {
      // The exporter writes ISO times.
      const record = JSON.parse(line) as Omit<LogRecord, 'time'> & { time: string };
      return [{ ...record, time: Date.parse(record.time) }];
    } catch {
      return [];
    }
  });

/** The pairs' log lines of one refresh: the `index`-th line of each pair. */
function refreshLines(lines: readonly string[], index: number): LogRecord[] {
  const seen = new Map<string, number>();
  const out: LogRecord[] = [];
  for (const record of records(lines)) {
    if (record.pair === undefined || (record.msg !== 'refresh complete' && record.msg !== 'refresh failed; keeping the previous snapshot')) continue;
    const n = seen.get(record.pair) ?? 0;
    seen.set(record.pair, n + 1);
    if (n === index) out.push(record);
  }
  return out;
}

/** From the first pair's start to the last pair's end. */
function listedSpan(batch: readonly LogRecord[]): { startedAt: number; endedAt: number } {
  return { startedAt: Math.min(...batch.map((r) => r.time - (r.duration_ms ?? 0))), endedAt: Math.max(...batch.map((r) => r.time)) };
}

/** An unlabelled sample of the exporter's own metrics. */
function gauge(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

function kib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

async function main(): Promise<void> {
  const o = options();
  const targets = o.accounts * o.projects;
  const pairs = targets * 2;
  const load = loadavg().map((v) => v.toFixed(2)).join(' ');
  const simOptions: DiscoverySimOptions = { accounts: o.accounts, projectsPerAccount: o.projects, cbrVaults: o.cbr, hssVaults: o.hss, latencyMs: o.latencyMs };
  const sim = child(fileURLToPath(new URL('discovery-sim.js', import.meta.url)), [JSON.stringify(simOptions)]);
  const exporters: ChildProcess[] = [];
  try {
    const { url, keys } = JSON.parse(await sim.next((line) => line.startsWith('{'), 120_000)) as { url: string; keys: [string, string][] };
    const endpoints = { iam: url, ...simulatedEndpoints(url) };
    const config = join(tmpdir(), `hve-discovery-bench-${process.pid}.yaml`);
    writeFileSync(
      config,
      stringify({
        // The first refresh follows the first discovery; the next ones come at second 0 of each minute.
        refresh: { schedule: '0 * * * * *', timeout: '5m', concurrency: o.concurrency, parallel_pairs: o.parallelPairs },
        discover: keys.map(([ak, sk], i) => ({ auth: { access_key: ak, secret_key: sk }, labels: { account: `account-${i}` }, interval: '1h', endpoints })),
      }),
    );
    const exporter = child(MAIN, [`--config.file=${config}`, '--web.listen-address=127.0.0.1:0', '--log.level=info'], o.nodeArgs);
    exporters.push(exporter.process);
    const listening = JSON.parse(await exporter.next((line) => line.includes('"listening"'), 30_000)) as { url: string };
    const base = new URL(listening.url).origin;
    const appliedLine = await exporter.next((line) => line.includes('"discovered targets applied"'), 120_000);
    const applied = { ...(JSON.parse(appliedLine) as { targets: number }), time: records([appliedLine])[0]!.time };
    if (applied.targets !== targets) throw new Error(`discovered ${applied.targets} targets, expected ${targets}`);
    let readyAt = 0;
    for (;;) {
      const { status } = await rawGet(`${base}/-/ready`, {}).catch(() => ({ status: 0 }));
      if (status === 200) {
        readyAt = Date.now();
        break;
      }
      // As a readiness probe polls (Kubernetes: every 10 s), not faster: each poll composes the body anew.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const first = listedSpan(refreshLines(exporter.lines, 0));
    // The scheduled refresh: at the next minute (or the one after, if the first ran across it). Counted as lines
    // come (parsing every line at each wake-up would cost this process more than the exporter spends).
    const ends = (line: string) => line.includes('"refresh complete"') || line.includes('"refresh failed; keeping the previous snapshot"');
    let ended = exporter.lines.filter(ends).length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no scheduled refresh within 180 s')), 180_000);
      const check = () => {
        if (ended < 2 * pairs) return;
        clearTimeout(timer);
        resolve();
      };
      exporter.onLine((line) => {
        if (ends(line)) ended++;
        check();
      });
      check();
    });
    const second = refreshLines(exporter.lines, 1);
    const failed = second.filter((r) => r.msg !== 'refresh complete').length;
    const scheduled = listedSpan(second);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the full GC after publication
    const status = readFileSync(`/proc/${exporter.process.pid}/status`, 'utf8');
    const started = performance.now();
    const gzip = await rawGet(`${base}/metrics`, { 'accept-encoding': 'gzip' });
    const gzipMs = performance.now() - started;
    // Series counted from the gzip answer, as Prometheus reads it; the plain one gives the text's size.
    const text = gunzipSync(gzip.body).toString('utf8');
    const plain = await rawGet(`${base}/metrics`, { 'accept-encoding': 'identity' });
    const series = text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    const vaultSeries = text.split('\n').filter((line) => /^huaweicloud_(cbr|hss)_vault_/.test(line)).length;

    const setting = `${o.accounts} accounts × ${o.projects} projects, ${o.cbr} CBR + ${o.hss} HSS vaults each; ${o.latencyMs} ms latency, ${o.concurrency} in flight, ${o.parallelPairs} pairs at once`;
    const row = (measure: string, value: string, reference = ''): Row => ({ measure, setting, value, reference, ratio: '', target: '', result: '' });
    const rows = [
      row(`First refresh after discovery, ${targets} targets (${pairs} pairs)`, `listed in ${ms(first.endedAt - applied.time)}; published (/-/ready) at ${ms(readyAt - applied.time)}`, `discovery of ${o.accounts} accounts ${ms(applied.time - records(exporter.lines)[0]!.time)} after start`),
      row(`Scheduled refresh, ${targets} targets`, `${ms(scheduled.endedAt - scheduled.startedAt)}`, `${pairs * 1.5} requests (CBR public + hybrid, HSS); ${failed} pair(s) failed`),
      row('RSS after the scheduled refresh', mb(kib(status, 'VmRSS')), `peak ${mb(kib(status, 'VmHWM'))}; V8 heap used ${mb(gauge(text, "nodejs_heap_size_used_bytes"))} of ${mb(gauge(text, "nodejs_heap_size_total_bytes"))}, external ${mb(gauge(text, 'nodejs_external_memory_bytes'))}`),
      row('/metrics size', `${mb(plain.body.length)} text, ${mb(gzip.body.length)} gzip`, `${series} series (${vaultSeries} vault series); gzip scrape ${ms(gzipMs)}`),
    ];
    const table = markdownTable(rows);
    const header = `Discovery scale bench, ${new Date().toISOString().slice(0, 10)}: Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load average ${load} before the run.`;
    process.stdout.write(`${header}\n\n${table}\n`);
    writeFileSync(RESULTS, `${header}\n\n${table}\n`);
  } finally {
    for (const proc of exporters) proc.kill('SIGTERM');
    sim.process.stdin?.end();
    sim.process.kill('SIGTERM');
  }
}

await main();
