import { waitFor, type Watched } from './wait-for.js';

/** GET `url` with a deadline; returns status and body text. */
export async function get(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

/** Resolves once `url` answers 200; fails early when one of `daemons` ends. */
export async function waitFor200(url: string, timeoutMs = 30_000, daemons: readonly Watched[] = []): Promise<void> {
  let status = 0;
  await waitFor(`${url} to answer 200`, async () => {
    status = (await get(url)).status;
    return status === 200;
  }, { timeoutMs, intervalMs: 100, daemons, detail: () => `status ${status}` });
}
