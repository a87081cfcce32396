import type { Random } from './random.js';
import type { CbrResource, CbrTag, CbrVaultRecord } from './records.js';

export type CbrObjectType = 'server' | 'disk' | 'turbo';

/** What a generated vault must be; everything else about it is drawn from its Random. */
export interface CbrShape {
  name: string;
  status: string;
  objectType: CbrObjectType;
  protectType: 'backup' | 'replication';
  chargingMode: 'post_paid' | 'pre_paid';
  /** used / size, in bytes. */
  fill: number;
  resourceCount: number;
  /** Head vaults only: facts fixed over the drawn ones (see CbrHeadFacts). */
  facts?: CbrHeadFacts;
}

/**
 * What a head vault has for certain, so that alerts and tests can rely on it; tail vaults draw all of it.
 * `resources[i]` is laid over the i-th drawn resource (a resource never backed up, one in error).
 */
export interface CbrHeadFacts {
  threshold?: number;
  autoExpand?: boolean;
  locked?: boolean;
  smnNotify?: boolean;
  tags?: CbrTag[];
  resources?: Partial<CbrResource>[];
}

/** The project-wide values every vault of a project shares. */
export interface CbrProject {
  projectId: string;
  userId: string;
}

/** Names the API reference forbids, which an exporter still has to escape in label values. */
export const ODD_VAULT_NAMES = ['备份-vault "prod" \\ 1', 'vault "quoted" ünïcode', 'C:\\backups\\vault-é'] as const;

const SIZES_GB = [10, 20, 40, 50, 100, 200, 500, 1000, 2048, 4096, 10240] as const;
const RESOURCE_SIZES_GB = [10, 40, 100, 200, 500] as const;
// Only the server provider ID appears in the reference; the others are fixed stand-ins.
const PROVIDER_IDS: Record<CbrObjectType, string> = {
  server: '0daac4c5-6707-4851-97ba-169e36266b66',
  disk: 'd1603440-187d-4516-af25-121250c7cc97',
  turbo: '7dd89046-8bd8-4d61-9ff7-c1d56d4d1b73',
};
const SPEC_KIND: Record<CbrObjectType, string> = { server: 'server', disk: 'volume', turbo: 'turbo' };
const RESOURCE_NAME: Record<CbrObjectType, string> = { server: 'ecs', disk: 'volume', turbo: 'sfs-turbo' };
const TAG_CHOICES: readonly CbrTag[] = [
  { key: 'env', value: 'prod' },
  { key: 'env', value: 'test' },
  { key: 'team', value: 'storage' },
  { key: 'cost-center', value: 'cc-1024' },
];
const AVAILABILITY_ZONES = ['az1', 'az2', 'az3'] as const;
const CREATED_FROM_MS = Date.UTC(2020, 0, 1);
const CREATED_SPAN_MS = 5 * 365 * 24 * 3600_000;

function vaultName(index: number): string {
  return `vault-${String(index).padStart(4, '0')}`;
}

// The fixed head of every CBR fleet (the table is in fleet.ts); unlisted fields take HEAD_DEFAULTS, unlisted
// facts HEAD_FACTS.
const HEAD_DEFAULTS = { status: 'available', objectType: 'server', protectType: 'backup', chargingMode: 'post_paid', fill: 0 } as const;
const HEAD_FACTS = { threshold: 80, autoExpand: false, locked: false, smnNotify: true } as const;
const CBR_HEAD: readonly Partial<CbrShape>[] = [
  { resourceCount: 0, facts: { tags: [] } },
  {
    fill: 0.9,
    resourceCount: 3,
    facts: {
      tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'storage' }],
      resources: [{ protect_status: 'available', backup_count: 14 }, { protect_status: 'available', backup_count: 0, backup_size: 0 }, { protect_status: 'available', backup_count: 3 }],
    },
  },
  { fill: 1, chargingMode: 'pre_paid', facts: { tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'db' }, { key: 'cost-center', value: 'cc-1024' }] } },
  { status: 'lock', fill: 0.3, name: ODD_VAULT_NAMES[0], facts: { locked: true, tags: [{ key: 'team', value: '' }] } },
  { status: 'frozen', objectType: 'disk', chargingMode: 'pre_paid', fill: 0.5, facts: { smnNotify: false, tags: [{ key: 'env', value: 'test' }] } },
  { status: 'deleting', objectType: 'turbo', fill: 0.1 },
  {
    status: 'error',
    objectType: 'disk',
    fill: 0.2,
    resourceCount: 2,
    facts: { resources: [{ protect_status: 'error', backup_count: 5 }, { protect_status: 'available', backup_count: 2 }] },
  },
  { status: 'creating' },
  { objectType: 'disk', protectType: 'replication', fill: 0.6, name: ODD_VAULT_NAMES[1], facts: { threshold: 50 } },
  { objectType: 'turbo', fill: 0.97, name: ODD_VAULT_NAMES[2], facts: { autoExpand: true, threshold: 90 } },
];
export const CBR_HEAD_LENGTH = CBR_HEAD.length;

/** The shape of the vault at `index`: fixed for the head, drawn from `random` for the tail. */
export function cbrShapeAt(index: number, random: Random): CbrShape {
  const head = CBR_HEAD[index];
  if (!head) return randomCbrShape(random, vaultName(index));
  return { ...HEAD_DEFAULTS, name: vaultName(index), resourceCount: random.int(1, 4), ...head, facts: { ...HEAD_FACTS, ...head.facts } };
}

/** A vault of the random tail: mostly available, never above 80 % used (alerts come only from the head). */
export function randomCbrShape(random: Random, name: string): CbrShape {
  return {
    name,
    status: random.weighted([
      ['available', 85],
      ['lock', 4],
      ['frozen', 3],
      ['deleting', 3],
      ['error', 4],
      ['creating', 1],
    ] as const),
    objectType: random.weighted([
      ['server', 50],
      ['disk', 35],
      ['turbo', 15],
    ] as const),
    protectType: random.chance(0.15) ? 'replication' : 'backup',
    chargingMode: random.chance(0.25) ? 'pre_paid' : 'post_paid',
    fill: random.chance(0.15) ? 0 : random.next() * 0.8,
    resourceCount: random.int(0, 6),
  };
}

function resourceOf(random: Random, objectType: CbrObjectType): CbrResource {
  const size = random.pick(RESOURCE_SIZES_GB);
  const type =
    objectType === 'disk'
      ? 'OS::Cinder::Volume'
      : objectType === 'turbo'
        ? 'OS::Sfs::Turbo'
        : random.chance(0.1)
          ? 'OS::Ironic::BareMetalServer'
          : 'OS::Nova::Server';
  return {
    id: random.uuid(),
    name: `${RESOURCE_NAME[objectType]}-${random.hex(4)}`,
    protect_status: random.weighted([
      ['available', 90],
      ['protecting', 5],
      ['error', 5],
    ] as const),
    size,
    type,
    backup_size: random.int(0, size),
    backup_count: random.int(0, 30),
  };
}

function tagsOf(random: Random): CbrTag[] {
  const count = random.int(0, 2);
  const tags: CbrTag[] = [];
  for (const tag of TAG_CHOICES) if (tags.length < count && !tags.some((t) => t.key === tag.key) && random.chance(0.5)) tags.push({ ...tag });
  return tags;
}

/** A complete vault record in the documented shape: sizes and allocated in GB, used in MB. */
export function buildCbrVault(random: Random, project: CbrProject, shape: CbrShape): CbrVaultRecord {
  const size = random.pick(SIZES_GB);
  const resources = Array.from({ length: shape.resourceCount }, () => resourceOf(random, shape.objectType));
  const prePaid = shape.chargingMode === 'pre_paid';
  const autoBind = random.chance(0.2);
  const record: Omit<CbrVaultRecord, SettingKey> = {
    id: random.uuid(),
    name: shape.name,
    resources,
    provider_id: PROVIDER_IDS[shape.objectType],
    created_at: new Date(CREATED_FROM_MS + Math.floor(random.next() * CREATED_SPAN_MS)).toISOString().replace('Z', '+00:00'),
    project_id: project.projectId,
    // The example response has the number 0 (the default enterprise project); real ones also carry UUIDs.
    enterprise_project_id: random.chance(0.7) ? 0 : random.uuid(),
    auto_bind: autoBind,
    bind_rules: autoBind ? { tags: [{ key: 'backup', value: 'daily' }] } : {},
    auto_expand: !prePaid && random.chance(0.3),
    user_id: project.userId,
    billing: {
      allocated: resources.reduce((sum, resource) => sum + resource.size, 0),
      cloud_type: 'public',
      consistent_level: shape.objectType === 'server' && random.chance(0.3) ? 'app_consistent' : 'crash_consistent',
      charging_mode: shape.chargingMode,
      protect_type: shape.protectType,
      object_type: shape.objectType,
      // The reference lists the backup codes; replication vaults carry the replication variant.
      spec_code: `vault.${shape.protectType}.${SPEC_KIND[shape.objectType]}.normal`,
      used: Math.round(size * 1024 * shape.fill),
      status: shape.status,
      size,
      storage_unit: random.chance(0.8) ? `cbr-${random.hex(12)}` : '',
    },
    tags: tagsOf(random),
    sys_lock_source_service: random.chance(0.05) ? 'SMB' : '',
  };
  if (random.chance(0.5)) record.description = `backups of ${shape.objectType} resources`;
  if (prePaid) {
    record.billing.order_id = `CS${random.hex(16).toUpperCase()}`;
    record.billing.product_id = random.hex(32);
  }
  if (shape.status === 'frozen') record.billing.frozen_scene = 'ARREAR';
  const vault = Object.assign(record, settingsOf(random));
  if (shape.facts) applyFacts(vault, shape.facts);
  return vault;
}

type SettingKey = 'threshold' | 'smn_notify' | 'locked' | 'availability_zone' | 'is_multi_az';

/** Drawn after everything else, so that adding them changed no earlier draw of any fleet. */
function settingsOf(random: Random): Pick<CbrVaultRecord, SettingKey> {
  // Never below the tail's fill (< 80 %): tail vaults raise no capacity alert.
  const threshold = random.chance(0.85) ? 80 : 90;
  const smnNotify = random.chance(0.9);
  const locked = random.chance(0.03);
  const multiAz = random.chance(0.2);
  return { threshold, smn_notify: smnNotify, locked, availability_zone: multiAz ? '' : random.pick(AVAILABILITY_ZONES), is_multi_az: multiAz };
}

function applyFacts(record: CbrVaultRecord, facts: CbrHeadFacts): void {
  if (facts.threshold !== undefined) record.threshold = facts.threshold;
  if (facts.autoExpand !== undefined) record.auto_expand = facts.autoExpand;
  if (facts.locked !== undefined) record.locked = facts.locked;
  if (facts.smnNotify !== undefined) record.smn_notify = facts.smnNotify;
  if (facts.tags) record.tags = facts.tags.map((tag) => ({ ...tag }));
  facts.resources?.forEach((fixed, i) => Object.assign(record.resources[i] as CbrResource, fixed));
}

/** A hybrid-cloud vault (VMware or on-premises file backup): listed only with `cloud_type=hybrid`. */
export function asHybridVault(record: CbrVaultRecord, random: Random): CbrVaultRecord {
  const objectType = random.chance(0.5) ? 'vmware' : 'file';
  return {
    ...record,
    resources: [],
    billing: { ...record.billing, cloud_type: 'hybrid', object_type: objectType, spec_code: `vault.hybrid.${objectType === 'vmware' ? 'server' : 'file'}.normal`, allocated: 0 },
  };
}
