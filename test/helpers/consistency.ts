/**
 * Checks one /metrics body the way a recording rule would read it: each pair's own figures must describe
 * the vault series in the same body. Line-based, so that bodies of 30,000 vaults check in a few ms.
 */

const VAULT_LINE = /^huaweicloud_(cbr|hss)_vault_([a-z_]+)\{project_id="((?:[^"\\]|\\.)*)",region="((?:[^"\\]|\\.)*)",vault_id="((?:[^"\\]|\\.)*)"/;
// A target's own labels may follow region.
const FIGURE_LINE = /^huaweicloud_vault_exporter_([a-z_]+)\{source="(cbr|hss)",project_id="((?:[^"\\]|\\.)*)",region="((?:[^"\\]|\\.)*)"(?:,[^}]*)?\} (\S+)$/;

export interface PairView {
  /** The exporter's figures: source_up, vaults, ... by figure name. */
  figures: Map<string, number>;
  /** Vault ids by family suffix (size_bytes, info, ...). */
  families: Map<string, Set<string>>;
}

/** Every pair seen in a body, by `source/project_id/region`. */
export function pairViews(text: string): Map<string, PairView> {
  const views = new Map<string, PairView>();
  const view = (key: string) => {
    let found = views.get(key);
    if (!found) views.set(key, (found = { figures: new Map(), families: new Map() }));
    return found;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('huaweicloud_vault_exporter_')) {
      const m = FIGURE_LINE.exec(line);
      if (m) view(`${m[2]}/${m[3]}/${m[4]}`).figures.set(m[1]!, Number(m[5]));
    } else if (line.startsWith('huaweicloud_')) {
      const m = VAULT_LINE.exec(line);
      if (!m) continue;
      const families = view(`${m[1]}/${m[3]}/${m[4]}`).families;
      let ids = families.get(m[2]!);
      if (!ids) families.set(m[2]!, (ids = new Set()));
      ids.add(m[5]!);
    }
  }
  return views;
}

/**
 * The ways a body contradicts itself: a pair whose `_vaults` differs from the number of vaults its series name
 * (for well-formed fleets: from its number of `*_size_bytes` series, and every family must name the same
 * vaults), or a pair with vault series but no figures. Empty when the body is consistent. A fleet with
 * malformed records (`wellFormed: false`) has vaults whose size is missing and so left out.
 */
export function inconsistencies(text: string, { wellFormed = true } = {}): string[] {
  const problems: string[] = [];
  for (const [key, { figures, families }] of pairViews(text)) {
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
  }
  return problems;
}
