import type { CollectorCounters } from '../collect/vault-collector.js';
import type { PairStatus } from '../collect/snapshot.js';
import type { WorkerHeap } from '../metrics/exporter-metrics.js';
import type { HoldStates } from './engine.js';

/** What the main thread asks of the refresh worker. */
export type ToWorker = { type: 'start' } | { type: 'refresh'; id: number } | { type: 'stop' };

/**
 * A unit as it crosses threads: the status, and the rendered segments in transferred ArrayBuffers, so that
 * nothing of a rendering is copied on the main thread. A large segment crosses in its own buffer (it owns it:
 * see gzip-parts.ts); the small ones are packed into one, each at its offset, rather than crossing thousands at a time.
 */
export interface PackedUnit {
  status: PairStatus;
  rendered?: {
    snapshotId: number;
    layout: string;
    series: number;
    /** The small segments' bytes, one after another. */
    packed: ArrayBuffer;
    segments: (({ own: ArrayBuffer } | { offset: number; size: number }) & { crc: number; length: number })[];
  };
}

/** What the refresh worker tells the main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string; config: boolean }
  | { type: 'unit'; unit: PackedUnit }
  | { type: 'request'; labels: { source: string; project_id: string; region: string }; code: string }
  | { type: 'counters'; counters: CollectorCounters }
  | { type: 'holds'; holds: HoldStates }
  | { type: 'refreshing'; running: boolean }
  | { type: 'heap'; heap: WorkerHeap }
  | { type: 'refreshed'; id: number; started: boolean }
  | { type: 'stopped'; interrupted: boolean }
  | { type: 'log'; line: string };
