import type { Request, Response } from 'express';
import type { Registry } from 'prom-client';
import type { Publication } from '../metrics/vault-exposition.js';
import { ScrapeBody } from './scrape-body.js';

export const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsSource {
  /** What is published now: the pre-rendered vault and pair part, read once per request. */
  publication(): Publication;
  /** The exporter's own metrics, rendered live (small). */
  registry: Registry;
  /** Grows whenever a fact the registry reports changed. */
  version(): number;
}

/**
 * /metrics: the pre-rendered vault exposition plus the live exporter metrics, gzip-compressed when the
 * client accepts it. No ETag: hashing a multi-megabyte body per request costs more than it ever saves.
 */
export function metricsHandler(source: MetricsSource) {
  const body = new ScrapeBody(source);
  return async (req: Request, res: Response): Promise<void> => {
    // One read: the whole answer comes from one publication, whatever is published while it is written.
    const vault = source.publication().body;
    const useGzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const chunks = useGzip ? [await body.gzipped(vault)] : await body.plain(vault);
    res.status(200);
    res.setHeader('Content-Type', TEXT_FORMAT);
    res.setHeader('Vary', 'Accept-Encoding');
    if (useGzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (chunks.length === 1) {
      res.end(chunks[0]);
      return;
    }
    // Many rendered chunks: corked, they leave in a few large writes.
    res.cork();
    for (const chunk of chunks) res.write(chunk);
    res.end();
    res.uncork();
  };
}
