import { describe, expect, it } from 'vitest';
import { parseCbrVault } from '../../src/cloud/cbr-vault.js';
import { BASE_EXPORT, type ExportConfig } from '../../src/config/schema.js';
import { cbrFamilies } from '../../src/metrics/cbr-families.js';
import { vaultFamilies } from '../../src/metrics/source-families.js';
import { exposeSnapshots, fixture, pairFor, samplesOf } from '../helpers/exposition.js';

/** Issue 12: the vault facts beyond issue 2's contract, from the example response extended with the SDK models' fields. */

const ID = 'project_id="0605767b5780d5762fc5c0118072a564",region="ap-southeast-1",vault_id="a335f9e1-1628-4c64-a7be-38656e5ec19c",vault_name="vault-8538"';
const ALL: ExportConfig = { tags: ['env', 'team', 'cost-center'], resources: true };

/** The page's example record with every field issue 12 reads, as the SDKs' Vault and ResourceResp models name them. */
function extendedExample(): Record<string, any> {
  const record = structuredClone((fixture('cbr-vaults-example.json') as { vaults: Record<string, any>[] }).vaults[0]!);
  Object.assign(record, {
    threshold: 80,
    smn_notify: true,
    locked: false,
    availability_zone: 'ap-southeast-1a',
    is_multi_az: false,
    sys_lock_source_service: 'SMB',
    tags: [
      { key: 'env', value: 'prod' },
      { key: 'cost-center', value: 'cc-1024' },
      { key: 'owner', value: 'ops' },
    ],
    resources: [
      { id: '94eba8b2-acc9-4d82-badc-127144cc5526', name: 'ecs-web-1', protect_status: 'available', size: 40, type: 'OS::Nova::Server', backup_size: 12, backup_count: 7 },
      { id: '6a7c0f4e-2b1d-4c3a-9e8f-0d1c2b3a4f5e', name: 'ecs-new', protect_status: 'available', size: 100, type: 'OS::Nova::Server', backup_size: 0, backup_count: 0 },
    ],
  });
  record.billing.frozen_scene = 'ARREAR';
  return record;
}

function parse(record: unknown, exported: ExportConfig = ALL) {
  const parsed = parseCbrVault(record, exported);
  if (!parsed.vault) throw new Error('record did not parse');
  return parsed;
}

const expose = (vault: ReturnType<typeof parse>['vault'], exported: ExportConfig = ALL) =>
  exposeSnapshots([{ pair: pairFor('cbr'), source: 'cbr', vaults: [vault], takenAt: 0 }], vaultFamilies(exported));

const newFamilyLines = (text: string) =>
  text.split('\n').filter((line) => /^huaweicloud_cbr_vault_(capacity_alarm|smn_notify|locked|tags|resource_|info)/.test(line));

describe('CBR vault facts (issue 12)', () => {
  it('turns the extended example into exactly these series', async () => {
    const { vault, invalidFields } = parse(extendedExample());
    expect(invalidFields).toBe(0);
    const R1 = `${ID},resource_id="94eba8b2-acc9-4d82-badc-127144cc5526",resource_name="ecs-web-1"`;
    const R2 = `${ID},resource_id="6a7c0f4e-2b1d-4c3a-9e8f-0d1c2b3a4f5e",resource_name="ecs-new"`;
    expect(newFamilyLines(await expose(vault))).toEqual([
      `huaweicloud_cbr_vault_info{${ID},object_type="server",protect_type="backup",charging_mode="post_paid",cloud_type="public",spec_code="vault.backup.server.normal",consistent_level="crash_consistent",auto_bind="false",auto_expand="false",enterprise_project_id="0",availability_zone="ap-southeast-1a",is_multi_az="false",sys_lock_source_service="SMB",frozen_scene="ARREAR"} 1`,
      `huaweicloud_cbr_vault_capacity_alarm_threshold_ratio{${ID}} 0.8`,
      `huaweicloud_cbr_vault_smn_notify{${ID}} 1`,
      `huaweicloud_cbr_vault_locked{${ID}} 0`,
      `huaweicloud_cbr_vault_tags{${ID},tag_env="prod",tag_team="",tag_cost_center="cc-1024"} 1`,
      `huaweicloud_cbr_vault_resource_info{${R1},resource_type="OS::Nova::Server",protect_status="available"} 1`,
      `huaweicloud_cbr_vault_resource_info{${R2},resource_type="OS::Nova::Server",protect_status="available"} 1`,
      `huaweicloud_cbr_vault_resource_backups{${R1}} 7`,
      `huaweicloud_cbr_vault_resource_backups{${R2}} 0`,
      `huaweicloud_cbr_vault_resource_backup_size_bytes{${R1}} ${12 * 2 ** 30}`,
      `huaweicloud_cbr_vault_resource_backup_size_bytes{${R2}} 0`,
      `huaweicloud_cbr_vault_resource_allocated_bytes{${R1}} ${40 * 2 ** 30}`,
      `huaweicloud_cbr_vault_resource_allocated_bytes{${R2}} ${100 * 2 ** 30}`,
    ]);
  });

  it('exports tags and resources only when export: asks, and then does not even read them', async () => {
    expect(cbrFamilies(BASE_EXPORT).map((f) => f.name)).not.toContain('huaweicloud_cbr_vault_tags');
    expect(cbrFamilies({ tags: ['env'], resources: false }).map((f) => f.name).filter((n) => /tags|resource_/.test(n))).toEqual(['huaweicloud_cbr_vault_tags']);
    expect(cbrFamilies({ tags: [], resources: true }).map((f) => f.name).filter((n) => /tags|resource_/.test(n))).toEqual([
      'huaweicloud_cbr_vault_resource_info',
      'huaweicloud_cbr_vault_resource_backups',
      'huaweicloud_cbr_vault_resource_backup_size_bytes',
      'huaweicloud_cbr_vault_resource_allocated_bytes',
    ]);
    const record = { ...extendedExample(), tags: 'env=prod', resources: [{ name: 'no id' }] };
    const off = parse(record, BASE_EXPORT);
    expect(off.invalidFields).toBe(0);
    expect(off.vault.tagValues).toBeUndefined();
    expect(off.vault.boundResources).toBeUndefined();
    expect(off.vault.resources).toBe(1);
    expect(parse(record).invalidFields).toBe(2);
  });

  it('gives a vault without a tag, or without tags at all, the empty label; a missing value is the empty value', async () => {
    const none = parse({ ...extendedExample(), tags: undefined });
    expect(none.invalidFields).toBe(0);
    expect(samplesOf(await expose(none.vault), 'huaweicloud_cbr_vault_tags')).toEqual([`huaweicloud_cbr_vault_tags{${ID},tag_env="",tag_team="",tag_cost_center=""} 1`]);
    const valueless = parse({ ...extendedExample(), tags: [{ key: 'team' }, { key: 'env', value: null }, { key: 'env', value: 'shadowed' }] });
    expect(valueless.invalidFields).toBe(0);
    expect(valueless.vault.tagValues).toEqual(['', '', '']);
  });

  it.each([
    ['tags that is not a list', { tags: { env: 'prod' } }, 1],
    ['a tag without a string key', { tags: [{ key: 'env', value: 'prod' }, { value: 'orphan' }] }, 1],
    ['a tag whose value is a number', { tags: [{ key: 'team', value: 7 }] }, 1],
    ['a tag that is not an object', { tags: ['env=prod', null] }, 2],
  ])('leaves the tags series out for %s and counts it: any exported value could be wrong', async (_what, change, invalid) => {
    const { vault, invalidFields } = parse({ ...extendedExample(), ...change });
    expect(invalidFields).toBe(invalid);
    expect(vault.tagValues).toBeUndefined();
    const text = await expose(vault);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_tags')).toEqual([]);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_size_bytes')).toHaveLength(1);
  });

  it.each([
    ['absent', undefined, 0],
    ['null', null, 0],
    ['a string', '80', 1],
    ['0 (the console takes 1–100)', 0, 1],
    ['above 100', 101, 1],
    ['not finite', Number.POSITIVE_INFINITY, 1],
  ])('leaves the alarm threshold out when it is %s, counting what is mistyped, never 0 or the default 80', async (_what, threshold, invalid) => {
    const { vault, invalidFields } = parse({ ...extendedExample(), threshold });
    expect(invalidFields).toBe(invalid);
    expect(samplesOf(await expose(vault), 'huaweicloud_cbr_vault_capacity_alarm_threshold_ratio')).toEqual([]);
  });

  it('takes any threshold the console allows, 1 to 100, as a ratio', async () => {
    for (const [threshold, ratio] of [[1, '0.01'], [55, '0.55'], [100, '1']] as const) {
      const text = await expose(parse({ ...extendedExample(), threshold }).vault);
      expect(samplesOf(text, 'huaweicloud_cbr_vault_capacity_alarm_threshold_ratio')).toEqual([`huaweicloud_cbr_vault_capacity_alarm_threshold_ratio{${ID}} ${ratio}`]);
    }
  });

  it('exports smn_notify and locked as 0/1, leaves them out when absent, and counts a wrong type', async () => {
    const on = await expose(parse({ ...extendedExample(), smn_notify: false, locked: true }).vault);
    expect(samplesOf(on, 'huaweicloud_cbr_vault_smn_notify')).toEqual([`huaweicloud_cbr_vault_smn_notify{${ID}} 0`]);
    expect(samplesOf(on, 'huaweicloud_cbr_vault_locked')).toEqual([`huaweicloud_cbr_vault_locked{${ID}} 1`]);
    const absent = parse({ ...extendedExample(), smn_notify: undefined, locked: undefined });
    expect(absent.invalidFields).toBe(0);
    const mistyped = parse({ ...extendedExample(), smn_notify: 'true', locked: 1 });
    expect(mistyped.invalidFields).toBe(2);
    for (const { vault } of [absent, mistyped]) {
      const text = await expose(vault);
      expect(samplesOf(text, 'huaweicloud_cbr_vault_smn_notify')).toEqual([]);
      expect(samplesOf(text, 'huaweicloud_cbr_vault_locked')).toEqual([]);
    }
  });

  it('reads enterprise_project_id as a string or a whole number, and the info labels as empty when absent', async () => {
    expect(parse({ ...extendedExample(), enterprise_project_id: 'b2a1c3d4-0000-4000-8000-000000000001' }).vault.enterpriseProjectId).toBe('b2a1c3d4-0000-4000-8000-000000000001');
    const odd = parse({ ...extendedExample(), enterprise_project_id: 1.5, availability_zone: 3 });
    expect(odd.invalidFields).toBe(2);
    expect(odd.vault).toMatchObject({ enterpriseProjectId: '', availabilityZone: '' });
    const { availability_zone: _az, is_multi_az: _multi, sys_lock_source_service: _smb, ...bare } = extendedExample();
    const absent = parse(bare);
    expect(absent.invalidFields).toBe(0);
    expect(absent.vault).toMatchObject({ availabilityZone: '', isMultiAz: '', sysLockSourceService: '' });
    // The create models carry is_multi_az in billing; a list answer that does so is read there.
    expect(parse({ ...bare, billing: { ...bare.billing, is_multi_az: true } }).vault.isMultiAz).toBe('true');
  });

  it('skips a resource without an id, or repeating one, and leaves out a resource value that is missing or mistyped', async () => {
    const record = extendedExample();
    (record.resources as unknown[]).push({ name: 'no id', backup_count: 1 }, { ...record.resources[0], name: 'again' }, 'not an object');
    delete record.resources[0].backup_count;
    record.resources[1].backup_size = '0';
    record.resources[1].protect_status = 9;
    const { vault, invalidFields } = parse(record);
    expect(invalidFields).toBe(6); // 3 unusable elements, backup_count, backup_size, protect_status
    expect(vault.resources).toBe(5);
    expect(vault.boundResources?.map((r) => r.name)).toEqual(['ecs-web-1', 'ecs-new']);
    const text = await expose(vault);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_resource_backups').map((l) => l.split('resource_name=')[1])).toEqual(['"ecs-new"} 0']);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_resource_backup_size_bytes').map((l) => l.split('resource_name=')[1])).toEqual([`"ecs-web-1"} ${12 * 2 ** 30}`]);
    expect(samplesOf(text, 'huaweicloud_cbr_vault_resource_info')[1]).toContain('protect_status=""');
  });

  it('gives no resource series when resources is not a list (counted once, as its length is)', async () => {
    const { vault, invalidFields } = parse({ ...extendedExample(), resources: null });
    expect(invalidFields).toBe(1);
    const text = await expose(vault);
    for (const family of ['resource_info', 'resource_backups', 'resource_backup_size_bytes', 'resource_allocated_bytes']) {
      expect(samplesOf(text, `huaweicloud_cbr_vault_${family}`)).toEqual([]);
    }
  });
});
