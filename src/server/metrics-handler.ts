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
 * The body leaves in pieces of this size: one write of a whole multi-megabyte body is one syscall that holds
 * the event loop until the kernel has it all (on loopback under load, 100-270 ms were seen), and health checks
 * and other scrapes wait behind it. Pieces follow each other at once while the kernel takes them quickly; after
 * a piece that took longer than WRITE_SLOW_MS, the event loop gets a turn first. A turn after every piece
 * would cost a busy scraper half its throughput (bench: 0.39 x a bare server). Each piece is a syscall and a
 * trip through http and stream code: 64 KiB pieces (45 for the 2.9 MB body at 10,000 vaults) gave 0.76-0.81 x
 * the bare server in the same runs where 256 KiB gave 0.93-1.01 x.
 */
export const WRITE_PIECE_BYTES = 256 * 1024;
const WRITE_SLOW_MS = 2;
/**
 * Pieces may wait in the socket's own queue up to this much: libuv hands them to the kernel as it takes them,
 * with no turn of JavaScript per piece. Waiting for 'drain' after every piece the kernel did not take at once
 * cost a scraper a round trip through the event loop per piece. More is not better: libuv writes the whole queue
 * in one call, and with 64 KiB pieces and 1 MiB of queue a health check during a 100,000-vault refresh under
 * scrapes waited up to 57 ms (64 KiB pieces: 256 KiB of queue, 0.84 x the bare server and 45 ms; 1 MiB, 0.94 x and
 * 57 ms; none, 0.64-0.78 x). At most this and one piece wait.
 */
export const WRITE_QUEUE_BYTES = 512 * 1024;

/** Resolves once the socket has room again, or is gone (then false). */
function room(res: Response): Promise<boolean> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve(!res.destroyed);
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function writePieces(res: Response, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    for (let start = 0; start < chunk.length; start += WRITE_PIECE_BYTES) {
      const began = performance.now();
      res.write(chunk.subarray(start, start + WRITE_PIECE_BYTES));
      // The client reads slowly: wait for room. The kernel was slow to take it: let the others have a turn.
      const slow = performance.now() - began > WRITE_SLOW_MS;
      if (res.writableLength > WRITE_QUEUE_BYTES) {
        if (!(await room(res))) return;
      } else if (slow) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (res.destroyed) return;
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
