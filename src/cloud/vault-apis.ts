import type { ExportConfig } from '../config/export-config.js';
import type { PerSource, Source } from '../config/sources.js';
import { CBR_LIST, listCbrVaults } from './cbr.js';
import type { ApiContext } from './get-json.js';
import { HSS_LIST, listHssVaults } from './hss.js';
import type { ListApiFacts, VaultListing } from './list-vaults.js';

/** What every exported vault has, whatever its API: its identity labels. */
export interface VaultIdentity {
  id: string;
  name: string;
}

/** Per-target and per-config choices a list API may take. */
export interface ListOptions {
  /** An enterprise project id or all_granted_eps; only CBR takes it. */
  enterpriseProjectId?: string;
  /** The config's `export:` block: which optional facts the vaults keep (CBR's tags and resources). */
  exported?: ExportConfig;
}

/** One list API's client: every vault of one project, all pages. */
export type ListVaults<T> = (endpoint: string, projectId: string, ctx: ApiContext, options?: ListOptions) => Promise<VaultListing<T>>;

/** One source's API: what its reference page states, and its client. */
export interface VaultApi<T> {
  facts: ListApiFacts;
  list: ListVaults<T>;
}

/**
 * Each source's API, keyed by the sources of config/sources.ts: a source without one is a compile error. The
 * simulator reads the same facts, so that it stands in for the API the client was written from.
 */
export const VAULT_APIS = {
  cbr: { facts: CBR_LIST, list: listCbrVaults },
  hss: { facts: HSS_LIST, list: listHssVaults },
} as const satisfies PerSource<VaultApi<VaultIdentity>>;

/** The vault type a source's client returns. */
export type VaultOf<S extends Source> = (typeof VAULT_APIS)[S] extends VaultApi<infer T> ? T : never;
