import type { z } from 'zod';
import type { AuthConfig } from './auth.js';
import type { CloudSpec } from './clouds.js';
import type { RawDiscoverEntry } from './schema.js';
import { checkSettings, resolveTarget, settingsOf, type ResolvedTarget, type TargetSettings } from './targets.js';

/** A `discover:` entry after validation: one account, and which of its projects become targets. */
export interface DiscoverEntry {
  /** Its place in `discover:`, the `discovery` label of its own metrics. */
  index: number;
  settings: TargetSettings;
  /** Region globs; undefined: every region. */
  regions?: string[];
  excludeRegions: string[];
  intervalMs: number;
}

/** One record of IAM's project list, as the IAM client validated it. */
export interface DiscoveredProject {
  id: string;
  /** The region (`ap-southeast-1`), `{region}_{suffix}` for a sub-project, or a system project's name (`MOS`). */
  name: string;
  /** A sub-project's region project; for a region project, the account. */
  parentId?: string;
  enabled: boolean;
  isDomain?: boolean;
}

/** Why a project of the list is not a target. */
export const SKIP_REASONS = ['disabled', 'not_region', 'excluded_region'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface DiscoveredTargets {
  targets: ResolvedTarget[];
  skipped: { project: DiscoveredProject; reason: SkipReason }[];
}

/**
 * A region name as Huawei Cloud and its relatives spell them: a two-letter area and dash-separated parts,
 * `ap-southeast-1`, `eu-west-101`, `eu-de`, `eu-ch2`. System projects such as `MOS` are not.
 */
const REGION = /^[a-z]{2}(-[a-z0-9]+)+$/;
const SUB_PROJECT = /^([a-z]{2}(?:-[a-z0-9]+)+)_(.+)$/;

function globPattern(glob: string): RegExp {
  // The schema allows only [a-z0-9-*?]: nothing else to escape.
  return new RegExp(`^${glob.replaceAll('*', '.*').replaceAll('?', '.')}$`);
}

/** Whether `region` is in the entry's lists: in `regions` (every region when none is given) and not excluded. */
export function regionAllowed(entry: Pick<DiscoverEntry, 'regions' | 'excludeRegions'>, region: string): boolean {
  const matches = (globs: readonly string[]) => globs.some((glob) => globPattern(glob).test(region));
  return (entry.regions === undefined || matches(entry.regions)) && !matches(entry.excludeRegions);
}

/**
 * The region a project serves: its own name for a region project; for a sub-project (`{region}_{suffix}`) its
 * parent's name when the list holds the parent, else the region its name begins with. Undefined: not a region.
 */
function regionOf(project: DiscoveredProject, byId: ReadonlyMap<string, DiscoveredProject>): string | undefined {
  if (project.isDomain) return undefined;
  if (REGION.test(project.name)) return project.name;
  const sub = SUB_PROJECT.exec(project.name);
  if (!sub) return undefined;
  const parent = project.parentId === undefined ? undefined : byId.get(project.parentId);
  return parent && REGION.test(parent.name) ? parent.name : sub[1];
}

/**
 * The targets of one discovery: every enabled project of a region in the entry's lists, sub-projects under their
 * parent's region, each with the entry's settings (and `auth`, the credentials it was found with). Pure: the
 * same list gives the same targets, in the list's order.
 */
export function targetsOfProjects(entry: DiscoverEntry, auth: AuthConfig, projects: readonly DiscoveredProject[]): DiscoveredTargets {
  const byId = new Map(projects.map((project) => [project.id, project]));
  const result: DiscoveredTargets = { targets: [], skipped: [] };
  for (const project of projects) {
    const region = regionOf(project, byId);
    const reason: SkipReason | undefined = !project.enabled ? 'disabled' : region === undefined ? 'not_region' : !regionAllowed(entry, region) ? 'excluded_region' : undefined;
    if (reason !== undefined || region === undefined) {
      result.skipped.push({ project, reason: reason ?? 'not_region' });
      continue;
    }
    const target = resolveTarget(project.id, region, { ...entry.settings, auth });
    result.targets.push({ ...target, discovered: { entry: entry.index, name: project.name } });
  }
  return result;
}

/** Each `discover:` entry's settings, checked against its cloud as a target's are. */
export function resolveDiscovery(entries: readonly RawDiscoverEntry[], globalCloud: CloudSpec, ctx: z.RefinementCtx): DiscoverEntry[] {
  return entries.map((raw, index) => {
    const settings = settingsOf(raw, globalCloud);
    // Every region of the cloud has the same APIs (only some hosts differ): a pattern stands for them all.
    checkSettings(settings, '{region}', ['discover', index], ctx);
    return { index, settings, ...(raw.regions ? { regions: raw.regions } : {}), excludeRegions: raw.exclude_regions, intervalMs: raw.interval };
  });
}
