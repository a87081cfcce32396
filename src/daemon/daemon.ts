import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.js';
import { formatDuration } from '../config/duration.js';
import { NO_SHARD } from '../config/shard.js';
import type { LoadedConfig } from '../config/target-auth.js';
import type { TargetList } from '../config/target-list.js';
import type { DiscoveryCounters, DiscoveryLoop } from '../collect/discovery-loop.js';
import { newCounters } from '../collect/vault-collector.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import type { Publication } from '../metrics/vault-exposition.js';
import { createApp } from '../server/app.js';
import { serve, type RunningServer } from '../server/secure-listen.js';
import type { WebConfig } from '../server/web-config.js';
import { discoveryLoopOf, servedTargets, targetListKey } from './discovery.js';
import { prepareRuntime, type PreparedRuntime, type Runtime, type RuntimeDeps } from './runtime.js';

export interface DaemonOptions {
  version: string;
  telemetryPath: string;
  listen: { host?: string; port: number };
  webConfig?: WebConfig;
  /** Serve the health paths without basic auth (Kubernetes probes). */
  healthWithoutAuth?: boolean;
  /** --web.enable-lifecycle: serve POST /-/reload. */
  enableLifecycle?: boolean;
  log: Logger;
  metrics: ExporterMetrics;
  /** Reads and validates the config again (SIGHUP, POST /-/reload); undefined when there is nothing to re-read. */
  loadConfig?: () => Promise<LoadedConfig>;
  backoff?: RuntimeDeps['backoff'];
  /** A full garbage collection of the main thread's heap, run after a reload (the worker collects its own). */
  gc?: RuntimeDeps['gc'];
  /** Where refreshes run: a worker thread (the default), or this thread (tests that look inside the engine). */
  engine?: RuntimeDeps['engine'];
  /** Tests of a lost worker only. */
  worker?: RuntimeDeps['worker'];
}

/** The running exporter: one HTTP server, and the runtime of the current config behind it. */
export class Daemon {
  private running: Runtime | undefined;
  /** The prepared runtime of the target list in force: built again when a new one's worker cannot start. */
  private inForce: PreparedRuntime;
  private server: RunningServer | undefined;
  private reloading: Promise<string | undefined> | undefined;
  private readyLatched = false;
  /** Refreshes started and skipped, over every config this process has run. */
  private readonly counters = newCounters();
  /** Snapshot ids are unique in the process, across reloads and worker restarts. */
  private readonly snapshotIds = { next: 1 };
  private readonly discoveryCounters: DiscoveryCounters = new Map();
  /** The config file's content, and the discovery of its discover entries. */
  private loaded: LoadedConfig;
  private discovery: DiscoveryLoop | undefined;
  /** The target list the runtime runs, and whether it holds every discover entry's first discovery. */
  private list: TargetList;
  private listHoldsDiscovery: boolean;
  private runtimeStarted = false;
  /** Reloads and discovered target lists are applied one at a time, in order. */
  private changes: Promise<unknown> = Promise.resolve();
  private discoveryApplyQueued = false;

  /** Validates the config and reads its files (ConfigError); nothing runs until start(). */
  constructor(
    private readonly options: DaemonOptions,
    initial: LoadedConfig,
  ) {
    this.loaded = initial;
    // The discovery (if any) is made at start(): its IAM client loads only then. Its first list is empty.
    const { prepared, list } = this.prepare(initial, undefined);
    this.inForce = prepared;
    this.list = list;
    this.listHoldsDiscovery = initial.config.discover.length === 0;
    options.metrics.configLoaded(true);
  }

  private get runtime(): Runtime {
    if (!this.running) throw new Error('Daemon: start() first');
    return this.running;
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  /** Starts the refresh worker, listens (health checks answer during the first refresh), then starts refreshing. */
  async start(): Promise<void> {
    const { options } = this;
    this.discovery = await this.discoveryOf(this.loaded);
    this.running = this.watch(await this.inForce.assemble());
    const app = createApp({
      telemetryPath: options.telemetryPath,
      version: options.version,
      metrics: { publication: () => this.runtime.exposition.publication(), registry: options.metrics.registry, version: options.metrics.version },
      statuses: () => this.runtime.exposition.publication().statuses,
      ready: () => this.isReady(),
      discovering: () => !this.listHoldsDiscovery,
      reload: options.enableLifecycle ? () => this.reload() : undefined,
      onReloadRefused: () => options.metrics.countRefused('reload_rate_limit'),
    });
    this.server = await serve(app, {
      host: options.listen.host,
      port: options.listen.port,
      webConfig: options.webConfig,
      webConfigChanges: {
        onReload: (next) => {
          options.metrics.webConfigLoaded(true);
          options.log.info({ file: next.origin, tls: Boolean(next.tls), basic_auth_users: next.basicAuthUsers.size }, 'web config reloaded');
        },
        onRejected: (message) => {
          options.metrics.webConfigLoaded(false);
          options.log.error({ err_msg: message }, 'web config change rejected; keeping the running one');
        },
      },
      authExemptPaths: options.healthWithoutAuth ? ['/-/healthy', '/-/ready'] : [],
      onTlsRejection: (reason, remote, suppressed) => options.log.warn({ remote_address: remote, reason, suppressed }, 'TLS connection rejected'),
      onRefused: (reason) => options.metrics.countRefused(reason),
    });
    if (options.webConfig) options.metrics.webConfigLoaded(true);
    options.log.info({ url: `${this.server.url}${options.telemetryPath}` }, 'listening');
    // With discover entries the first refresh waits for the first discovery, so that it lists every target once.
    if (this.discovery) this.discovery.start();
    else this.startRuntime();
  }

  /**
   * Ready once every pair has published the result of its first refresh attempt; it stays ready after that,
   * through later refreshes and reloads, so that /-/ready does not flap (a pair a reload adds shows
   * `source_up 0` until its first refresh).
   */
  isReady(): boolean {
    this.readyLatched ||= this.listHoldsDiscovery && this.runtime.exposition.publication().attempted;
    return this.readyLatched;
  }

  /** Re-reads the config; a bad one is rejected and the running one stays. Resolves to the error, if any. */
  reload(): Promise<string | undefined> {
    this.reloading ??= this.serially(() => this.reloadNow()).finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private serially<T>(change: () => Promise<T>): Promise<T> {
    const done = this.changes.then(change);
    this.changes = done.catch(() => undefined);
    return done;
  }

  private async reloadNow(): Promise<string | undefined> {
    const { log, metrics, loadConfig } = this.options;
    if (!loadConfig) return 'there is no config file to reload';
    let loaded: LoadedConfig;
    let discovery: DiscoveryLoop | undefined;
    let next: { prepared: PreparedRuntime; list: TargetList };
    try {
      loaded = await loadConfig();
      // Entries whose account and credentials did not change keep their list: a reload asks IAM nothing for them.
      discovery = await this.discoveryOf(loaded, this.discovery?.handover());
      next = this.prepare(loaded, discovery);
    } catch (err) {
      return this.rejectReload(err, discovery);
    }
    try {
      await this.swap(next.prepared, next.list, discovery);
    } catch (err) {
      // Its files changed between the check and the worker's start: the config in force goes on.
      return this.rejectReload(err, discovery);
    }
    await this.discovery?.stop();
    this.loaded = loaded;
    this.discovery = discovery;
    metrics.configLoaded(true);
    log.info('config reloaded');
    discovery?.start();
    return undefined;
  }

  /** A discovery changed its targets (or every entry had its first): runs the new target list as a reload runs a config. */
  private discovered(): void {
    if (this.discoveryApplyQueued) return; // the queued one reads the newest lists when its turn comes
    this.discoveryApplyQueued = true;
    void this.serially(async () => {
      this.discoveryApplyQueued = false;
      const { log } = this.options;
      try {
        const list = this.targetList(this.loaded, this.discovery);
        if (targetListKey(list) === targetListKey(this.list) && this.runtimeStarted) {
          this.listHoldsDiscovery = this.discovery?.attempted() ?? true;
          return;
        }
        const next = this.prepare(this.loaded, this.discovery, list);
        await this.swap(next.prepared, next.list, this.discovery);
        log.info({ targets: next.list.targets.length, ...next.list.served }, 'discovered targets applied');
      } catch (err) {
        // A discovered target whose credentials cannot be made (an unreadable file), or whose worker could not
        // start: the running list stays.
        log.error({ err_msg: (err as Error).message }, 'discovered targets rejected; keeping the running target list');
      }
    });
  }

  /** A reload that cannot be applied: what it started stops, the running config goes on; says why. */
  private async rejectReload(err: unknown, discovery: DiscoveryLoop | undefined): Promise<string> {
    await discovery?.stop();
    const message = err instanceof ConfigError ? err.message : `unexpected error: ${(err as Error).message}`;
    this.options.log.error({ err_msg: message }, 'config reload rejected; keeping the running config');
    this.options.metrics.configLoaded(false);
    return message;
  }

  /**
   * The one way a new target list takes over (a reload, a discovery): the old runtime serves every scrape until the
   * new one holds all of it. Its refresh stops (the pairs it had not finished keep what they showed), its last
   * renderings are published, and they pass over as they are; pairs the new list drops disappear at once.
   */
  private async swap(prepared: PreparedRuntime, list: TargetList, discovery: DiscoveryLoop | undefined): Promise<void> {
    const replaced = this.runtime;
    const handover = await replaced.stop();
    let next: Runtime;
    try {
      next = this.watch(await prepared.assemble(handover));
    } catch (err) {
      // The new list's worker could not start: the list in force goes on, from where it stopped.
      this.running = this.watch(await this.inForce.assemble(handover));
      replaced.exposition.close();
      this.startRuntime();
      throw err;
    }
    this.running = next;
    // What the new exposition did not take over is freed once no answer writes it.
    replaced.exposition.close();
    this.inForce = prepared;
    this.list = list;
    this.listHoldsDiscovery = discovery?.attempted() ?? true;
    this.startRuntime();
    // The replaced runtime is garbage now, but an idle exporter allocates too little for V8 to collect it soon.
    if (this.options.gc) setImmediate(this.options.gc);
  }

  private startRuntime(): void {
    this.runtimeStarted = true;
    this.runtime.start();
  }

  /** Stops accepting, lets responses in flight finish, stops the refresh (ending its worker) and discovery. */
  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([this.server?.close(graceMs), this.running?.stop(), this.discovery?.stop()]);
  }

  /** A refresh now; resolves once it is published (false when one was still running). For benchmarks and tests. */
  refreshNow(): Promise<boolean> {
    return this.runtime.refreshNow();
  }

  /** What /metrics shows now. */
  publication(): Publication {
    return this.runtime.exposition.publication();
  }

  private discoveryOf(loaded: LoadedConfig, carried?: Parameters<typeof discoveryLoopOf>[2]): Promise<DiscoveryLoop | undefined> {
    const { log, metrics, backoff } = this.options;
    return discoveryLoopOf(loaded, { log, metrics, backoff, counters: this.discoveryCounters, onChange: () => this.discovered() }, carried);
  }

  private targetList(loaded: LoadedConfig, discovery: DiscoveryLoop | undefined): TargetList {
    return servedTargets(loaded, discovery, this.options.log);
  }

  /** Reads every file the target list names and makes its credentials; throws ConfigError. */
  private prepare(loaded: LoadedConfig, discovery: DiscoveryLoop | undefined, list = this.targetList(loaded, discovery)): { prepared: PreparedRuntime; list: TargetList } {
    const { log, metrics, backoff, gc, engine, worker } = this.options;
    const config = { ...loaded.config, targets: list.targets };
    const prepared = prepareRuntime(config, list.auths, { log, metrics, backoff, gc, engine, worker, counters: this.counters, snapshotIds: this.snapshotIds });
    return { prepared, list };
  }

  /** Points the exporter's own metrics at `runtime` and says what it runs. */
  private watch(runtime: Runtime): Runtime {
    this.options.metrics.watch(this.counters, runtime.intervalMs, runtime.maxStalenessMs);
    this.options.metrics.watchTargets(() => ({
      shard: this.loaded.config.shard ?? NO_SHARD,
      all: this.list.all,
      served: this.list.served,
      discoveries: this.discovery?.statuses() ?? [],
      counters: this.discoveryCounters,
    }));
    this.options.log.info(
      { pairs: runtime.exposition.publication().statuses.length, schedule: runtime.schedule, max_staleness: formatDuration(runtime.maxStalenessMs) },
      'config loaded',
    );
    return runtime;
  }
}
