import type { Logger } from 'pino';
import { initialStatus, type PairStatus } from '../collect/snapshot.js';
import { SOURCES, type Source } from '../config/sources.js';
import type { BufferHold } from './buffer-hold.js';
import { familyHeader } from './exposition.js';
import { deflateSegmentSync, joinSegments, type DeflatedBody, type DeflatedSegment } from './gzip-parts.js';
import { pairFigureHeaders, PAIR_FIGURES, renderPairFigures } from './pair-figures.js';
import type { PublishedUnit, RenderedSnapshot } from './pair-renderer.js';
import { familiesOf, type VaultFamilies } from './source-families.js';

/** The vault and pair part of /metrics at one instant: compressed segments in exposition order. */
export interface VaultBody extends DeflatedBody {
  series: number;
  /** Of the units whose segments it writes: an answer holds them while it is written (buffer-hold.ts). */
  holds: readonly BufferHold[];
}

/** Everything /metrics and the landing page show about the pairs, taken at one instant. */
export interface Publication {
  body: VaultBody;
  /** The published status of every pair, in config order. */
  statuses: readonly PairStatus[];
  /** Every pair has published the result of its first refresh attempt. */
  attempted: boolean;
}

/** What one pair shows: its figures and the series of the snapshot it serves, made visible together. */
interface PublishedPair {
  status: PairStatus;
  vaults?: RenderedSnapshot;
  figures: (DeflatedSegment | undefined)[];
}

/**
 * What /metrics shows of every pair, published a unit at a time (see PairRenderer): each unit's status, figures
 * and series become visible in one assignment, and a scrape reads one publication. Composing the body is a
 * re-listing of compressed segments, done once after any publication, at the next scrape.
 */
export class VaultExposition {
  private readonly entries: { source: Source; published: PublishedPair }[];
  private readonly byKey = new Map<string, { source: Source; published: PublishedPair }>();
  /** `# HELP`/`# TYPE` of each vault family in output order, compressed once. */
  private readonly headers: { source: Source; index: number; segment: DeflatedSegment }[] = [];
  private readonly figureHeaders: DeflatedSegment[];
  private current: Publication | undefined;

  /**
   * `statuses`: every pair in config order, as the collector starts them. `families`: what each source's
   * snapshots render to under this config. `rendered`: the series of their snapshots rendered under the
   * config this one replaces (by pair key); a status whose snapshot has none rendered by the same families
   * shows as a pair that never refreshed, until a unit brings them.
   */
  constructor(
    statuses: readonly PairStatus[],
    private readonly log: Logger,
    private readonly families: VaultFamilies,
    rendered: ReadonlyMap<string, RenderedSnapshot> = new Map(),
    level = 6,
  ) {
    for (const source of SOURCES) {
      familiesOf(families, source).forEach((family, index) => {
        // prom-client separates families with a blank line.
        const text = `${this.headers.length ? '\n' : ''}${familyHeader(family.name, family.help, 'gauge')}\n`;
        this.headers.push({ source, index, segment: deflateSegmentSync(Buffer.from(text), level) });
      });
    }
    this.figureHeaders = pairFigureHeaders();
    this.entries = statuses.map((status) => {
      const before = rendered.get(status.pair.key);
      const vaults = before && before.snapshotId === status.snapshot?.id && before.layout === families.layout[status.pair.source] ? before : undefined;
      vaults?.hold?.acquire();
      const entry = { source: status.pair.source, published: this.published(status.snapshot && !vaults ? initialStatus(status.pair) : status, vaults) };
      this.byKey.set(status.pair.key, entry);
      return entry;
    });
  }

  /** What /metrics shows now; composed again only after a pair was published. */
  publication(): Publication {
    this.current ??= this.compose();
    return this.current;
  }

  /** The rendered series of every published snapshot, by pair key, for the exposition of a reloaded config. */
  rendered(): Map<string, RenderedSnapshot> {
    const out = new Map<string, RenderedSnapshot>();
    for (const { published } of this.entries) if (published.vaults) out.set(published.status.pair.key, published.vaults);
    return out;
  }

  /** The one step that makes a pair's new state visible: its series and its figures in one assignment. */
  publish(unit: PublishedUnit): void {
    const entry = this.byKey.get(unit.status.pair.key);
    if (!entry) return; // not a pair of this config
    const before = entry.published;
    const snapshot = unit.status.snapshot;
    let status = unit.status;
    let vaults: RenderedSnapshot | undefined;
    if (snapshot === undefined) vaults = undefined;
    else if (unit.rendered?.snapshotId === snapshot.id && unit.rendered.layout === this.families.layout[entry.source]) vaults = unit.rendered;
    else if (before.vaults?.snapshotId === snapshot.id) vaults = before.vaults;
    else {
      // A snapshot whose series never came (its rendering failed): keep showing what the series say.
      this.log.error({ pair: unit.status.pair.key, snapshot: snapshot.id }, 'a status came without the series of its snapshot; keeping the previous ones');
      status = { ...status, snapshot: before.status.snapshot };
      vaults = before.vaults;
    }
    if (vaults !== before.vaults) {
      vaults?.hold?.acquire();
      before.vaults?.hold?.release();
    }
    entry.published = this.published(status, vaults);
    this.current = undefined;
  }

  /** This exposition is replaced (a reload): what it shows and the next one did not take over is freed once no answer writes it. */
  close(): void {
    for (const { published } of this.entries) published.vaults?.hold?.release();
  }

  private published(status: PairStatus, vaults: RenderedSnapshot | undefined): PublishedPair {
    return { status, vaults, figures: renderPairFigures(status) };
  }

  /**
   * Family by family (each source's in SOURCES order, then the pair figures), each pair's lines in config order,
   * as prom-client lays out a registry.
   */
  private compose(): Publication {
    const segments: DeflatedSegment[] = [];
    let series = 0;
    for (const { source, index, segment } of this.headers) {
      segments.push(segment);
      for (const entry of this.entries) {
        const vaults = entry.published.vaults;
        if (vaults && entry.source === source) segments.push(vaults.families[index] as DeflatedSegment);
      }
    }
    PAIR_FIGURES.forEach((_, index) => {
      segments.push(this.figureHeaders[index] as DeflatedSegment);
      for (const { published } of this.entries) {
        const line = published.figures[index];
        if (line) {
          segments.push(line);
          series++;
        }
      }
    });
    const holds: BufferHold[] = [];
    for (const { published } of this.entries) {
      series += published.vaults?.series ?? 0;
      if (published.vaults?.hold) holds.push(published.vaults.hold);
    }
    const statuses = this.entries.map((entry) => entry.published.status);
    return { body: { ...joinSegments(segments), series, holds }, statuses, attempted: statuses.every((status) => status.attempted) };
  }
}
