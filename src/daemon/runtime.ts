import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { createCredentials } from '../cloud/credentials.js';
import { HostLimiter } from '../cloud/host-limiter.js';
import { holdBackWhenRefused, RefusalRecord, refusalKey, type RefusalBackoffSettings } from '../cloud/refusal-backoff.js';
import type { Credentials } from '../cloud/request.js';
import type { AuthConfig } from '../config/auth.js';
import { ConfigError } from '../config/load.js';
import type { Config, TargetConfig } from '../config/schema.js';
import { buildPairSources, type PairSourceDeps } from '../collect/pair-source.js';
import { longestGapMs } from '../collect/schedule-gap.js';
import { RefreshScheduler } from '../collect/scheduler.js';
import { VaultCollector } from '../collect/vault-collector.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import { VaultExposition } from '../metrics/vault-exposition.js';

/** Everything one loaded config runs on; a reload builds a new one and retires the old. */
export interface Runtime {
  collector: VaultCollector;
  exposition: VaultExposition;
  scheduler: RefreshScheduler;
  dispatcher: Dispatcher;
  intervalMs: number;
  maxStalenessMs: number;
}

export interface RuntimeDeps {
  log: Logger;
  metrics: ExporterMetrics;
  /** The collector of the config this one replaces (reload). */
  replaces?: VaultCollector;
  backoff?: PairSourceDeps['backoff'];
  /** How long refused credentials are held back; default DEFAULT_REFUSAL_BACKOFF. */
  refusalBackoff?: RefusalBackoffSettings;
  /** A full garbage collection to run once each refresh is published (see release-memory.ts). */
  gc?: () => void;
}

function createDispatcher(config: Config): Dispatcher {
  let ca: string[] | undefined;
  if (config.tls.ca_file) {
    try {
      // Added to the system roots, not instead of them: a proxy or IAM may still use a public CA.
      ca = [...rootCertificates, readFileSync(config.tls.ca_file, 'utf8')];
    } catch (err) {
      throw new ConfigError(`tls.ca_file: cannot read ${config.tls.ca_file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  // Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY; TLS verification is never turned off.
  return new EnvHttpProxyAgent({ connect: { ca }, requestTls: { ca }, keepAliveTimeout: 30_000, connections: 64 });
}

export function buildRuntime(config: Config, auths: readonly AuthConfig[], deps: RuntimeDeps): Runtime {
  const dispatcher = createDispatcher(config);
  const credentials = new Map<TargetConfig, Credentials>();
  // One record per key (see refusalKey): targets that use one key share its refusals. A reload starts afresh.
  const refusals = new Map<string, RefusalRecord>();
  config.targets.forEach((target, i) => {
    const labels = { source: 'iam', project_id: target.project_id, region: target.region };
    const auth = auths[i] as AuthConfig;
    const key = refusalKey(auth);
    const record = refusals.get(key) ?? new RefusalRecord(deps.refusalBackoff);
    refusals.set(key, record);
    try {
      credentials.set(target, holdBackWhenRefused(createCredentials(auth, {
        projectId: target.project_id,
        region: target.region,
        iamEndpoint: target.endpoints.iam,
        dispatcher,
        countAttempt: (code) => deps.metrics.countRequest(labels, code),
        requestTimeoutMs: config.refresh.request_timeout,
      }), record));
    } catch (err) {
      throw new ConfigError(`targets[${i}]: credentials: ${(err as Error).message}`);
    }
  });
  const sources = buildPairSources(config, {
    dispatcher,
    limiter: new HostLimiter(config.refresh.concurrency),
    log: deps.log,
    credentialsFor: (target) => credentials.get(target) as Credentials,
    countAttempt: (pair, code) => deps.metrics.countRequest({ source: pair.source, project_id: pair.projectId, region: pair.region }, code),
    backoff: deps.backoff,
  });
  const intervalMs = longestGapMs(config.refresh.schedule);
  const maxStalenessMs = config.refresh.max_staleness ?? 3 * intervalMs;
  const collector = new VaultCollector({
    sources,
    parallelPairs: config.refresh.parallel_pairs,
    timeoutMs: config.refresh.timeout,
    maxStalenessMs,
    log: deps.log,
    replaces: deps.replaces,
  });
  const exposition = new VaultExposition(sources.map((s) => s.pair.key), deps.log);
  collector.onChange((status) => exposition.update(status));
  for (const status of collector.statuses()) if (status.snapshot) exposition.update(status);
  const gc = deps.gc;
  const afterRefresh = gc ? () => void exposition.settled().then(() => setImmediate(gc)) : undefined;
  const scheduler = new RefreshScheduler(collector, config.refresh.schedule, Math.max(1000, Math.min(5000, maxStalenessMs / 10)), afterRefresh);
  return { collector, exposition, scheduler, dispatcher, intervalMs, maxStalenessMs };
}
