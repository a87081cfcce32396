import type { Registry } from 'prom-client';
import { gzipWithTail, inflateBody } from '../metrics/gzip-parts.js';
import type { VaultBody } from '../metrics/vault-exposition.js';

/**
 * The exporter's own metrics are rendered again when one of their facts changed, else at most this often
 * (process CPU and memory figures may be this old); concurrent scrapes share one rendering.
 */
export const LIVE_METRICS_TTL_MS = 1000;

interface LiveTail {
  renderedAt: number;
  version: number;
  text: Buffer;
}

export interface LiveMetrics {
  registry: Registry;
  /** Grows whenever a fact the registry reports changed. */
  version(): number;
}

/**
 * The bytes of one /metrics answer: the pre-rendered vault part and the live exporter metrics. The gzip
 * answer is assembled once per (vault body, live tail) and then handed out as one buffer, so that a burst
 * of scrapes costs what serving a static file costs. The vault part is kept compressed only; a plain-text
 * scrape (Prometheus always asks for gzip) inflates it once per vault body.
 */
export class ScrapeBody {
  private tail: LiveTail | undefined;
  private rendering: Promise<LiveTail> | undefined;
  private gzip: { vault: VaultBody; tail: LiveTail; body: Buffer } | undefined;
  private plainVault: { vault: VaultBody; text: Promise<Buffer> } | undefined;

  constructor(
    private readonly live: LiveMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  /** The plain text, as the buffers to write in order. */
  async plain(vault: VaultBody): Promise<Buffer[]> {
    if (this.plainVault?.vault !== vault) this.plainVault = { vault, text: inflateBody(vault) };
    const [text, tail] = await Promise.all([this.plainVault.text, this.liveTail()]);
    return [text, tail.text];
  }

  /** The gzip answer as one buffer. */
  async gzipped(vault: VaultBody): Promise<Buffer> {
    const tail = await this.liveTail();
    if (this.gzip?.vault !== vault || this.gzip.tail !== tail) {
      this.gzip = { vault, tail, body: Buffer.concat(gzipWithTail(vault, tail.text)) };
    }
    return this.gzip.body;
  }

  private liveTail(): Promise<LiveTail> {
    const version = this.live.version();
    const tail = this.tail;
    if (tail && tail.version === version && this.now() - tail.renderedAt < LIVE_METRICS_TTL_MS) return Promise.resolve(tail);
    this.rendering ??= this.live.registry
      .metrics()
      .then((text) => {
        // A blank line after the vault families, as between any two families.
        this.tail = { renderedAt: this.now(), version, text: Buffer.from(`\n${text}`, 'utf8') };
        return this.tail;
      })
      .finally(() => {
        this.rendering = undefined;
      });
    return this.rendering;
  }
}
