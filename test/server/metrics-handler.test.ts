import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import express, { type Response } from 'express';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { joinSegments, storedSegment } from '../../src/metrics/gzip-parts.js';
import { metricsHandler, WRITE_PIECE_BYTES, WRITE_QUEUE_BYTES } from '../../src/server/metrics-handler.js';
import { waitFor } from '../helpers/wait-for.js';

let server: Server | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = client = undefined;
});

/** A /metrics of `bytes` of vault text (stored blocks: as large on the wire as in text), and the responses it wrote. */
async function serving(bytes: number) {
  const text = Buffer.from(randomBytes(bytes / 2).toString('hex'));
  const body = { ...joinSegments([storedSegment(text)]), series: 1 };
  const responses: Response[] = [];
  const handler = metricsHandler({ publication: () => ({ body, statuses: [], attempted: true }), registry: new Registry(), version: () => 0 });
  const app = express();
  app.get('/metrics', (req, res) => {
    responses.push(res);
    return handler(req, res);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return { text, responses, port: (server.address() as AddressInfo).port };
}

describe('/metrics to a client that does not read', () => {
  it('queues at most WRITE_QUEUE_BYTES and a piece, and the whole body arrives once the client reads', async () => {
    const { text, responses, port } = await serving(48 * 1024 * 1024); // well past what loopback's buffers hold
    const received: Buffer[] = [];
    client = connect(port, '127.0.0.1');
    client.on('data', (chunk: Buffer) => received.push(chunk));
    client.pause();
    client.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n`);
    // The server fills the kernel's buffers, then its own queue up to the bound, and waits there.
    const queued: number[] = [];
    await waitFor('the server to wait on the paused client', () => {
      queued.push(responses[0]?.writableLength ?? 0);
      return queued.length > 10 && queued.slice(-10).every((n) => n === queued.at(-1) && n > 0);
    }, { intervalMs: 20 });
    expect(Math.max(...queued)).toBeLessThanOrEqual(WRITE_QUEUE_BYTES + WRITE_PIECE_BYTES);
    expect(responses[0]!.writableEnded).toBe(false);
    client.resume();
    await new Promise((resolve) => client!.once('end', resolve));
    const answer = Buffer.concat(received);
    const split = answer.indexOf('\r\n\r\n');
    expect(answer.subarray(0, split).toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Encoding: gzip/);
    const plain = gunzipSync(answer.subarray(split + 4));
    expect(plain.subarray(0, text.length).equals(text)).toBe(true);
  });
});
