import type { Logger } from 'pino';
import type { PairStatus, VaultSnapshot } from '../collect/snapshot.js';
import { CBR_FAMILIES } from './cbr-families.js';
import { familyHeader } from './exposition.js';
import type { VaultFamily } from './family.js';
import { deflateHead, type DeflatedHead } from './gzip-parts.js';
import { HSS_FAMILIES } from './hss-families.js';
import { renderSnapshot, type RenderedFamilies } from './render-snapshot.js';

/** The vault part of /metrics as it was last composed: plain text parts and their gzip head. */
export interface VaultBody {
  parts: readonly Buffer[];
  gzip: DeflatedHead;
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
 * Keeps the exposition of every published snapshot rendered, and the whole vault body composed and
 * compressed, so that a scrape only copies bytes. Work runs one task at a time in arrival order;
 * a burst of publications is coalesced into one composition.
 */
export class VaultExposition {
  private readonly rendered = new Map<string, RenderedPair>();
  /** The snapshot each pair last asked to show (rendering may still be queued). */
  private readonly wanted = new Map<string, VaultSnapshot | undefined>();
  private current: VaultBody | undefined;
  private tail: Promise<void> = Promise.resolve();
  private composeQueued = false;
  private pending = 0;

  constructor(
    private readonly pairOrder: readonly string[],
    private readonly log: Logger,
    private readonly gzipLevel = 6,
  ) {
    this.requestCompose();
  }

  /** The last composed body; undefined only before the first (empty) composition finished. */
  body(): VaultBody | undefined {
    return this.current;
  }

  /** No rendering or composition is queued: body() shows every change seen so far. */
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
    this.enqueue(async () => {
      if (this.wanted.get(key) !== snapshot) return; // overtaken by a newer snapshot or an expiry
      if (snapshot) {
        const rendered = await renderSnapshot(snapshot);
        if (this.wanted.get(key) !== snapshot) return;
        this.rendered.set(key, { snapshot, ...rendered });
      } else {
        this.rendered.delete(key);
      }
      this.requestCompose();
    });
  }

  private enqueue(task: () => Promise<void>): void {
    this.pending++;
    this.tail = this.tail
      .then(task)
      .catch((err: unknown) => {
        this.log.error({ err_msg: (err as Error).message }, 'rendering the vault exposition failed; serving the previous one');
      })
      .finally(() => {
        this.pending--;
      });
  }

  private requestCompose(): void {
    if (this.composeQueued) return;
    this.composeQueued = true;
    this.enqueue(async () => {
      this.composeQueued = false;
      const parts = this.layout();
      const gzip = await deflateHead(parts, this.gzipLevel);
      let series = 0;
      for (const pair of this.rendered.values()) series += pair.series;
      this.current = { parts, gzip, series };
    });
  }

  /** Family by family (CBR then HSS), each pair's lines in config order, as prom-client lays out a registry. */
  private layout(): Buffer[] {
    const parts: Buffer[] = [];
    for (const { source, families } of SOURCES) {
      families.forEach((family, f) => {
        parts.push(Buffer.from(`${parts.length ? '\n' : ''}${familyHeader(family.name, family.help, 'gauge')}\n`));
        for (const key of this.pairOrder) {
          const pair = this.rendered.get(key);
          if (pair?.snapshot.source === source) parts.push(...(pair.families[f] as Buffer[]));
        }
      });
    }
    return parts;
  }
}
