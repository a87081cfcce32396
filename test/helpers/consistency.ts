/**
 * Checks one /metrics body the way a recording rule would read it: each pair's own figures must describe
 * the vault series in the same body. Line-based, so that bodies of 30,000 vaults check in a few ms.
 */

const LABEL = '((?:[^"\\\\]|\\\\.)*)';
// A target's own labels follow vault_name (and region, in the figures); a family's own labels (resource_id) come after them.
const VAULT_LINE = new RegExp(
  `^huaweicloud_(cbr|hss)_vault_([a-z_]+)\\{project_id="${LABEL}",region="${LABEL}",vault_id="${LABEL}",vault_name="${LABEL}"(.*)\\} (\\S+)$`,
);
const RESOURCE_ID = /,resource_id="((?:[^"\\]|\\.)*)"/;
const FIGURE_LINE = /^huaweicloud_vault_exporter_([a-z_]+)\{source="(cbr|hss)",project_id="((?:[^"\\]|\\.)*)",region="((?:[^"\\]|\\.)*)"(?:,[^}]*)?\} (\S+)$/;
/** Families with one series per resource bound to a vault (export.resources), not one per vault. */
const RESOURCE_FAMILY = /^resource_/;

export interface PairView {
  /** The exporter's figures: source_up, vaults, ... by figure name. */
  figures: Map<string, number>;
  /** Vault ids by family suffix (size_bytes, info, ...), for the families with series per vault. */
  families: Map<string, Set<string>>;
  /** `vault_id` NUL `resource_id` by family suffix (resource_info, ...), for the families with series per bound resource. */
  resources: Map<string, Set<string>>;
  /** The value of each vault's `huaweicloud_cbr_vault_resources`. */
  resourceCounts: Map<string, number>;
}

/** Every pair seen in a body, by `source/project_id/region`. */
export function pairViews(text: string): Map<string, PairView> {
  const views = new Map<string, PairView>();
  const view = (key: string) => {
    let found = views.get(key);
    if (!found) views.set(key, (found = { figures: new Map(), families: new Map(), resources: new Map(), resourceCounts: new Map() }));
    return found;
  };
  const add = (map: Map<string, Set<string>>, family: string, id: string) => {
    let ids = map.get(family);
    if (!ids) map.set(family, (ids = new Set()));
    ids.add(id);
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('huaweicloud_vault_exporter_')) {
      const m = FIGURE_LINE.exec(line);
      if (m) view(`${m[2]}/${m[3]}/${m[4]}`).figures.set(m[1]!, Number(m[5]));
    } else if (line.startsWith('huaweicloud_')) {
      const m = VAULT_LINE.exec(line);
      if (!m) continue;
      const [, source, family, projectId, region, vaultId, , rest, value] = m as unknown as string[];
      const pair = view(`${source}/${projectId}/${region}`);
      if (RESOURCE_FAMILY.test(family!)) add(pair.resources, family!, `${vaultId}\0${RESOURCE_ID.exec(rest!)?.[1]}`);
      else add(pair.families, family!, vaultId!);
      if (family === 'resources') pair.resourceCounts.set(vaultId!, Number(value));
    }
  }
  return views;
}

/**
 * The ways a body contradicts itself: a pair whose `_vaults` differs from the number of vaults its series name
 * (for well-formed fleets: from its number of `*_size_bytes` series, and every family must name the same
 * vaults), or a pair with vault series but no figures. A fleet with malformed records (`wellFormed: false`)
 * has vaults whose size is missing and so left out. Per-resource families name resources, not vaults (a vault
 * with none has no such series), so for them the rule is theirs: every one names the same resources, and each
 * vault has as many as its `huaweicloud_cbr_vault_resources` says. Empty when the body is consistent.
 */
export function inconsistencies(text: string, { wellFormed = true } = {}): string[] {
  const problems: string[] = [];
  for (const [key, { figures, families, resources, resourceCounts }] of pairViews(text)) {
    const vaults = figures.get('vaults');
    if (vaults === undefined) {
      problems.push(`${key}: vault series without the pair's figures`);
      continue;
    }
    const named = new Set([...families.values()].flatMap((ids) => [...ids])).size;
    if (named !== vaults) problems.push(`${key}: huaweicloud_vault_exporter_vaults ${vaults} but its series name ${named} vaults`);
    if (vaults > 0 && figures.get('source_up') === undefined) problems.push(`${key}: no source_up`);
    if (!wellFormed) continue;
    const sized = families.get('size_bytes')?.size ?? 0;
    if (sized !== vaults) problems.push(`${key}: huaweicloud_vault_exporter_vaults ${vaults} but ${sized} size_bytes series`);
    for (const [family, ids] of families) {
      if (ids.size !== vaults) problems.push(`${key}: ${family} names ${ids.size} vaults of ${vaults}`);
    }
    const bound = resources.get('resource_info');
    if (!bound) continue;
    for (const [family, ids] of resources) {
      if (ids.size !== bound.size) problems.push(`${key}: ${family} has ${ids.size} resources, resource_info has ${bound.size}`);
    }
    const perVault = new Map<string, number>();
    for (const id of bound) {
      const vaultId = id.slice(0, id.indexOf('\0'));
      perVault.set(vaultId, (perVault.get(vaultId) ?? 0) + 1);
    }
    for (const [vaultId, count] of resourceCounts) {
      if ((perVault.get(vaultId) ?? 0) !== count) problems.push(`${key}: vault ${vaultId} has ${count} resources but ${perVault.get(vaultId) ?? 0} resource series`);
    }
    for (const vaultId of perVault.keys()) if (!resourceCounts.has(vaultId)) problems.push(`${key}: resource series of vault ${vaultId}, which has no resources series`);
  }
  return problems;
}
