import { parseCbrVault, type CbrVault } from './cbr-vault.js';
import type { ApiContext } from './get-json.js';
import { listVaults, readListBody, type PagedApi, type VaultListing } from './list-vaults.js';

/** CBR answers up to 1000 vaults a page (documented range 1–1000). */
export const CBR_PAGE_LIMIT = 1000;

export function cbrApi(endpoint: string, projectId: string, pageLimit = CBR_PAGE_LIMIT): PagedApi<CbrVault> {
  return {
    pageLimit,
    url: (offset, limit) => new URL(`${endpoint}/v3/${encodeURIComponent(projectId)}/vaults?limit=${limit}&offset=${offset}`),
    readPage: (body, url) => readListBody(body, url, 'vaults', 'count'),
    parse: parseCbrVault,
  };
}

/** Every CBR vault of one project: GET /v3/{project_id}/vaults, all pages. */
export function listCbrVaults(endpoint: string, projectId: string, ctx: ApiContext): Promise<VaultListing<CbrVault>> {
  return listVaults(cbrApi(endpoint, projectId), ctx);
}
