import type { DeflatedSegment } from '../metrics/gzip-parts.js';
import type { PublishedUnit } from '../metrics/pair-renderer.js';
import type { PackedUnit } from './engine-protocol.js';

/** `unit` with its segments copied into one ArrayBuffer, which the caller transfers (the worker's copy is its only one). */
export function packUnit(unit: PublishedUnit): { packed: PackedUnit; transfer: ArrayBuffer[] } {
  if (!unit.rendered) return { packed: { status: unit.status }, transfer: [] };
  const { families, series, snapshotId, layout } = unit.rendered;
  const bytes = new Uint8Array(families.reduce((sum, segment) => sum + segment.deflated.length, 0));
  const segments: NonNullable<PackedUnit['rendered']>['segments'] = [];
  let offset = 0;
  for (const segment of families) {
    bytes.set(segment.deflated, offset);
    segments.push({ offset, size: segment.deflated.length, crc: segment.crc, length: segment.length });
    offset += segment.deflated.length;
  }
  return { packed: { status: unit.status, rendered: { snapshotId, layout, series, bytes: bytes.buffer, segments } }, transfer: [bytes.buffer] };
}

/** The unit again, its segments views of the transferred buffer. */
export function unpackUnit(packed: PackedUnit): PublishedUnit {
  if (!packed.rendered) return { status: packed.status };
  const { bytes, segments, series, snapshotId, layout } = packed.rendered;
  const families: DeflatedSegment[] = segments.map((s) => ({ deflated: Buffer.from(bytes, s.offset, s.size), crc: s.crc, length: s.length }));
  return { status: packed.status, rendered: { snapshotId, layout, series, families } };
}
