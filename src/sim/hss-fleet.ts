import { CBR_HEAD_LENGTH } from './cbr-fleet.js';
import type { Random } from './random.js';
import type { CbrVaultRecord, HssVaultRecord } from './records.js';

/** How a vault's backup policy shows in the listing. */
export type HssPolicyState = 'enabled' | 'disabled' | 'empty_id' | 'absent';

/** An HSS record without its policy: copied from a CBR vault or drawn for an HSS-only one. */
type HssBase = Omit<HssVaultRecord, 'backup_policy_id' | 'backup_policy_name' | 'backup_policy_enabled'>;

interface HssHeadSlot {
  /** The CBR vault this one is, when the fleet has it; else an HSS-only vault with the same state. */
  cbrIndex?: number;
  status: string;
  fill: number;
  policy: HssPolicyState;
  resourcesNum?: number;
  chargingMode?: string;
  name?: string;
}

export const ODD_HSS_VAULT_NAME = '勒索防护 "hss" \\ vault-ß';

// The fixed head of every HSS fleet; each ineligible slot breaks exactly one of the page's four rules.
const HSS_HEAD: readonly HssHeadSlot[] = [
  { cbrIndex: 0, status: 'available', fill: 0, policy: 'enabled' },
  { cbrIndex: 1, status: 'available', fill: 0.9, policy: 'disabled' },
  { cbrIndex: 2, status: 'available', fill: 1, policy: 'enabled' },
  { cbrIndex: 3, status: 'lock', fill: 0.3, policy: 'enabled' },
  { status: 'available', fill: 0.2, policy: 'empty_id' },
  { status: 'available', fill: 0.2, policy: 'absent' },
  { status: 'available', fill: 0.3, policy: 'enabled', resourcesNum: 256 },
  { status: 'available', fill: 0.5, policy: 'enabled', chargingMode: 'pre_paid' },
  { status: 'available', fill: 0.1, policy: 'enabled', name: ODD_HSS_VAULT_NAME },
];
export const HSS_HEAD_LENGTH = HSS_HEAD.length;

const SIZES_GB = [40, 100, 200, 500, 1000, 2048, 5120] as const;

function fromCbr(vault: CbrVaultRecord): HssBase {
  return {
    vault_id: vault.id,
    vault_name: vault.name,
    vault_size: vault.billing.size,
    vault_used: vault.billing.used,
    vault_allocated: vault.billing.allocated,
    vault_charging_mode: vault.billing.charging_mode,
    vault_status: vault.billing.status,
    resources_num: vault.resources.length,
  };
}

function hssOnly(random: Random, index: number, slot: Omit<HssHeadSlot, 'policy' | 'cbrIndex'>): HssBase {
  const size = random.pick(SIZES_GB);
  return {
    vault_id: random.uuid(),
    vault_name: slot.name ?? `hss-vault-${String(index).padStart(4, '0')}`,
    vault_size: size,
    vault_used: Math.round(size * 1024 * slot.fill),
    vault_allocated: random.int(0, size),
    vault_charging_mode: slot.chargingMode ?? 'post_paid',
    vault_status: slot.status,
    resources_num: slot.resourcesNum ?? random.int(1, 40),
  };
}

function withPolicy(random: Random, base: HssBase, policy: HssPolicyState): HssVaultRecord {
  // Built field by field in the reference's order (resources_num last), without spreads: this runs
  // 100,000 times for the benchmark fleet.
  const record: HssVaultRecord = {
    vault_id: base.vault_id,
    vault_name: base.vault_name,
    vault_size: base.vault_size,
    vault_used: base.vault_used,
    vault_allocated: base.vault_allocated,
    vault_charging_mode: base.vault_charging_mode,
    vault_status: base.vault_status,
  } as HssVaultRecord;
  if (policy !== 'absent') {
    const bound = policy !== 'empty_id';
    record.backup_policy_id = bound ? random.uuid() : '';
    record.backup_policy_name = bound ? `policy-${random.hex(4)}` : '';
    record.backup_policy_enabled = policy === 'enabled';
  }
  record.resources_num = base.resources_num;
  return record;
}

function randomPolicy(random: Random): HssPolicyState {
  return random.weighted([
    ['enabled', 80],
    ['disabled', 8],
    ['empty_id', 6],
    ['absent', 6],
  ] as const);
}

/** An HSS-only vault of the random tail (also what page-shift inserts). */
export function randomHssVault(random: Random, index: number): HssVaultRecord {
  const base = hssOnly(random, index, {
    status: random.weighted([
      ['available', 90],
      ['lock', 3],
      ['frozen', 2],
      ['error', 3],
      ['deleting', 2],
    ] as const),
    fill: random.chance(0.15) ? 0 : random.next() * 0.8,
    chargingMode: random.chance(0.25) ? 'pre_paid' : 'post_paid',
  });
  return withPolicy(random, base, randomPolicy(random));
}

/**
 * `count` HSS records for a project whose well-formed CBR vaults are `cbr`. After the head, four slots
 * in five take the next unused CBR server backup vault of the CBR tail, the fifth (and any slot once
 * those run out) is HSS-only. `randomAt(i)` is the record's own generator.
 */
export function generateHssVaults(cbr: readonly CbrVaultRecord[], count: number, randomAt: (index: number) => Random): HssVaultRecord[] {
  const shareable = cbr
    .slice(CBR_HEAD_LENGTH)
    .filter((vault) => vault.billing.object_type === 'server' && vault.billing.protect_type === 'backup');
  let nextShared = 0;
  const out: HssVaultRecord[] = [];
  for (let index = 0; index < count; index++) {
    const random = randomAt(index);
    const slot = HSS_HEAD[index];
    if (slot) {
      const twin = slot.cbrIndex === undefined ? undefined : cbr[slot.cbrIndex];
      out.push(withPolicy(random, twin ? fromCbr(twin) : hssOnly(random, index, slot), slot.policy));
      continue;
    }
    const twin = index % 5 === 0 ? undefined : shareable[nextShared];
    if (twin) {
      nextShared++;
      out.push(withPolicy(random, fromCbr(twin), randomPolicy(random)));
    } else {
      out.push(randomHssVault(random, index));
    }
  }
  return out;
}
