import http from 'node:http';

/**
 * GET over node:http, returning the body bytes as sent: a gzip body stays compressed (that is what a
 * scraper that passes it on would cost, and what the bare server must replay). Bounded by `timeoutMs`.
 */
export function rawGet(
  url: string,
  headers: Record<string, string>,
  options: { agent?: http.Agent; timeoutMs?: number } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: options.agent, timeout: options.timeoutMs ?? 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${options.timeoutMs ?? 60_000} ms`)));
    req.on('error', reject);
  });
}
