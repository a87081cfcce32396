import type { Logger } from 'pino';
import type { AuthConfig } from '../config/auth.js';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import type { VaultCollector } from '../collect/vault-collector.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import { createApp } from '../server/app.js';
import { serve, type RunningServer } from '../server/secure-listen.js';
import type { WebConfig } from '../server/web-config.js';
import { buildRuntime, type Runtime, type RuntimeDeps } from './runtime.js';

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
  gc?: RuntimeDeps['gc'];
}

/** The running exporter: one HTTP server, and the runtime of the current config behind it. */
export class Daemon {
  private runtime: Runtime;
  private server: RunningServer | undefined;
  private reloading: Promise<string | undefined> | undefined;
  private readyLatched = false;

  constructor(
    private readonly options: DaemonOptions,
    initial: { config: Config; auths: AuthConfig[] },
  ) {
    this.runtime = this.build(initial.config, initial.auths);
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
      metrics: { vaultBody: () => this.runtime.exposition.body(), registry: options.metrics.registry, version: options.metrics.version },
      statuses: () => this.runtime.collector.statuses(),
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
    void this.runtime.scheduler.start();
  }

  /**
   * Ready once every pair has finished its first refresh attempt and what it published is on /metrics;
   * it stays ready while later refreshes render, so that /-/ready does not flap.
   */
  isReady(): boolean {
    this.readyLatched ||= this.runtime.collector.ready() && this.runtime.exposition.isIdle();
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
    let next: Runtime;
    try {
      const { config, auths } = loadConfig();
      next = this.build(config, auths, this.runtime.collector);
    } catch (err) {
      const message = err instanceof ConfigError ? err.message : `unexpected error: ${(err as Error).message}`;
      log.error({ err_msg: message }, 'config reload rejected; keeping the running config');
      metrics.configLoaded(false);
      return message;
    }
    const old = this.runtime;
    await old.scheduler.shutdown();
    this.runtime = next;
    this.readyLatched = false;
    metrics.configLoaded(true);
    log.info('config reloaded');
    void next.scheduler.start();
    void old.dispatcher.close();
    return undefined;
  }

  /** Stops accepting, lets responses in flight finish, aborts the running refresh. */
  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([this.server?.close(graceMs), this.runtime.scheduler.shutdown()]);
    await this.runtime.dispatcher.destroy();
  }

  private build(config: Config, auths: AuthConfig[], replaces?: VaultCollector): Runtime {
    const { log, metrics, backoff, gc } = this.options;
    const runtime = buildRuntime(config, auths, { log, metrics, replaces, backoff, gc });
    this.options.metrics.watch(runtime.collector, runtime.intervalMs, runtime.maxStalenessMs);
    this.options.log.info(
      { pairs: runtime.collector.statuses().length, schedule: config.refresh.schedule, max_staleness: formatDuration(runtime.maxStalenessMs) },
      'config loaded',
    );
    return runtime;
  }
}
