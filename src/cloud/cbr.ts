import { BASE_EXPORT, type ExportConfig } from '../config/export-config.js';
import { parseCbrVault, type CbrVault } from './cbr-vault.js';
import type { ApiContext } from './get-json.js';
import { listVaults, pagedApi, type ListApiFacts, type PagedApi, type VaultListing } from './list-vaults.js';

/** CBR GET /v3/{project_id}/vaults: limit 1–1000 (default 1000), offset without a documented maximum. */
export const CBR_LIST: ListApiFacts = {
  path: '/v3/{project_id}/vaults',
  defaultLimit: 1000,
  minLimit: 1,
  maxLimit: 1000,
  recordsKey: 'vaults',
  totalKey: 'count',
};
/** The CBR list shows one cloud type at a time (default public): hybrid vaults (VMware, on-premises files) only when asked. */
export const CBR_CLOUD_TYPES = ['public', 'hybrid'] as const;
export type CbrCloudType = (typeof CBR_CLOUD_TYPES)[number];

export interface CbrQuery {
  cloudType?: CbrCloudType;
  /** An enterprise project id or all_granted_eps; absent: none sent. */
  enterpriseProjectId?: string;
}

/** `exported` says which optional facts (tags, resources) each vault keeps. */
export function cbrApi(endpoint: string, projectId: string, query: CbrQuery = {}, exported: ExportConfig = BASE_EXPORT): PagedApi<CbrVault> {
  const extra = new URLSearchParams();
  if (query.cloudType) extra.set('cloud_type', query.cloudType);
  if (query.enterpriseProjectId) extra.set('enterprise_project_id', query.enterpriseProjectId);
  return pagedApi(CBR_LIST, (raw) => parseCbrVault(raw, exported), endpoint, projectId, extra);
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
 * cloud_type. The hybrid listing starts once the public one has had a page answered: the credentials are then
 * known good, so refused ones are refused once per refresh, not twice, and the hybrid pages share the host's
 * slots with the public ones instead of waiting for them all (a round trip saved per refresh).
 */
export async function listCbrVaults(
  endpoint: string,
  projectId: string,
  ctx: ApiContext,
  options: Omit<CbrQuery, 'cloudType'> & { exported?: ExportConfig } = {},
): Promise<VaultListing<CbrVault>> {
  const { exported, ...query } = options;
  const [first, ...others] = CBR_CLOUD_TYPES.map((cloudType) => cbrApi(endpoint, projectId, { ...query, cloudType }, exported));
  let answered: () => void = () => undefined;
  const proven = new Promise<void>((resolve) => (answered = resolve));
  const firstApi = first as PagedApi<CbrVault>;
  const firstListing = listVaults({
    ...firstApi,
    readPage(body, url) {
      const page = firstApi.readPage(body, url); // a body of the wrong shape proves nothing
      answered();
      return page;
    },
  }, ctx);
  // A first listing that fails before any page is answered fails the whole: the others send nothing.
  const started = Promise.race([proven, firstListing.then(() => undefined)]);
  const rest = others.map(async (api) => {
    await started;
    return listVaults(api, ctx);
  });
  return joinListings(await Promise.all([firstListing, ...rest]));
}
