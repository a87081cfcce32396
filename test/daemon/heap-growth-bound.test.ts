import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, heldBytes, outgrown, REFRESH_HEAP_GROWTH, type HeapGrowthLimits } from '../../src/daemon/heap-growth-bound.js';
import { fullGc } from '../../src/daemon/release-memory.js';
import { waitFor } from '../helpers/wait-for.js';

const MB = 2 ** 20;
const limits: HeapGrowthLimits = { smallShare: 0.25, smallBytes: 32 * MB, largeShare: 3, floorBytes: 6 * MB, everyMs: 1 };

/** A measure the test sets, which counts how often the bound looked at it. */
function measure(start: number) {
  const state = { bytes: start, reads: 0 };
  return { state, held: () => (state.reads++, state.bytes) };
}

/** Resolves once the bound has looked `times` more times. */
const looked = (state: { reads: number }, times: number) => {
  const until = state.reads + times;
  return waitFor(`${times} looks at the heap`, () => state.reads >= until, { intervalMs: 1 });
};

describe('outgrown', () => {
  it('is a share of what the last collection left plus a floor', () => {
    expect(outgrown(16 * MB, 8 * MB, limits)).toBe(false); // 8 × 1.25 + 6 = 16: at the limit
    expect(outgrown(16 * MB + 1, 8 * MB, limits)).toBe(true);
    expect(outgrown(6 * MB, 0, limits)).toBe(false);
    expect(outgrown(6 * MB + 1, 0, limits)).toBe(true);
    expect(outgrown(37.25 * MB, 25 * MB, limits)).toBe(false); // a quarter up to 32 MB
    expect(outgrown(37.5 * MB, 25 * MB, limits)).toBe(true);
  });

  it('leaves a heap a collection left over 32 MB to grow as V8 lets it (4 ×)', () => {
    expect(outgrown(46 * MB, 32 * MB, limits)).toBe(false); // 32 MB: still a quarter (32 × 1.25 + 6 = 46)
    expect(outgrown(46.5 * MB, 32 * MB, limits)).toBe(true);
    expect(outgrown(270 * MB, 66 * MB, limits)).toBe(false); // over: 66 × 4 + 6 = 270
    expect(outgrown(270.5 * MB, 66 * MB, limits)).toBe(true);
  });

  it('lets the worker grow less than V8 does (4 × what a collection left)', () => {
    expect(outgrown(60 * MB, 15 * MB, REFRESH_HEAP_GROWTH)).toBe(true);
    expect(outgrown(20 * MB, 15 * MB, REFRESH_HEAP_GROWTH)).toBe(false);
    expect(outgrown(60 * MB, 15 * MB, REFRESH_HEAP_GROWTH)).toBe(true);
  });
});

describe('boundHeapGrowth', () => {
  it('collects once the heap outgrew its limits while started, and measures again from what the collection left', async () => {
    const { state, held } = measure(10 * MB);
    let collected = 0;
    const bound = boundHeapGrowth(() => {
      collected++;
      state.bytes = 11 * MB; // what the collection left
    }, limits, held);
    bound.start();
    try {
      state.bytes = 18 * MB; // under 10 × 1.25 + 6 = 18.5
      await looked(state, 3);
      expect(collected).toBe(0);
      state.bytes = 19 * MB;
      await waitFor('a collection', () => collected === 1, { intervalMs: 1 });
      const taken = bound.takeCollections();
      expect(taken.collections).toBe(1);
      expect(taken.seconds).toBeGreaterThanOrEqual(0);
      expect(bound.takeCollections()).toEqual({ collections: 0, seconds: 0 }); // since the last call
      // Now from 11 MB (measured at the next look): 19.75 MB is the limit.
      await looked(state, 1);
      state.bytes = 19.5 * MB;
      await looked(state, 3);
      expect(collected).toBe(1);
      state.bytes = 20 * MB;
      await waitFor('a second collection', () => collected === 2, { intervalMs: 1 });
      expect(bound.takeCollections().collections).toBe(1);
    } finally {
      bound.stop();
    }
  });

  it('looks only between start and stop, and rebase() takes a collection made elsewhere as the new base', async () => {
    const { state, held } = measure(10 * MB);
    let collected = 0;
    const bound = boundHeapGrowth(() => void collected++, limits, held);
    // A witness on the same period: once it has looked, a started bound would have too.
    const clock = measure(0);
    const witness = boundHeapGrowth(() => undefined, limits, clock.held);
    witness.start();
    try {
      state.bytes = 50 * MB;
      const reads = state.reads;
      await looked(clock.state, 3);
      expect(state.reads).toBe(reads); // not started
      bound.rebase(); // the last-resort collection after a refresh left 50 MB
      bound.start();
      bound.start(); // a second start is the same timer
      await looked(state, 3);
      state.bytes = 206 * MB;
      await looked(state, 3);
      expect(collected).toBe(0);
      state.bytes = 207 * MB; // over 32 MB: 50 × 4 + 6 = 206
      await waitFor('a collection above the new base', () => collected === 1, { intervalMs: 1 });
      bound.stop();
      state.bytes = 200 * MB;
      const stopped = state.reads;
      await looked(clock.state, 3);
      expect(state.reads).toBe(stopped);
      expect(collected).toBe(1);
    } finally {
      bound.stop();
      witness.stop();
    }
  });

  it('with the real heap and collector, frees garbage that outgrew it', async () => {
    const gc = fullGc('regular');
    expect(gc).toBeDefined();
    const real = { reads: 0 };
    const bound = boundHeapGrowth(gc!, { smallShare: 0, smallBytes: 2 ** 40, largeShare: 0, floorBytes: 8 * MB, everyMs: 1 }, () => (real.reads++, heldBytes()));
    bound.start();
    try {
      await looked(real, 1); // its base is measured now
      const before = heldBytes();
      // External garbage, which V8 alone would leave until 64 MB of it piled up.
      const garbage = Array.from({ length: 16 }, () => Buffer.alloc(MB, 1));
      expect(heldBytes()).toBeGreaterThan(before + 12 * MB);
      garbage.length = 0;
      let collections = 0;
      await waitFor('the bound to collect', () => (collections += bound.takeCollections().collections) > 0, { intervalMs: 1 });
      // V8 frees dead Buffers in a task after the collection.
      await waitFor('the garbage freed', () => heldBytes() < before + 8 * MB, { intervalMs: 1, detail: () => `${heldBytes() - before} bytes over` });
      expect(collections + bound.takeCollections().collections).toBe(1);
    } finally {
      bound.stop();
    }
  });
});
