import { parseHssVault, type HssVault } from './hss-vault.js';
import type { ApiContext } from './get-json.js';
import { listVaults, pagedApi, type ListApiFacts, type PagedApi, type VaultListing } from './list-vaults.js';

/**
 * HSS GET /v5/{project_id}/ransomware/optional/vaults: limit 10–200, and 10 when none is sent (a client that
 * omits it silently reads 10 vaults); an offset above 2,000,000 is refused. It takes no enterprise project.
 */
export const HSS_LIST: ListApiFacts = {
  path: '/v5/{project_id}/ransomware/optional/vaults',
  defaultLimit: 10,
  minLimit: 10,
  maxLimit: 200,
  maxOffset: 2_000_000,
  recordsKey: 'data_list',
  totalKey: 'total_num',
};

export function hssApi(endpoint: string, projectId: string): PagedApi<HssVault> {
  return pagedApi(HSS_LIST, parseHssVault, endpoint, projectId);
}

/** Every HSS ransomware backup vault of one project, as far as the offset cap reaches. */
export function listHssVaults(endpoint: string, projectId: string, ctx: ApiContext): Promise<VaultListing<HssVault>> {
  return listVaults(hssApi(endpoint, projectId), ctx);
}
