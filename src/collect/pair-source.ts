import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { CbrVault } from '../cloud/cbr-vault.js';
import { listCbrVaults } from '../cloud/cbr.js';
import type { ApiContext } from '../cloud/get-json.js';
import type { HostLimiter } from '../cloud/host-limiter.js';
import type { HssVault } from '../cloud/hss-vault.js';
import { listHssVaults } from '../cloud/hss.js';
import type { VaultListing } from '../cloud/list-vaults.js';
import type { Credentials } from '../cloud/request.js';
import type { Config, TargetConfig } from '../config/schema.js';
import { pairKey, type Pair } from './snapshot.js';

export type PairListing =
  | { source: 'cbr'; listing: VaultListing<CbrVault> }
  | { source: 'hss'; listing: VaultListing<HssVault> };

/** A pair and the way to list it: what the collector schedules. */
export interface PairSource {
  pair: Pair;
  list(signal: AbortSignal): Promise<PairListing>;
}

export interface PairSourceDeps {
  dispatcher: Dispatcher;
  limiter: HostLimiter;
  log: Logger;
  credentialsFor(target: TargetConfig): Credentials;
  countAttempt(pair: Pair, code: string): void;
  backoff?: ApiContext['backoff'];
}

/** One PairSource per (target, source) in the config, in config order; endpoints come resolved from the clouds table. */
export function buildPairSources(config: Config, deps: PairSourceDeps): PairSource[] {
  const sources: PairSource[] = [];
  for (const target of config.targets) {
    const credentials = deps.credentialsFor(target);
    for (const source of target.sources) {
      const endpoint = target.endpoints[source];
      // Config validation refuses a source without an endpoint; this is the type's way to say so.
      if (endpoint === undefined) throw new Error(`no ${source} endpoint for project ${target.project_id}`);
      const pair: Pair = { key: pairKey(source, target.project_id, target.region), source, projectId: target.project_id, region: target.region, endpoint };
      const log = deps.log.child({ source, project_id: target.project_id, region: target.region });
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
      });
      const query = target.enterprise_project_id ? { enterpriseProjectId: target.enterprise_project_id } : {};
      sources.push({
        pair,
        list: async (signal) =>
          source === 'cbr'
            ? { source, listing: await listCbrVaults(endpoint, pair.projectId, context(signal), query, config.export) }
            : { source, listing: await listHssVaults(endpoint, pair.projectId, context(signal)) },
      });
    }
  }
  return sources;
}
