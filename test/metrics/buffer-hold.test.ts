import { describe, expect, it } from 'vitest';
import { BufferHold, holdAll } from '../../src/metrics/buffer-hold.js';

describe('BufferHold', () => {
  it('frees its buffers when the last holder lets go, and not before', () => {
    const buffers = [new ArrayBuffer(4 * 2 ** 20), new ArrayBuffer(1024)];
    const view = Buffer.from(buffers[0]!, 16, 1024);
    const hold = new BufferHold(buffers);
    hold.acquire();
    hold.acquire();
    hold.release();
    expect(buffers.map((b) => b.detached)).toEqual([false, false]);
    expect(view.length).toBe(1024);
    const before = process.memoryUsage().arrayBuffers;
    hold.release();
    expect(buffers.map((b) => b.detached)).toEqual([true, true]);
    expect(view.length).toBe(0);
    // Freed at once, not at a later collection.
    expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(4 * 2 ** 20);
  });

  it('refuses to be held again once freed: an answer would be cut short', () => {
    const hold = new BufferHold([new ArrayBuffer(8)]);
    hold.acquire();
    hold.release();
    expect(() => hold.acquire()).toThrow(/after they were freed/);
  });

  it('holdAll holds every unit until its one release, which a second call does not repeat', () => {
    const buffers = [new ArrayBuffer(8), new ArrayBuffer(8)];
    const holds = buffers.map((b) => new BufferHold([b]));
    holds.forEach((hold) => hold.acquire()); // the exposition's
    const release = holdAll(holds);
    holds.forEach((hold) => hold.release()); // replaced in the exposition
    expect(buffers.some((b) => b.detached)).toBe(false);
    release();
    expect(buffers.every((b) => b.detached)).toBe(true);
    release();
  });
});
