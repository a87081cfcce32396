import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { createCredentials } from '../cloud/credentials.js';
import { HostLimiter } from '../cloud/host-limiter.js';
import { credentialFingerprint, holdBackWhenRefused, RefusalRecord, refusalKey, type RefusalBackoffSettings, type RefusalState } from '../cloud/refusal-backoff.js';
import type { Credentials } from '../cloud/request.js';
import type { AuthConfig } from '../config/auth.js';
// Not from config/load.js: that would load zod and yaml into the refresh worker (13 MB), which validates nothing.
import { ConfigError } from '../config/config-error.js';
import type { Config, TargetConfig } from '../config/schema.js';
import { listablePairs, type ListablePair, type ListablePairDeps } from '../collect/listable-pair.js';
import { RefreshScheduler } from '../collect/scheduler.js';
import type { PairStatus } from '../collect/snapshot.js';
import { newCounters, VaultCollector, type CollectorCounters } from '../collect/vault-collector.js';
import { PairRenderer, type PublishedUnit } from '../metrics/pair-renderer.js';
import { createDispatcher } from './dispatcher.js';
import { vaultFamilies } from '../metrics/source-families.js';

/** The refusal record of each set of credentials, by refusalKey, as plain data with the fingerprint it judged. */
export type HoldStates = Record<string, { fingerprint: string; state: RefusalState }>;

/** Everything an engine starts from: plain data, so that it can be posted to a worker thread. */
export interface EngineInit {
  config: Config;
  auths: AuthConfig[];
  /** The holds of the engine this one replaces; kept for credentials whose fingerprint did not change. */
  holds: HoldStates;
  /** What each pair showed before (reload, a restarted worker), by pair key. */
  carried: PairStatus[];
  /** Snapshot ids start here, above every id the process has used. */
  firstSnapshotId: number;
  /** Refresh at start (else at the first tick of the schedule). */
  refreshAtOnce: boolean;
  maxStalenessMs: number;
  /** Backoff base and cap of retried requests; small in tests. */
  backoff?: ListablePairDeps['backoff'];
  refusalBackoff?: RefusalBackoffSettings;
}

/** What an engine tells the runtime that serves its results. */
export interface EngineEvents {
  /** A pair's new state, to be published as it is. */
  unit(unit: PublishedUnit): void;
  /** One HTTP attempt (source is `cbr`, `hss`, or `iam`). */
  request(labels: { source: string; project_id: string; region: string }, code: string): void;
  /** This engine's counters, whole, after one grew. */
  counters(counters: CollectorCounters): void;
  /** The refusal records, whole, after one changed. */
  holds(holds: HoldStates): void;
  /** A refresh started (true) or every unit of it is out (false). */
  refreshing(running: boolean): void;
}

/** The refreshing half of a runtime: listing, parsing, mapping and rendering, in whatever thread it runs. */
export interface Engine {
  start(): void;
  /** A refresh now; resolves once it is published (false when one was still running). */
  refreshNow(): Promise<boolean>;
  /** Stops the schedule and any refresh; resolves once every unit is out, saying whether a refresh was cut short. */
  stop(): Promise<{ interrupted: boolean }>;
  /** Lets go of connections. */
  close(): Promise<void>;
}


/** One record per refusalKey: targets that use one key share its refusals; an unchanged key keeps its hold. */
function recordsFor(init: EngineInit): Map<string, { fingerprint: string; record: RefusalRecord }> {
  const records = new Map<string, { fingerprint: string; record: RefusalRecord }>();
  init.auths.forEach((auth, i) => {
    const key = refusalKey(auth);
    if (records.has(key)) return;
    let fingerprint: string;
    try {
      fingerprint = credentialFingerprint(auth);
    } catch (err) {
      throw new ConfigError(`targets[${i}]: credentials: ${(err as Error).message}`);
    }
    const before = init.holds[key];
    const state = before?.fingerprint === fingerprint ? before.state : undefined;
    records.set(key, { fingerprint, record: new RefusalRecord(init.refusalBackoff, Date.now, state) });
  });
  return records;
}

function holdStates(records: ReadonlyMap<string, { fingerprint: string; record: RefusalRecord }>): HoldStates {
  const out: HoldStates = {};
  for (const [key, { fingerprint, record }] of records) out[key] = { fingerprint, state: record.state() };
  return out;
}

/**
 * Makes every target's credentials and listable pairs: reads every file the config names (a ConfigError names
 * the first that cannot be read; the main thread has read them once already, see checkRuntime).
 */
function listablePairsOf(init: EngineInit, dispatcher: Dispatcher, log: Logger, events: Pick<EngineEvents, 'request'>) {
  const { config, auths } = init;
  const records = recordsFor(init);
  const credentials = new Map<TargetConfig, Credentials>();
  config.targets.forEach((target, i) => {
    const labels = { source: 'iam', project_id: target.project_id, region: target.region, ...target.labels };
    const auth = auths[i] as AuthConfig;
    const { record } = records.get(refusalKey(auth)) as { record: RefusalRecord };
    try {
      const inner = createCredentials(auth, {
        projectId: target.project_id,
        region: target.region,
        iamEndpoint: target.endpoints.iam,
        dispatcher,
        countAttempt: (code) => events.request(labels, code),
        requestTimeoutMs: config.refresh.request_timeout,
      });
      credentials.set(target, holdBackWhenRefused(inner, record));
    } catch (err) {
      throw new ConfigError(`targets[${i}]: credentials: ${(err as Error).message}`);
    }
  });
  const pairs: ListablePair[] = listablePairs(config, {
    dispatcher,
    limiter: new HostLimiter(config.refresh.concurrency),
    log,
    credentialsFor: (target) => credentials.get(target) as Credentials,
    countAttempt: (pair, code) => events.request({ source: pair.source, project_id: pair.projectId, region: pair.region, ...Object.fromEntries(pair.labels) }, code),
    backoff: init.backoff,
  });
  return { pairs, records };
}

/**
 * The engine of one config: its collector refreshes on the schedule, its renderer turns each listing into
 * a unit, and the runtime publishes what it is told. `gc`, when given, runs once each refresh is published,
 * in the engine's own thread: that thread's heap is where a refresh's garbage lies.
 */
export function createEngine(init: EngineInit, events: EngineEvents, log: Logger, gc?: () => void): Engine {
  const { config } = init;
  const dispatcher = createDispatcher(config);
  let built: ReturnType<typeof listablePairsOf>;
  try {
    built = listablePairsOf(init, dispatcher, log, events);
  } catch (err) {
    void dispatcher.close();
    throw err;
  }
  let serial = init.firstSnapshotId;
  const collector = new VaultCollector({
    sources: built.pairs,
    parallelPairs: config.refresh.parallel_pairs,
    timeoutMs: config.refresh.timeout,
    maxStalenessMs: init.maxStalenessMs,
    log,
    carried: new Map(init.carried.map((status) => [status.pair.key, status])),
    counters: newCounters(),
    nextSnapshotId: () => serial++,
    onCount: (counters) => events.counters({ ...counters }),
  });
  const renderer = new PairRenderer(vaultFamilies(config.export), log);
  let told = JSON.stringify(holdStates(built.records));
  collector.onChange((status, listed) => {
    renderer.update(status, listed);
    // A listing may have refused or accepted credentials: the runtime keeps their records across reloads.
    const now = JSON.stringify(holdStates(built.records));
    if (now !== told) events.holds(JSON.parse((told = now)) as HoldStates);
  });
  renderer.onUnit((unit) => events.unit(unit));
  const published = async () => {
    await renderer.settled();
    events.refreshing(false);
    if (gc) setImmediate(gc);
  };
  const expiryCheckMs = Math.max(1000, Math.min(5000, init.maxStalenessMs / 10));
  const scheduler = new RefreshScheduler(collector, config.refresh.schedule, expiryCheckMs, {
    started: () => events.refreshing(true),
    finished: () => void published(),
  });
  return {
    start: () => void scheduler.start(init.refreshAtOnce),
    async refreshNow() {
      const refresh = scheduler.refreshNow();
      await refresh.done;
      await renderer.settled();
      return refresh.started;
    },
    async stop() {
      await scheduler.shutdown();
      await renderer.settled();
      return { interrupted: collector.wasInterrupted() };
    },
    close: () => dispatcher.close(),
  };
}
