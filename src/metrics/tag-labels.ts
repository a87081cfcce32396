/** A Prometheus label name: what a tag key becomes after `tag_`. */
const INVALID_LABEL_CHARS = /[^a-zA-Z0-9_]/g;

/**
 * The label name of each CBR tag key, in the keys' order: `tag_` followed by the key with every character that
 * a label name cannot hold replaced by `_` (`cost-center` → `tag_cost_center`). Keys that end up the same are
 * told apart by a suffix, decided by the keys alone, never by their order in the config:
 *   1. a key that needed no replacing keeps its name (distinct keys give distinct names);
 *   2. the other keys, in code-unit order of the key, take their name, or else `_2`, `_3`, ... after it, the
 *      first one that no key has taken.
 * So `team_a` stays `tag_team_a`, and `team-a` beside it becomes `tag_team_a_2`.
 */
export function tagLabelNames(keys: readonly string[]): string[] {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  const replaced: string[] = [];
  for (const key of keys) {
    const name = `tag_${key.replace(INVALID_LABEL_CHARS, '_')}`;
    if (name === `tag_${key}`) {
      names.set(key, name);
      taken.add(name);
    } else replaced.push(key);
  }
  for (const key of [...replaced].sort()) {
    const base = `tag_${key.replace(INVALID_LABEL_CHARS, '_')}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    names.set(key, name);
    taken.add(name);
  }
  return keys.map((key) => names.get(key) as string);
}
