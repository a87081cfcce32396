/**
 * The exporter under test, as the daemon runs in production (Daemon: express app, pre-rendered exposition,
 * collector, host limiter, undici), alone in this process: its RSS and event loop are the exporter's
 * only, not the bench's nor the simulator's. Driven by bench/run.ts over IPC (see protocol.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfigOffThread } from '../src/daemon/config-thread.js';
import { Daemon } from '../src/daemon/daemon.js';
import { fullGc } from '../src/daemon/release-memory.js';
import { createLogger } from '../src/log.js';
import { createExporterMetrics } from '../src/metrics/exporter-metrics.js';
import { TEXT_FORMAT } from '../src/server/metrics-handler.js';
import type { ExporterChildOptions, ExporterCommand, ExporterReply, RefreshReport } from './protocol.js';
import { rawGet } from './raw-get.js';
import { SOURCES, type PerSource } from '../src/config/sources.js';
import { simulatedEndpoints } from '../src/sim/sources.js';

const options = JSON.parse(process.argv[2] ?? '') as ExporterChildOptions;
const reply = (message: ExporterReply) => process.send?.(message);
/** Set once the daemon is: a command that arrives while the config loads waits for it instead of being lost. */
const ready = Promise.withResolvers<void>();
process.on('message', (message: ExporterCommand) => {
  ready.promise
    .then(() => handlers[message.cmd]())
    .then(reply, (err: unknown) => reply({ type: 'error', message: (err as Error).stack ?? String(err) }));
});

/**
 * The config is read from a file in the config thread, as src/main.ts reads it: validating it here would load
 * the schema (zod) and the YAML parser into this main thread, which the daemon's never holds (about 5 MB).
 */
async function loadBenchConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-exporter-'));
  try {
    const path = join(dir, 'config.yml');
    const config = {
      // Only the start-up refresh runs on its own; the bench starts the others.
      refresh: { schedule: '0 0 1 1 *', concurrency: options.concurrency, timeout: '10m', request_timeout: '60s' },
      auth: { token: options.token },
      targets: [{ project_id: options.projectId, region: options.region, endpoints: simulatedEndpoints(options.simUrl) }],
    };
    writeFileSync(path, JSON.stringify(config), { mode: 0o600 }); // JSON is YAML
    return await loadConfigOffThread(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const metrics = createExporterMetrics('bench');
const daemon = new Daemon(
  {
    version: 'bench',
    telemetryPath: '/metrics',
    listen: { host: '127.0.0.1', port: 0 },
    log: createLogger({ level: 'warn', format: 'json', stream: process.stderr }),
    metrics,
    gc: fullGc(), // as src/main.ts does
  },
  await loadBenchConfig(),
);

/** A gauge of the exporter's own, as a scrape would read it. */
async function gaugeValue(name: string): Promise<number> {
  const value = (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;
  if (value === undefined) throw new Error(`${name}: not reported`);
  return value;
}

/** RSS is read this long after publication: what the exporter holds, not the refresh's last instant. */
const SETTLE_MS = 1000;

/**
 * Runs `begin` (which starts a refresh) and measures that refresh: listing, publication, the largest
 * event-loop delay from its start until published, then memory once settled.
 */
async function measure(begin: () => Promise<void>): Promise<RefreshReport> {
  const delay = monitorEventLoopDelay({ resolution: options.delayResolutionMs });
  delay.enable();
  const startedAt = performance.now();
  // Resolves once the refresh is published.
  await begin();
  const publishedMs = performance.now() - startedAt;
  const { statuses, body } = daemon.publication();
  const down = statuses.filter((status) => !status.up);
  if (down.length) throw new Error(`refresh failed: ${down.map((s) => `${s.pair.key}: ${s.lastError}`).join('; ')}`);
  const listedMs = Math.max(...statuses.map((status) => status.lastDurationMs ?? 0));
  const vaults = Object.fromEntries(SOURCES.map((source) => [source, 0])) as PerSource<number>;
  for (const status of statuses) vaults[status.pair.source] += status.snapshot?.vaults ?? 0;
  // The delay monitor runs on through the settling second: the collection after publication is counted.
  await sleep(SETTLE_MS);
  delay.disable();
  const memory = process.memoryUsage();
  return {
    listedMs,
    publishedMs,
    vaults,
    series: body.series,
    plainBytes: body.length,
    gzipBytes: body.parts.reduce((sum, part) => sum + part.length, 0),
    rssBytes: memory.rss,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: memory.heapUsed,
    arrayBuffersBytes: memory.arrayBuffers,
    workerHeapUsedBytes: await gaugeValue('huaweicloud_vault_exporter_refresh_worker_heap_used_bytes'),
    workerHeapSizeBytes: await gaugeValue('huaweicloud_vault_exporter_refresh_worker_heap_size_bytes'),
    workerExternalBytes: await gaugeValue('huaweicloud_vault_exporter_refresh_worker_external_memory_bytes'),
    maxDelayMs: delay.max / 1e6,
  };
}

async function start(): Promise<ExporterReply> {
  const refresh = await measure(async () => {
    await daemon.start();
    // The start-up refresh: published once every pair has published its result.
    while (!daemon.publication().attempted) await sleep(5);
  });
  return { type: 'started', url: daemon.url as string, refresh };
}

async function refresh(): Promise<ExporterReply> {
  const report = await measure(async () => {
    if (!(await daemon.refreshNow())) throw new Error('a refresh was still running');
  });
  return { type: 'refreshed', refresh: report };
}

/**
 * The ceiling for /metrics: the exporter's own gzip bytes, written by node:http with nothing in between. It
 * runs in this process (the same machine share as the exporter) only while the throughput rounds do: its copy
 * of the body and its connections' garbage are not the exporter's, and the RSS rows after it measure those.
 */
function bareServer() {
  let server: http.Server | undefined;
  return {
    async serve(): Promise<ExporterReply> {
      const { status, headers, body } = await rawGet(`${daemon.url}/metrics`, { 'accept-encoding': 'gzip' });
      if (status !== 200 || headers['content-encoding'] !== 'gzip') throw new Error(`GET /metrics: HTTP ${status}, content-encoding ${headers['content-encoding']}`);
      const bare = http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': TEXT_FORMAT, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': body.length });
        res.end(body);
      });
      server = bare;
      await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
      return { type: 'bare', url: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`, bytes: body.length };
    },
    async stop(): Promise<ExporterReply> {
      const bare = server;
      server = undefined;
      if (bare) {
        bare.closeAllConnections();
        await new Promise<void>((resolve, reject) => bare.close((err) => (err ? reject(err) : resolve())));
      }
      return { type: 'bare-stopped' };
    },
  };
}

const bare = bareServer();
const handlers: Record<ExporterCommand['cmd'], () => Promise<ExporterReply>> = { start, refresh, bare: bare.serve, 'bare-stop': bare.stop };

ready.resolve();
// The parent went away: nothing is left to measure for.
process.on('disconnect', () => process.exit(0));
