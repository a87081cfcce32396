import type { CbrVault } from '../cloud/cbr-vault.js';
import { bytes, GIB, infoFamily, MIB, statusFamily, valueFamily, type VaultFamily } from './family.js';

/** CBR vault families, in output order. Names, labels and units are a public contract. */
export const CBR_FAMILIES: readonly VaultFamily<CbrVault>[] = [
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
  ]),
];
