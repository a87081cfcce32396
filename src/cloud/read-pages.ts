import { ApiError } from './api-error.js';
import type { Parsed } from './cbr-vault.js';
import { getJson, type ApiContext } from './get-json.js';

/** How one list API pages: its limits, URL and body shape. */
export interface PagedApi<T> {
  /** Largest `limit` the API accepts; every page asks for this many. */
  pageLimit: number;
  /** Largest `offset` the API accepts (HSS: 2,000,000); unbounded when absent. */
  maxOffset?: number;
  url(offset: number, limit: number): URL;
  /** The page's records and the total the API reports; throws ApiError when the body is not the documented shape. */
  readPage(body: unknown, url: URL): { records: unknown[]; total: number | undefined };
  parse(raw: unknown): Parsed<T>;
}

export interface Page<T> {
  offset: number;
  vaults: T[];
  invalidFields: number;
  invalidRecords: number;
  total: number | undefined;
  /** Records on the page, usable or not. */
  size: number;
}

/** One reading of a listing, first page to the end. */
export interface Pass<T> {
  /** The pages up to and including the one that ended the listing, in offset order. */
  pages: Page<T>[];
  /** Pages requested past the end (in flight when it was seen, or the one probe); they repeated known vaults only. */
  pagesPastEnd: number;
  /** Non-empty pages past the end that held only vaults seen already: a contradiction, but nothing is missing. */
  repeatedPastEnd: number;
  /** The last page was full and at the API's offset cap: there may be vaults no request can reach. */
  cappedAt?: number;
}

/** Pages whose contents contradict each other so that the listing cannot be complete. */
export function contradiction(api: PagedApi<unknown>, detail: string): ApiError {
  return new ApiError(`GET ${api.url(0, api.pageLimit).pathname}: pages contradict each other: ${detail}; not published`, { code: 'inconsistent' });
}

/** Without a usable total, or past it, pages are read one after another; this bounds a misbehaving API. */
const MAX_PAGES = 100_000;

export async function fetchPage<T extends { id: string }>(api: PagedApi<T>, offset: number, ctx: ApiContext): Promise<Page<T>> {
  const url = api.url(offset, api.pageLimit);
  // The shape is checked inside the attempt: valid JSON of the wrong shape is counted as invalid_body.
  const { records, total } = await getJson(url, ctx, (body) => api.readPage(body, url));
  const page: Page<T> = { offset, vaults: [], invalidFields: 0, invalidRecords: 0, total, size: records.length };
  for (const raw of records) {
    const parsed = api.parse(raw);
    if (parsed.vault === undefined) page.invalidRecords++;
    else {
      page.vaults.push(parsed.vault);
      page.invalidFields += parsed.invalidFields;
    }
  }
  return page;
}

/**
 * Reads a listing once. The total plans the pages (up to `refresh.concurrency` in flight), and so does what
 * the listing held when last read, so that a refresh need not wait for the first page to fill its window
 * (the page at the total's offset too, which a full last page would ask for anyway). But the pages
 * decide: a short or empty page ends the listing, and a full last page means there may be more, read
 * one at a time past the plan. So a total that lies low loses nothing, and one that lies high costs at most
 * the requests in flight when the end is seen (or a single probe, when the total promised more than the
 * pages held). A full page of vaults already seen (an API ignoring offset) and a page with new vaults after
 * a short one are contradictions: the listing fails rather than publish a part of it.
 */
export async function readPass<T extends { id: string }>(api: PagedApi<T>, ctx: ApiContext): Promise<Pass<T>> {
  const limit = api.pageLimit;
  const maxOffset = api.maxOffset ?? Number.MAX_SAFE_INTEGER;
  const window = Math.max(1, ctx.limiter.perHost);
  const listing = new AbortController();
  const pageCtx: ApiContext = { ...ctx, signal: AbortSignal.any([ctx.signal, listing.signal]) };
  const sizeKey = api.url(0, limit).href;
  const lastSize = ctx.listingSizes?.get(sizeKey) ?? 0;
  const inFlight = new Map<number, Promise<Page<T>>>();
  const pages: Page<T>[] = [];
  const seen = new Set<string>();
  let planned = 0;
  let next = 0;
  let end: Page<T> | undefined;
  let probed = false;

  const request = (offset: number) => {
    const page = fetchPage(api, offset, pageCtx);
    page.catch(() => undefined); // awaited below; a failure of a page past the end must not be unhandled
    inFlight.set(offset, page);
  };
  const take = async (offset: number): Promise<Page<T>> => {
    const page = await (inFlight.get(offset) as Promise<Page<T>>);
    inFlight.delete(offset);
    return page;
  };

  try {
    for (let frontier = 0; end === undefined; frontier += limit) {
      // Keep the window full within the plan; past it, ask for the next page only once this one is known full.
      while (inFlight.size < window && next <= maxOffset && (next <= Math.max(planned, lastSize) || next === frontier)) {
        if (next / limit >= MAX_PAGES) throw contradiction(api, `more than ${MAX_PAGES} full pages`);
        request(next);
        next += limit;
      }
      if (!inFlight.has(frontier)) {
        ctx.listingSizes?.set(sizeKey, frontier);
        return { pages, pagesPastEnd: 0, repeatedPastEnd: 0, cappedAt: frontier - limit };
      }
      const page = await take(frontier);
      planned = Math.max(planned, page.total ?? 0);
      const fresh = page.vaults.filter((vault) => !seen.has(vault.id)).length;
      if (page.size === limit && page.vaults.length > 0 && fresh === 0) {
        throw contradiction(api, `the full page at offset ${frontier} lists only vaults of earlier pages (does the API ignore offset?)`);
      }
      for (const vault of page.vaults) seen.add(vault.id);
      pages.push(page);
      if (page.size < limit) end = page;
    }
    // The total promised more than the pages held, and nothing past the end is in flight to say who is right.
    const held = end.offset + end.size;
    if (inFlight.size === 0 && planned > held && end.offset + limit <= maxOffset) {
      request(end.offset + limit);
      probed = true;
    }
    let repeatedPastEnd = 0;
    const pastEnd = inFlight.size;
    for (const offset of [...inFlight.keys()].sort((a, b) => a - b)) {
      const page = await take(offset);
      const fresh = page.vaults.filter((vault) => !seen.has(vault.id));
      if (fresh.length > 0) {
        throw contradiction(api, `the page at offset ${offset} has ${fresh.length} more vault(s) after a short page at offset ${end.offset} (${end.size} of ${limit} records)`);
      }
      if (page.size > 0) repeatedPastEnd++;
    }
    if (probed) ctx.log.debug({ reported_total: planned, listed: held }, 'the reported total is larger than the listing; believing the pages');
    ctx.listingSizes?.set(sizeKey, held);
    return { pages, pagesPastEnd: pastEnd, repeatedPastEnd };
  } catch (err) {
    listing.abort(err); // one failed page fails the pass: stop asking for the others
    throw err;
  }
}
