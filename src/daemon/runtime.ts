import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { createCredentials } from '../cloud/credentials.js';
import { HostLimiter } from '../cloud/host-limiter.js';
import { credentialFingerprint, holdBackWhenRefused, RefusalRecord, refusalKey, type RefusalBackoffSettings } from '../cloud/refusal-backoff.js';
import type { Credentials } from '../cloud/request.js';
import type { AuthConfig } from '../config/auth.js';
import { ConfigError } from '../config/load.js';
import type { Config, TargetConfig } from '../config/schema.js';
import { listablePairs, type ListablePair, type ListablePairDeps } from '../collect/listable-pair.js';
import { longestGapMs } from '../collect/schedule-gap.js';
import { RefreshScheduler } from '../collect/scheduler.js';
import type { PairStatus } from '../collect/snapshot.js';
import { VaultCollector, type CollectorCounters } from '../collect/vault-collector.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import { VaultExposition, type RenderedSnapshot } from '../metrics/vault-exposition.js';

/** Everything one loaded config runs on; a reload builds a new one and retires the old. */
export interface Runtime {
  collector: VaultCollector;
  exposition: VaultExposition;
  scheduler: RefreshScheduler;
  dispatcher: Dispatcher;
  schedule: string;
  intervalMs: number;
  maxStalenessMs: number;
  /** Refusal records of the credentials this config uses, for the runtime of the next reload. */
  holds: RefusalHolds;
  /** Starts the schedule; refreshes at once unless every pair took over a state from the replaced runtime. */
  start(): void;
}

/**
 * Refusal records by refusalKey, with a fingerprint of the credentials each judged: kept across reloads for
 * credentials that did not change (see credentialFingerprint).
 */
export type RefusalHolds = ReadonlyMap<string, { fingerprint: string; record: RefusalRecord }>;

/** What a runtime takes over from the one it replaces: plain data, so the old runtime can be collected. */
export interface Handover {
  /** The published status of each pair, by pair key. */
  statuses: ReadonlyMap<string, PairStatus>;
  /** The rendered series of each published snapshot, by pair key. */
  rendered: ReadonlyMap<string, RenderedSnapshot>;
  /** The old runtime's refresh was cut short: refresh at once rather than at the next tick. */
  refreshAtOnce: boolean;
}

export interface RuntimeDeps {
  log: Logger;
  metrics: ExporterMetrics;
  /** The daemon's counters, shared by every runtime so that none goes down at a reload. */
  counters: CollectorCounters;
  /** The refusal records of the runtime this one replaces. */
  holds?: RefusalHolds;
  backoff?: ListablePairDeps['backoff'];
  /** How long refused credentials are held back; default DEFAULT_REFUSAL_BACKOFF. */
  refusalBackoff?: RefusalBackoffSettings;
  /** A full garbage collection to run once each refresh is published (see release-memory.ts). */
  gc?: () => void;
}

/** A config's runtime with every file read and every credential made, not yet holding or serving anything. */
export interface PreparedRuntime {
  dispatcher: Dispatcher;
  /** Builds the runtime, taking over what `handover` carries; starts nothing. */
  assemble(handover?: Handover): Runtime;
}

/** An HTTP client for `config`'s requests: its CA file, HTTPS_PROXY; ConfigError when the CA file cannot be read. */
export function createDispatcher(config: Config): Dispatcher {
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

/**
 * The default max_staleness: three scheduled gaps plus the longest a refresh may take, since a snapshot is
 * dated at the end of the refresh that took it and the next one ends at most a gap and a refresh later.
 */
export function defaultMaxStalenessMs(intervalMs: number, refreshTimeoutMs: number): number {
  return 3 * intervalMs + refreshTimeoutMs;
}

/** One record per key (see refusalKey): targets that use one key share its refusals. */
function holdsFor(auths: readonly AuthConfig[], deps: RuntimeDeps): Map<string, { fingerprint: string; record: RefusalRecord }> {
  const holds = new Map<string, { fingerprint: string; record: RefusalRecord }>();
  auths.forEach((auth, i) => {
    const key = refusalKey(auth);
    if (holds.has(key)) return;
    let fingerprint: string;
    try {
      fingerprint = credentialFingerprint(auth);
    } catch (err) {
      throw new ConfigError(`targets[${i}]: credentials: ${(err as Error).message}`);
    }
    const before = deps.holds?.get(key);
    holds.set(key, before?.fingerprint === fingerprint ? before : { fingerprint, record: new RefusalRecord(deps.refusalBackoff) });
  });
  return holds;
}

function credentialsOf(config: Config, auths: readonly AuthConfig[], dispatcher: Dispatcher, holds: RefusalHolds, deps: RuntimeDeps) {
  const credentials = new Map<TargetConfig, Credentials>();
  config.targets.forEach((target, i) => {
    const labels = { source: 'iam', project_id: target.project_id, region: target.region, ...target.labels };
    const auth = auths[i] as AuthConfig;
    const { record } = holds.get(refusalKey(auth)) as { record: RefusalRecord };
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
  return credentials;
}

/** Reads every file the config names and makes its credentials; throws ConfigError, and then nothing is left open. */
export function prepareRuntime(config: Config, auths: readonly AuthConfig[], deps: RuntimeDeps): PreparedRuntime {
  const dispatcher = createDispatcher(config);
  let sources: ListablePair[];
  let holds: RefusalHolds;
  try {
    holds = holdsFor(auths, deps);
    const credentials = credentialsOf(config, auths, dispatcher, holds, deps);
    sources = listablePairs(config, {
      dispatcher,
      limiter: new HostLimiter(config.refresh.concurrency),
      log: deps.log,
      credentialsFor: (target) => credentials.get(target) as Credentials,
      countAttempt: (pair, code) => deps.metrics.countRequest({ source: pair.source, project_id: pair.projectId, region: pair.region, ...Object.fromEntries(pair.labels) }, code),
      backoff: deps.backoff,
    });
  } catch (err) {
    void dispatcher.close();
    throw err;
  }
  const intervalMs = longestGapMs(config.refresh.schedule);
  const maxStalenessMs = config.refresh.max_staleness ?? defaultMaxStalenessMs(intervalMs, config.refresh.timeout);
  return {
    dispatcher,
    assemble(handover) {
      const collector = new VaultCollector({
        sources,
        parallelPairs: config.refresh.parallel_pairs,
        timeoutMs: config.refresh.timeout,
        maxStalenessMs,
        log: deps.log,
        carried: handover?.statuses,
        counters: deps.counters,
      });
      const exposition = new VaultExposition(collector.statuses(), deps.log, handover?.rendered);
      collector.onChange((status) => exposition.update(status));
      const gc = deps.gc;
      const afterRefresh = gc ? () => void exposition.settled().then(() => setImmediate(gc)) : undefined;
      const scheduler = new RefreshScheduler(collector, config.refresh.schedule, Math.max(1000, Math.min(5000, maxStalenessMs / 10)), afterRefresh);
      // A pair that never refreshed, or a refresh the reload cut short: refresh at once, else at the next tick.
      const refreshAtOnce = handover === undefined || handover.refreshAtOnce || !collector.ready();
      const start = () => void scheduler.start(refreshAtOnce);
      return { collector, exposition, scheduler, dispatcher, schedule: config.refresh.schedule, intervalMs, maxStalenessMs, holds, start };
    },
  };
}

/** The plain data a runtime hands to its successor; call once its scheduler has shut down and its exposition settled. */
export function handoverOf(runtime: Runtime): Handover {
  const { statuses } = runtime.exposition.publication();
  return {
    statuses: new Map(statuses.map((status) => [status.pair.key, status])),
    rendered: runtime.exposition.rendered(),
    refreshAtOnce: runtime.collector.wasInterrupted(),
  };
}
