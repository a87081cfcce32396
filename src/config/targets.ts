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
  /** Added to every series of this target (`labels:`), validated as label names. */
  labels: Record<string, string>;
  /** Found by discover[N] (its project name beside it), not listed under targets:. */
  discovered?: { entry: number; name: string };
}

/** What a target or a discover entry says about every project it covers, whatever its region. */
export interface TargetSettings {
  cloud: CloudSpec;
  /** Default: every source the cloud publishes in the region. */
  sources?: Source[];
  /** Overrides of single hosts. */
  endpoints: Partial<Record<Source | 'iam', string>>;
  enterprise_project_id?: string;
  auth?: AuthConfig;
  labels: Record<string, string>;
}

/** The hosts of `settings` in `region`: the clouds table's, overridden by `endpoints:`. */
function endpointsOf(settings: TargetSettings, region: string): Endpoints {
  return { ...defaultEndpoints(settings.cloud, region), ...settings.endpoints };
}

/** A project's target under `settings`: hosts from the clouds table, overridden by `endpoints:`. */
export function resolveTarget(projectId: string, region: string, settings: TargetSettings): ResolvedTarget {
  const { cloud, sources, endpoints: _overrides, ...rest } = settings;
  const endpoints = endpointsOf(settings, region);
  return { project_id: projectId, region, cloud, sources: sources ?? SOURCES.filter((source) => endpoints[source]), endpoints, ...rest };
}

/**
 * What cannot work in `settings` on its cloud (`region`: the target's, or a pattern for a discover entry): HSS on a
 * cloud without the HSS list, enterprise_project_id where CBR takes none. Reported under `path`.
 */
export function checkSettings(settings: TargetSettings, region: string, path: (string | number)[], ctx: z.RefinementCtx): void {
  const { cloud } = settings;
  const endpoints = endpointsOf(settings, region);
  for (const source of (settings.sources ?? []).filter((source) => !endpoints[source])) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'sources'],
      message: `cloud ${cloudName(cloud)} publishes no ${SOURCE_ROWS[source].title}: remove ${source} (or give endpoints.${source})`,
    });
  }
  if (settings.enterprise_project_id !== undefined && !takesEnterpriseProject(cloud)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'enterprise_project_id'], message: `CBR on cloud ${cloudName(cloud)} takes no enterprise_project_id` });
  }
}

/** A raw target's or discover entry's settings: its own cloud, else the top-level one. */
export function settingsOf(raw: Omit<RawTarget, 'project_id' | 'region'>, globalCloud: CloudSpec): TargetSettings {
  const { cloud, sources, endpoints, enterprise_project_id, auth, labels } = raw;
  return {
    cloud: cloud ?? globalCloud,
    endpoints: endpoints,
    labels,
    ...(sources ? { sources } : {}),
    ...(enterprise_project_id !== undefined ? { enterprise_project_id } : {}),
    ...(auth ? { auth } : {}),
  };
}

/**
 * Decides each target's cloud, sources and endpoints from the clouds table, and reports what cannot
 * work (see checkSettings) and a (source, project, region) listed twice (every series of it would appear twice).
 */
export function resolveTargets(targets: readonly RawTarget[], globalCloud: CloudSpec, ctx: z.RefinementCtx): ResolvedTarget[] {
  const seen = new Map<string, number>();
  return targets.map((raw, i) => {
    const settings = settingsOf(raw, globalCloud);
    checkSettings(settings, raw.region, ['targets', i], ctx);
    const target = resolveTarget(raw.project_id, raw.region, settings);
    for (const source of target.sources) {
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
    return target;
  });
}

/** Where a target comes from, as --config.check and the logs name it. */
export function targetOrigin(target: ResolvedTarget, index: number): string {
  return target.discovered ? `discover[${target.discovered.entry}] ${target.discovered.name}` : `targets[${index}]`;
}

/** `--config.check`'s line for a target: the endpoints it will call (IAM only where it logs in with a password). */
export function describeTarget(target: ResolvedTarget, auth: AuthConfig | undefined): string {
  const used = target.sources.map((source) => `${source} ${target.endpoints[source] ?? ''}`);
  if (auth?.kind === 'iam') used.push(`iam ${auth.endpoint ?? target.endpoints.iam}`);
  const ep = target.enterprise_project_id ? `, enterprise project ${target.enterprise_project_id}` : '';
  const labels = Object.entries(target.labels).map(([name, value]) => `${name}="${value}"`).join(',');
  return `project ${target.project_id} in ${target.region} on ${cloudName(target.cloud)}${ep}${labels ? ` {${labels}}` : ''}: ${used.join(', ')}`;
}

/** `--config.check`'s lines for the targets: listed. */
export function describeEndpoints(targets: readonly ResolvedTarget[], auths: readonly AuthConfig[]): string[] {
  return targets.map((target, i) => `targets[${i}]: ${describeTarget(target, auths[i])}`);
}
