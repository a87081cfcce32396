import type { Logger } from 'pino';
import { readCredentialFiles } from '../cloud/credential-files.js';
import { ConfigError } from '../config/config-error.js';
import type { AuthConfig } from '../config/auth.js';
import type { Config } from '../config/schema.js';
import { longestGapMs } from '../collect/schedule-gap.js';
import { pairsOf } from '../collect/pairs.js';
import { carriedStatus, initialStatus, sameLabels, type Pair, type PairStatus } from '../collect/snapshot.js';
import type { CollectorCounters } from '../collect/vault-collector.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import type { PublishedUnit, RenderedSnapshot } from '../metrics/pair-renderer.js';
import { vaultFamilies, type VaultFamilies } from '../metrics/source-families.js';
import { VaultExposition } from '../metrics/vault-exposition.js';
import { trustedCas } from './ca-file.js';
import type { Engine, EngineInit, HoldStates } from './engine.js';
import { startRefreshThread, type ThreadEvents, type WorkerOptions } from './refresh-thread.js';

/** Everything one loaded config runs on; a reload builds a new one and retires the old. */
export interface Runtime {
  exposition: VaultExposition;
  schedule: string;
  intervalMs: number;
  maxStalenessMs: number;
  /** Starts the schedule; refreshes at once unless every pair took over a state from the replaced runtime. */
  start(): void;
  /** A refresh now; resolves once it is published (false when one was still running). */
  refreshNow(): Promise<boolean>;
  /** Stops refreshing; resolves, once everything rendered is published, with what its successor takes over. */
  stop(): Promise<Handover>;
}

/** What a runtime takes over from the one it replaces: plain data, so the old runtime can be collected. */
export interface Handover {
  /** The published status of each pair. */
  statuses: readonly PairStatus[];
  /** The rendered series of each published snapshot, by pair key. */
  rendered: ReadonlyMap<string, RenderedSnapshot>;
  /** The old runtime's refresh was cut short: refresh at once rather than at the next tick. */
  refreshAtOnce: boolean;
  /** Refusal records, kept for credentials that did not change. */
  holds: HoldStates;
  /** The layout of each source's families under the old config (see VaultFamilies.layout). */
  layout: VaultFamilies['layout'];
}

export interface RuntimeDeps {
  log: Logger;
  metrics: ExporterMetrics;
  /** The daemon's counters, shared by every runtime so that none goes down at a reload. */
  counters: CollectorCounters;
  /** Where the refresh runs: a worker thread (production), or this thread (tests that look inside). */
  engine?: 'thread' | 'inline';
  backoff?: EngineInit['backoff'];
  refusalBackoff?: EngineInit['refusalBackoff'];
  /** A full garbage collection, for the inline engine to run once each refresh is published. */
  gc?: () => void;
  /** The next snapshot id the process has not used; advanced as units arrive. */
  snapshotIds: { next: number };
  /** Tests of a lost worker only. */
  worker?: WorkerOptions;
}

/** A config's runtime with every file read, not yet holding or serving anything. */
export interface PreparedRuntime {
  /** Builds the runtime, taking over what `handover` carries; starts nothing. Rejects with ConfigError. */
  assemble(handover?: Handover): Promise<Runtime>;
}

/**
 * The default max_staleness: three scheduled gaps plus the longest a refresh may take, since a snapshot is
 * dated at the end of the refresh that took it and the next one ends at most a gap and a refresh later.
 */
export function defaultMaxStalenessMs(intervalMs: number, refreshTimeoutMs: number): number {
  return 3 * intervalMs + refreshTimeoutMs;
}

/**
 * Reads every file the config names, in the main thread, before anything of the running config stops; throws
 * ConfigError. The refresh worker makes the credentials and the HTTP client from the same files.
 */
export function checkRuntime(config: Config, auths: readonly AuthConfig[]): void {
  trustedCas(config);
  auths.forEach((auth, i) => {
    try {
      readCredentialFiles(auth);
    } catch (err) {
      throw new ConfigError(`targets[${i}]: credentials: ${(err as Error).message}`);
    }
  });
}

/** `status` as a pair that lists again at once, keeping its counters. */
function restarted(status: PairStatus): PairStatus {
  const { invalidFields, invalidRecords, listingInconsistencies } = status;
  return { ...initialStatus(status.pair), invalidFields, invalidRecords, listingInconsistencies };
}

/**
 * What a pair of the new config shows at first, and what its engine starts from. A pair of the same listing
 * carries on as it was. Under another layout of its source's families (snapshots keep tags and resources only as
 * far as `export:` asked) it starts over and lists again at once, keeping its counters. With other labels (a
 * target's or discover entry's `labels:`) it lists again at once too, but shows its series and figures under the
 * old labels until the new ones are rendered: a relabelled pair never has a moment without series.
 */
function takenOver(before: PairStatus | undefined, pair: Pair, handover: Handover | undefined, families: VaultFamilies): { shown: PairStatus; started: PairStatus } {
  const carried = carriedStatus(before, pair);
  if (!handover || !carried.snapshot) return { shown: carried, started: carried };
  if (handover.layout[pair.source] !== families.layout[pair.source]) {
    const fresh = restarted(carried);
    return { shown: fresh, started: fresh };
  }
  if (before && !sameLabels(before.pair.labels, pair.labels)) return { shown: before, started: restarted(carried) };
  return { shown: carried, started: carried };
}

/** A failure status for a pair whose refresh the worker took down with it; its snapshot and series stay. */
function lostStatus(status: PairStatus, reason: string): PairStatus {
  return { ...status, attempted: true, up: false, lastError: `refresh failed: ${reason}` };
}

export function prepareRuntime(config: Config, auths: readonly AuthConfig[], deps: RuntimeDeps): PreparedRuntime {
  // A bad file is found here, before the running config is touched.
  checkRuntime(config, auths);
  const families = vaultFamilies(config.export);
  const intervalMs = longestGapMs(config.refresh.schedule);
  const maxStalenessMs = config.refresh.max_staleness ?? defaultMaxStalenessMs(intervalMs, config.refresh.timeout);
  return {
    async assemble(handover) {
      const carried = new Map((handover?.statuses ?? []).map((status) => [status.pair.key, status]));
      // What each pair of this config shows at first: what it showed before, where it is the same listing.
      const taken = pairsOf(config).map((pair) => takenOver(carried.get(pair.key), pair, handover, families));
      // The exposition starts from what the pairs show, with their renderings; the engine from where they start.
      const exposition = new VaultExposition(taken.map(({ shown }) => shown), deps.log, families, handover?.rendered);
      const started = taken.map(({ started: status }) => status);
      let holds: HoldStates = handover?.holds ?? {};
      const counted: CollectorCounters = { refreshes: 0, skippedRefreshes: 0 };
      let refreshing = false;
      /** Pairs published since the running refresh started: the others were in flight when a worker was lost. */
      const touched = new Set<string>();
      const events: ThreadEvents = {
        unit(unit: PublishedUnit) {
          touched.add(unit.status.pair.key);
          if (unit.rendered) deps.snapshotIds.next = Math.max(deps.snapshotIds.next, unit.rendered.snapshotId + 1);
          exposition.publish(unit);
        },
        request: (labels, code) => deps.metrics.countRequest(labels, code),
        counters(counters) {
          // This engine's counters are whole; the daemon's grow by what is new.
          deps.counters.refreshes += counters.refreshes - counted.refreshes;
          deps.counters.skippedRefreshes += counters.skippedRefreshes - counted.skippedRefreshes;
          Object.assign(counted, counters);
        },
        holds: (next) => void (holds = next),
        heap: (heap) => deps.metrics.workerHeap(heap),
        refreshing(running) {
          refreshing = running;
          if (running) touched.clear();
        },
      };
      const initOf = (statuses: readonly PairStatus[], refreshAtOnce: boolean): EngineInit => ({
        config,
        auths: [...auths],
        holds,
        carried: [...statuses],
        firstSnapshotId: deps.snapshotIds.next,
        refreshAtOnce,
        maxStalenessMs,
        backoff: deps.backoff,
        refusalBackoff: deps.refusalBackoff,
      });
      const spawn = (init: EngineInit): Promise<Engine> => {
        Object.assign(counted, { refreshes: 0, skippedRefreshes: 0 });
        // Loaded only here: the main thread of a production start never loads the HTTP client.
        if (deps.engine === 'inline') return import('./engine.js').then(({ createEngine }) => createEngine(init, events, deps.log, deps.gc));
        return startRefreshThread(init, events, deps.log, (reason) => replaceLost(reason), deps.worker);
      };
      // A worker that died or hung fails the refresh it was running, never the process: the pairs it had not
      // published keep their series with source_up 0, and a new worker takes over at the next tick.
      // The engine in force, or the one being started in place of a lost one.
      let engine: Promise<Engine>;
      const replaceLost = (reason: string) => {
        deps.log.error({ err_msg: reason }, 'the refresh worker was lost; failing its refresh and starting another');
        deps.metrics.countWorkerRestart();
        if (refreshing) {
          for (const status of exposition.publication().statuses) {
            if (!touched.has(status.pair.key)) exposition.publish({ status: lostStatus(status, reason) });
          }
        }
        refreshing = false;
        engine = spawn(initOf(exposition.publication().statuses, false));
        engine.then(
          (next) => next.start(),
          // Its files went unreadable since the config was loaded: no refresh runs until a reload, and the
          // Stale and SourceDown alerts tell.
          (err: unknown) => deps.log.error({ err_msg: (err as Error).message }, 'no refresh worker could be started; refreshes stop until a config reload'),
        );
      };

      // A pair that never refreshed, or a refresh the reload cut short: refresh at once, else at the next tick.
      engine = spawn(initOf(started, handover === undefined || handover.refreshAtOnce || !started.every((status) => status.attempted)));
      await engine;
      return {
        exposition,
        schedule: config.refresh.schedule,
        intervalMs,
        maxStalenessMs,
        start: () => void engine.then((current) => current.start()),
        refreshNow: async () => (await engine).refreshNow(),
        async stop() {
          const current = await engine.catch(() => undefined);
          const { interrupted } = current ? await current.stop() : { interrupted: true };
          await current?.close();
          const published = exposition.publication().statuses;
          return { statuses: published, rendered: exposition.rendered(), refreshAtOnce: interrupted, holds, layout: families.layout };
        },
      };
    },
  };
}
