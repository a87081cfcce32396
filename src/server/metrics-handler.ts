import type { Request, Response } from 'express';
import type { Registry } from 'prom-client';
import { holdAll } from '../metrics/buffer-hold.js';
import type { Publication } from '../metrics/vault-exposition.js';
import { ScrapeBody, type ScrapeAnswer } from './scrape-body.js';

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
 * The body is written in pieces of this size, and the pieces of one turn of the event loop leave together: on
 * its first write in a turn http corks the socket until the turn ends, and one writev takes them all. A single
 * write of a whole multi-megabyte body is one syscall that holds the event loop until the kernel has taken what
 * it can (on loopback under load, 100-270 ms were seen), and health checks and other scrapes wait behind it.
 * Each piece is a trip through http and stream code: 64 KiB pieces (45 for the 2.9 MB body at 10,000 vaults)
 * gave 0.76-0.81 x the bare server in the same runs where 256 KiB gave 0.93-1.01 x.
 */
export const WRITE_PIECE_BYTES = 256 * 1024;
/**
 * Once more than this is queued, the rest waits for 'drain': so a writev, and the time a turn holds the loop in
 * it, is at most this and one piece. With 64 KiB pieces: 256 KiB of queue gave 0.84 x the bare server and a
 * 45 ms health check during a 100,000-vault refresh under scrapes; 1 MiB, 0.94 x and 57 ms (target 50).
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

/**
 * Writes `chunks` in pieces; false once the client is gone. One call for a whole gzip answer: a promise for each
 * of its buffers (a `for await`, or a call each) made a scrape allocate 37-55 KB on the main thread against 31.
 */
async function writeBuffers(res: Response, chunks: readonly Buffer[]): Promise<boolean> {
  for (const chunk of chunks) {
    for (let start = 0; start < chunk.length; start += WRITE_PIECE_BYTES) {
      res.write(chunk.subarray(start, start + WRITE_PIECE_BYTES));
      // This turn's writev is full: the rest waits until the client has taken it.
      if (res.writableLength > WRITE_QUEUE_BYTES && !(await room(res))) return false;
    }
  }
  return true;
}

async function writePieces(res: Response, chunks: ScrapeAnswer['pieces']): Promise<void> {
  if (Symbol.asyncIterator in chunks) {
    // A return from inside the loop ends the iterator: a plain answer's inflation stops with the client.
    for await (const chunk of chunks) if (!(await writeBuffers(res, [chunk]))) return;
  } else if (!(await writeBuffers(res, chunks))) return;
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
    // Its buffers stay until the response has closed: by then every write of them has completed or been
    // cancelled with the socket (buffer-hold.ts). A response closed already has written nothing.
    const release = holdAll(vault.holds);
    if (res.destroyed) release();
    else res.once('close', release);
    const useGzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const answer = useGzip ? await body.gzipped(vault) : await body.plain(vault);
    res.status(200);
    res.setHeader('Content-Type', TEXT_FORMAT);
    res.setHeader('Vary', 'Accept-Encoding');
    if (useGzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', answer.length);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await writePieces(res, answer.pieces);
  };
}
