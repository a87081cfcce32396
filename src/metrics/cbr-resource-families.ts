import type { CbrResource, CbrVault } from '../cloud/cbr-vault.js';
import { bytes, GIB, type ExtraLabels, type Sample, type VaultFamily } from './family.js';

/** The labels that name a bound resource on each of its series, after the vault's identity. */
function identityOf(resource: CbrResource): ExtraLabels {
  return [
    ['resource_id', resource.id],
    ['resource_name', resource.name],
  ];
}

/** A family with one sample per bound resource, left out for a resource where `read` finds no value. */
function resourceFamily(name: string, help: string, read: (resource: CbrResource) => number | undefined): VaultFamily<CbrVault> {
  return {
    name,
    help,
    samples(vault) {
      const samples: Sample[] = [];
      for (const resource of vault.boundResources ?? []) {
        const value = read(resource);
        if (value !== undefined) samples.push({ labels: identityOf(resource), value });
      }
      return samples;
    },
  };
}

/** export.resources: one series per resource bound to a CBR vault, per family. Names and labels are a public contract. */
export const CBR_RESOURCE_FAMILIES: readonly VaultFamily<CbrVault>[] = [
  {
    name: 'huaweicloud_cbr_vault_resource_info',
    help: 'A resource bound to the CBR vault (resources[]: id, name, type, protect_status); value is always 1.',
    samples: (vault) =>
      (vault.boundResources ?? []).map((resource) => ({
        labels: [...identityOf(resource), ['resource_type', resource.type], ['protect_status', resource.protectStatus]],
        value: 1,
      })),
  },
  resourceFamily('huaweicloud_cbr_vault_resource_backups', 'Backups of the resource bound to the CBR vault (resources[].backup_count).', (r) => r.backupCount),
  resourceFamily(
    'huaweicloud_cbr_vault_resource_backup_size_bytes',
    'Size of the backups of the resource bound to the CBR vault in bytes (resources[].backup_size, GB x 2^30).',
    (r) => bytes(r.backupSizeGb, GIB),
  ),
  resourceFamily(
    'huaweicloud_cbr_vault_resource_allocated_bytes',
    'Allocated capacity of the resource bound to the CBR vault in bytes (resources[].size, GB x 2^30).',
    (r) => bytes(r.sizeGb, GIB),
  ),
];
