import { BufferHold } from '../metrics/buffer-hold.js';
import { ownsItsBuffer, type DeflatedSegment } from '../metrics/gzip-parts.js';
import type { PublishedUnit } from '../metrics/pair-renderer.js';
import type { PackedUnit } from './engine-protocol.js';

/**
 * Segments at least this large cross in their own buffer. Copying them into one buffer with the rest doubled a
 * large pair's rendering in the worker for a moment (26 MB more at 100,000 vaults, at the refresh's peak).
 */
export const OWN_BUFFER_BYTES = 64 * 1024;

/** Whether `bytes` is the whole of an ArrayBuffer of its own, not already crossing. */
function crossesAsItIs(bytes: Buffer, crossing: ReadonlySet<ArrayBufferLike>): boolean {
  return bytes.length >= OWN_BUFFER_BYTES && ownsItsBuffer(bytes) && bytes.buffer instanceof ArrayBuffer && !crossing.has(bytes.buffer);
}

/** `unit` ready to post, with the buffers to transfer (the worker keeps none of them). */
export function packUnit(unit: PublishedUnit): { packed: PackedUnit; transfer: ArrayBuffer[] } {
  if (!unit.rendered) return { packed: { status: unit.status }, transfer: [] };
  const { families, series, snapshotId, layout } = unit.rendered;
  const crossing = new Set<ArrayBuffer>();
  let packedBytes = 0;
  const segments = families.map(({ deflated, crc, length }): NonNullable<PackedUnit['rendered']>['segments'][number] => {
    if (crossesAsItIs(deflated, crossing)) {
      crossing.add(deflated.buffer as ArrayBuffer);
      return { own: deflated.buffer as ArrayBuffer, crc, length };
    }
    packedBytes += deflated.length;
    return { offset: packedBytes - deflated.length, size: deflated.length, crc, length };
  });
  const bytes = new Uint8Array(packedBytes);
  segments.forEach((segment, i) => {
    if ('offset' in segment) bytes.set((families[i] as DeflatedSegment).deflated, segment.offset);
  });
  return { packed: { status: unit.status, rendered: { snapshotId, layout, series, packed: bytes.buffer, segments } }, transfer: [...crossing, bytes.buffer] };
}

/** The unit again, its segments views of the transferred buffers, which its hold frees when it is let go. */
export function unpackUnit(packed: PackedUnit): PublishedUnit {
  if (!packed.rendered) return { status: packed.status };
  const { packed: bytes, segments, series, snapshotId, layout } = packed.rendered;
  const families: DeflatedSegment[] = segments.map((s) => ({
    deflated: 'own' in s ? Buffer.from(s.own) : Buffer.from(bytes, s.offset, s.size),
    crc: s.crc,
    length: s.length,
  }));
  const buffers = [bytes, ...segments.flatMap((s) => ('own' in s ? [s.own] : []))];
  return { status: packed.status, rendered: { snapshotId, layout, series, families, hold: new BufferHold(buffers) } };
}
