import type { Request, Response } from 'express';
import type { Registry } from 'prom-client';
import { gzipWithTail } from '../metrics/gzip-parts.js';
import type { VaultBody } from '../metrics/vault-exposition.js';

export const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsSource {
  /** The pre-rendered vault part, or undefined before the first composition. */
  vaultBody(): VaultBody | undefined;
  /** The exporter's own metrics, rendered live (small). */
  registry: Registry;
}

/**
 * /metrics: the pre-rendered vault exposition plus the live exporter metrics. With gzip, only the small
 * live part is compressed per request and appended to the pre-compressed vault part (one gzip member).
 * No ETag: hashing a multi-megabyte body per request costs more than it ever saves a scraper.
 */
export function metricsHandler(source: MetricsSource) {
  return async (req: Request, res: Response): Promise<void> => {
    const vault = source.vaultBody();
    const live = Buffer.from(await source.registry.metrics(), 'utf8');
    const separator = vault ? Buffer.from('\n') : Buffer.alloc(0);
    const tail = Buffer.concat([separator, live]);
    const useGzip = vault !== undefined && req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const chunks = useGzip ? gzipWithTail(vault.gzip, tail) : [...(vault?.parts ?? []), tail];
    res.status(200);
    res.setHeader('Content-Type', TEXT_FORMAT);
    res.setHeader('Vary', 'Accept-Encoding');
    if (useGzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    for (const chunk of chunks) if (chunk.length) res.write(chunk);
    res.end();
  };
}
