import { setTimeout as sleep } from 'node:timers/promises';
import { BenchChild } from './child.js';
import { median } from './median.js';
import type { Options } from './options.js';
import type { BareClientOptions, BareClientReply, ExporterChildOptions, ExporterReply, ProbeReply, RefreshReport } from './protocol.js';
import { scrapeRows } from './scrape-bench.js';
import { startScrapers, type ScrapeStats } from './scrapers.js';
import { CHILD_TIMEOUT_MS, IDLE_PROBE_MS, REFRESH_RATIO_TARGET, REGION, SOAK_GROWTH_BYTES, SOAK_WINDOW, TARGET_LATENCY_MS, TARGET_MIN_CONCURRENCY, TOKEN, type Size } from './sizes.js';
import { imageEnv } from './image-env.js';
import { mb, ms, verdict, type Row } from './table.js';

export interface RefreshSetting {
  latencyMs: number;
  concurrency: number;
  /** Also measure /metrics (if the size asks for it), event-loop delay and RSS. */
  detailed: boolean;
}

async function ask(child: BenchChild<ExporterReply>, size: Size, cmd: 'start' | 'refresh'): Promise<{ url?: string; report: RefreshReport }> {
  const reply = await child.request({ cmd }, CHILD_TIMEOUT_MS);
  if (reply.type !== 'started' && reply.type !== 'refreshed') throw new Error(`exporter: unexpected ${reply.type} reply to ${cmd}`);
  const { vaults } = reply.refresh;
  // A fast refresh that missed vaults would be no result at all.
  if (vaults.cbr !== size.cbrVaults || vaults.hss !== size.hssVaults) {
    throw new Error(`exporter listed ${vaults.cbr} CBR + ${vaults.hss} HSS vaults, expected ${size.cbrVaults} + ${size.hssVaults}`);
  }
  return reply.type === 'started' ? { url: reply.url, report: reply.refresh } : { report: reply.refresh };
}

const range = (values: readonly number[]) => (values.length > 1 ? ` (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})` : '');

/** The bare client's listing times, in a process of its own, against the same simulator. */
async function bareListings(size: Size, setting: RefreshSetting, simUrl: string, runs: number): Promise<number[]> {
  const bareOptions: BareClientOptions = { simUrl, projectId: size.projectId, cbrVaults: size.cbrVaults, hssVaults: size.hssVaults, concurrency: setting.concurrency, token: TOKEN };
  const child = new BenchChild<BareClientReply>('bare-client-process.js', [JSON.stringify(bareOptions)], 'bare client');
  try {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const reply = await child.request({ cmd: 'list' }, CHILD_TIMEOUT_MS);
      if (reply.type !== 'listed') throw new Error(`bare client: unexpected ${reply.type}`);
      times.push(reply.ms);
    }
    return times;
  } finally {
    await child.stop();
  }
}

function refreshRow(size: Size, setting: RefreshSetting, reports: readonly RefreshReport[], bare: readonly number[]): Row {
  const listed = reports.map((report) => report.listedMs);
  const ratio = median(listed) / median(bare);
  // The issue states the refresh target at 100 ms latency with at least 4 in flight; other settings inform.
  const isTarget = setting.latencyMs === TARGET_LATENCY_MS && setting.concurrency >= TARGET_MIN_CONCURRENCY;
  return {
    measure: `Refresh, ${size.label}`,
    setting: `${setting.latencyMs} ms latency, ${setting.concurrency} in flight, median of ${reports.length}`,
    value: `${ms(median(listed))}${range(listed)}; published at ${ms(median(reports.map((report) => report.publishedMs)))}`,
    reference: `bare client (same pages, ${setting.concurrency} in flight on one keep-alive host, JSON.parse each): ${ms(median(bare))}${range(bare)}`,
    ratio: ratio.toFixed(2),
    target: isTarget ? `≤ ${REFRESH_RATIO_TARGET} × bare` : `(target at ${TARGET_LATENCY_MS} ms)`,
    result: isTarget ? verdict(ratio, '<=', REFRESH_RATIO_TARGET) : '',
  };
}

type Probed = Extract<ProbeReply, { type: 'probed' }>;

async function probeReply(probe: BenchChild<ProbeReply>): Promise<Probed> {
  const reply = await probe.request({ cmd: 'stop' }, CHILD_TIMEOUT_MS);
  if (reply.type !== 'probed') throw new Error(`health probe: unexpected ${reply.type}`);
  return reply;
}

/** The probe against the idle exporter, then during one more refresh while `count` scrapers fetch the full body. */
async function probedRefresh(child: BenchChild<ExporterReply>, size: Size, url: string, count: number) {
  const probe = new BenchChild<ProbeReply>('probe-process.js', [url], 'health probe');
  try {
    probe.send({ cmd: 'start' });
    await sleep(IDLE_PROBE_MS);
    const idle = await probeReply(probe);
    const scrapers = startScrapers(`${url}/metrics`, count);
    let measured: { report: RefreshReport };
    let stats: ScrapeStats;
    let busy: Probed;
    try {
      await sleep(1000);
      probe.send({ cmd: 'start' });
      measured = await ask(child, size, 'refresh');
    } finally {
      busy = await probeReply(probe);
      stats = await scrapers.stop();
    }
    return { report: measured.report, stats, idle, busy };
  } finally {
    await probe.stop();
  }
}

function probeRow(size: Size, probed: Awaited<ReturnType<typeof probedRefresh>>, options: Options): Row {
  const { report, stats, idle, busy } = probed;
  return {
    measure: `Health probe during a refresh, ${size.label}`,
    setting: `GET /-/healthy every 10 ms from another process, ${busy.probes} probes${busy.failures ? ` (${busy.failures} failed)` : ''}; refresh while ${options.scrapers} scrapers loop (${stats.scrapes} scrapes, slowest ${ms(stats.maxMs)}); listed in ${ms(report.listedMs)}, published at ${ms(report.publishedMs)}`,
    value: `max ${ms(busy.maxMs)}, p99 ${ms(busy.p99Ms)}, p50 ${ms(busy.p50Ms)}`,
    reference: `idle exporter: max ${ms(idle.maxMs)}, p99 ${ms(idle.p99Ms)}, p50 ${ms(idle.p50Ms)} (${idle.probes} probes); main event loop's largest delay in the refresh ${ms(report.maxDelayMs)}`,
    ratio: '',
    target: `max ≤ ${size.maxProbeMs} ms`,
    result: verdict(busy.maxMs, '<=', size.maxProbeMs),
  };
}

function rssRow(size: Size, reports: readonly RefreshReport[]): Row {
  const last = reports.at(-1) as RefreshReport;
  const peak = Math.max(...reports.map((report) => report.peakRssBytes));
  const rss = Math.max(...reports.map((report) => report.rssBytes), peak);
  return {
    measure: `RSS after each refresh, ${size.label}`,
    setting: `${last.series.toLocaleString('en')} series, ${mb(last.plainBytes)} text, ${mb(last.gzipBytes)} gzip; ${reports.length} refreshes, 1 s after each; the process, worker thread included`,
    value: `${reports.map((report) => mb(report.rssBytes)).join(', ')}; peak ${mb(peak)}`,
    reference: `last: main thread V8 heap ${mb(last.heapUsedBytes)} in use, Buffers ${mb(last.arrayBuffersBytes)}; refresh worker V8 heap ${mb(last.workerHeapUsedBytes)} in use of ${mb(last.workerHeapSizeBytes)}, external ${mb(last.workerExternalBytes)}`,
    ratio: '',
    target: `≤ ${mb(size.maxRssBytes)}, peak included`,
    result: verdict(rss, '<=', size.maxRssBytes),
  };
}

/** RSS over the soak's refreshes: its last ones against its first, and the trend of them all (least squares). */
function soakRow(size: Size, reports: readonly RefreshReport[]): Row {
  const rss = reports.map((report) => report.rssBytes);
  const first = median(rss.slice(0, SOAK_WINDOW));
  const last = median(rss.slice(-SOAK_WINDOW));
  const n = rss.length;
  const meanX = (n - 1) / 2;
  const meanY = rss.reduce((sum, y) => sum + y, 0) / n;
  const slope = rss.reduce((sum, y, x) => sum + (x - meanX) * (y - meanY), 0) / rss.reduce((sum, _y, x) => sum + (x - meanX) ** 2, 0);
  return {
    measure: `RSS over ${n} more refreshes, ${size.label}`,
    setting: `one after another, 1 s after each, after the refreshes above; medians of the first and last ${SOAK_WINDOW}`,
    value: `first ${mb(first)}, last ${mb(last)} (${mb(Math.min(...rss))}–${mb(Math.max(...rss))}); peak ${mb(Math.max(...reports.map((report) => report.peakRssBytes)))}`,
    reference: `trend ${(slope / 1e6).toFixed(2)} MB a refresh`,
    ratio: '',
    target: `no growth: last ≤ first + ${mb(SOAK_GROWTH_BYTES)}`,
    result: verdict(last, '<=', first + SOAK_GROWTH_BYTES),
  };
}

/**
 * One exporter child against the simulator at `simUrl`: its start-up refresh and `options.refreshes − 1`
 * more (medians), held against the bare client; when detailed, /metrics throughput, then the health probe
 * idle and during a refresh under scrapes, RSS after each refresh, and RSS over the soak's refreshes.
 */
export async function exporterRows(size: Size, setting: RefreshSetting, simUrl: string, options: Options): Promise<{ rows: Row[]; perSecond?: number }> {
  const childOptions: ExporterChildOptions = {
    simUrl,
    projectId: size.projectId,
    region: REGION,
    concurrency: setting.concurrency,
    token: TOKEN,
    delayResolutionMs: options.resolutionMs,
  };
  const child = new BenchChild<ExporterReply>('exporter-process.js', [JSON.stringify(childOptions)], `exporter (${size.projectId})`, options.exporterNodeArgs, imageEnv());
  try {
    const started = await ask(child, size, 'start');
    const url = started.url as string;
    const reports = [started.report];
    while (reports.length < options.refreshes) reports.push((await ask(child, size, 'refresh')).report);
    const bare = await bareListings(size, setting, simUrl, options.refreshes);
    const rows = [refreshRow(size, setting, reports, bare)];
    if (!setting.detailed) return { rows };
    let perSecond: number | undefined;
    if (size.scrapeBench) {
      process.stderr.write('bench: /metrics throughput (exporter and bare node:http, alternating)\n');
      const scrapes = await scrapeRows(child, url, options.seconds, options.rounds);
      rows.push(...scrapes.rows);
      perSecond = scrapes.perSecond;
    }
    process.stderr.write('bench: health probe, idle and during a refresh under scrapes\n');
    const probed = await probedRefresh(child, size, url, options.scrapers);
    rows.push(probeRow(size, probed, options), rssRow(size, [...reports, probed.report]));
    const soaked = options.soak ?? size.soakRefreshes;
    if (soaked > 0) {
      process.stderr.write(`bench: RSS over ${soaked} more refreshes\n`);
      const soak: RefreshReport[] = [];
      while (soak.length < soaked) soak.push((await ask(child, size, 'refresh')).report);
      rows.push(soakRow(size, soak));
    }
    return { rows, perSecond };
  } finally {
    await child.stop();
  }
}
