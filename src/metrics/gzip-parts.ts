import type { Readable } from 'node:stream';
import { constants, crc32, createDeflateRaw, createInflateRaw, deflateRawSync } from 'node:zlib';
import { crc32Combine } from './crc32-combine.js';

/**
 * Text kept only compressed: a raw deflate stream ended with a sync flush (byte-aligned, no final block),
 * with the CRC-32 and length of the text. Such segments, each compressed on its own, concatenate into one
 * valid deflate stream; a per-request tail that ends the stream and a trailer whose CRC is combined from
 * the segments' make the whole a single gzip member (RFC 1951, 1952).
 */
export interface DeflatedSegment {
  deflated: Buffer;
  crc: number;
  length: number;
}

/** Several segments in order, as one. */
export interface DeflatedBody {
  parts: readonly Buffer[];
  crc: number;
  length: number;
}

/** gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** Output chunks this large keep the callbacks on the event loop few (zlib's default is 16 KiB). */
const DEFLATE_CHUNK = 1 << 18;

/** Whether `bytes` is the whole of its ArrayBuffer, not a view into a larger one. */
export function ownsItsBuffer(bytes: Buffer): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * `parts` in a buffer of their own, for bytes kept until the next publication. Not a view into a larger buffer:
 * zlib's output is one into its output chunk, and a small Buffer.from / Buffer.concat is one into Node's shared
 * 8 KiB pool, and a kept view keeps all of it. Thousands of small pairs kept that way held 1.1 GB of RSS for
 * 40,000 vaults.
 */
function own(...parts: Buffer[]): Buffer {
  if (parts.length === 1 && ownsItsBuffer(parts[0]!)) return parts[0]!;
  const out = Buffer.allocUnsafeSlow(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) at += part.copy(out, at);
  return out;
}

/**
 * A small text compressed at once (family headers, the families of a small snapshot). zlib allocates its output
 * chunk before it knows the result: its default 16 KiB for a text of a few KB, thousands of times a refresh, kept
 * the process at 1.1 GB where a chunk of a quarter of the text (exceeded: another is added) keeps it near 600 MB.
 */
export function deflateSegmentSync(text: Buffer, level: number): DeflatedSegment {
  const chunkSize = Math.max(constants.Z_MIN_CHUNK, Math.min(16 * 1024, Math.ceil(text.length / 4)));
  return { deflated: own(deflateRawSync(text, { level, chunkSize, finishFlush: constants.Z_SYNC_FLUSH })), crc: crc32(text), length: text.length };
}

/** Largest payload of one stored deflate block. */
const STORED_BLOCK_MAX = 0xffff;

/**
 * A small text as stored (uncompressed) deflate blocks: byte-aligned like a sync-flushed segment, and made
 * without a zlib stream, which costs far more than a line of text is worth (the exporter's per-pair figures).
 */
export function storedSegment(text: Buffer): DeflatedSegment {
  const parts: Buffer[] = [];
  for (let start = 0; start < text.length || parts.length === 0; start += STORED_BLOCK_MAX) {
    const chunk = text.subarray(start, start + STORED_BLOCK_MAX);
    const header = Buffer.alloc(5);
    header.writeUInt16LE(chunk.length, 1); // byte 0: BFINAL 0, BTYPE 00 (stored), padding to the byte
    header.writeUInt16LE(~chunk.length & 0xffff, 3);
    parts.push(header, chunk);
  }
  return { deflated: own(...parts), crc: crc32(text), length: text.length };
}

/** Compresses text written to it chunk by chunk on zlib's thread pool; the caller drops each chunk after write(). */
export class SegmentWriter {
  private readonly stream;
  private readonly output: Buffer[] = [];
  private readonly done: Promise<void>;
  private crc = 0;
  private length = 0;

  constructor(level: number) {
    this.stream = createDeflateRaw({ level, chunkSize: DEFLATE_CHUNK, finishFlush: constants.Z_SYNC_FLUSH });
    this.stream.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.done = new Promise((resolve, reject) => {
      this.stream.once('end', resolve);
      this.stream.once('error', reject);
    });
  }

  async write(text: Buffer): Promise<void> {
    this.crc = crc32(text, this.crc);
    this.length += text.length;
    if (!this.stream.write(text)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  async finish(): Promise<DeflatedSegment> {
    this.stream.end();
    await this.done;
    return { deflated: own(...this.output), crc: this.crc, length: this.length };
  }
}

export function joinSegments(segments: readonly DeflatedSegment[]): DeflatedBody {
  let crc = 0;
  let length = 0;
  for (const segment of segments) {
    crc = crc32Combine(crc, segment.crc, segment.length);
    length += segment.length;
  }
  return { parts: segments.map((segment) => segment.deflated), crc, length };
}

/** Segments at least this large are written as they are; smaller ones are copied together into pieces up to HEAD_PIECE_BYTES. */
const OWN_PIECE_BYTES = 16 * 1024;
const HEAD_PIECE_BYTES = 64 * 1024;

/**
 * The gzip header and a body's segments, as the buffers every gzip answer for that body begins with. Large
 * segments are not copied: one buffer of the whole head doubled the body in memory (28.6 MB more at 100,000
 * vaults, 57 MB while a scrape still wrote the previous one). Runs of small segments (family headers, pair
 * figures, the families of small pairs) are joined, so that a body of thousands of them is a few writes.
 */
export function gzipHead(body: DeflatedBody): Buffer[] {
  const pieces: Buffer[] = [];
  let run: Buffer[] = [GZIP_HEADER];
  let runBytes = GZIP_HEADER.length;
  const endRun = () => {
    // Kept until the next publication: a buffer of its own, not a view into Node's shared pool (see own()).
    if (run.length > 0) pieces.push(run.length === 1 ? (run[0] as Buffer) : own(...run));
    run = [];
    runBytes = 0;
  };
  for (const part of body.parts) {
    if (part.length >= OWN_PIECE_BYTES) {
      endRun();
      pieces.push(part);
      continue;
    }
    if (runBytes + part.length > HEAD_PIECE_BYTES) endRun();
    run.push(part);
    runBytes += part.length;
  }
  endRun();
  return pieces;
}

/** What follows a gzip head: the compressed tail (it ends the deflate stream) and the trailer. */
export function gzipTail(body: DeflatedBody, tail: Buffer): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(tail, body.crc) >>> 0, 0);
  trailer.writeUInt32LE((body.length + tail.length) % 2 ** 32, 4);
  return Buffer.concat([deflateRawSync(tail, { level: 6 }), trailer]);
}

/** The buffers of one gzip member: header, body, compressed tail (ends the stream), trailer. */
export function gzipWithTail(body: DeflatedBody, tail: Buffer): Buffer[] {
  return [...gzipHead(body), gzipTail(body, tail)];
}

/**
 * The plain text of a body as a stream, inflated on the thread pool as it is read: what it holds is a chunk or
 * two, whatever the body's size (its text is 30.5 MB at 10,000 vaults, 308 MB at 100,000).
 */
export function inflateBodyStream(body: DeflatedBody): Readable {
  const inflate = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: DEFLATE_CHUNK });
  // The parts are the body's own buffers: queued, not copied.
  for (const part of body.parts) inflate.write(part);
  inflate.end();
  return inflate;
}

/** The plain text of a body, whole, as a plain answer inflates it (for tests and small bodies). */
export async function inflateBody(body: DeflatedBody): Promise<Buffer> {
  return Buffer.concat((await inflateBodyStream(body).toArray()) as Buffer[]);
}
