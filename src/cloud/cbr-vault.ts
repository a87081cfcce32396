import { FieldReader, GIB, isRecord, MIB } from './record-fields.js';

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
}

export type Parsed<T> = { vault: T; invalidFields: number } | { vault: undefined; invalidFields: number };

/** Validates one record of the `vaults` array; a record without a string id cannot be a series and is dropped. */
export function parseCbrVault(raw: unknown): Parsed<CbrVault> {
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '') return { vault: undefined, invalidFields: 1 };
  const read = new FieldReader();
  const billing = read.object(raw, 'billing');
  const resources = Array.isArray(raw.resources) ? raw.resources.length : (read.invalid++, undefined);
  const vault: CbrVault = {
    id: raw.id,
    name: read.text(raw, 'name') ?? '',
    sizeGb: read.count(billing, 'size', GIB),
    usedMb: read.count(billing, 'used', MIB),
    allocatedGb: read.count(billing, 'allocated', GIB),
    resources,
    status: read.text(billing, 'status'),
    objectType: read.label(billing, 'object_type'),
    protectType: read.label(billing, 'protect_type'),
    chargingMode: read.label(billing, 'charging_mode'),
    cloudType: read.label(billing, 'cloud_type'),
    specCode: read.label(billing, 'spec_code'),
    consistentLevel: read.label(billing, 'consistent_level'),
    autoBind: read.flag(raw, 'auto_bind'),
    autoExpand: read.flag(raw, 'auto_expand'),
  };
  return { vault, invalidFields: read.invalid };
}
