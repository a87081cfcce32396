import type { Parsed } from './cbr-vault.js';
import { FieldReader, GIB, isRecord, MIB } from './record-fields.js';

/** What the exporter keeps of one HSS backup vault (GET /v5/{project_id}/ransomware/optional/vaults). */
export interface HssVault {
  id: string;
  name: string;
  /** vault_size, GB. */
  sizeGb?: number;
  /** vault_used, MB (the field table says MB; the page's prose example is wrong). */
  usedMb?: number;
  /** vault_allocated, GB. */
  allocatedGb?: number;
  /** resources_num: servers bound to the vault. */
  boundServers?: number;
  status?: string;
  chargingMode: string;
  /** '' when no backup policy is bound; undefined when the field is not a string (unknown, not "none"). */
  policyId: string | undefined;
  policyName: string;
  /** backup_policy_enabled; false when no policy is bound; undefined when bound but the flag is unreadable. */
  policyEnabled?: boolean;
}

/** Validates one record of `data_list`; a record without a string vault_id is dropped. */
export function parseHssVault(raw: unknown): Parsed<HssVault> {
  if (!isRecord(raw) || typeof raw.vault_id !== 'string' || raw.vault_id === '') return { vault: undefined, invalidFields: 1 };
  const read = new FieldReader();
  const policyId = read.optionalText(raw, 'backup_policy_id');
  let policyEnabled: boolean | undefined;
  if (policyId === undefined) policyEnabled = undefined; // a mistyped id says nothing about whether a policy is bound
  else if (typeof raw.backup_policy_enabled === 'boolean') policyEnabled = policyId !== '' && raw.backup_policy_enabled;
  else if (policyId === '') policyEnabled = false; // the page: an empty policy id means no policy is bound
  else read.invalid++;
  const vault: HssVault = {
    id: raw.vault_id,
    name: read.text(raw, 'vault_name') ?? '',
    sizeGb: read.count(raw, 'vault_size', GIB),
    usedMb: read.count(raw, 'vault_used', MIB),
    allocatedGb: read.count(raw, 'vault_allocated', GIB),
    boundServers: read.count(raw, 'resources_num'),
    status: read.text(raw, 'vault_status'),
    chargingMode: read.label(raw, 'vault_charging_mode'),
    policyId,
    policyName: read.label(raw, 'backup_policy_name'),
    policyEnabled,
  };
  return { vault, invalidFields: read.invalid };
}
