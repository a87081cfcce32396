import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { ApiContext } from '../cloud/get-json.js';
import type { HostLimiter } from '../cloud/host-limiter.js';
import type { VaultListing } from '../cloud/list-vaults.js';
import type { Credentials } from '../cloud/request.js';
import { VAULT_APIS, type ListOptions, type ListVaults, type VaultOf } from '../cloud/vault-apis.js';
import type { Config, TargetConfig } from '../config/schema.js';
import type { Source } from '../config/sources.js';
import { pairOf } from './pairs.js';
import type { Pair } from './snapshot.js';

/** One listing of a pair, tagged with its source so that the vaults' type follows. */
export type PairListing = { [S in Source]: { source: S; listing: VaultListing<VaultOf<S>> } }[Source];

/** A pair and the way to list it: what the collector schedules. */
export interface ListablePair {
  pair: Pair;
  list(signal: AbortSignal): Promise<PairListing>;
}

export interface ListablePairDeps {
  dispatcher: Dispatcher;
  limiter: HostLimiter;
  log: Logger;
  credentialsFor(target: TargetConfig): Credentials;
  countAttempt(pair: Pair, code: string): void;
  backoff?: ApiContext['backoff'];
}

async function listSource<S extends Source>(source: S, endpoint: string, projectId: string, ctx: ApiContext, options: ListOptions): Promise<PairListing> {
  // Every client is a ListVaults of its source's vault type; TypeScript cannot follow S through the table's union.
  const list = VAULT_APIS[source].list as ListVaults<VaultOf<S>>;
  return { source, listing: await list(endpoint, projectId, ctx, options) } as PairListing;
}

/** One ListablePair per (target, source) in the config, in config order. */
export function listablePairs(config: Config, deps: ListablePairDeps): ListablePair[] {
  const pairs: ListablePair[] = [];
  for (const target of config.targets) {
    const credentials = deps.credentialsFor(target);
    const options: ListOptions = { exported: config.export, ...(target.enterprise_project_id ? { enterpriseProjectId: target.enterprise_project_id } : {}) };
    for (const source of target.sources) {
      const pair = pairOf(target, source);
      const endpoint = pair.endpoint;
      const log = deps.log.child({ source, project_id: target.project_id, region: target.region });
      const listingSizes = new Map<string, number>();
      const context = (signal: AbortSignal): ApiContext => ({
        dispatcher: deps.dispatcher,
        credentials,
        limiter: deps.limiter,
        countAttempt: (code) => deps.countAttempt(pair, code),
        log,
        requestTimeoutMs: config.refresh.request_timeout,
        maxRetries: config.refresh.max_retries,
        signal,
        // The refresh began at or before this listing: its deadline is no later than this.
        deadlineAt: Date.now() + config.refresh.timeout,
        bodySizeLimit: config.refresh.body_size_limit,
        backoff: deps.backoff,
        listingSizes,
      });
      pairs.push({ pair, list: (signal) => listSource(source, endpoint, pair.projectId, context(signal), options) });
    }
  }
  return pairs;
}
