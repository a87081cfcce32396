import { describe, expect, it } from 'vitest';
import { parseCbrVault } from '../../src/cloud/cbr-vault.js';
import { parseHssVault } from '../../src/cloud/hss-vault.js';
import { bindEligible } from '../../src/metrics/hss-families.js';
import { exposeSnapshots, fixture, pairFor, samplesOf } from '../helpers/exposition.js';

/** Issue #10: no made-up values from records that are valid JSON but not what the field table says. */

const hssExample = () => structuredClone((fixture('hss-vaults-example.json') as { data_list: Record<string, unknown>[] }).data_list[0]!);
const cbrExample = () => structuredClone((fixture('cbr-vaults-example.json') as { vaults: Record<string, unknown>[] }).vaults[0]!);

describe('HSS backup_policy_id', () => {
  it.each([[42], [true], [{ id: 'x' }]])('of a non-string type (%j) is invalid, not "no policy bound"', async (value) => {
    const parsed = parseHssVault({ ...hssExample(), backup_policy_id: value });
    const vault = parsed.vault!;
    expect(parsed.invalidFields).toBe(1);
    expect(vault.policyId).toBeUndefined();
    expect(vault.policyEnabled).toBeUndefined();
    // Bind eligibility cannot be decided, and no bind_blocked reason says "policy_unbound".
    expect(bindEligible(vault)).toBeUndefined();
    const text = await exposeSnapshots([{ pair: pairFor('hss'), source: 'hss', vaults: [vault], takenAt: 0 }]);
    expect(samplesOf(text, 'huaweicloud_hss_vault_bind_blocked').some((line) => line.includes('reason="policy_unbound"'))).toBe(false);
    expect(samplesOf(text, 'huaweicloud_hss_vault_backup_policy_enabled')).toEqual([]);
  });

  it('absent or empty still means no policy is bound', () => {
    const { backup_policy_id: _id, backup_policy_name: _name, backup_policy_enabled: _on, ...bare } = hssExample();
    const absent = parseHssVault(bare);
    expect(absent.vault?.policyId).toBe('');
    expect(absent.vault?.policyEnabled).toBe(false);
    expect(absent.invalidFields).toBe(0);
    expect(parseHssVault({ ...hssExample(), backup_policy_id: '' }).vault?.policyEnabled).toBe(false);
  });
});

describe('numbers beyond what a float64 holds exactly, after unit conversion', () => {
  it('drops an HSS vault_size above 2^53 bytes (2^23 GB) and keeps one at the HSS example size', () => {
    expect(parseHssVault({ ...hssExample(), vault_size: 2 ** 23 }).vault?.sizeGb).toBe(2 ** 23);
    const over = parseHssVault({ ...hssExample(), vault_size: 2 ** 23 + 1 });
    expect(over.vault?.sizeGb).toBeUndefined();
    expect(over.invalidFields).toBe(1);
    // vault_used is MB: 2^33 MB is 2^53 bytes, still exact; one more is not.
    expect(parseHssVault({ ...hssExample(), vault_used: 2 ** 33 }).vault?.usedMb).toBe(2 ** 33);
    expect(parseHssVault({ ...hssExample(), vault_used: 2 ** 33 + 1 }).vault?.usedMb).toBeUndefined();
  });

  it('drops a CBR size that JSON parsed as Infinity, never exporting +Inf', async () => {
    const record = JSON.parse(JSON.stringify(cbrExample()).replace('"size":100', '"size":1e400')) as unknown;
    const parsed = parseCbrVault(record);
    expect(parsed.vault?.sizeGb).toBeUndefined();
    expect(parsed.invalidFields).toBe(1);
    const text = await exposeSnapshots([{ pair: pairFor('cbr'), source: 'cbr', vaults: [parsed.vault!], takenAt: 0 }]);
    expect(text).not.toContain('Inf');
    expect(samplesOf(text, 'huaweicloud_cbr_vault_size_bytes')).toEqual([]);
  });
});
