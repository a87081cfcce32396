import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inconsistencies } from '../helpers/consistency.js';
import { GOLDEN_FILE, goldenExposition } from '../helpers/golden.js';

describe('the golden exposition', () => {
  // A reviewer reads test/fixtures/golden/vaults.prom to see what users get; `UPDATE_GOLDEN=1 npm run test:unit`
  // writes it anew after a deliberate change, and the diff shows what changed.
  it('is what the exporter serves for the golden fleet, byte for byte', async () => {
    const text = await goldenExposition();
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN_FILE, text);
    expect(text).toBe(readFileSync(GOLDEN_FILE, 'utf8'));
  });

  it('agrees with itself: every pair figure describes the series beside it', async () => {
    // The golden fleet has malformed records, so families of a pair may name different vaults; vault counts must hold.
    expect(inconsistencies(await goldenExposition(), { wellFormed: false })).toEqual([]);
  });
});
