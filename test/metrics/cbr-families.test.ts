import { describe, expect, it } from 'vitest';
import { parseCbrVault, type CbrVault } from '../../src/cloud/cbr-vault.js';
import { exposeSnapshots, fixture, pairFor, samplesOf } from '../helpers/exposition.js';

const ID = 'project_id="0605767b5780d5762fc5c0118072a564",region="ap-southeast-1",vault_id="a335f9e1-1628-4c64-a7be-38656e5ec19c",vault_name="vault-8538"';

function parsedExample(change: (record: Record<string, any>) => void = () => undefined): { vault: CbrVault; invalidFields: number } {
  const record = structuredClone((fixture('cbr-vaults-example.json') as { vaults: Record<string, any>[] }).vaults[0]!);
  change(record);
  const parsed = parseCbrVault(record);
  if (!parsed.vault) throw new Error('example did not parse');
  return { vault: parsed.vault, invalidFields: parsed.invalidFields };
}

async function expose(vault: CbrVault): Promise<string> {
  return exposeSnapshots([{ pair: pairFor('cbr'), source: 'cbr', vaults: [vault], takenAt: 0 }]);
}

describe('CBR vault families', () => {
  it('turns the documented example response into exactly these series', async () => {
    const { vault, invalidFields } = parsedExample();
    expect(invalidFields).toBe(0);
    const series = (await expose(vault)).split('\n').filter((line) => line && !line.startsWith('#') && line.startsWith('huaweicloud_cbr_'));
    expect(series).toEqual([
      `huaweicloud_cbr_vault_size_bytes{${ID}} 107374182400`,
      `huaweicloud_cbr_vault_used_bytes{${ID}} 0`,
      `huaweicloud_cbr_vault_allocated_bytes{${ID}} 0`,
      `huaweicloud_cbr_vault_resources{${ID}} 0`,
      `huaweicloud_cbr_vault_status{${ID},status="available"} 1`,
      `huaweicloud_cbr_vault_status{${ID},status="lock"} 0`,
      `huaweicloud_cbr_vault_status{${ID},status="frozen"} 0`,
      `huaweicloud_cbr_vault_status{${ID},status="deleting"} 0`,
      `huaweicloud_cbr_vault_status{${ID},status="error"} 0`,
      `huaweicloud_cbr_vault_info{${ID},object_type="server",protect_type="backup",charging_mode="post_paid",cloud_type="public",spec_code="vault.backup.server.normal",consistent_level="crash_consistent",auto_bind="false",auto_expand="false",enterprise_project_id="0",availability_zone="",is_multi_az="",sys_lock_source_service="",frozen_scene=""} 1`,
    ]);
  });

  it('converts used MB and size/allocated GB to bytes', async () => {
    const { vault } = parsedExample((r) => Object.assign(r.billing, { size: 3, used: 1536, allocated: 2 }));
    const text = await expose(vault);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_size_bytes')).toEqual([`huaweicloud_cbr_vault_size_bytes{${ID}} ${3 * 2 ** 30}`]);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_used_bytes')).toEqual([`huaweicloud_cbr_vault_used_bytes{${ID}} ${1536 * 2 ** 20}`]);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_allocated_bytes')).toEqual([`huaweicloud_cbr_vault_allocated_bytes{${ID}} ${2 * 2 ** 30}`]);
  });

  it('adds a series for a status outside the documented five', async () => {
    const { vault } = parsedExample((r) => (r.billing.status = 'creating'));
    const status = samplesOf(await expose(vault), 'huaweicloud_cbr_vault_status');
    expect(status).toHaveLength(6);
    expect(status.filter((line) => line.endsWith(' 1'))).toEqual([`huaweicloud_cbr_vault_status{${ID},status="creating"} 1`]);
  });

  it('leaves out the series of a missing or mistyped field and counts it, never a made-up 0', async () => {
    const { vault, invalidFields } = parsedExample((r) => {
      r.billing.size = '100';
      delete r.billing.used;
      r.resources = null;
      r.billing.spec_code = 7;
    });
    expect(invalidFields).toBe(4);
    const text = await expose(vault);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_size_bytes')).toEqual([]);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_used_bytes')).toEqual([]);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_resources')).toEqual([]);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_allocated_bytes')).toEqual([`huaweicloud_cbr_vault_allocated_bytes{${ID}} 0`]);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_info')[0]).toContain('spec_code=""');
  });

  it('rejects negative sizes, and reads billing: null as no billing fields', () => {
    expect(parsedExample((r) => (r.billing.size = -5)).vault.sizeGb).toBeUndefined();
    const { vault, invalidFields } = parsedExample((r) => (r.billing = null));
    expect(vault.sizeGb).toBeUndefined();
    expect(vault.status).toBeUndefined();
    expect(invalidFields).toBe(5); // billing itself, then size, used, allocated and status (info labels are optional)
  });

  it('drops a record without an id', () => {
    expect(parseCbrVault({ name: 'x', billing: {} }).vault).toBeUndefined();
    expect(parseCbrVault(null).vault).toBeUndefined();
    expect(parseCbrVault({ id: 42 }).vault).toBeUndefined();
  });
});
