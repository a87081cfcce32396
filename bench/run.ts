/**
 * `npm run bench`: refresh time, /metrics throughput, event-loop delay and RSS of the exporter at 10,000
 * and 100,000 vaults (issue #6), printed as a table and written to bench/results.md.
 *
 * Three kinds of process, so that each measurement sees only what it measures: the simulated cloud
 * (sim-process), one exporter per size and latency (exporter-process: the Daemon, its event loop and RSS
 * alone), and the naive prom-client baseline (naive-process). Load comes from wrk or from this process.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { BenchSetupError, describeOptions, readOptions, type Options } from './options.js';
import { exporterRows, type RefreshSetting } from './refresh-bench.js';
import { naiveRow } from './scrape-bench.js';
import { startSimChild } from './sim-child.js';
import { CHILD_TIMEOUT_MS, SIZES, TARGET_LATENCY_MS, TARGET_MIN_CONCURRENCY, TOKEN } from './sizes.js';
import { imageEnv } from './image-env.js';
import { markdownTable, type Row } from './table.js';
import { requireWrk } from './wrk.js';

/** The configured latency (all measurements) and the target's 100 ms with ≥ 4 in flight (refresh only). */
function refreshSettings(options: Options): RefreshSetting[] {
  const settings = [{ latencyMs: options.latencyMs, concurrency: options.concurrency, detailed: true }];
  const target = { latencyMs: TARGET_LATENCY_MS, concurrency: Math.max(TARGET_MIN_CONCURRENCY, options.concurrency), detailed: false };
  if (target.latencyMs !== options.latencyMs || target.concurrency !== options.concurrency) settings.push(target);
  return settings;
}

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const settings = refreshSettings(options);
  requireWrk();
  const began = performance.now();
  const loadBefore = load();
  const rows: Row[] = [];
  let exporterPerSecond: number | undefined;
  process.stderr.write(`bench: starting the simulator (${options.sizes.map((size) => size.label).join('; ')})\n`);
  const sim = await startSimChild(
    {
      projects: options.sizes.map(({ projectId, cbrVaults, hssVaults }) => ({ projectId, cbrVaults, hssVaults })),
      latenciesMs: [...new Set(settings.map((setting) => setting.latencyMs))],
      token: TOKEN,
    },
    CHILD_TIMEOUT_MS,
  );
  try {
    for (const size of options.sizes) {
      for (const setting of settings) {
        process.stderr.write(`bench: ${size.label}, ${setting.latencyMs} ms latency, ${setting.concurrency} in flight\n`);
        const measured = await exporterRows(size, setting, sim.urls.get(setting.latencyMs) as string, options);
        rows.push(...measured.rows);
        exporterPerSecond ??= measured.perSecond;
      }
    }
  } finally {
    await sim.stop();
  }
  const naiveSize = SIZES.find((size) => size.scrapeBench && options.sizes.includes(size));
  if (naiveSize) {
    process.stderr.write('bench: naive prom-client baseline\n');
    rows.push(await naiveRow(naiveSize, options.seconds, exporterPerSecond));
  }

  const header = [
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}; load average ${loadBefore} before, ${load()} after (other work on the machine skews every figure); run took ${Math.round((performance.now() - began) / 1000)} s.`,
    `Flags: ${describeOptions(options)}. Simulator, each exporter and the naive baseline run in processes of their own; wrk or this process makes the load.`,
    'Refresh: listing wall time (start → both pairs listed), median of the unscraped refreshes, held against a bare client in a process of its own that fetches the same pages from the same simulator with the same number in flight on one keep-alive host and JSON.parses each (the simulator\'s own cost is in both); "published" adds rendering and publishing the new body.',
    'Health probe: GET /-/healthy every 10 ms from a process of its own, first against the idle exporter, then during a refresh while the scrapers loop; the answer times are what a client waits.',
    `RSS: of the exporter's process, its refresh worker thread included; peak is the process's maxRSS so far. The exporter runs with the image's environment (${Object.entries(imageEnv()).map(([k, v]) => `${k}=${v}`).join(' ')}).`,
  ];
  const table = markdownTable(rows);
  process.stdout.write(`\n${header.join('\n')}\n\n${table}\n`);
  const results = `# Benchmark results\n\nWritten by \`npm run bench\` (${new Date().toISOString()}).\n\n${header.map((line) => `- ${line}`).join('\n')}\n\n${table}\n`;
  writeFileSync(new URL('../../bench/results.md', import.meta.url), results);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof BenchSetupError) process.stderr.write(`bench: ${err.message}\n`);
    else process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
