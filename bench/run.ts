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
import { CBR_PAGE_VAULTS, HSS_PAGE_VAULTS, measureParseMs } from './limits.js';
import { median } from './median.js';
import { describeOptions, readOptions, type Options } from './options.js';
import { rawGet } from './raw-get.js';
import { exporterRows, type ParseTimes, type RefreshSetting } from './refresh-bench.js';
import { naiveRow } from './scrape-bench.js';
import { startSimChild } from './sim-child.js';
import { CHILD_TIMEOUT_MS, SIZES, TARGET_LATENCY_MS, TARGET_MIN_CONCURRENCY, TOKEN, type Size } from './sizes.js';
import { markdownTable, mb, ms, type Row } from './table.js';

/** The configured latency (all measurements) and the target's 100 ms with ≥ 4 in flight (refresh only). */
function refreshSettings(options: Options): RefreshSetting[] {
  const settings = [{ latencyMs: options.latencyMs, concurrency: options.concurrency, detailed: true }];
  const target = { latencyMs: TARGET_LATENCY_MS, concurrency: Math.max(TARGET_MIN_CONCURRENCY, options.concurrency), detailed: false };
  if (target.latencyMs !== options.latencyMs || target.concurrency !== options.concurrency) settings.push(target);
  return settings;
}

/** Fetches one page body as the simulator serves it, and how long that took. */
async function fetchPage(simUrl: string, path: string): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  const { status, body } = await rawGet(`${simUrl}${path}`, { 'x-auth-token': TOKEN });
  if (status !== 200) throw new Error(`simulator ${path}: HTTP ${status}`);
  return { text: body.toString('utf8'), ms: performance.now() - started };
}

/**
 * JSON.parse of a CBR page of 1000 and an HSS page of 200 (the parse limit), and, for reading the
 * refresh rows, what the simulator itself spends on a CBR page: it serialises pages on one event loop,
 * so a round of requests that arrive together waits for each other there too.
 */
async function pageCosts(simUrl: string, size: Size): Promise<ParseTimes & { note: string }> {
  const cbrPath = `/v3/${size.projectId}/vaults?limit=${CBR_PAGE_VAULTS}&offset=${CBR_PAGE_VAULTS}`;
  const cbr = await fetchPage(simUrl, cbrPath);
  const hss = await fetchPage(simUrl, `/v5/${size.projectId}/ransomware/optional/vaults?offset=${HSS_PAGE_VAULTS}&limit=${HSS_PAGE_VAULTS}`);
  const times = { cbrMs: measureParseMs(cbr.text), hssMs: measureParseMs(hss.text) };
  const alone: number[] = [];
  for (let i = 0; i < 10; i++) alone.push((await fetchPage(simUrl, cbrPath)).ms);
  const together = await Promise.all(Array.from({ length: 4 }, () => fetchPage(simUrl, cbrPath)));
  const note =
    `Page costs (${size.label}): JSON.parse CBR ${mb(Buffer.byteLength(cbr.text))} ${ms(times.cbrMs)}, HSS ${mb(Buffer.byteLength(hss.text))} ${ms(times.hssMs)} (mean of 30, this process); ` +
    `simulator at 0 ms latency answers a CBR page in ${ms(median(alone))} alone, the last of 4 at once in ${ms(Math.max(...together.map((page) => page.ms)))}.`;
  return { ...times, note };
}

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const settings = refreshSettings(options);
  const began = performance.now();
  const loadBefore = load();
  const notes: string[] = [];
  const rows: Row[] = [];
  let exporterPerSecond: number | undefined;
  process.stderr.write(`bench: starting the simulator (${options.sizes.map((size) => size.label).join('; ')})\n`);
  const sim = await startSimChild(
    {
      projects: options.sizes.map(({ projectId, cbrVaults, hssVaults }) => ({ projectId, cbrVaults, hssVaults })),
      // 0 ms: for measuring page costs; the others for the exporters.
      latenciesMs: [...new Set([0, ...settings.map((setting) => setting.latencyMs)])],
      token: TOKEN,
    },
    CHILD_TIMEOUT_MS,
  );
  try {
    for (const size of options.sizes) {
      const parse = await pageCosts(sim.urls.get(0) as string, size);
      notes.push(parse.note);
      for (const setting of settings) {
        process.stderr.write(`bench: ${size.label}, ${setting.latencyMs} ms latency, ${setting.concurrency} in flight\n`);
        const measured = await exporterRows(size, setting, sim.urls.get(setting.latencyMs) as string, parse, options);
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
    'Refresh: listing wall time (start → both pairs listed), median of the unscraped refreshes; "published" adds rendering and compressing the new body.',
    "Paging limit = latency × (1 + ceil((Pcbr − 1 + Phss − 1) / concurrency)): both first pages go out together, then the later pages of both sources share the host's `concurrency` slots (the simulator serves CBR and HSS on one host:port); never below one source alone, latency × (1 + ceil((P − 1) / concurrency)).",
    'Parse limit = Pcbr × JSON.parse(CBR page of 1000) + Phss × JSON.parse(HSS page of 200). Ratio = refresh / the larger limit.',
    ...notes,
  ];
  const table = markdownTable(rows);
  process.stdout.write(`\n${header.join('\n')}\n\n${table}\n`);
  const results = `# Benchmark results\n\nWritten by \`npm run bench\` (${new Date().toISOString()}).\n\n${header.map((line) => `- ${line}`).join('\n')}\n\n${table}\n`;
  writeFileSync(new URL('../../bench/results.md', import.meta.url), results);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
