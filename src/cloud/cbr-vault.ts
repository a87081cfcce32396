import { BASE_EXPORT, type ExportConfig } from '../config/export-config.js';
import { readResources, readTagValues, type CbrResource } from './cbr-resource.js';
import { FieldReader, GIB, isRecord, MIB } from './record-fields.js';

export type { CbrResource } from './cbr-resource.js';

/** What the exporter keeps of one CBR vault (GET /v3/{project_id}/vaults): only what it exports. */
export interface CbrVault {
  id: string;
  name: string;
  /** billing.size, GB. */
  sizeGb?: number;
  /** billing.used, MB. */
  usedMb?: number;
  /** billing.allocated, GB. */
  allocatedGb?: number;
  /** Length of `resources`. */
  resources?: number;
  status?: string;
  objectType: string;
  protectType: string;
  chargingMode: string;
  cloudType: string;
  specCode: string;
  consistentLevel: string;
  autoBind: string;
  autoExpand: string;
  enterpriseProjectId: string;
  availabilityZone: string;
  isMultiAz: string;
  sysLockSourceService: string;
  /** billing.frozen_scene. */
  frozenScene: string;
  /** threshold: the console's capacity alarm threshold, percent of size (1–100). */
  alarmThresholdPercent?: number;
  smnNotify?: boolean;
  locked?: boolean;
  /** With export.tags: the value of each exported key, in that order ('' for a tag the vault lacks). */
  tagValues?: readonly string[];
  /** With export.resources: the bound resources. */
  boundResources?: readonly CbrResource[];
}

export type Parsed<T> = { vault: T; invalidFields: number } | { vault: undefined; invalidFields: number };

/**
 * Validates one record of the `vaults` array; a record without a string id cannot be a series and is dropped.
 * Tags and resources are read only when `exported` asks for them: what is not exported is neither kept nor
 * judged.
 */
export function parseCbrVault(raw: unknown, exported: ExportConfig = BASE_EXPORT): Parsed<CbrVault> {
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '') return { vault: undefined, invalidFields: 1 };
  const read = new FieldReader();
  const billing = read.object(raw, 'billing');
  const resources = Array.isArray(raw.resources) ? raw.resources : (read.invalid++, undefined);
  const vault: CbrVault = {
    id: raw.id,
    name: read.text(raw, 'name') ?? '',
    sizeGb: read.count(billing, 'size', GIB),
    usedMb: read.count(billing, 'used', MIB),
    allocatedGb: read.count(billing, 'allocated', GIB),
    resources: resources?.length,
    status: read.text(billing, 'status'),
    objectType: read.label(billing, 'object_type'),
    protectType: read.label(billing, 'protect_type'),
    chargingMode: read.label(billing, 'charging_mode'),
    cloudType: read.label(billing, 'cloud_type'),
    specCode: read.label(billing, 'spec_code'),
    consistentLevel: read.label(billing, 'consistent_level'),
    autoBind: read.flag(raw, 'auto_bind'),
    autoExpand: read.flag(raw, 'auto_expand'),
    enterpriseProjectId: read.idLabel(raw, 'enterprise_project_id'),
    availabilityZone: read.label(raw, 'availability_zone'),
    // Vault-level in the list models; the create models carry it in billing, so either is read.
    isMultiAz: read.flag('is_multi_az' in raw ? raw : billing, 'is_multi_az'),
    sysLockSourceService: read.label(raw, 'sys_lock_source_service'),
    frozenScene: read.label(billing, 'frozen_scene'),
    alarmThresholdPercent: read.optionalNumber(raw, 'threshold', 1, 100),
    smnNotify: read.optionalBoolean(raw, 'smn_notify'),
    locked: read.optionalBoolean(raw, 'locked'),
    tagValues: exported.tags.length ? readTagValues(raw, exported.tags, read) : undefined,
    boundResources: exported.resources && resources ? readResources(resources, read) : undefined,
  };
  return { vault, invalidFields: read.invalid };
}
