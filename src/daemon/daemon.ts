import type { Logger } from 'pino';
import { ConfigError } from '../config/load.js';
import { formatDuration } from '../config/duration.js';
import { NO_SHARD } from '../config/shard.js';
import type { LoadedConfig } from '../config/target-auth.js';
import type { TargetList } from '../config/target-list.js';
import type { DiscoveryCounters, DiscoveryLoop } from '../collect/discovery-loop.js';
import { newCounters } from '../collect/vault-collector.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import { createApp } from '../server/app.js';
import { serve, type RunningServer } from '../server/secure-listen.js';
import type { WebConfig } from '../server/web-config.js';
import { discoveryLoopOf, servedTargets, targetListKey } from './discovery.js';
import { handoverOf, prepareRuntime, type PreparedRuntime, type Runtime, type RuntimeDeps } from './runtime.js';

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
  loadConfig?: () => LoadedConfig;
  backoff?: RuntimeDeps['backoff'];
  gc?: RuntimeDeps['gc'];
}

/** The running exporter: one HTTP server, and the runtime of the current config behind it. */
export class Daemon {
  private runtime: Runtime;
  private server: RunningServer | undefined;
  private reloading: Promise<string | undefined> | undefined;
  private readyLatched = false;
  /** Refreshes started and skipped, over every config this process has run. */
  private readonly counters = newCounters();
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

  constructor(
    private readonly options: DaemonOptions,
    initial: LoadedConfig,
  ) {
    this.loaded = initial;
    this.discovery = this.discoveryOf(initial);
    const { prepared, list } = this.prepare(initial, this.discovery);
    this.list = list;
    this.listHoldsDiscovery = this.discovery?.attempted() ?? true;
    this.runtime = this.watch(prepared.assemble());
    options.metrics.configLoaded(true);
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  /** Listens first (health checks answer during the first refresh), then starts refreshing. */
  async start(): Promise<void> {
    const { options } = this;
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
      loaded = loadConfig();
      // Entries whose account and credentials did not change keep their list: a reload asks IAM nothing for them.
      discovery = this.discoveryOf(loaded, this.discovery?.handover());
      next = this.prepare(loaded, discovery);
    } catch (err) {
      await discovery?.stop();
      const message = err instanceof ConfigError ? err.message : `unexpected error: ${(err as Error).message}`;
      log.error({ err_msg: message }, 'config reload rejected; keeping the running config');
      metrics.configLoaded(false);
      return message;
    }
    await this.discovery?.stop();
    this.loaded = loaded;
    this.discovery = discovery;
    await this.swap(next.prepared, next.list);
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
      let next: { prepared: PreparedRuntime; list: TargetList };
      try {
        const list = this.targetList(this.loaded, this.discovery);
        if (targetListKey(list) === targetListKey(this.list) && this.runtimeStarted) {
          this.listHoldsDiscovery = this.discovery?.attempted() ?? true;
          return;
        }
        next = this.prepare(this.loaded, this.discovery, list);
      } catch (err) {
        // A discovered target whose credentials cannot be made (an unreadable file): the running list stays.
        log.error({ err_msg: (err as Error).message }, 'discovered targets rejected; keeping the running target list');
        return;
      }
      await this.swap(next.prepared, next.list);
      log.info({ targets: next.list.targets.length, ...next.list.served }, 'discovered targets applied');
    });
  }

  /**
   * The one way a new target list takes over (a reload, a discovery): the old runtime serves every scrape until the
   * new one holds all of it. Its refresh stops (the pairs it had not finished keep what they showed), its last
   * renderings are published, and they pass over as they are; pairs the new list drops disappear at once.
   */
  private async swap(prepared: PreparedRuntime, list: TargetList): Promise<void> {
    const old = this.runtime;
    await old.scheduler.shutdown();
    await old.exposition.settled();
    this.runtime = this.watch(prepared.assemble(handoverOf(old)));
    this.list = list;
    this.listHoldsDiscovery = this.discovery?.attempted() ?? true;
    this.startRuntime();
    // The replaced runtime is garbage now, but an idle exporter allocates too little for V8 to collect it soon.
    void old.dispatcher.close().then(() => this.options.gc && setImmediate(this.options.gc));
  }

  private startRuntime(): void {
    this.runtimeStarted = true;
    this.runtime.start();
  }

  /** Stops accepting, lets responses in flight finish, aborts the running refresh and discovery. */
  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([this.server?.close(graceMs), this.runtime.scheduler.shutdown(), this.discovery?.stop()]);
    await this.runtime.dispatcher.destroy();
  }

  private discoveryOf(loaded: LoadedConfig, carried?: Parameters<typeof discoveryLoopOf>[2]): DiscoveryLoop | undefined {
    const { log, metrics, backoff } = this.options;
    return discoveryLoopOf(loaded, { log, metrics, backoff, counters: this.discoveryCounters, onChange: () => this.discovered() }, carried);
  }

  private targetList(loaded: LoadedConfig, discovery: DiscoveryLoop | undefined): TargetList {
    return servedTargets(loaded, discovery, this.options.log);
  }

  /** Reads every file the target list names and makes its credentials; throws ConfigError. */
  private prepare(loaded: LoadedConfig, discovery: DiscoveryLoop | undefined, list = this.targetList(loaded, discovery)): { prepared: PreparedRuntime; list: TargetList } {
    const { log, metrics, backoff, gc } = this.options;
    const config = { ...loaded.config, targets: list.targets };
    const prepared = prepareRuntime(config, list.auths, { log, metrics, backoff, gc, counters: this.counters, holds: this.runtime?.holds });
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
      { pairs: runtime.collector.statuses().length, schedule: runtime.schedule, max_staleness: formatDuration(runtime.maxStalenessMs) },
      'config loaded',
    );
    return runtime;
  }
}
