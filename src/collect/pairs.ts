import type { Config, TargetConfig } from '../config/schema.js';
import { sortedLabels } from '../config/label-list.js';
import type { Source } from '../config/sources.js';
import { pairKey, type Pair } from './snapshot.js';

/** The pair of `source` of `target`; endpoints come resolved from the clouds table. */
export function pairOf(target: TargetConfig, source: Source): Pair {
  const endpoint = target.endpoints[source];
  // Config validation refuses a source without an endpoint; this is the type's way to say so.
  if (endpoint === undefined) throw new Error(`no ${source} endpoint for project ${target.project_id}`);
  return { key: pairKey(source, target.project_id, target.region), source, projectId: target.project_id, region: target.region, endpoint, labels: sortedLabels(target.labels) };
}

/** Every (target, source) pair of the config, in config order. */
export function pairsOf(config: Config): Pair[] {
  return config.targets.flatMap((target) => target.sources.map((source) => pairOf(target, source)));
}
