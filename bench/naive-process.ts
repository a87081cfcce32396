/**
 * The naive baseline the issue measured: every vault series in a prom-client Registry, and per scrape
 * `await registry.metrics()` plus gzip. Same fleet as the simulator's (generateFleet is deterministic),
 * same families and label values as the exporter's (the project's own family definitions).
 *
 * argv[2]: JSON { projectId, region, cbrVaults, hssVaults }. Replies over IPC (protocol.ts NaiveReply).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { parseCbrVault } from '../src/cloud/cbr-vault.js';
import { parseHssVault } from '../src/cloud/hss-vault.js';
import { CBR_FAMILIES } from '../src/metrics/cbr-families.js';
import type { VaultFamily } from '../src/metrics/family.js';
import { HSS_FAMILIES } from '../src/metrics/hss-families.js';
import { TEXT_FORMAT } from '../src/server/metrics-handler.js';
import { generateFleet } from '../src/sim/fleet.js';
import type { NaiveReply } from './protocol.js';

const gzipAsync = promisify(gzip);
const options = JSON.parse(process.argv[2] ?? '') as { projectId: string; region: string; cbrVaults: number; hssVaults: number };
const reply = (message: NaiveReply) => process.send?.(message);

function present<T>(vault: T | undefined): vault is T {
  return vault !== undefined;
}

/** Registers one gauge per family; returns the series set. */
function addFamilies<T extends { id: string; name: string }>(registry: Registry, families: readonly VaultFamily<T>[], vaults: readonly T[]): number {
  let series = 0;
  for (const family of families) {
    const samples = vaults.map((vault) => ({ vault, samples: family.samples(vault) }));
    const extraNames = new Set<string>();
    for (const { samples: list } of samples) for (const sample of list) for (const [name] of sample.labels) extraNames.add(name);
    const gauge = new Gauge({ name: family.name, help: family.help, labelNames: ['project_id', 'region', 'vault_id', 'vault_name', ...extraNames], registers: [registry] });
    for (const { vault, samples: list } of samples) {
      for (const sample of list) {
        gauge.set({ project_id: options.projectId, region: options.region, vault_id: vault.id, vault_name: vault.name, ...Object.fromEntries(sample.labels) }, sample.value);
        series++;
      }
    }
  }
  return series;
}

const fleet = generateFleet({ projectId: options.projectId, cbrVaults: options.cbrVaults, hssVaults: options.hssVaults });
const registry = new Registry();
const series =
  addFamilies(registry, CBR_FAMILIES, fleet.cbr.map((raw) => parseCbrVault(raw).vault).filter(present)) +
  addFamilies(registry, HSS_FAMILIES, fleet.hss.map((raw) => parseHssVault(raw).vault).filter(present));

const stats = { scrapes: 0, totalMetricsMs: 0, maxMetricsMs: 0, plainBytes: 0, gzipBytes: 0 };
const server = http.createServer((_req, res) => {
  void (async () => {
    const started = performance.now();
    const text = await registry.metrics();
    const metricsMs = performance.now() - started;
    const body = await gzipAsync(text);
    stats.scrapes++;
    stats.totalMetricsMs += metricsMs;
    stats.maxMetricsMs = Math.max(stats.maxMetricsMs, metricsMs);
    stats.plainBytes = Buffer.byteLength(text);
    stats.gzipBytes = body.length;
    res.writeHead(200, { 'Content-Type': TEXT_FORMAT, 'Content-Encoding': 'gzip', 'Content-Length': body.length });
    res.end(body);
  })();
});
server.listen(0, '127.0.0.1', () => {
  reply({ type: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, series });
});

process.on('message', () => {
  const { scrapes, totalMetricsMs, maxMetricsMs, plainBytes, gzipBytes } = stats;
  reply({ type: 'stats', scrapes, meanMetricsMs: scrapes ? totalMetricsMs / scrapes : 0, maxMetricsMs, plainBytes, gzipBytes });
});
process.on('disconnect', () => process.exit(0));
