import { BASE_EXPORT, type ExportConfig } from '../config/schema.js';
import { parseCbrVault, type CbrVault } from './cbr-vault.js';
import type { ApiContext } from './get-json.js';
import { listVaults, readListBody, type PagedApi, type VaultListing } from './list-vaults.js';

/** CBR answers up to 1000 vaults a page (documented range 1–1000). */
export const CBR_PAGE_LIMIT = 1000;
/** The CBR list shows one cloud type at a time (default public): hybrid vaults (VMware, on-premises files) only when asked. */
export const CBR_CLOUD_TYPES = ['public', 'hybrid'] as const;
export type CbrCloudType = (typeof CBR_CLOUD_TYPES)[number];

export interface CbrQuery {
  cloudType?: CbrCloudType;
  /** An enterprise project id or all_granted_eps; absent: none sent. */
  enterpriseProjectId?: string;
}

export function cbrApi(endpoint: string, projectId: string, query: CbrQuery = {}, pageLimit = CBR_PAGE_LIMIT, exported: ExportConfig = BASE_EXPORT): PagedApi<CbrVault> {
  const extra = new URLSearchParams();
  if (query.cloudType) extra.set('cloud_type', query.cloudType);
  if (query.enterpriseProjectId) extra.set('enterprise_project_id', query.enterpriseProjectId);
  const tail = extra.size > 0 ? `&${extra.toString()}` : '';
  return {
    pageLimit,
    url: (offset, limit) => new URL(`${endpoint}/v3/${encodeURIComponent(projectId)}/vaults?limit=${limit}&offset=${offset}${tail}`),
    readPage: (body, url) => readListBody(body, url, 'vaults', 'count'),
    parse: (raw) => parseCbrVault(raw, exported),
  };
}

/** The listings of several queries as one: vaults joined by id (a vault listed by both is kept once), figures added. */
export function joinListings<T extends { id: string }>(listings: readonly VaultListing<T>[]): VaultListing<T> {
  const byId = new Map<string, T>();
  for (const listing of listings) for (const vault of listing.vaults) if (!byId.has(vault.id)) byId.set(vault.id, vault);
  const sum = (read: (listing: VaultListing<T>) => number) => listings.reduce((n, listing) => n + read(listing), 0);
  return {
    vaults: [...byId.values()],
    reportedTotal: sum((l) => l.reportedTotal),
    invalidFields: sum((l) => l.invalidFields),
    invalidRecords: sum((l) => l.invalidRecords),
    unreachable: sum((l) => l.unreachable),
    pages: sum((l) => l.pages),
    passes: Math.max(...listings.map((l) => l.passes)),
    inconsistencies: sum((l) => l.inconsistencies),
  };
}

/**
 * Every CBR vault of one project, public and hybrid: GET /v3/{project_id}/vaults, all pages of each
 * cloud_type. One after the other: refused credentials are then refused once per refresh, not twice.
 * `exported` says which optional facts (tags, resources) each vault keeps.
 */
export async function listCbrVaults(
  endpoint: string,
  projectId: string,
  ctx: ApiContext,
  query: Omit<CbrQuery, 'cloudType'> = {},
  exported: ExportConfig = BASE_EXPORT,
): Promise<VaultListing<CbrVault>> {
  const listings: VaultListing<CbrVault>[] = [];
  for (const cloudType of CBR_CLOUD_TYPES) listings.push(await listVaults(cbrApi(endpoint, projectId, { ...query, cloudType }, CBR_PAGE_LIMIT, exported), ctx));
  return joinListings(listings);
}
