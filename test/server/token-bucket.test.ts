import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../src/server/go-duration.js';
import { TokenBucket } from '../../src/server/token-bucket.js';

describe('TokenBucket (golang.org/x/time/rate semantics)', () => {
  it('starts full, then hands out one token per interval', () => {
    let time = 0;
    const bucket = new TokenBucket(1000, 2, () => time);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    expect(bucket.retryAfterSeconds()).toBe(1);
    time += 500;
    expect(bucket.take()).toBe(false);
    time += 500;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    time += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });

  it('refuses everything with a burst of 0, as Go does (toolkit: interval 1s, burst 0)', () => {
    let time = 0;
    const bucket = new TokenBucket(1000, 0, () => time);
    expect(bucket.take()).toBe(false);
    time += 60_000;
    expect(bucket.take()).toBe(false);
  });
});

describe('parseGoDuration', () => {
  it('reads what time.ParseDuration reads, and integers as nanoseconds', () => {
    expect(['1s', '500ms', '1m30s', '1.5h', '100us', '0', '0s'].map((text) => parseGoDuration(text))).toEqual([1000, 500, 90_000, 5_400_000, 0.1, 0, 0]);
    expect(parseGoDuration(1_000_000_000)).toBe(1000);
    expect(parseGoDuration(0)).toBe(0);
  });

  it('refuses anything else', () => {
    for (const text of ['', '1', '1 s', '1d', '-1s', 's']) expect(parseGoDuration(text), text).toBeUndefined();
    expect(parseGoDuration(-5)).toBeUndefined();
    expect(parseGoDuration(1.5)).toBeUndefined();
  });
});
