import express, { type Request, type Response, type NextFunction } from 'express';
import type { PairStatus } from '../collect/snapshot.js';
import { landingPage } from './landing-page.js';
import { metricsHandler, type MetricsSource } from './metrics-handler.js';
import { TokenBucket } from './token-bucket.js';

/** POST /-/reload: 3 at once, then one per 10 s. Each reload re-reads every credential and starts a refresh. */
export const RELOAD_LIMIT = { intervalMs: 10_000, burst: 3 } as const;

export interface AppOptions {
  telemetryPath: string;
  version: string;
  metrics: MetricsSource;
  /** The current collector's view, re-read per request (reload swaps it). */
  statuses(): readonly PairStatus[];
  ready(): boolean;
  /** Not ready because the discover entries' first discoveries have not all finished (a 503 says so). */
  discovering?(): boolean;
  /**
   * Re-reads the config; resolves to an error line when the new config was rejected. Given only with
   * --web.enable-lifecycle: without it /-/reload answers 403, as Prometheus does.
   */
  reload?(): Promise<string | undefined>;
  /** A reload refused by RELOAD_LIMIT: for a counter. */
  onReloadRefused?(): void;
}

/** Serves only `methods` on a path: anything else is 405 with an Allow header. */
function only(methods: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (methods.includes(req.method)) return next();
    res.setHeader('Allow', methods.join(', '));
    res.status(405).type('text/plain').send(`Method ${req.method} not allowed; use ${methods.join(' or ')}.\n`);
  };
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const read = only(['GET', 'HEAD']);
  app.all(options.telemetryPath, read, metricsHandler(options.metrics));
  app.all('/', read, (_req, res) => {
    res.type('html').send(landingPage({ version: options.version, telemetryPath: options.telemetryPath, statuses: options.statuses() }));
  });
  app.all('/-/healthy', read, (_req, res) => {
    res.type('text/plain').send('Healthy.\n');
  });
  app.all('/-/ready', read, (_req, res) => {
    if (options.ready()) {
      res.type('text/plain').send('Ready.\n');
      return;
    }
    if (options.discovering?.()) {
      res.status(503).type('text/plain').send('Not ready: the first discovery of the discover: entries has not finished.\n');
      return;
    }
    const waiting = options.statuses().filter((s) => !s.attempted).length;
    res.status(503).type('text/plain').send(`Not ready: ${waiting} source(s) have not finished their first refresh.\n`);
  });
  const reload = options.reload;
  const reloads = new TokenBucket(RELOAD_LIMIT.intervalMs, RELOAD_LIMIT.burst);
  app.all('/-/reload', only(['POST', 'PUT']), async (_req, res) => {
    if (!reload) {
      res.status(403).type('text/plain').send('Lifecycle API is not enabled (start with --web.enable-lifecycle).\n');
      return;
    }
    if (!reloads.take()) {
      options.onReloadRefused?.();
      const wait = reloads.retryAfterSeconds();
      res.status(429).setHeader('Retry-After', String(wait));
      res.type('text/plain').send(`Reload refused: ${RELOAD_LIMIT.burst} at once, then one per ${RELOAD_LIMIT.intervalMs / 1000}s; retry in ${wait}s (SIGHUP is not limited).\n`);
      return;
    }
    const error = await reload();
    if (error) res.status(500).type('text/plain').send(`Reload failed: ${error}\n`);
    else res.type('text/plain').send('Reloaded.\n');
  });
  app.use((req, res) => {
    res.status(404).type('text/plain').send(`Not found: ${req.path}\n`);
  });
  // A malformed request must not crash the process or leak a stack trace.
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (!res.headersSent) res.status(status).type('text/plain').send(`${status === 500 ? 'Internal error' : 'Bad request'}.\n`);
    else res.end();
  });
  return app;
}
