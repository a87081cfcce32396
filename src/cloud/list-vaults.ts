import { ApiError } from './api-error.js';
import type { Parsed } from './cbr-vault.js';
import { getJson, type ApiContext } from './get-json.js';
import { isRecord } from './record-fields.js';

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

export interface VaultListing<T> {
  vaults: T[];
  /** The total the API reported on the last pass. */
  reportedTotal: number;
  /** Fields missing or of the wrong type, across all records kept. */
  invalidFields: number;
  /** Records dropped because they had no usable id. */
  invalidRecords: number;
  /** Vaults past the API's offset cap, which no request may reach. */
  unreachable: number;
  pages: number;
  /** Listings repeated because the total changed while pages were read. */
  passes: number;
}

/**
 * Reads a page body of the shape `{<records>: [...], <total>: N}`: the records must be an array (else the
 * body is not the documented one); an unusable total is treated as absent, and paging then walks pages.
 */
export function readListBody(body: unknown, url: URL, recordsKey: string, totalKey: string): { records: unknown[]; total: number | undefined } {
  if (!isRecord(body) || !Array.isArray(body[recordsKey])) {
    throw new ApiError(`GET ${url.pathname}: response has no "${recordsKey}" array`, { code: 'invalid_body' });
  }
  const total = body[totalKey];
  return { records: body[recordsKey] as unknown[], total: typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : undefined };
}

interface Page<T> {
  vaults: T[];
  invalidFields: number;
  invalidRecords: number;
  total: number | undefined;
  size: number;
}

const MAX_PASSES = 3;
/** Without a usable total, pages are read one after another; this bounds a misbehaving API. */
const MAX_SEQUENTIAL_PAGES = 100_000;

async function fetchPage<T>(api: PagedApi<T>, offset: number, ctx: ApiContext): Promise<Page<T>> {
  const url = api.url(offset, api.pageLimit);
  const { records, total } = api.readPage(await getJson(url, ctx), url);
  const page: Page<T> = { vaults: [], invalidFields: 0, invalidRecords: 0, total, size: records.length };
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

/** Offsets of every page after the first that the API lets us ask for. */
function laterOffsets(total: number, limit: number, maxOffset: number): number[] {
  const offsets: number[] = [];
  for (let offset = limit; offset < total && offset <= maxOffset; offset += limit) offsets.push(offset);
  return offsets;
}

async function readAllPages<T>(api: PagedApi<T>, ctx: ApiContext): Promise<Page<T>[]> {
  const first = await fetchPage(api, 0, ctx);
  const maxOffset = api.maxOffset ?? Number.MAX_SAFE_INTEGER;
  if (first.total === undefined) {
    // No total to plan with: walk pages until a short or empty one.
    const pages = [first];
    for (let offset = api.pageLimit; pages.at(-1)!.size === api.pageLimit && offset <= maxOffset; offset += api.pageLimit) {
      if (pages.length >= MAX_SEQUENTIAL_PAGES) throw new ApiError(`${api.url(offset, api.pageLimit).pathname}: more than ${MAX_SEQUENTIAL_PAGES} pages without a total`, { code: 'invalid_body' });
      pages.push(await fetchPage(api, offset, ctx));
    }
    return pages;
  }
  // The first page tells the total: fetch the rest at once; the host limiter bounds what is in flight.
  const listing = new AbortController();
  const pageCtx: ApiContext = { ...ctx, signal: AbortSignal.any([ctx.signal, listing.signal]) };
  const fetchAll = async (offsets: number[]): Promise<Page<T>[]> => {
    const settled = await Promise.allSettled(
      offsets.map((offset) =>
        fetchPage(api, offset, pageCtx).catch((err: unknown) => {
          listing.abort(err); // one failed page fails the pair: stop asking for the others
          throw err;
        }),
      ),
    );
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw listing.signal.reason ?? failed.reason;
    return settled.map((result) => (result as PromiseFulfilledResult<Page<T>>).value);
  };
  const pages = [first, ...(await fetchAll(laterOffsets(first.total, api.pageLimit, maxOffset)))];
  // Vaults created meanwhile push the last ones past the planned pages: follow the largest total seen.
  for (let covered = pages.length * api.pageLimit; ; covered = pages.length * api.pageLimit) {
    const largest = Math.max(...pages.map((page) => page.total ?? 0));
    const more = laterOffsets(largest, api.pageLimit, maxOffset).filter((offset) => offset >= covered);
    if (more.length === 0 || pages.length >= MAX_SEQUENTIAL_PAGES) return pages;
    pages.push(...(await fetchAll(more)));
  }
}

/**
 * Lists every vault of one API for one project. Pages can shift while they are read (vaults created or
 * deleted meanwhile): records are deduplicated by id, and when the reported total changed between pages
 * the listing is read again, up to MAX_PASSES times, so that a vault is not missed for a whole refresh.
 */
export async function listVaults<T extends { id: string }>(api: PagedApi<T>, ctx: ApiContext): Promise<VaultListing<T>> {
  for (let pass = 1; ; pass++) {
    const pages = await readAllPages(api, ctx);
    const totals = new Set(pages.map((page) => page.total));
    if (totals.size > 1 && pass < MAX_PASSES) {
      ctx.log.info({ pass, totals: [...totals] }, 'vault total changed while paging; reading the listing again');
      continue;
    }
    const byId = new Map<string, T>();
    let invalidFields = 0;
    let invalidRecords = 0;
    for (const page of pages) {
      invalidFields += page.invalidFields;
      invalidRecords += page.invalidRecords;
      for (const vault of page.vaults) if (!byId.has(vault.id)) byId.set(vault.id, vault);
    }
    const reportedTotal = pages.at(-1)?.total ?? byId.size;
    const reachable = api.maxOffset === undefined ? reportedTotal : Math.min(reportedTotal, api.maxOffset + api.pageLimit);
    return {
      vaults: [...byId.values()],
      reportedTotal,
      invalidFields,
      invalidRecords,
      unreachable: reportedTotal - reachable,
      pages: pages.length,
      passes: pass,
    };
  }
}
