import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as undici from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvHttpProxyAgent, request } from '../../src/cloud/undici-parts.js';

// What a request looked like on arrival.
interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let seen: Seen[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
    res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': 'tok' });
    res.end('{"answer":42}');
  });
});
let base: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("undici's parts, loaded by themselves", () => {
  it("are undici's own: the proxy agent is the index's class", () => {
    expect(EnvHttpProxyAgent).toBe(undici.EnvHttpProxyAgent);
  });

  it("make the request undici's index makes, with the dispatcher given", async () => {
    const dispatcher = new EnvHttpProxyAgent();
    try {
      const options = { method: 'POST', headers: { 'x-auth-token': 't', 'content-type': 'application/json' }, body: '{"q":1}', dispatcher } as const;
      seen = [];
      const ours = await request(new URL(`${base}/v3/p/vaults?limit=1000&offset=0`), options);
      const theirs = await undici.request(`${base}/v3/p/vaults?limit=1000&offset=0`, options);
      for (const response of [ours, theirs]) {
        expect(response.statusCode).toBe(201);
        expect(response.headers['x-subject-token']).toBe('tok');
        expect(await response.body.json()).toEqual({ answer: 42 });
      }
      const [mine, index] = seen as [Seen, Seen];
      expect(mine).toMatchObject({ method: 'POST', url: '/v3/p/vaults?limit=1000&offset=0', body: '{"q":1}' });
      expect(mine.headers['x-auth-token']).toBe('t');
      expect(mine).toEqual(index);
    } finally {
      await dispatcher.close();
    }
  });

  it('takes the URL as text too, and stops at the signal', async () => {
    const dispatcher = new EnvHttpProxyAgent();
    try {
      const answer = await request(`${base}/v3/auth/tokens?nocatalog=true`, { method: 'GET', headers: {}, dispatcher });
      expect(answer.statusCode).toBe(201);
      await answer.body.dump();
      const aborted = request(`${base}/x`, { method: 'GET', headers: {}, dispatcher, signal: AbortSignal.abort() });
      await expect(aborted).rejects.toThrow(/abort/i);
    } finally {
      await dispatcher.close();
    }
  });
});
