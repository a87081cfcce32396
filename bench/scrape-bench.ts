import { BenchChild } from './child.js';
import { median } from './median.js';
import type { ExporterReply, NaiveReply } from './protocol.js';
import { CHILD_TIMEOUT_MS, METRICS_CLIENTS, P99_RATIO_TARGET, REGION, THROUGHPUT_RATIO_TARGET, type Size } from './sizes.js';
import { mb, ms, perSecond, verdict, type Row } from './table.js';
import { runWrk, type WrkResult } from './wrk.js';

const WARMUP_SECONDS = 2;
/** A naive scrape takes about a second and 10 of them interleave: a shorter run completes almost none. */
const NAIVE_MIN_SECONDS = 20;

function checked(name: string, result: WrkResult): WrkResult {
  if (result.errors > 0 || result.requests === 0) throw new Error(`${name}: wrk saw ${result.errors} errors in ${result.requests} requests`);
  return result;
}

/** The round with the median throughput stands for the server; p50/p99 are medians over rounds. */
function summary(results: readonly WrkResult[]) {
  const rates = results.map((result) => result.perSecond);
  return {
    perSecond: median(rates),
    p50Ms: median(results.map((result) => result.p50Ms)),
    p99Ms: median(results.map((result) => result.p99Ms)),
    spread: results.length > 1 ? ` (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))})` : '',
  };
}

const latencies = (result: { p50Ms: number; p99Ms: number }) => `p50 ${ms(result.p50Ms)}, p99 ${ms(result.p99Ms)}`;

/**
 * The exporter's /metrics against a bare node:http server replaying the exporter's own gzip bytes, in the
 * exporter's process. Runs alternate (exporter, bare, exporter, …) so that other load on the machine
 * falls on both alike; medians are compared.
 */
export async function scrapeRows(child: BenchChild<ExporterReply>, url: string, seconds: number, rounds: number): Promise<{ rows: Row[]; perSecond: number }> {
  const wrk = (target: string, duration: number) => runWrk(target, { connections: METRICS_CLIENTS, seconds: duration });
  const bare = await child.request({ cmd: 'bare' }, CHILD_TIMEOUT_MS);
  if (bare.type !== 'bare') throw new Error(`exporter: expected the bare server, got ${bare.type}`);
  const targets = [`${url}/metrics`, bare.url] as const;
  for (const target of targets) await wrk(target, WARMUP_SECONDS);
  const runs: [WrkResult[], WrkResult[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    runs[0].push(checked('exporter /metrics', await wrk(targets[0], seconds)));
    runs[1].push(checked('bare node:http', await wrk(targets[1], seconds)));
  }
  const stopped = await child.request({ cmd: 'bare-stop' }, CHILD_TIMEOUT_MS);
  if (stopped.type !== 'bare-stopped') throw new Error(`exporter: expected the bare server stopped, got ${stopped.type}`);
  const [exporter, baseline] = runs.map(summary) as [ReturnType<typeof summary>, ReturnType<typeof summary>];
  const ratio = exporter.perSecond / baseline.perSecond;
  const setting = `${METRICS_CLIENTS} gzip clients (wrk), ${mb(bare.bytes)} body, median of ${rounds} × ${seconds} s`;
  return {
    perSecond: exporter.perSecond,
    rows: [
      {
        measure: '/metrics throughput, 10,000 CBR + 2,000 HSS',
        setting,
        value: `${perSecond(exporter.perSecond)}${exporter.spread}`,
        reference: `bare node:http ${perSecond(baseline.perSecond)}${baseline.spread}`,
        ratio: ratio.toFixed(2),
        target: `≥ ${THROUGHPUT_RATIO_TARGET} × bare`,
        result: verdict(ratio, '>=', THROUGHPUT_RATIO_TARGET),
      },
      {
        measure: '/metrics latency, 10,000 CBR + 2,000 HSS',
        setting,
        value: latencies(exporter),
        reference: `bare node:http ${latencies(baseline)}`,
        ratio: (exporter.p99Ms / baseline.p99Ms).toFixed(2),
        target: `p99 ≤ ${P99_RATIO_TARGET} × bare p99`,
        result: verdict(exporter.p99Ms / baseline.p99Ms, '<=', P99_RATIO_TARGET),
      },
    ],
  };
}

/** prom-client rendering every series per scrape, as the issue measured it, for the same fleet. */
export async function naiveRow(size: Size, seconds: number, exporterPerSecond: number | undefined): Promise<Row> {
  const child = new BenchChild<NaiveReply>(
    'naive-process.js',
    [JSON.stringify({ projectId: size.projectId, region: REGION, cbrVaults: size.cbrVaults, hssVaults: size.hssVaults })],
    'naive baseline',
  );
  try {
    const listening = await child.next(CHILD_TIMEOUT_MS);
    if (listening.type !== 'listening') throw new Error(`naive baseline: expected listening, got ${listening.type}`);
    const duration = Math.max(seconds, NAIVE_MIN_SECONDS);
    // Scrapes queue behind each other for seconds: a long client timeout, or wrk counts them as errors.
    const result = checked('naive baseline', await runWrk(listening.url, { connections: METRICS_CLIENTS, seconds: duration, timeoutSeconds: 60 }));
    const stats = await child.request({ cmd: 'stats' }, CHILD_TIMEOUT_MS);
    if (stats.type !== 'stats') throw new Error(`naive baseline: expected stats, got ${stats.type}`);
    return {
      measure: 'Naive baseline: prom-client registry.metrics() + gzip per scrape',
      setting: `${METRICS_CLIENTS} gzip clients, ${listening.series.toLocaleString('en')} series, ${mb(stats.gzipBytes)} gzip, ${duration} s`,
      value: `${perSecond(result.perSecond)}, ${latencies(result)}`,
      reference: `registry.metrics() blocks ${ms(stats.meanMetricsMs)} per scrape (max ${ms(stats.maxMetricsMs)})`,
      ratio: exporterPerSecond === undefined ? '' : `exporter ×${Math.round(exporterPerSecond / Math.max(result.perSecond, 1e-9))}`,
      target: '',
      result: '',
    };
  } finally {
    await child.stop();
  }
}
