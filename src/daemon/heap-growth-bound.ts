import { getHeapStatistics } from 'node:v8';

/** How far a refresh's garbage may grow the refresh worker's heap before it is collected. */
export interface HeapGrowthLimits {
  /** Growth allowed past what the last collection left, as a share of that, while it left up to `smallBytes`... */
  smallShare: number;
  smallBytes: number;
  /**
   * ...and above: a collection costs more the more is live, and a listing of 100,000 vaults makes the same
   * garbage a page as one of 10,000, for ten times as long (3: what V8 itself allows, 4 × in all).
   */
  largeShare: number;
  /** Growth allowed on top (a small heap's own, which collecting at once would only make frequent). */
  floorBytes: number;
  /** How often it is looked at while a refresh runs. */
  everyMs: number;
}

/**
 * V8 lets a heap grow to about 4 × what its last collection left before it collects again, and does not count
 * external memory (a page of JSON with one non-ASCII name is a 2.7 MB external string) until 64 MB of it pile
 * up. In the refresh worker that is a refresh's promoted garbage: at 10,000 vaults the heap in use and external
 * memory grew from 15 to 67 MB in every refresh, and the process by as much. V8's flag for it
 * (--heap-growing-percent) is the whole process's and slowed the listing (docs/performance.md); this bounds the
 * worker's heap alone, with collections V8 would have made later, in the thread whose pauses no scrape sees.
 * At 10,000 vaults (15-25 MB left) a quarter more: 1.5 collections of about 19 ms a refresh. At 100,000, where a
 * collection marks up to 90 MB of mapped vaults, a quarter throughout cost 20-23 collections (1.1-1.3 s) a
 * refresh and slowed the listing to 1.22 × the bare client; shares growing with the heap still cost 10-14.
 */
export const REFRESH_HEAP_GROWTH: HeapGrowthLimits = { smallShare: 0.25, smallBytes: 32 * 2 ** 20, largeShare: 3, floorBytes: 6 * 2 ** 20, everyMs: 10 };

/** Held bytes: the heap in use and external memory (Buffers, external strings), which V8 frees at a collection. */
export function heldBytes(): number {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

/** Whether `held` bytes outgrew the limits since a collection left `base`. */
export function outgrown(held: number, base: number, limits: HeapGrowthLimits): boolean {
  const share = base <= limits.smallBytes ? limits.smallShare : limits.largeShare;
  return held > base * (1 + share) + limits.floorBytes;
}

export interface HeapGrowthBound {
  /** A refresh started: look at the heap every `everyMs` until stop(). */
  start(): void;
  stop(): void;
  /** A collection was made elsewhere: measure growth from what it left (at the next look). */
  rebase(): void;
  /** Collections it made since the last call, and their seconds. */
  takeCollections(): { collections: number; seconds: number };
}

/**
 * Collects (with `collect`, a regular full collection) whenever the heap outgrew its limits since the last one.
 * `held` measures it (tests give their own).
 */
export function boundHeapGrowth(collect: () => void, limits: HeapGrowthLimits = REFRESH_HEAP_GROWTH, held: () => number = heldBytes): HeapGrowthBound {
  let base = held();
  // V8 frees a collection's dead Buffers in a task after it: what it left is measured at the next look.
  let measureBase = false;
  let timer: NodeJS.Timeout | undefined;
  let collections = 0;
  let seconds = 0;
  const look = () => {
    if (measureBase) {
      base = held();
      measureBase = false;
      return;
    }
    if (!outgrown(held(), base, limits)) return;
    const started = performance.now();
    collect();
    collections++;
    seconds += (performance.now() - started) / 1000;
    measureBase = true;
  };
  return {
    start() {
      timer ??= setInterval(look, limits.everyMs).unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    rebase() {
      measureBase = true;
    },
    takeCollections() {
      const taken = { collections, seconds };
      collections = 0;
      seconds = 0;
      return taken;
    },
  };
}
