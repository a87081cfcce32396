import type { CbrVaultRecord, HssVaultRecord } from './records.js';

/*
 * Records that break the documented shapes the way real APIs do. They are typed as the documented
 * records only so that they can sit in the same listing; an exporter must skip or survive each one.
 * Each starts as a well-formed vault from `wellFormed(defect)`, so that only the named defect differs.
 */

/** The CBR defects, in fleet order. */
export const CBR_DEFECTS = ['no-id', 'numbers-as-strings', 'negative-size', 'billing-null', 'resources-null'] as const;
/** The HSS defects, in fleet order. */
export const HSS_DEFECTS = ['no-vault-id', 'numbers-as-strings', 'negative-size', 'vault-used-missing'] as const;

export type CbrDefect = (typeof CBR_DEFECTS)[number];
export type HssDefect = (typeof HSS_DEFECTS)[number];

function without(record: object, key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  delete copy[key];
  return copy;
}

function breakCbr(vault: CbrVaultRecord, defect: CbrDefect): unknown {
  switch (defect) {
    case 'no-id':
      return without(vault, 'id');
    case 'numbers-as-strings': {
      const { size, used, allocated } = vault.billing;
      return { ...vault, billing: { ...vault.billing, size: String(size), used: String(used), allocated: String(allocated) } };
    }
    case 'negative-size':
      return { ...vault, billing: { ...vault.billing, size: -100 } };
    case 'billing-null':
      return { ...vault, billing: null };
    case 'resources-null':
      return { ...vault, resources: null };
  }
}

function breakHss(vault: HssVaultRecord, defect: HssDefect): unknown {
  switch (defect) {
    case 'no-vault-id':
      return without(vault, 'vault_id');
    case 'numbers-as-strings':
      return { ...vault, vault_size: String(vault.vault_size), vault_used: String(vault.vault_used) };
    case 'negative-size':
      return { ...vault, vault_size: -100 };
    case 'vault-used-missing':
      return without(vault, 'vault_used');
  }
}

/** One malformed CBR record per CBR_DEFECTS entry, in that order. */
export function malformedCbrVaults(wellFormed: (defect: CbrDefect) => CbrVaultRecord): CbrVaultRecord[] {
  return CBR_DEFECTS.map((defect) => breakCbr(wellFormed(defect), defect) as CbrVaultRecord);
}

/** One malformed HSS record per HSS_DEFECTS entry, in that order. */
export function malformedHssVaults(wellFormed: (defect: HssDefect) => HssVaultRecord): HssVaultRecord[] {
  return HSS_DEFECTS.map((defect) => breakHss(wellFormed(defect), defect) as HssVaultRecord);
}
