import type { z } from 'zod';
import type { AuthConfig } from './auth.js';
import { cloudName, defaultEndpoints, takesEnterpriseProject, type CloudSpec, type Endpoints } from './clouds.js';
import type { RawTarget } from './schema.js';
import { SOURCE_ROWS, SOURCES, type Source } from './sources.js';

/** A target as the rest of the exporter sees it: its cloud, sources and endpoints decided. */
export interface ResolvedTarget {
  project_id: string;
  region: string;
  cloud: CloudSpec;
  sources: Source[];
  /** The cloud's default hosts, overridden by `endpoints:`. */
  endpoints: Endpoints;
  enterprise_project_id?: string;
  auth?: AuthConfig;
}

/**
 * Decides each target's cloud, sources and endpoints from the clouds table, and reports what cannot
 * work: HSS on a cloud without the HSS list, enterprise_project_id where CBR takes none, and a
 * (source, project, region) listed twice (every series of it would appear twice).
 */
export function resolveTargets(targets: readonly RawTarget[], globalCloud: CloudSpec, ctx: z.RefinementCtx): ResolvedTarget[] {
  const seen = new Map<string, number>();
  return targets.map((raw, i) => {
    const cloud = raw.cloud ?? globalCloud;
    const defaults = defaultEndpoints(cloud, raw.region);
    const endpoints: Endpoints = { ...defaults, ...raw.endpoints };
    const sources = raw.sources ?? SOURCES.filter((source) => endpoints[source]);
    for (const source of sources.filter((source) => !endpoints[source])) {
      ctx.addIssue({
        code: 'custom',
        path: ['targets', i, 'sources'],
        message: `cloud ${cloudName(cloud)} publishes no ${SOURCE_ROWS[source].title}: remove ${source} (or give endpoints.${source})`,
      });
    }
    if (raw.enterprise_project_id !== undefined && !takesEnterpriseProject(cloud)) {
      ctx.addIssue({
        code: 'custom',
        path: ['targets', i, 'enterprise_project_id'],
        message: `CBR on cloud ${cloudName(cloud)} takes no enterprise_project_id`,
      });
    }
    for (const source of sources) {
      const key = `${source}/${raw.project_id}/${raw.region}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i],
          message: `repeats targets[${first}]: ${source} of project ${raw.project_id} in ${raw.region} is listed twice (its series would appear twice)`,
        });
      } else seen.set(key, i);
    }
    const { cloud: _given, endpoints: _overrides, sources: _sources, ...rest } = raw;
    return { ...rest, cloud, sources, endpoints };
  });
}

/** `--config.check`'s lines: the endpoints each target will call (IAM only where it logs in with a password). */
export function describeEndpoints(targets: readonly ResolvedTarget[], auths: readonly AuthConfig[]): string[] {
  return targets.map((target, i) => {
    const used = target.sources.map((source) => `${source} ${target.endpoints[source] ?? ''}`);
    const auth = auths[i];
    if (auth?.kind === 'iam') used.push(`iam ${auth.endpoint ?? target.endpoints.iam}`);
    const ep = target.enterprise_project_id ? `, enterprise project ${target.enterprise_project_id}` : '';
    return `targets[${i}]: project ${target.project_id} in ${target.region} on ${cloudName(target.cloud)}${ep}: ${used.join(', ')}`;
  });
}
