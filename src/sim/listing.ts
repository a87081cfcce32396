import { apiErrors, type ApiError } from './errors.js';
import type { Faults, ListingQuirks } from './faults.js';
import { readPage } from './paging.js';
import { SIM_SOURCES } from './sources.js';
import type { ProjectStore } from './projects.js';
import type { CbrVaultRecord, Source } from './records.js';

/** CBR lists one cloud type per request: `public` (the default) or `hybrid`. */
export const CBR_CLOUD_TYPES = ['public', 'hybrid'] as const;

function cloudTypeOf(record: CbrVaultRecord): string {
  const billing = (record as { billing?: { cloud_type?: unknown } }).billing;
  return typeof billing?.cloud_type === 'string' ? billing.cloud_type : 'public';
}

function shuffled<T>(records: readonly T[]): T[] {
  const copy = [...records];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** The records a page shows, with the quirks of a listing that lies. */
function pageSlice<T>(records: readonly T[], offset: number, limit: number, quirks: ListingQuirks): T[] {
  const ordered = quirks.unstableOrder ? shuffled(records) : records;
  const start = quirks.ignoreOffset ? 0 : offset > 0 && quirks.overlap ? Math.max(0, offset - quirks.overlap) : offset;
  return ordered.slice(start, start + Math.min(limit, quirks.maxPageSize ?? limit));
}

/**
 * The JSON body of one page of a vault listing, or the error the API gives instead. Only the page's
 * slice is serialised: a 100,000-vault fleet costs no more per request than a small one.
 */
export function listingPage(
  store: ProjectStore,
  faults: Faults,
  source: Source,
  projectId: string,
  query: URLSearchParams,
): string | ApiError {
  if (!store.has(projectId)) {
    return SIM_SOURCES[source].projectNotFound(projectId);
  }
  const page = readPage(query, source);
  if ('parameter' in page) return SIM_SOURCES[source].invalidParameter(page.parameter, page.rule);
  const cloudType = query.get('cloud_type') ?? 'public';
  if (source === 'cbr' && !(CBR_CLOUD_TYPES as readonly string[]).includes(cloudType)) {
    return apiErrors.cbrInvalidParameter('cloud_type', CBR_CLOUD_TYPES.join(' or '));
  }
  const shift = page.offset > 0 ? faults.pageShift(source) : undefined;
  if (shift) store.shift(projectId, source, shift);

  const all = store.records(projectId, source);
  const listed = source === 'cbr' && store.hasHybrid(projectId) ? all.filter((r) => cloudTypeOf(r as CbrVaultRecord) === cloudType) : all;
  const hybridAsked = source === 'cbr' && cloudType === 'hybrid' && !store.hasHybrid(projectId);
  const quirks = faults.listingQuirks(source);
  const slice = hybridAsked ? [] : pageSlice(listed, page.offset, page.limit, quirks);
  const real = hybridAsked ? 0 : listed === all ? store.total(projectId, source) : listed.length;
  const total = quirks.totalIsPageLength ? slice.length : real;
  const { facts, echoesPaging } = SIM_SOURCES[source];
  const echo = echoesPaging ? `,"limit":${page.limit},"offset":${page.offset}` : '';
  return `{"${facts.recordsKey}":${store.jsonArray(slice)},"${facts.totalKey}":${total}${echo}}`;
}
