import { randomBytes } from 'node:crypto';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { initialStatus } from '../../src/collect/snapshot.js';
import type { PackedUnit } from '../../src/daemon/engine-protocol.js';
import { OWN_BUFFER_BYTES, packUnit, unpackUnit } from '../../src/daemon/unit-packing.js';
import { deflateSegmentSync, storedSegment, type DeflatedSegment } from '../../src/metrics/gzip-parts.js';
import type { PublishedUnit } from '../../src/metrics/pair-renderer.js';
import { pairOf } from '../../src/collect/pairs.js';
import { validateConfig } from '../../src/config/load.js';

const config = validateConfig({ auth: { token: 't' }, targets: [{ project_id: 'packing', region: 'ap-southeast-1' }] }, 'test config');
const pair = pairOf(config.targets[0]!, 'cbr');

/** A unit of small segments and one large one (random hex does not compress below OWN_BUFFER_BYTES). */
function unit(): { unit: PublishedUnit; large: DeflatedSegment; texts: Buffer[] } {
  const texts = [Buffer.from('a 1\n'), Buffer.from(randomBytes(OWN_BUFFER_BYTES * 2).toString('hex')), Buffer.from('b 2\n'), Buffer.alloc(0)];
  const families = texts.map((text, i) => (i === 1 ? deflateSegmentSync(text, 6) : storedSegment(text)));
  return { unit: { status: initialStatus(pair), rendered: { snapshotId: 7, layout: 'l', series: 3, families } }, large: families[1]!, texts };
}

describe('packUnit / unpackUnit', () => {
  it('sends a large segment in its own buffer and the small ones packed into one, and they arrive whole', () => {
    const { unit: sent, large } = unit();
    const originals = sent.rendered!.families.map((s) => Buffer.from(s.deflated));
    expect(large.deflated.length).toBeGreaterThanOrEqual(OWN_BUFFER_BYTES);
    const largeBuffer = large.deflated.buffer;
    const { packed, transfer } = packUnit(sent);
    // The large segment's own buffer, not a copy; then the one buffer of the three small ones.
    expect(transfer).toHaveLength(2);
    expect(transfer[0]).toBe(largeBuffer);
    expect(transfer[1]!.byteLength).toBe(originals.reduce((n, b, i) => n + (i === 1 ? 0 : b.length), 0));

    const { port1, port2 } = new MessageChannel();
    port1.postMessage(packed, transfer);
    // Transferred: the sender holds nothing of it any more.
    expect(largeBuffer.byteLength).toBe(0);
    const received = receiveMessageOnPort(port2)?.message as PackedUnit;
    port1.close();
    const back = unpackUnit(received);
    expect(back.rendered).toMatchObject({ snapshotId: 7, layout: 'l', series: 3 });
    back.rendered!.families.forEach((segment, i) => {
      expect(segment.deflated.equals(originals[i]!), `segment ${i}`).toBe(true);
      expect(segment.crc).toBe(sent.rendered!.families[i]!.crc);
      expect(segment.length).toBe(sent.rendered!.families[i]!.length);
    });
  });

  it('copies a large segment that is a view into a larger buffer, or whose buffer another segment shares', () => {
    const big = Buffer.alloc(OWN_BUFFER_BYTES * 3, 7);
    const view = { deflated: big.subarray(0, OWN_BUFFER_BYTES * 2), crc: 1, length: 1 };
    const whole = storedSegment(Buffer.alloc(OWN_BUFFER_BYTES, 1));
    const wholeLength = whole.deflated.length;
    const twice: PublishedUnit = { status: initialStatus(pair), rendered: { snapshotId: 1, layout: 'l', series: 0, families: [view, whole, whole] } };
    const { packed, transfer } = packUnit(twice);
    // The view is copied (transferring its buffer would send the rest of it too); the shared one crosses once.
    expect(transfer).toHaveLength(2);
    expect(transfer).toContain(whole.deflated.buffer);
    expect(transfer).not.toContain(big.buffer);
    const back = unpackUnit(structuredClone(packed, { transfer }));
    expect(back.rendered!.families.map((s) => s.deflated.length)).toEqual([OWN_BUFFER_BYTES * 2, wholeLength, wholeLength]);
    expect(back.rendered!.families[0]!.deflated.every((byte) => byte === 7)).toBe(true);
  });

  it('sends a status without a rendering as it is', () => {
    expect(packUnit({ status: initialStatus(pair) })).toEqual({ packed: { status: initialStatus(pair) }, transfer: [] });
  });
});
