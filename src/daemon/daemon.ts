import type { Logger } from 'pino';
import type { AuthConfig } from '../config/auth.js';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import { newCounters } from '../collect/vault-collector.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import type { Publication } from '../metrics/vault-exposition.js';
import { createApp } from '../server/app.js';
import { serve, type RunningServer } from '../server/secure-listen.js';
import type { WebConfig } from '../server/web-config.js';
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
  loadConfig?: () => { config: Config; auths: AuthConfig[] };
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
  /** The prepared runtime of the config in force: built again when a reload's new runtime cannot start. */
  private inForce: PreparedRuntime;
  private server: RunningServer | undefined;
  private reloading: Promise<string | undefined> | undefined;
  private readyLatched = false;
  /** Refreshes started and skipped, over every config this process has run. */
  private readonly counters = newCounters();
  /** Snapshot ids are unique in the process, across reloads and worker restarts. */
  private readonly snapshotIds = { next: 1 };

  /** Validates the config and reads its files (ConfigError); nothing runs until start(). */
  constructor(
    private readonly options: DaemonOptions,
    initial: { config: Config; auths: AuthConfig[] },
  ) {
    this.inForce = this.prepare(initial.config, initial.auths);
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
    this.running = this.watch(await this.inForce.assemble());
    const app = createApp({
      telemetryPath: options.telemetryPath,
      version: options.version,
      metrics: { publication: () => this.runtime.exposition.publication(), registry: options.metrics.registry, version: options.metrics.version },
      statuses: () => this.runtime.exposition.publication().statuses,
      ready: () => this.isReady(),
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
    this.runtime.start();
  }

  /**
   * Ready once every pair has published the result of its first refresh attempt; it stays ready after that,
   * through later refreshes and reloads, so that /-/ready does not flap (a pair a reload adds shows
   * `source_up 0` until its first refresh).
   */
  isReady(): boolean {
    this.readyLatched ||= this.runtime.exposition.publication().attempted;
    return this.readyLatched;
  }

  /** Re-reads the config; a bad one is rejected and the running one stays. Resolves to the error, if any. */
  reload(): Promise<string | undefined> {
    this.reloading ??= this.reloadNow().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reloadNow(): Promise<string | undefined> {
    const { log, metrics, loadConfig } = this.options;
    if (!loadConfig) return 'there is no config file to reload';
    let prepared: PreparedRuntime;
    try {
      const { config, auths } = loadConfig();
      prepared = this.prepare(config, auths);
    } catch (err) {
      const message = err instanceof ConfigError ? err.message : `unexpected error: ${(err as Error).message}`;
      log.error({ err_msg: message }, 'config reload rejected; keeping the running config');
      metrics.configLoaded(false);
      return message;
    }
    // The old runtime serves every scrape until the new one holds all of it: its refresh stops (the pairs it had
    // not finished keep what they showed), its last renderings are published, and they pass over as they are.
    const old = this.runtime;
    const handover = await old.stop();
    let next: Runtime;
    try {
      next = this.watch(await prepared.assemble(handover));
    } catch (err) {
      // Its files changed between the check and the worker's start: the config in force goes on.
      const message = err instanceof ConfigError ? err.message : `unexpected error: ${(err as Error).message}`;
      log.error({ err_msg: message }, 'config reload rejected; keeping the running config');
      metrics.configLoaded(false);
      this.running = this.watch(await this.inForce.assemble(handover));
      this.running.start();
      return message;
    }
    this.running = next;
    this.inForce = prepared;
    metrics.configLoaded(true);
    log.info('config reloaded');
    next.start();
    // The replaced runtime is garbage now, but an idle exporter allocates too little for V8 to collect it soon.
    if (this.options.gc) setImmediate(this.options.gc);
    return undefined;
  }

  /** Stops accepting, lets responses in flight finish, stops the refresh (ending its worker). */
  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([this.server?.close(graceMs), this.running?.stop()]);
  }

  /** A refresh now; resolves once it is published (false when one was still running). For benchmarks and tests. */
  refreshNow(): Promise<boolean> {
    return this.runtime.refreshNow();
  }

  /** What /metrics shows now. */
  publication(): Publication {
    return this.runtime.exposition.publication();
  }

  private prepare(config: Config, auths: AuthConfig[]): PreparedRuntime {
    const { log, metrics, backoff, gc, engine, worker } = this.options;
    return prepareRuntime(config, auths, { log, metrics, backoff, gc, engine, worker, counters: this.counters, snapshotIds: this.snapshotIds });
  }

  /** Points the exporter's own metrics at `runtime` and says what it runs. */
  private watch(runtime: Runtime): Runtime {
    this.options.metrics.watch(this.counters, runtime.intervalMs, runtime.maxStalenessMs);
    this.options.log.info(
      { pairs: runtime.exposition.publication().statuses.length, schedule: runtime.schedule, max_staleness: formatDuration(runtime.maxStalenessMs) },
      'config loaded',
    );
    return runtime;
  }
}
