import type { Logger } from 'pino';
import type { PairStatus, VaultSnapshot } from '../collect/snapshot.js';
import type { BufferHold } from './buffer-hold.js';
import { renderSnapshot, type RenderedFamilies } from './render-snapshot.js';
import type { VaultFamilies } from './source-families.js';

/** A snapshot's rendered series, by the id of the snapshot they show. */
export interface RenderedSnapshot extends RenderedFamilies {
  snapshotId: number;
  /** VaultFamilies.layout (of its source) of the families that rendered it. */
  layout: string;
  /** The buffers its segments are views of, where they crossed from the refresh worker. */
  hold?: BufferHold;
}

/**
 * One pair's new state with all a scrape needs to show it, to be published as one unit: its status, and the
 * series of its snapshot when they were not in an earlier unit of this pair.
 */
export interface PublishedUnit {
  status: PairStatus;
  rendered?: RenderedSnapshot;
}

interface PairEntry {
  /** The newest status the collector told. */
  wanted: PairStatus;
  /** A listing not rendered yet (the newest). */
  listed?: VaultSnapshot;
  /** The status of the last unit told. */
  told?: PairStatus;
  /** A job for this pair is queued or running. */
  queued: boolean;
}

/**
 * Turns the collector's statuses and listings into units: a status whose snapshot is new waits until that
 * snapshot's series are rendered, then both go out together, so that no scrape sees `source_up 1` or a vault
 * count without the series they describe. Rendering runs one snapshot at a time, in arrival order, and a
 * rendering always finishes and is told: a pair that changed meanwhile is rendered again afterwards, at the
 * back of the queue, so something complete and at most one refresh old is always served. A status that needs no
 * rendering (a failure that keeps the snapshot, an expiry that drops it) is told at once.
 */
export class PairRenderer {
  private readonly entries = new Map<string, PairEntry>();
  private readonly listeners: ((unit: PublishedUnit) => void)[] = [];
  private tail: Promise<void> = Promise.resolve();
  private jobs = 0;

  constructor(
    private readonly families: VaultFamilies,
    private readonly log: Logger,
    private readonly level = 6,
  ) {}

  onUnit(listener: (unit: PublishedUnit) => void): void {
    this.listeners.push(listener);
  }

  /** No rendering is queued: every status told so far is out in a unit. */
  isIdle(): boolean {
    return this.jobs === 0;
  }

  /** Resolves once every status told so far is out in a unit. */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }

  /** Feed from the collector's change events. */
  update(status: PairStatus, listed?: VaultSnapshot): void {
    const key = status.pair.key;
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { wanted: status, queued: false }));
    entry.wanted = status;
    if (listed) entry.listed = listed;
    if (entry.queued) return; // the queued job takes the newest status and listing when its turn comes
    if (entry.listed) this.enqueue(entry);
    else this.tell(entry, { status });
  }

  private enqueue(entry: PairEntry): void {
    entry.queued = true;
    this.jobs++;
    this.tail = this.tail
      .then(() => this.renderNewest(entry))
      .catch((err: unknown) => {
        this.log.error({ err_msg: (err as Error).message, pair: entry.wanted.pair.key }, 'rendering the vault exposition failed; serving the previous one');
        entry.told = entry.wanted; // not tried again until the collector tells something new
      })
      .finally(() => {
        entry.queued = false;
        this.jobs--;
        // Changed while it rendered: the newest next, behind the pairs already waiting.
        if (entry.listed || entry.wanted !== entry.told) this.update(entry.wanted);
      });
  }

  private async renderNewest(entry: PairEntry): Promise<void> {
    const status = entry.wanted;
    const listed = entry.listed;
    entry.listed = undefined;
    // A listing whose snapshot the newest status no longer serves (it expired meanwhile) is not worth rendering.
    if (!listed || status.snapshot?.id !== listed.id) {
      this.tell(entry, { status });
      return;
    }
    const rendered = await renderSnapshot(listed, this.families, this.level);
    this.tell(entry, { status, rendered: { snapshotId: listed.id, layout: this.families.layout[listed.source], ...rendered } });
  }

  private tell(entry: PairEntry, unit: PublishedUnit): void {
    entry.told = unit.status;
    for (const listener of this.listeners) listener(unit);
  }
}
