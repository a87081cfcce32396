import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAIR_FIGURES } from '../../src/metrics/pair-figures.js';
import { vaultFamilies } from '../../src/metrics/source-families.js';

/** The metric table of docs/metrics.md: every family the exporter can write has a row, with its source field. */
const page = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const rows = new Map(
  page
    .split('\n')
    .filter((line) => line.startsWith('| `huaweicloud_'))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
      return [/`([a-z_]+)`/.exec(cells[0]!)![1]!, cells] as const;
    }),
);

describe('docs/metrics.md', () => {
  const all = vaultFamilies({ tags: ['env'], resources: true });

  it.each([...all.cbr, ...all.hss].map((f) => [f.name]))('has a row for %s with its type and source field', (name) => {
    const cells = rows.get(name);
    expect(cells, `no row for ${name}`).toBeDefined();
    expect(cells).toHaveLength(4);
    expect(cells![1]).toMatch(/gauge/);
    expect(cells![3]).not.toBe('');
    // A byte family names the unit of its API field, as its HELP does.
    if (name.endsWith('_bytes')) expect(cells![3]).toMatch(/\((GB|MB)/);
  });

  it.each(PAIR_FIGURES.map((f) => [f.name]))('has a row for %s', (name) => {
    expect(rows.has(name), `no row for ${name}`).toBe(true);
  });
});
