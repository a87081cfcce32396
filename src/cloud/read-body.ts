import type { Dispatcher } from 'undici';

/** The body was larger than allowed; nothing past the limit was kept. */
export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
  constructor(readonly limit: number, readonly announced?: number) {
    super(`response body larger than ${limit} bytes`);
  }
}

/**
 * The body as text, refused as soon as it passes `limit` bytes: a Content-Length over the limit is
 * refused before reading, and a body without one is cut off while it streams (an endless or huge body
 * must not take the process's memory with it).
 */
export async function readBoundedText(response: Dispatcher.ResponseData, limit: number): Promise<string> {
  const length = Number(response.headers['content-length']);
  if (Number.isFinite(length) && length > limit) {
    response.body.destroy();
    throw new BodyTooLarge(limit, length);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      response.body.destroy();
      throw new BodyTooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
