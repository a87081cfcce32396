import type { VaultIdentity, VaultOf } from '../cloud/vault-apis.js';
import { BASE_EXPORT, type ExportConfig } from '../config/export-config.js';
import type { PerSource, Source } from '../config/sources.js';
import { cbrFamilies } from './cbr-families.js';
import type { VaultFamily } from './family.js';
import { HSS_FAMILIES } from './hss-families.js';

/** Each source's metric families, in output order. */
export type SourceFamilies = { [S in Source]: readonly VaultFamily<VaultOf<S>>[] };

/** A config's families, and per source what tells them apart from another config's. */
export interface VaultFamilies extends SourceFamilies {
  /**
   * Equal for equal family lists of a source: series rendered under another layout are not reused (their
   * segments would not line up with this config's headers).
   */
  layout: PerSource<string>;
}

/**
 * The families every source exports under a config's `export:` block, keyed by the sources of
 * config/sources.ts (a missing one is a compile error). A pure function: CBR's depend on `export:`.
 */
export function vaultFamilies(exported: ExportConfig): VaultFamilies {
  return {
    cbr: cbrFamilies(exported),
    hss: HSS_FAMILIES,
    layout: { cbr: JSON.stringify({ tags: exported.tags, resources: exported.resources }), hss: 'fixed' },
  };
}

/** What every config without an `export:` block exports. */
export const SOURCE_FAMILIES: VaultFamilies = vaultFamilies(BASE_EXPORT);

/** A source's families, for code that handles every source alike (rendering, headers). */
export function familiesOf(families: SourceFamilies, source: Source): readonly VaultFamily<VaultIdentity>[] {
  // Each list is of its own source's vault type; callers pair it with that source's vaults only.
  return families[source];
}
