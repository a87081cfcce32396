import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc() options (--expose-gc): 'last-resort' collects repeatedly, compacting, and returns pooled pages to the OS. */
type ExposedGc = (options?: { type: 'major'; execution: 'sync'; flavor: 'regular' | 'last-resort' }) => void;

/**
 * How thoroughly to collect. `regular`: one full collection (the main thread after a reload, which it must not
 * pause for long). `release`: V8's last-resort collection, for the refresh worker, whose pauses no scrape waits
 * for: a regular one left the worker's heap at 23-27 MB where it started at 16, and V8 kept 20-25 MB of freed
 * pages resident for reuse; after a last-resort one it is back at 15-16 MB and the process 20-25 MB smaller at
 * 10,000 vaults (docs/performance.md).
 */
export type GcKind = 'regular' | 'release';

/**
 * A full garbage collection, run once after each refresh is published. A refresh leaves tens of MB of
 * parsed API pages behind (at 10,000 vaults the heap held 84 MB with 22 MB live), and an exporter then
 * sits idle for minutes, allocating too little for V8 to collect them: RSS stayed 60 MB higher until
 * the next refresh. One collection at that quiet moment costs a pause of about 10-30 ms (included in the
 * benchmark's event-loop figures). Uses --expose-gc when given, else exposes gc for this process only.
 */
export function fullGc(kind: GcKind = 'regular'): (() => void) | undefined {
  return fullGcs()?.[kind];
}

/** Both kinds from one exposed gc: each exposing makes a vm context (about 160 KB of heap) that its gc keeps. */
export function fullGcs(): Record<GcKind, () => void> | undefined {
  const gc = exposedGc();
  if (!gc) return undefined;
  return {
    regular: () => gc({ type: 'major', execution: 'sync', flavor: 'regular' }),
    release: () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }),
  };
}

function exposedGc(): ExposedGc | undefined {
  const exposed = (globalThis as { gc?: ExposedGc }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as ExposedGc) : undefined;
  } catch {
    return undefined;
  }
}
