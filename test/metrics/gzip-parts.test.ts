import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateSegmentSync, gzipHead, gzipTail, joinSegments, storedSegment } from '../../src/metrics/gzip-parts.js';

describe('gzipHead', () => {
  it('writes large segments as they are, joins runs of small ones, and the whole is the body', () => {
    const small = Array.from({ length: 3000 }, (_, i) => Buffer.from(`pair_figure{pair="p${i}"} ${i}\n`));
    // Hex of random bytes compresses to about half: a segment of well over 16 KiB.
    const largeText = Buffer.from(`${randomBytes(60_000).toString('hex')}\n`);
    const texts = [...small.slice(0, 1500), largeText, ...small.slice(1500)];
    const segments = texts.map((text) => (text === largeText ? deflateSegmentSync(text, 6) : storedSegment(text)));
    const large = segments[1500]!;
    expect(large.deflated.length).toBeGreaterThan(16 * 1024);
    const body = joinSegments(segments);

    const head = gzipHead(body);
    // The large segment is not copied: the head holds the very buffer.
    expect(head.filter((piece) => piece === large.deflated)).toHaveLength(1);
    // 3000 small segments (about 100 KB) become a handful of joined pieces, none over 64 KiB.
    const joined = head.filter((piece) => piece !== large.deflated);
    expect(joined.length).toBeLessThanOrEqual(4);
    for (const piece of joined) expect(piece.length).toBeLessThanOrEqual(64 * 1024);

    const tail = Buffer.from('\nlive 1\n');
    expect(gunzipSync(Buffer.concat([...head, gzipTail(body, tail)])).equals(Buffer.concat([...texts, tail]))).toBe(true);
  });

  it('is the gzip header alone for an empty body', () => {
    const body = joinSegments([]);
    expect(gunzipSync(Buffer.concat([...gzipHead(body), gzipTail(body, Buffer.from('x 1\n'))])).toString()).toBe('x 1\n');
  });
});
