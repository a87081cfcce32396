/**
 * Checks one /metrics body the way a recording rule would read it: each pair's own figures must describe
 * the vault series in the same body. Line-based, so that bodies of 30,000 vaults check in a few ms.
 */

const VAULT_LINE = /^huaweicloud_(cbr|hss)_vault_([a-z_]+)\{project_id="((?:[^"\\]|\\.)*)",region="((?:[^"\\]|\\.)*)",vault_id="((?:[^"\\]|\\.)*)"/;
const FIGURE_LINE = /^huaweicloud_vault_exporter_([a-z_]+)\{source="(cbr|hss)",project_id="((?:[^"\\]|\\.)*)",region="((?:[^"\\]|\\.)*)"\} (\S+)$/;

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
 * The ways a body contradicts itself: a pair whose `_vaults` differs from its number of `*_size_bytes` series,
 * a pair with vault series but no figures, or (for fleets without malformed records) families of one pair
 * that name different vaults. Empty when the body is consistent.
 */
export function inconsistencies(text: string): string[] {
  const problems: string[] = [];
  for (const [key, { figures, families }] of pairViews(text)) {
    const vaults = figures.get('vaults');
    if (vaults === undefined) {
      problems.push(`${key}: vault series without the pair's figures`);
      continue;
    }
    const sized = families.get('size_bytes')?.size ?? 0;
    if (sized !== vaults) problems.push(`${key}: huaweicloud_vault_exporter_vaults ${vaults} but ${sized} size_bytes series`);
    if (vaults > 0 && figures.get('source_up') === undefined) problems.push(`${key}: no source_up`);
    const info = families.get('info');
    for (const [family, ids] of families) {
      if (info && ids.size !== info.size) problems.push(`${key}: ${family} has ${ids.size} vaults, info has ${info.size}`);
    }
  }
  return problems;
}
