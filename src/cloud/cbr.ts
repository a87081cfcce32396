import { ApiError } from './api-error.js';
import { parseCbrVault, type CbrVault } from './cbr-vault.js';
import type { ApiContext } from './get-json.js';
import { listVaults, type PagedApi, type VaultListing } from './list-vaults.js';
import { isRecord } from './record-fields.js';

/** CBR answers up to 1000 vaults a page (documented range 1–1000). */
export const CBR_PAGE_LIMIT = 1000;

export function cbrApi(endpoint: string, projectId: string, pageLimit = CBR_PAGE_LIMIT): PagedApi<CbrVault> {
  return {
    pageLimit,
    url: (offset, limit) => new URL(`${endpoint}/v3/${encodeURIComponent(projectId)}/vaults?limit=${limit}&offset=${offset}`),
    readPage(body, url) {
      if (!isRecord(body) || !Array.isArray(body.vaults)) {
        throw new ApiError(`GET ${url.pathname}: response has no "vaults" array`, { code: 'invalid_body' });
      }
      const total = typeof body.count === 'number' && Number.isInteger(body.count) && body.count >= 0 ? body.count : undefined;
      return { records: body.vaults, total };
    },
    parse: parseCbrVault,
  };
}

/** Every CBR vault of one project: GET /v3/{project_id}/vaults, all pages. */
export function listCbrVaults(endpoint: string, projectId: string, ctx: ApiContext): Promise<VaultListing<CbrVault>> {
  return listVaults(cbrApi(endpoint, projectId), ctx);
}
