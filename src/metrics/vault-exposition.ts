import type { Logger } from 'pino';
import { initialStatus, type PairStatus, type VaultSnapshot } from '../collect/snapshot.js';
import { SOURCES, type Source } from '../config/sources.js';
import { familyHeader } from './exposition.js';
import { deflateSegmentSync, joinSegments, type DeflatedBody, type DeflatedSegment } from './gzip-parts.js';
import { pairFigureHeaders, PAIR_FIGURES, renderPairFigures } from './pair-figures.js';
import { renderSnapshot, type RenderedFamilies } from './render-snapshot.js';
import { familiesOf, SOURCE_FAMILIES, type SourceFamilies } from './source-families.js';

/** The vault and pair part of /metrics at one instant: compressed segments in exposition order. */
export interface VaultBody extends DeflatedBody {
  series: number;
}

/** Everything /metrics and the landing page show about the pairs, taken at one instant. */
export interface Publication {
  body: VaultBody;
  /** The published status of every pair, in config order. */
  statuses: readonly PairStatus[];
  /** Every pair has published the result of its first refresh attempt. */
  attempted: boolean;
}

/** A snapshot's rendered series: handed to the exposition of a reloaded config, so it is not rendered again. */
export interface RenderedSnapshot extends RenderedFamilies {
  snapshot: VaultSnapshot;
}

/** What one pair shows: its figures and the series of the snapshot it serves, made visible together. */
interface PublishedPair {
  status: PairStatus;
  vaults?: RenderedSnapshot;
  figures: (DeflatedSegment | undefined)[];
}

interface PairEntry {
  published: PublishedPair;
  /** The newest status the collector told; published once its series are rendered. */
  wanted: PairStatus;
  /** A job for this pair is queued or running. */
  queued: boolean;
}

/**
 * Publishes each pair as one unit: a new status becomes visible only together with the rendered series of the
 * snapshot it serves, so that no scrape sees `source_up 1` or a vault count without the series they describe.
 * Until then the pair shows what it showed before. Rendering runs one snapshot at a time, in arrival order, and
 * a rendering always finishes and is published: a pair that changed meanwhile is rendered again afterwards, at
 * the back of the queue, so something complete and at most one refresh old is always served.
 */
export class VaultExposition {
  private readonly entries: PairEntry[];
  private readonly byKey = new Map<string, PairEntry>();
  /** `# HELP`/`# TYPE` of each vault family in output order, compressed once. */
  private readonly headers: { source: Source; index: number; segment: DeflatedSegment }[] = [];
  private readonly figureHeaders: DeflatedSegment[];
  private current: Publication | undefined;
  private tail: Promise<void> = Promise.resolve();
  private jobs = 0;

  /**
   * `statuses`: every pair in config order, as the collector starts them. `rendered`: series rendered under
   * the config this one replaces; a status whose snapshot is among them is published at once.
   */
  constructor(
    statuses: readonly PairStatus[],
    private readonly log: Logger,
    rendered: ReadonlyMap<string, RenderedSnapshot> = new Map(),
    private readonly families: SourceFamilies = SOURCE_FAMILIES,
    private readonly level = 6,
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
      const vaults = before && before.snapshot === status.snapshot ? before : undefined;
      // A pair whose labels changed (carriedStatus made its snapshot anew): its old series stay until the new are rendered.
      const relabelled = status.snapshot && !vaults && before ? { ...status, pair: before.snapshot.pair, snapshot: before.snapshot } : undefined;
      const shown = relabelled ?? (status.snapshot && !vaults ? initialStatus(status.pair) : status);
      const entry: PairEntry = { published: this.published(shown, vaults ?? (relabelled && before)), wanted: shown, queued: false };
      this.byKey.set(status.pair.key, entry);
      return entry;
    });
    for (const status of statuses) this.update(status);
  }

  /** What /metrics shows now; composed again only after a pair was published. */
  publication(): Publication {
    this.current ??= this.compose();
    return this.current;
  }

  /** No rendering is queued: publication() shows every change seen so far. */
  isIdle(): boolean {
    return this.jobs === 0;
  }

  /** Resolves once every change seen so far is published. */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }

  /** The rendered series of every published snapshot, by pair key, for the exposition of a reloaded config. */
  rendered(): Map<string, RenderedSnapshot> {
    const out = new Map<string, RenderedSnapshot>();
    for (const entry of this.entries) if (entry.published.vaults) out.set(entry.published.status.pair.key, entry.published.vaults);
    return out;
  }

  /** Feed from the collector's change events. */
  update(status: PairStatus): void {
    const entry = this.byKey.get(status.pair.key);
    if (!entry || entry.wanted === status) return;
    entry.wanted = status;
    if (entry.queued) return; // the queued job takes the newest status when its turn comes
    // Nothing new to render (a failure keeps the served snapshot; an expiry drops it): visible at once.
    if (status.snapshot === entry.published.status.snapshot) this.publish(entry, status, entry.published.vaults);
    else if (status.snapshot === undefined) this.publish(entry, status, undefined);
    else this.enqueue(entry);
  }

  private enqueue(entry: PairEntry): void {
    entry.queued = true;
    this.jobs++;
    this.tail = this.tail
      .then(() => this.renderNewest(entry))
      .catch((err: unknown) => {
        this.log.error({ err_msg: (err as Error).message, pair: entry.wanted.pair.key }, 'rendering the vault exposition failed; serving the previous one');
        entry.wanted = entry.published.status; // not tried again until the collector tells something new
      })
      .finally(() => {
        entry.queued = false;
        this.jobs--;
        // Changed while it rendered: render the newest next, behind the pairs already waiting.
        if (entry.wanted !== entry.published.status) this.enqueue(entry);
      });
  }

  private async renderNewest(entry: PairEntry): Promise<void> {
    const status = entry.wanted;
    const { snapshot } = status;
    let vaults = snapshot === entry.published.status.snapshot ? entry.published.vaults : undefined;
    if (snapshot && !vaults) vaults = { snapshot, ...(await renderSnapshot(snapshot, this.families, this.level)) };
    this.publish(entry, status, vaults);
  }

  private published(status: PairStatus, vaults: RenderedSnapshot | undefined): PublishedPair {
    return { status, vaults, figures: renderPairFigures(status) };
  }

  /** The one step that makes a pair's new state visible: its series and its figures in one assignment. */
  private publish(entry: PairEntry, status: PairStatus, vaults: RenderedSnapshot | undefined): void {
    entry.published = this.published(status, vaults);
    this.current = undefined;
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
      for (const { published } of this.entries) {
        if (published.vaults?.snapshot.source === source) segments.push(published.vaults.families[index] as DeflatedSegment);
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
    for (const { published } of this.entries) series += published.vaults?.series ?? 0;
    const statuses = this.entries.map((entry) => entry.published.status);
    return { body: { ...joinSegments(segments), series }, statuses, attempted: statuses.every((status) => status.attempted) };
  }
}
