import type { Logger } from 'pino';
import type { PairStatus, VaultSnapshot } from '../collect/snapshot.js';
import { CBR_FAMILIES } from './cbr-families.js';
import { familyHeader } from './exposition.js';
import type { VaultFamily } from './family.js';
import { deflateSegmentSync, joinSegments, type DeflatedBody, type DeflatedSegment } from './gzip-parts.js';
import { HSS_FAMILIES } from './hss-families.js';
import { renderSnapshot, type RenderedFamilies } from './render-snapshot.js';

/** The vault part of /metrics as last composed: compressed segments in exposition order. */
export interface VaultBody extends DeflatedBody {
  series: number;
}

interface RenderedPair extends RenderedFamilies {
  snapshot: VaultSnapshot;
}

const SOURCES: readonly { source: 'cbr' | 'hss'; families: readonly VaultFamily<never>[] }[] = [
  { source: 'cbr', families: CBR_FAMILIES as readonly VaultFamily<never>[] },
  { source: 'hss', families: HSS_FAMILIES as readonly VaultFamily<never>[] },
];

/**
 * Keeps the exposition of every published snapshot rendered and compressed, one segment per (pair, family),
 * and the vault body composed from them, so that a scrape only copies bytes. Rendering runs one task at a
 * time in arrival order; composing is a cheap re-listing of segments.
 */
export class VaultExposition {
  private readonly rendered = new Map<string, RenderedPair>();
  /** The snapshot each pair last asked to show (rendering may still be queued). */
  private readonly wanted = new Map<string, VaultSnapshot | undefined>();
  /** `# HELP`/`# TYPE` of each family in output order, compressed once. */
  private readonly headers: { source: 'cbr' | 'hss'; index: number; segment: DeflatedSegment }[] = [];
  private current: VaultBody;
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly pairOrder: readonly string[],
    private readonly log: Logger,
    private readonly level = 6,
  ) {
    for (const { source, families } of SOURCES) {
      families.forEach((family, index) => {
        // prom-client separates families with a blank line.
        const text = `${this.headers.length ? '\n' : ''}${familyHeader(family.name, family.help, 'gauge')}\n`;
        this.headers.push({ source, index, segment: deflateSegmentSync(Buffer.from(text), level) });
      });
    }
    this.current = this.compose();
  }

  /** The last composed body. */
  body(): VaultBody {
    return this.current;
  }

  /** No rendering is queued: body() shows every change seen so far. */
  isIdle(): boolean {
    return this.pending === 0;
  }

  /** Resolves once every change seen so far is in body(). */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }

  /** Feed from the collector's change events. */
  update(status: PairStatus): void {
    const key = status.pair.key;
    const snapshot = status.snapshot;
    if (this.wanted.has(key) && this.wanted.get(key) === snapshot) return;
    this.wanted.set(key, snapshot);
    this.pending++;
    this.tail = this.tail
      .then(async () => {
        if (this.wanted.get(key) !== snapshot) return; // overtaken by a newer snapshot or an expiry
        if (snapshot) {
          const rendered = await renderSnapshot(snapshot, this.level);
          if (this.wanted.get(key) !== snapshot) return;
          this.rendered.set(key, { snapshot, ...rendered });
        } else {
          this.rendered.delete(key);
        }
        this.current = this.compose();
      })
      .catch((err: unknown) => {
        this.log.error({ err_msg: (err as Error).message }, 'rendering the vault exposition failed; serving the previous one');
      })
      .finally(() => {
        this.pending--;
      });
  }

  /** Family by family (CBR then HSS), each pair's lines in config order, as prom-client lays out a registry. */
  private compose(): VaultBody {
    const segments: DeflatedSegment[] = [];
    for (const { source, index, segment } of this.headers) {
      segments.push(segment);
      for (const key of this.pairOrder) {
        const pair = this.rendered.get(key);
        if (pair?.snapshot.source === source) segments.push(pair.families[index] as DeflatedSegment);
      }
    }
    let series = 0;
    for (const pair of this.rendered.values()) series += pair.series;
    return { ...joinSegments(segments), series };
  }
}
