import type { ListApiFacts } from '../cloud/list-vaults.js';
import { VAULT_APIS } from '../cloud/vault-apis.js';
import { SOURCES, type PerSource } from '../config/sources.js';
import { apiErrors, type ApiError } from './errors.js';

/** How the simulator stands in for one list API: the facts the client reads, and the service's own words. */
export interface SimSource {
  /** Path, limits, body keys: the very facts the client was written from. */
  facts: ListApiFacts;
  /** The record field a listing knows a vault by. */
  idKey: string;
  /** The page echoes the limit and offset it was asked for (CBR does). */
  echoesPaging: boolean;
  invalidParameter(name: string, rule: string): ApiError;
  projectNotFound(projectId: string): ApiError;
  internalError(): ApiError;
}

/** Each source the simulator serves, keyed by config/sources.ts's sources: a missing one is a compile error. */
export const SIM_SOURCES: PerSource<SimSource> = {
  cbr: {
    facts: VAULT_APIS.cbr.facts,
    idKey: 'id',
    echoesPaging: true,
    invalidParameter: apiErrors.cbrInvalidParameter,
    projectNotFound: apiErrors.cbrProjectNotFound,
    internalError: apiErrors.cbrInternal,
  },
  hss: {
    facts: VAULT_APIS.hss.facts,
    idKey: 'vault_id',
    echoesPaging: false,
    invalidParameter: apiErrors.hssInvalidParameter,
    projectNotFound: apiErrors.hssProjectNotFound,
    internalError: apiErrors.hssInternal,
  },
};

/** The `endpoints:` of a config that reads every source from the one simulated cloud at `url`. */
export function simulatedEndpoints(url: string): PerSource<string> {
  return Object.fromEntries(SOURCES.map((source) => [source, url])) as PerSource<string>;
}

/** The path of a source's listing as a pattern whose one group is the project id. */
export function pathPattern(facts: ListApiFacts): RegExp {
  const [before, after] = facts.path.split('{project_id}').map((part) => (part ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${before}([^/]+)${after}/?$`);
}
