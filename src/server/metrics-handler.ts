import { once } from 'node:events';
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
 * The body leaves in pieces of this size, each written once the socket has taken the last: one write of a
 * whole multi-megabyte body is one syscall that holds the event loop until the kernel has it (on loopback
 * under load, 100-200 ms were seen), and health checks wait behind it.
 */
const WRITE_PIECE_BYTES = 64 * 1024;

async function writePieces(res: Response, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    for (let start = 0; start < chunk.length; start += WRITE_PIECE_BYTES) {
      if (!res.write(chunk.subarray(start, start + WRITE_PIECE_BYTES))) {
        // The client reads slowly or went away: wait for room, or stop.
        const [event] = await Promise.race([once(res, 'drain').then(() => ['drain']), once(res, 'close').then(() => ['close'])]);
        if (event === 'close') return;
      }
    }
  }
  res.end();
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
    const chunks = useGzip ? await body.gzipped(vault) : await body.plain(vault);
    res.status(200);
    res.setHeader('Content-Type', TEXT_FORMAT);
    res.setHeader('Vary', 'Accept-Encoding');
    if (useGzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await writePieces(res, chunks);
  };
}
