/**
 * The two lower bounds a refresh is held against.
 *
 * Paging: a source asks for its first page, learns the total, then asks for all the others at once; the
 * HostLimiter lets `concurrency` requests per host be in flight. CBR and HSS of one project run at the
 * same time and, when their endpoints share a host:port (the simulator's do), share those slots. So:
 * both first pages go out together (2 ≤ concurrency), and the later pages of both sources then queue for
 * the same slots, each taking one latency:
 *   shared:     latency × (1 + ceil((Pcbr − 1 + Phss − 1) / concurrency))
 * Never below what one source needs alone, latency × (1 + ceil((P − 1) / concurrency)), nor below
 * ceil(ΣP / concurrency) rounds; the larger applies (with concurrency ≥ 2 it is the shared one).
 *
 * Parse: one event loop parses every page body, so pages × JSON.parse time of one page, per source.
 */

export const CBR_PAGE_VAULTS = 1000;
export const HSS_PAGE_VAULTS = 200;

export function pagesFor(vaults: number, pageVaults: number): number {
  return Math.max(1, Math.ceil(vaults / pageVaults));
}

/** Lower bound of a listing's wall time from paging alone, for sources sharing one host's slots. */
export function pagingLimitMs(latencyMs: number, pagesPerSource: readonly number[], concurrency: number): number {
  const laterPages = pagesPerSource.reduce((sum, pages) => sum + pages - 1, 0);
  const allPages = pagesPerSource.reduce((sum, pages) => sum + pages, 0);
  const firstRounds = Math.ceil(pagesPerSource.length / concurrency);
  const rounds = Math.max(
    firstRounds + Math.ceil(laterPages / concurrency),
    Math.ceil(allPages / concurrency),
    ...pagesPerSource.map((pages) => 1 + Math.ceil((pages - 1) / concurrency)),
  );
  return latencyMs * rounds;
}

/** Mean JSON.parse time of `body`, after a warm-up, over a bounded number of runs. */
export function measureParseMs(body: string, runs = 30): number {
  for (let i = 0; i < 5; i++) JSON.parse(body);
  const started = performance.now();
  for (let i = 0; i < runs; i++) JSON.parse(body);
  return (performance.now() - started) / runs;
}
