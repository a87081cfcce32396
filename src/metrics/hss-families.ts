import type { HssVault } from '../cloud/hss-vault.js';
import { bytes, GIB, infoFamily, MIB, statusFamily, valueFamily, type Sample, type VaultFamily } from './family.js';

/** The HSS page: a server can be bound only while the vault has fewer than 256 servers. */
export const HSS_MAX_BOUND_SERVERS = 256;

/**
 * Each reason the HSS page gives for refusing to bind a server, as a predicate; undefined when the
 * record lacks the field the reason needs (that reason's series is then left out).
 */
const BLOCKING_REASONS: readonly (readonly [string, (v: HssVault) => boolean | undefined])[] = [
  ['vault_unavailable', (v) => (v.status === undefined ? undefined : v.status !== 'available')],
  ['policy_unbound', (v) => (v.policyId === undefined ? undefined : v.policyId === '')],
  ['policy_disabled', (v) => (v.policyId === undefined ? undefined : v.policyId === '' ? false : v.policyEnabled === undefined ? undefined : !v.policyEnabled)],
  ['capacity_full', (v) => (v.usedMb === undefined || v.sizeGb === undefined ? undefined : v.usedMb * MIB >= v.sizeGb * GIB)],
  ['server_limit', (v) => (v.boundServers === undefined ? undefined : v.boundServers >= HSS_MAX_BOUND_SERVERS)],
];

function blockingReasons(vault: HssVault): Sample[] {
  const samples: Sample[] = [];
  for (const [reason, holds] of BLOCKING_REASONS) {
    const result = holds(vault);
    if (result !== undefined) samples.push({ labels: [['reason', reason]], value: result ? 1 : 0 });
  }
  return samples;
}

/** 1 when no reason blocks binding; undefined when any reason cannot be decided. */
export function bindEligible(vault: HssVault): number | undefined {
  let blocked = false;
  for (const [, holds] of BLOCKING_REASONS) {
    const result = holds(vault);
    if (result === undefined) return undefined;
    blocked ||= result;
  }
  return blocked ? 0 : 1;
}

/** HSS ransomware backup vault families, in output order. Names, labels and units are a public contract. */
export const HSS_FAMILIES: readonly VaultFamily<HssVault>[] = [
  valueFamily('huaweicloud_hss_vault_size_bytes', 'Capacity of the HSS backup vault in bytes (vault_size, GB x 2^30).', (v) => bytes(v.sizeGb, GIB)),
  valueFamily('huaweicloud_hss_vault_used_bytes', 'Used capacity of the HSS backup vault in bytes (vault_used, MB x 2^20).', (v) => bytes(v.usedMb, MIB)),
  valueFamily('huaweicloud_hss_vault_allocated_bytes', 'Allocated capacity of the HSS backup vault in bytes (vault_allocated, GB x 2^30).', (v) => bytes(v.allocatedGb, GIB)),
  valueFamily('huaweicloud_hss_vault_bound_servers', 'Number of servers bound to the HSS backup vault (resources_num).', (v) => v.boundServers),
  statusFamily('huaweicloud_hss_vault_status', 'Status of the HSS backup vault (vault_status): 1 for the current status, 0 for the others.', (v) => v.status),
  valueFamily('huaweicloud_hss_vault_backup_policy_enabled', 'Whether the backup policy bound to the vault is enabled (1) or not (0); 0 when no policy is bound.', (v) =>
    v.policyEnabled === undefined ? undefined : v.policyEnabled ? 1 : 0,
  ),
  infoFamily('huaweicloud_hss_vault_info', 'Descriptive attributes of the HSS backup vault; value is always 1.', (v) => [
    ['charging_mode', v.chargingMode],
    ['backup_policy_id', v.policyId ?? ''],
    ['backup_policy_name', v.policyName],
  ]),
  valueFamily(
    'huaweicloud_hss_vault_bind_eligible',
    'Whether HSS can bind another server to the vault (1): available, backup policy bound and enabled, used < size, fewer than 256 bound servers.',
    bindEligible,
  ),
  {
    name: 'huaweicloud_hss_vault_bind_blocked',
    help: 'Reasons HSS cannot bind another server to the vault: 1 where the reason holds, else 0.',
    samples: blockingReasons,
  },
];
