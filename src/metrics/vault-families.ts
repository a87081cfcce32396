import type { CbrVault } from '../cloud/cbr-vault.js';
import type { HssVault } from '../cloud/hss-vault.js';
import type { ExportConfig } from '../config/schema.js';
import { cbrFamilies } from './cbr-families.js';
import type { VaultFamily } from './family.js';
import { HSS_FAMILIES } from './hss-families.js';

/** The vault families of each source under one config, and what tells them apart from another config's. */
export interface VaultFamilies {
  cbr: readonly VaultFamily<CbrVault>[];
  hss: readonly VaultFamily<HssVault>[];
  /**
   * Per source, equal for equal family lists: series rendered under another layout are not reused (their
   * segments would not line up).
   */
  layout: { cbr: string; hss: string };
}

/** A pure function of the config's `export:` block: CBR's families depend on it, HSS's do not. */
export function vaultFamilies(exported: ExportConfig): VaultFamilies {
  return { cbr: cbrFamilies(exported), hss: HSS_FAMILIES, layout: { cbr: JSON.stringify({ tags: exported.tags, resources: exported.resources }), hss: 'fixed' } };
}
