import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { initialStatus } from '../../src/collect/snapshot.js';
import { packUnit, unpackUnit } from '../../src/daemon/unit-packing.js';
import type { PublishedUnit } from '../../src/metrics/pair-renderer.js';
import { familiesOf } from '../../src/metrics/source-families.js';
import { VaultExposition, type Publication, type VaultBody } from '../../src/metrics/vault-exposition.js';
import { baseFamilies, pairFor, silentLog, snapshotOf, statusOf } from '../helpers/exposition.js';
import express, { type Response } from 'express';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { deflateSegmentSync, joinSegments, storedSegment } from '../../src/metrics/gzip-parts.js';
import { fullGc } from '../../src/daemon/release-memory.js';
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
  return servingBody(text, { ...joinSegments([storedSegment(text)]), series: 1, holds: [] });
}

async function servingBody(text: Buffer, body: VaultBody) {
  return { text, ...(await servingPublications(() => ({ body, statuses: [], attempted: true }))) };
}

/** /metrics of what `publication` returns at each request, and the responses it wrote. */
async function servingPublications(publication: () => Publication) {
  const responses: Response[] = [];
  const handler = metricsHandler({ publication, registry: new Registry(), version: () => 0 });
  const app = express();
  app.get('/metrics', (req, res) => {
    responses.push(res);
    return handler(req, res);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return { responses, port: (server.address() as AddressInfo).port };
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

/** Sends `request` on a new connection and reads the answer whole once `paused` resolves; header and body. */
async function ask(port: number, request: string, paused: () => Promise<unknown> = async () => {}) {
  const received: Buffer[] = [];
  client = connect(port, '127.0.0.1');
  client.on('data', (chunk: Buffer) => received.push(chunk));
  client.pause();
  client.write(request);
  await paused();
  client.resume();
  await new Promise((resolve) => client!.once('end', resolve));
  const answer = Buffer.concat(received);
  const split = answer.indexOf('\r\n\r\n');
  return { head: answer.subarray(0, split).toString(), body: answer.subarray(split + 4) };
}

describe('/metrics in plain text', () => {
  // 64 MiB of series text, compressed as the renderer does: a body whose plain text dwarfs everything else here.
  const line = Buffer.from('huaweicloud_cbr_vault_size_bytes{project_id="p",region="r",vault_id="v"} 10737418240\n');
  const text = Buffer.alloc(64 * 2 ** 20, line);
  const body = { ...joinSegments([deflateSegmentSync(text.subarray(0, text.length / 2), 1), deflateSegmentSync(text.subarray(text.length / 2), 1)]), series: 1, holds: [] };

  it('inflates the text as the client reads it, holding a few chunks, and sends it whole with its length', async () => {
    const { responses, port } = await servingBody(text, body);
    fullGc()?.(); // what earlier tests left is not freed while this one measures
    const before = process.memoryUsage().arrayBuffers;
    let held = 0;
    const { head, body: answer } = await ask(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, () =>
      waitFor('the server to wait on the paused client', () => {
        held = Math.max(held, process.memoryUsage().arrayBuffers - before);
        return (responses[0]?.writableLength ?? 0) > WRITE_QUEUE_BYTES;
      }, { intervalMs: 20 }),
    );
    // Inflated whole, the text alone would be 64 MiB here, and twice that while it was made.
    expect(held).toBeLessThan(8 * 2 ** 20);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).not.toMatch(/Content-Encoding/i);
    expect(Number(/Content-Length: (\d+)/i.exec(head)?.[1])).toBe(answer.length);
    expect(answer.subarray(0, text.length).equals(text)).toBe(true);
    expect(answer.subarray(text.length).toString()).toMatch(/^\n/); // the live tail follows the vault text
  });

  it('answers a HEAD with the length a GET is sent with, and no body', async () => {
    const { port } = await servingBody(text, body);
    const get = await ask(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const headAnswer = await ask(port, `HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(/Content-Length: (\d+)/i.exec(headAnswer.head)?.[1]).toBe(String(get.body.length));
    expect(headAnswer.body.length).toBe(0);
  });

});

describe('/metrics while a newer unit replaces the one it writes', () => {
  const pair = pairFor('cbr', 'p-holds');
  /** A unit of the pair whose first family is `text` (stored: as large on the wire), crossed as from the worker. */
  function crossed(text: Buffer): PublishedUnit {
    const listed = snapshotOf({ pair, source: 'cbr', vaults: [], takenAt: Date.now() });
    const families = familiesOf(baseFamilies, 'cbr').map((_, i) => storedSegment(i === 0 ? text : Buffer.alloc(0)));
    const { packed, transfer } = packUnit({ status: statusOf(listed), rendered: { snapshotId: listed.id, layout: baseFamilies.layout.cbr, series: 1, families } });
    return unpackUnit(structuredClone(packed, { transfer }));
  }
  const textOf = (unit: PublishedUnit) => unit.rendered!.families[0]!.deflated;

  async function servingUnit(unit: PublishedUnit) {
    const exposition = new VaultExposition([initialStatus(pair)], silentLog, baseFamilies);
    exposition.publish(unit);
    return { exposition, ...(await servingPublications(() => exposition.publication())) };
  }
  const stalled = (responses: Response[]) => () =>
    waitFor('the server to wait on the paused client', () => (responses[0]?.writableLength ?? 0) > WRITE_QUEUE_BYTES, { intervalMs: 20 });

  for (const encoding of ['gzip', 'identity']) {
    it(`an answer (${encoding}) keeps the body it began whole, and the replaced unit is freed once it closed`, async () => {
      const old = Buffer.from(randomBytes(24 * 2 ** 20).toString('hex'));
      const first = crossed(old);
      const { exposition, responses, port } = await servingUnit(first);
      const request = `GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ${encoding}\r\nConnection: close\r\n\r\n`;
      const { head, body } = await ask(port, request, async () => {
        await stalled(responses)();
        exposition.publish(crossed(Buffer.from('newer\n')));
        // Written still: not freed under the answer.
        expect(textOf(first).length).toBeGreaterThan(old.length);
      });
      expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
      const text = encoding === 'gzip' ? gunzipSync(body) : body;
      expect(text.includes(old)).toBe(true);
      await waitFor('the replaced unit to be freed', () => textOf(first).length === 0);
      expect((await ask(port, request)).body.includes('newer\n')).toBe(true);
    });
  }

  it('leaves a replaced unit to the garbage collector when a plain answer was cut short (zlib may still read it)', async () => {
    const first = crossed(Buffer.from(randomBytes(24 * 2 ** 20).toString('hex')));
    const { exposition, responses, port } = await servingUnit(first);
    client = connect(port, '127.0.0.1');
    client.pause();
    client.write(`GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n`);
    await stalled(responses)();
    exposition.publish(crossed(Buffer.from('newer\n')));
    client.destroy();
    await waitFor('the answer to close', () => responses[0]!.closed);
    expect(textOf(first).length).toBeGreaterThan(0);
  });
});
