import { parseHssVault, type HssVault } from './hss-vault.js';
import type { ApiContext } from './get-json.js';
import { listVaults, readListBody, type PagedApi, type VaultListing } from './list-vaults.js';

/** HSS accepts limit 10–200 and defaults to 10: a client that omits it silently reads 10 vaults. */
export const HSS_PAGE_LIMIT = 200;
/** HSS rejects an offset above 2,000,000. */
export const HSS_MAX_OFFSET = 2_000_000;

export function hssApi(endpoint: string, projectId: string): PagedApi<HssVault> {
  return {
    pageLimit: HSS_PAGE_LIMIT,
    maxOffset: HSS_MAX_OFFSET,
    url: (offset, limit) =>
      new URL(`${endpoint}/v5/${encodeURIComponent(projectId)}/ransomware/optional/vaults?offset=${offset}&limit=${limit}`),
    readPage: (body, url) => readListBody(body, url, 'data_list', 'total_num'),
    parse: parseHssVault,
  };
}

/** Every HSS ransomware backup vault of one project, as far as the offset cap reaches. */
export function listHssVaults(endpoint: string, projectId: string, ctx: ApiContext): Promise<VaultListing<HssVault>> {
  return listVaults(hssApi(endpoint, projectId), ctx);
}
