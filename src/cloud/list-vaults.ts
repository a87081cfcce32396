import { ApiError } from './api-error.js';
import type { ApiContext } from './get-json.js';
import { contradiction, readPass, type PagedApi, type Pass } from './read-pages.js';
import { isRecord } from './record-fields.js';

export type { PagedApi } from './read-pages.js';

/** A list API as its reference page states it: read by its client and by the simulator that stands in for it. */
export interface ListApiFacts {
  /** The path, with `{project_id}`. */
  path: string;
  /** `limit`: the API's default when none is sent, and the range it accepts. */
  defaultLimit: number;
  minLimit: number;
  maxLimit: number;
  /** Largest `offset` accepted; unbounded when absent. */
  maxOffset?: number;
  /** The body's array of records and its total. */
  recordsKey: string;
  totalKey: string;
}

/** The PagedApi of one listing of `facts` for one project: pages of the largest limit, `query` on every page. */
export function pagedApi<T>(facts: ListApiFacts, parse: PagedApi<T>['parse'], endpoint: string, projectId: string, query = new URLSearchParams()): PagedApi<T> {
  const base = `${endpoint}${facts.path.replace('{project_id}', encodeURIComponent(projectId))}`;
  const tail = query.size > 0 ? `&${query.toString()}` : '';
  return {
    pageLimit: facts.maxLimit,
    ...(facts.maxOffset === undefined ? {} : { maxOffset: facts.maxOffset }),
    url: (offset, limit) => new URL(`${base}?limit=${limit}&offset=${offset}${tail}`),
    readPage: (body, url) => readListBody(body, url, facts.recordsKey, facts.totalKey),
    parse,
  };
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
  /** Listings repeated because the total changed while pages were read, or pages repeated vaults. */
  passes: number;
  /**
   * Contradictions between pages in a listing that was still complete (a non-empty page after a short one
   * that held only vaults seen already; vault ids on two pages, with every vault the total promised found):
   * published with a warning and counted in huaweicloud_vault_exporter_listing_inconsistencies_total.
   */
  inconsistencies: number;
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
  return { records: body[recordsKey] as unknown[], total: typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? total : undefined };
}

const MAX_PASSES = 3;

function positionsOf(pass: Pass<{ id: string }>): number {
  return pass.pages.reduce((n, page) => n + page.vaults.length, 0);
}

/**
 * Lists every vault of one API for one project. Pages can shift while they are read (vaults created or
 * deleted meanwhile): records are deduplicated by id, and when the reported total changed between pages
 * the listing is read again, up to MAX_PASSES times, so that a vault is not missed for a whole refresh.
 * Vault ids repeated across pages with a steady total mean an unstable order that may hide other vaults:
 * the listing is read again and the passes joined until they hold every vault the total promises; if they
 * never do, the listing fails (the previous snapshot stays) instead of publishing part of it.
 */
export async function listVaults<T extends { id: string }>(api: PagedApi<T>, ctx: ApiContext): Promise<VaultListing<T>> {
  const union = new Map<string, T>();
  let inconsistencies = 0;
  for (let pass = 1; ; pass++) {
    const read = await readPass(api, ctx);
    const { pages } = read;
    const totals = new Set(pages.map((page) => page.total));
    const last = pages.at(-1);
    // A total below the records already listed counts something else (its own page, say): it lies low, and a
    // change in it says nothing about vaults created meanwhile, so it is no reason to read everything again.
    const listingTotals = pages.every((page) => page.total === undefined || page.total >= page.offset + page.size);
    if (totals.size > 1 && listingTotals && pass < MAX_PASSES) {
      ctx.log.info({ pass, totals: [...totals] }, 'vault total changed while paging; reading the listing again');
      union.clear();
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
    const repeated = positionsOf(read) - byId.size;
    const reportedTotal = last?.total ?? byId.size;
    inconsistencies += read.repeatedPastEnd;
    if (repeated > 0 && totals.size === 1) {
      // A steady total and the same vault on two pages: some other vault may have been on neither.
      for (const [id, vault] of byId) union.set(id, vault);
      const promised = last?.total;
      if (promised === undefined || union.size < promised) {
        if (pass < MAX_PASSES) {
          ctx.log.info({ pass, repeated, listed: union.size, reported_total: promised }, 'vault ids repeated across pages; reading the listing again');
          continue;
        }
        throw contradiction(api, `${repeated} vault id(s) appeared on two pages in each of ${pass} readings, which together found ${union.size} vaults of the ${promised ?? 'unreported'} total`);
      }
      inconsistencies += repeated;
      for (const [id, vault] of union) if (!byId.has(id)) byId.set(id, vault);
    }
    const cap = read.cappedAt === undefined ? undefined : read.cappedAt + api.pageLimit;
    return {
      vaults: [...byId.values()],
      reportedTotal,
      invalidFields,
      invalidRecords,
      unreachable: cap === undefined ? 0 : Math.max(0, reportedTotal - cap),
      pages: pages.length + read.pagesPastEnd,
      passes: pass,
      inconsistencies,
    };
  }
}
