import { describe, expect, it } from 'vitest';
import { parseHssVault, type HssVault } from '../../src/cloud/hss-vault.js';
import { exposeSnapshots, fixture, pairFor, samplesOf } from '../helpers/exposition.js';

const ID = 'project_id="0605767b5780d5762fc5c0118072a564",region="ap-southeast-1",vault_id="48a-5f59-4541XXX",vault_name="vault-XXX"';

function example(change: (record: Record<string, any>) => void = () => undefined): { vault: HssVault; invalidFields: number } {
  const record = structuredClone((fixture('hss-vaults-example.json') as { data_list: Record<string, any>[] }).data_list[0]!);
  change(record);
  const parsed = parseHssVault(record);
  if (!parsed.vault) throw new Error('example did not parse');
  return { vault: parsed.vault, invalidFields: parsed.invalidFields };
}

async function expose(vault: HssVault): Promise<string> {
  return exposeSnapshots([{ pair: pairFor('hss'), source: 'hss', vaults: [vault], takenAt: 0 }]);
}

/** reason → value of huaweicloud_hss_vault_bind_blocked for one vault. */
function blocked(text: string): Record<string, number> {
  return Object.fromEntries(
    samplesOf(text, 'huaweicloud_hss_vault_bind_blocked').map((line) => [/reason="([^"]+)"/.exec(line)![1], Number(line.split(' ').at(-1))]),
  );
}

describe('HSS vault families', () => {
  it('turns the documented example response into exactly these series (vault_used in MB, as its field table says)', async () => {
    const { vault, invalidFields } = example();
    expect(invalidFields).toBe(0);
    const series = (await expose(vault)).split('\n').filter((line) => line.startsWith('huaweicloud_hss_'));
    expect(series).toEqual([
      `huaweicloud_hss_vault_size_bytes{${ID}} 2251799813685248`,
      `huaweicloud_hss_vault_used_bytes{${ID}} 2199023255552`,
      `huaweicloud_hss_vault_allocated_bytes{${ID}} 2251799813685248`,
      `huaweicloud_hss_vault_bound_servers{${ID}} 1`,
      `huaweicloud_hss_vault_status{${ID},status="available"} 1`,
      `huaweicloud_hss_vault_status{${ID},status="lock"} 0`,
      `huaweicloud_hss_vault_status{${ID},status="frozen"} 0`,
      `huaweicloud_hss_vault_status{${ID},status="deleting"} 0`,
      `huaweicloud_hss_vault_status{${ID},status="error"} 0`,
      `huaweicloud_hss_vault_backup_policy_enabled{${ID}} 1`,
      `huaweicloud_hss_vault_info{${ID},charging_mode="pre_paid",backup_policy_id="77d-6963-4ea3XXX",backup_policy_name="policy_XXX"} 1`,
      `huaweicloud_hss_vault_bind_eligible{${ID}} 1`,
      `huaweicloud_hss_vault_bind_blocked{${ID},reason="vault_unavailable"} 0`,
      `huaweicloud_hss_vault_bind_blocked{${ID},reason="policy_unbound"} 0`,
      `huaweicloud_hss_vault_bind_blocked{${ID},reason="policy_disabled"} 0`,
      `huaweicloud_hss_vault_bind_blocked{${ID},reason="capacity_full"} 0`,
      `huaweicloud_hss_vault_bind_blocked{${ID},reason="server_limit"} 0`,
    ]);
  });

  const none = { vault_unavailable: 0, policy_unbound: 0, policy_disabled: 0, capacity_full: 0, server_limit: 0 };
  it.each([
    ['a frozen vault', (r: Record<string, any>) => (r.vault_status = 'frozen'), { ...none, vault_unavailable: 1 }],
    ['no policy bound (empty id)', (r: Record<string, any>) => Object.assign(r, { backup_policy_id: '', backup_policy_enabled: false }), { ...none, policy_unbound: 1 }],
    ['no policy bound (absent id)', (r: Record<string, any>) => { delete r.backup_policy_id; delete r.backup_policy_name; delete r.backup_policy_enabled; }, { ...none, policy_unbound: 1 }],
    ['a bound but disabled policy', (r: Record<string, any>) => (r.backup_policy_enabled = false), { ...none, policy_disabled: 1 }],
    ['used equal to size (in bytes)', (r: Record<string, any>) => Object.assign(r, { vault_size: 10, vault_used: 10 * 1024 }), { ...none, capacity_full: 1 }],
    ['256 bound servers', (r: Record<string, any>) => (r.resources_num = 256), { ...none, server_limit: 1 }],
  ])('blocks binding for %s', async (_name, change, reasons) => {
    const text = await expose(example(change).vault);
    expect(blocked(text)).toEqual(reasons);
    expect(samplesOf(text, 'huaweicloud_hss_vault_bind_eligible')).toEqual([`huaweicloud_hss_vault_bind_eligible{${ID}} 0`]);
  });

  it('is eligible just below the edges: used one MB under size, 255 servers', async () => {
    const text = await expose(example((r) => Object.assign(r, { vault_size: 10, vault_used: 10 * 1024 - 1, resources_num: 255 })).vault);
    expect(blocked(text)).toEqual(none);
    expect(samplesOf(text, 'huaweicloud_hss_vault_bind_eligible')).toEqual([`huaweicloud_hss_vault_bind_eligible{${ID}} 1`]);
  });

  it('reports 0 for backup_policy_enabled when no policy is bound', async () => {
    const text = await expose(example((r) => Object.assign(r, { backup_policy_id: '', backup_policy_enabled: true })).vault);
    expect(samplesOf(text, 'huaweicloud_hss_vault_backup_policy_enabled')).toEqual([`huaweicloud_hss_vault_backup_policy_enabled{${ID}} 0`]);
  });

  it('leaves out eligibility and the undecidable reason when a needed field is missing', async () => {
    const { vault, invalidFields } = example((r) => delete r.vault_used);
    expect(invalidFields).toBe(1);
    const text = await expose(vault);
    expect(samplesOf(text, 'huaweicloud_hss_vault_used_bytes')).toEqual([]);
    expect(samplesOf(text, 'huaweicloud_hss_vault_bind_eligible')).toEqual([]);
    expect(blocked(text)).toEqual({ vault_unavailable: 0, policy_unbound: 0, policy_disabled: 0, server_limit: 0 });
  });

  it('leaves out policy series when a bound policy has no readable enabled flag', async () => {
    const { vault, invalidFields } = example((r) => (r.backup_policy_enabled = 'yes'));
    expect(invalidFields).toBe(1);
    const text = await expose(vault);
    expect(samplesOf(text, 'huaweicloud_hss_vault_backup_policy_enabled')).toEqual([]);
    expect(samplesOf(text, 'huaweicloud_hss_vault_bind_eligible')).toEqual([]);
    expect(Object.keys(blocked(text))).not.toContain('policy_disabled');
  });
});
