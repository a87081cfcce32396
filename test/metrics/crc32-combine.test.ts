import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine } from '../../src/metrics/crc32-combine.js';

describe('crc32Combine', () => {
  it('gives the CRC-32 of A and B together, from their CRCs and the length of B', () => {
    const lengths = [0, 1, 2, 3, 7, 8, 255, 256, 4095, 4096, 65_535, 65_536, 100_003, 1 << 20];
    for (const lengthA of [0, 1, 1000]) {
      for (const lengthB of lengths) {
        const a = randomBytes(lengthA);
        const b = randomBytes(lengthB);
        expect(crc32Combine(crc32(a), crc32(b), b.length), `${lengthA} + ${lengthB}`).toBe(crc32(Buffer.concat([a, b])));
      }
    }
  });

  it('folds many segments into the CRC of the whole', () => {
    const parts = Array.from({ length: 300 }, (_, i) => randomBytes((i * 37) % 500));
    const folded = parts.reduce((crc, part) => crc32Combine(crc, crc32(part), part.length), 0);
    expect(folded).toBe(crc32(Buffer.concat(parts)));
  });
});
