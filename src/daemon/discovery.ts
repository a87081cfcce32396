import type { Logger } from 'pino';
import type { DiscoveryCounters, DiscoveryHandover, DiscoveryLoop } from '../collect/discovery-loop.js';
import { ConfigError } from '../config/config-error.js';
import { NO_SHARD } from '../config/shard.js';
import type { LoadedConfig } from '../config/target-auth.js';
import { targetList, type TargetList } from '../config/target-list.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import type { RuntimeDeps } from './runtime.js';

export interface DiscoveryWiring {
  log: Logger;
  metrics: ExporterMetrics;
  counters: DiscoveryCounters;
  backoff?: RuntimeDeps['backoff'];
  onChange(): void;
}

/**
 * The discovery loop of a loaded config (undefined without discover entries); reads its credential files, starts
 * nothing. Its HTTP client and IAM clients load only here: without discover entries the main thread has none.
 */
export async function discoveryLoopOf(loaded: LoadedConfig, wiring: DiscoveryWiring, carried?: DiscoveryHandover): Promise<DiscoveryLoop | undefined> {
  const { config, discoveryAuths } = loaded;
  if (config.discover.length === 0) return undefined;
  const [{ DiscoveryLoop }, { createDispatcher }] = await Promise.all([import('../collect/discovery-loop.js'), import('./dispatcher.js')]);
  const dispatcher = createDispatcher(config);
  try {
    return new DiscoveryLoop(
      config.discover.map((entry, i) => ({ entry, auth: discoveryAuths[i]! })),
      {
        dispatcher,
        log: wiring.log,
        counters: wiring.counters,
        // IAM's project list, under source "iam" with the entry's index and labels.
        countAttempt: (entry, code) => wiring.metrics.countRequest({ source: 'iam', discovery: String(entry.index), ...entry.settings.labels }, code),
        onChange: wiring.onChange,
        requestTimeoutMs: config.refresh.request_timeout,
        maxRetries: config.refresh.max_retries,
        timeoutMs: config.refresh.timeout,
        bodySizeLimit: config.refresh.body_size_limit,
        backoff: wiring.backoff,
      },
      carried,
    );
  } catch (err) {
    void dispatcher.close();
    throw new ConfigError((err as Error).message);
  }
}

/** The targets this replica runs: `targets:` and the discovered ones, less duplicates (logged), its shard's part. */
export function servedTargets(loaded: LoadedConfig, discovery: DiscoveryLoop | undefined, log: Logger): TargetList {
  const list = targetList(loaded.config.targets, loaded.auths, discovery?.targets() ?? [], loaded.config.shard ?? NO_SHARD);
  for (const { target, listedBy } of list.duplicates) {
    log.warn({ project_id: target.project_id, region: target.region, discovery: target.discovered?.entry, listed_by: listedBy }, 'discovered project is listed already; keeping that listing');
  }
  return list;
}

/** Two lists with the same key run the same pairs with the same settings. */
export function targetListKey(list: TargetList): string {
  return JSON.stringify(list.targets);
}
