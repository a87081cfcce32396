/**
 * The JSON records CBR and HSS return, as /work/shared/api documents them (field names and units
 * verbatim). Status and mode fields are plain strings: real APIs send values the pages do not list.
 */
import type { Source } from '../config/sources.js';
import { SIM_SOURCES } from './sources.js';

export type { Source };

/** CBR ResourceResp: a server, disk or file system bound to a vault. */
export interface CbrResource {
  id: string;
  name: string;
  protect_status: string;
  /** Allocated capacity of the resource, GB. */
  size: number;
  /** OS::Nova::Server, OS::Cinder::Volume, OS::Ironic::BareMetalServer or OS::Sfs::Turbo. */
  type: string;
  /** GB. */
  backup_size: number;
  backup_count: number;
}

export interface CbrTag {
  key: string;
  value: string;
}

export interface CbrBindRules {
  tags?: CbrTag[];
}

export interface CbrBilling {
  /** GB. */
  allocated: number;
  /** post_paid or pre_paid. */
  charging_mode: string;
  cloud_type: string;
  /** app_consistent or crash_consistent. */
  consistent_level: string;
  /** server, disk, turbo, workspace, vmware, rds or file. */
  object_type: string;
  order_id?: string;
  product_id?: string;
  /** backup or replication. */
  protect_type: string;
  /** Capacity, GB. */
  size: number;
  spec_code: string;
  /** available, lock, frozen, deleting, error (documented), and others in practice. */
  status: string;
  storage_unit?: string;
  /** Used capacity, MB. */
  used: number;
  frozen_scene?: string;
}

/** One element of `vaults` in GET /v3/{project_id}/vaults. */
export interface CbrVaultRecord {
  id: string;
  name: string;
  description?: string;
  project_id: string;
  provider_id: string;
  /** Not in the field table, but in the example response (as the number 0); elsewhere a UUID string. */
  enterprise_project_id?: string | number;
  resources: CbrResource[];
  tags: CbrTag[];
  auto_bind: boolean;
  bind_rules: CbrBindRules;
  user_id: string;
  created_at: string;
  auto_expand: boolean;
  sys_lock_source_service?: string;
  billing: CbrBilling;
  /*
   * Not in the field table, but in every SDK's vault model (VaultCreateResource, Vault): the console's capacity
   * alarm threshold (percent of size, default 80), its SMN notification switch, the vault lock, and where the
   * vault lives.
   */
  threshold: number;
  smn_notify: boolean;
  locked: boolean;
  availability_zone: string;
  is_multi_az: boolean;
}

/** One element of `data_list` in GET /v5/{project_id}/ransomware/optional/vaults. */
export interface HssVaultRecord {
  vault_id: string;
  vault_name: string;
  /** GB. */
  vault_size: number;
  /** MB. */
  vault_used: number;
  /** GB. */
  vault_allocated: number;
  vault_charging_mode: string;
  vault_status: string;
  /** Empty or absent: no backup policy bound. */
  backup_policy_id?: string;
  backup_policy_name?: string;
  backup_policy_enabled?: boolean;
  /** Servers bound to the vault. */
  resources_num: number;
}

/** The record type of each source's listing. */
interface VaultRecords {
  cbr: CbrVaultRecord;
  hss: HssVaultRecord;
}
/** A source missing from VaultRecords is a compile error here (it cannot index it). */
export type VaultRecordOf = { [S in Source]: VaultRecords[S] };

/** One project's vaults, per source, in the order the simulated APIs list them. */
export type ProjectFleet = { projectId: string } & { [S in Source]: VaultRecordOf[S][] };

/** The ID a listing knows a record by (undefined for malformed records that lack one). */
export function recordId(source: Source, record: VaultRecordOf[Source]): string | undefined {
  const id: unknown = (record as unknown as Record<string, unknown>)[SIM_SOURCES[source].idKey];
  return typeof id === 'string' ? id : undefined;
}
