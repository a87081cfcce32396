import type { CbrVault } from '../cloud/cbr-vault.js';
import { BASE_EXPORT, type ExportConfig } from '../config/export-config.js';
import { CBR_RESOURCE_FAMILIES } from './cbr-resource-families.js';
import { bytes, GIB, infoFamily, MIB, statusFamily, valueFamily, type VaultFamily } from './family.js';
import { tagLabelNames } from './tag-labels.js';

const flag = (value: boolean | undefined): number | undefined => (value === undefined ? undefined : value ? 1 : 0);

/** The CBR families every config exports, in output order. Names, labels and units are a public contract. */
const BASE_FAMILIES: readonly VaultFamily<CbrVault>[] = [
  valueFamily('huaweicloud_cbr_vault_size_bytes', 'Capacity of the CBR vault in bytes (billing.size, GB x 2^30).', (v) => bytes(v.sizeGb, GIB)),
  valueFamily('huaweicloud_cbr_vault_used_bytes', 'Used capacity of the CBR vault in bytes (billing.used, MB x 2^20).', (v) => bytes(v.usedMb, MIB)),
  valueFamily('huaweicloud_cbr_vault_allocated_bytes', 'Allocated capacity of the CBR vault in bytes (billing.allocated, GB x 2^30).', (v) => bytes(v.allocatedGb, GIB)),
  valueFamily('huaweicloud_cbr_vault_resources', 'Number of resources associated with the CBR vault (length of resources).', (v) => v.resources),
  statusFamily('huaweicloud_cbr_vault_status', 'Status of the CBR vault (billing.status): 1 for the current status, 0 for the others.', (v) => v.status),
  infoFamily('huaweicloud_cbr_vault_info', 'Descriptive attributes of the CBR vault; value is always 1.', (v) => [
    ['object_type', v.objectType],
    ['protect_type', v.protectType],
    ['charging_mode', v.chargingMode],
    ['cloud_type', v.cloudType],
    ['spec_code', v.specCode],
    ['consistent_level', v.consistentLevel],
    ['auto_bind', v.autoBind],
    ['auto_expand', v.autoExpand],
    ['enterprise_project_id', v.enterpriseProjectId],
    ['availability_zone', v.availabilityZone],
    ['is_multi_az', v.isMultiAz],
    ['sys_lock_source_service', v.sysLockSourceService],
    ['frozen_scene', v.frozenScene],
  ]),
  valueFamily(
    'huaweicloud_cbr_vault_capacity_alarm_threshold_ratio',
    'Capacity alarm threshold of the CBR vault set in the console, as a ratio of used to size (threshold, percent / 100).',
    (v) => (v.alarmThresholdPercent === undefined ? undefined : v.alarmThresholdPercent / 100),
  ),
  valueFamily('huaweicloud_cbr_vault_smn_notify', 'Whether CBR sends SMN notifications about the vault (smn_notify): 1 or 0.', (v) => flag(v.smnNotify)),
  valueFamily('huaweicloud_cbr_vault_locked', 'Whether the CBR vault is locked (locked): 1 or 0.', (v) => flag(v.locked)),
];

/** huaweicloud_cbr_vault_tags with one `tag_<key>` label per exported key (see tagLabelNames). */
function tagsFamily(keys: readonly string[]): VaultFamily<CbrVault> {
  const names = tagLabelNames(keys);
  return {
    name: 'huaweicloud_cbr_vault_tags',
    help: 'Tags of the CBR vault named in export.tags, one tag_<key> label each (empty where the vault lacks the tag); value is always 1.',
    samples(vault) {
      const values = vault.tagValues;
      return values ? [{ labels: names.map((name, i) => [name, values[i] as string] as const), value: 1 }] : [];
    },
  };
}

/** The CBR families a config exports, in output order: the base ones, then what `export:` adds. */
export function cbrFamilies(exported: ExportConfig): readonly VaultFamily<CbrVault>[] {
  return [...BASE_FAMILIES, ...(exported.tags.length ? [tagsFamily(exported.tags)] : []), ...(exported.resources ? CBR_RESOURCE_FAMILIES : [])];
}

/** The CBR families of a config without an `export:` block. */
export const CBR_FAMILIES = cbrFamilies(BASE_EXPORT);
