import { apiErrors, type ApiError } from './errors.js';
import type { Faults } from './faults.js';
import { readPage } from './paging.js';
import type { ProjectStore } from './projects.js';
import type { VaultSource } from './records.js';

/**
 * The JSON body of one page of a vault listing, or the error the API gives instead. Only the page's
 * slice is serialised: a 100,000-vault fleet costs no more per request than a small one.
 */
export function listingPage(
  store: ProjectStore,
  faults: Faults,
  source: VaultSource,
  projectId: string,
  query: URLSearchParams,
): string | ApiError {
  if (!store.has(projectId)) {
    return source === 'cbr' ? apiErrors.cbrProjectNotFound(projectId) : apiErrors.hssProjectNotFound(projectId);
  }
  const page = readPage(query, source);
  if ('parameter' in page) {
    const invalid = source === 'cbr' ? apiErrors.cbrInvalidParameter : apiErrors.hssInvalidParameter;
    return invalid(page.parameter, page.rule);
  }
  const shift = page.offset > 0 ? faults.pageShift(source) : undefined;
  if (shift) store.shift(projectId, source, shift);

  const slice = store.records(projectId, source).slice(page.offset, page.offset + page.limit);
  const total = store.total(projectId, source);
  const records = store.jsonArray(slice);
  return source === 'cbr'
    ? `{"vaults":${records},"count":${total},"limit":${page.limit},"offset":${page.offset}}`
    : `{"total_num":${total},"data_list":${records}}`;
}
