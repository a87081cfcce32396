import type { AuthConfig } from './auth.js';
import { servesProject, type Shard } from './shard.js';
import type { ResolvedTarget } from './targets.js';

/** Targets by where they come from: `targets:` or a `discover:` entry. */
export interface TargetCounts {
  static: number;
  discovered: number;
}

/** The targets one replica runs: the listed and the discovered ones, less duplicates, its shard's part of them. */
export interface TargetList {
  targets: ResolvedTarget[];
  /** The credentials of each target, index by index. */
  auths: AuthConfig[];
  /** Before sharding: the targets of every shard. */
  all: TargetCounts;
  /** What this replica serves. */
  served: TargetCounts;
  /** Discovered projects left out because `targets:` or an earlier discover entry has them already. */
  duplicates: { target: ResolvedTarget; listedBy: string }[];
}

/**
 * `targets:` first (the operator typed them: their settings win), then each discovery's targets in entry order;
 * a project already taken is left out, whatever its sources (one project, one set of credentials). Then this
 * replica's shard of them. Pure, so every replica that reads the same lists decides the same.
 */
export function targetList(
  listed: readonly ResolvedTarget[],
  listedAuths: readonly AuthConfig[],
  discovered: readonly ResolvedTarget[],
  shard: Shard,
): TargetList {
  const takenBy = new Map<string, string>();
  listed.forEach((target, i) => takenBy.set(target.project_id, `targets[${i}]`));
  const all: { target: ResolvedTarget; auth: AuthConfig }[] = listed.map((target, i) => ({ target, auth: listedAuths[i] as AuthConfig }));
  const duplicates: TargetList['duplicates'] = [];
  for (const target of discovered) {
    const listedBy = takenBy.get(target.project_id);
    // Discovered targets always carry the credentials they were found with.
    if (listedBy === undefined && target.auth) {
      takenBy.set(target.project_id, `discover[${target.discovered?.entry ?? '?'}]`);
      all.push({ target, auth: target.auth });
    } else if (listedBy !== undefined) duplicates.push({ target, listedBy });
  }
  const served = all.filter(({ target }) => servesProject(shard, target.project_id));
  const count = (list: typeof all): TargetCounts => {
    const discoveredCount = list.filter(({ target }) => target.discovered).length;
    return { static: list.length - discoveredCount, discovered: discoveredCount };
  };
  return { targets: served.map(({ target }) => target), auths: served.map(({ auth }) => auth), all: count(all), served: count(served), duplicates };
}
