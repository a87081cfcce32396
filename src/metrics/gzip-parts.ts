import { constants, crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

/**
 * A large, rarely changing body compressed ahead of time, to which a small, per-request tail can be
 * appended as one valid gzip member: the head is a raw deflate stream ended with a sync flush (no final
 * block, byte-aligned), the tail a separate raw deflate stream that ends the data, and the trailer's CRC
 * continues the head's. Only the tail is compressed per request.
 */
export interface DeflatedHead {
  deflated: Buffer;
  crc: number;
  length: number;
}

/** gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);

/** Output chunks this large keep the number of callbacks on the event loop small (zlib's default is 16 KiB). */
const DEFLATE_CHUNK = 1 << 20;

/**
 * Compresses `parts` (in order) off the event loop: zlib streams them through the thread pool one part
 * at a time (no concatenated copy of the whole body), and the CRC is taken a part at a time between yields.
 */
export async function deflateHead(parts: readonly Buffer[], level: number): Promise<DeflatedHead> {
  const deflate = createDeflateRaw({ level, chunkSize: DEFLATE_CHUNK, finishFlush: constants.Z_SYNC_FLUSH });
  const output: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => output.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.once('end', resolve);
    deflate.once('error', reject);
  });
  let crc = 0;
  let length = 0;
  for (const part of parts) {
    crc = crc32(part, crc);
    length += part.length;
    if (!deflate.write(part)) await new Promise<void>((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return { deflated: Buffer.concat(output), crc, length };
}

/** The buffers of one gzip member: header, head, compressed tail, trailer (CRC-32 and size mod 2^32). */
export function gzipWithTail(head: DeflatedHead, tail: Buffer): Buffer[] {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(tail, head.crc) >>> 0, 0);
  trailer.writeUInt32LE((head.length + tail.length) % 2 ** 32, 4);
  return [GZIP_HEADER, head.deflated, deflateRawSync(tail, { level: 6 }), trailer];
}
