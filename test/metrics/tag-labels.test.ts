import { describe, expect, it } from 'vitest';
import { tagLabelNames } from '../../src/metrics/tag-labels.js';

describe('tag label names', () => {
  it('prefixes tag_ and replaces what a label name cannot hold with _', () => {
    expect(tagLabelNames(['env', 'cost-center', 'Owner', 'app.tier', '环境', 'a b'])).toEqual(['tag_env', 'tag_cost_center', 'tag_Owner', 'tag_app_tier', 'tag___', 'tag_a_b']);
  });

  it('keeps the name of a key that needed no change, and numbers the others in key order', () => {
    expect(tagLabelNames(['team-a', 'team_a', 'team.a'])).toEqual(['tag_team_a_2', 'tag_team_a', 'tag_team_a_3']);
    // A suffixed name never takes one a key has as its own.
    expect(tagLabelNames(['a-b', 'a_b', 'a_b_2'])).toEqual(['tag_a_b_3', 'tag_a_b', 'tag_a_b_2']);
  });

  it('gives each key the same name whatever the order of the list', () => {
    const keys = ['team-a', 'team_a', 'team.a', 'x-y', 'x.y', 'x_y_2'];
    const named = (list: string[]) => Object.fromEntries(list.map((key, i) => [key, tagLabelNames(list)[i]]));
    const expected = named(keys);
    expect(named([...keys].reverse())).toEqual(expected);
    expect(named([keys[3]!, keys[0]!, keys[5]!, keys[1]!, keys[4]!, keys[2]!])).toEqual(expected);
    expect(new Set(Object.values(expected)).size).toBe(keys.length);
  });
});
