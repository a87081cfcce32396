import type { VaultIdentity, VaultOf } from '../cloud/vault-apis.js';
import type { Source } from '../config/sources.js';
import { CBR_FAMILIES } from './cbr-families.js';
import type { VaultFamily } from './family.js';
import { HSS_FAMILIES } from './hss-families.js';

/** Each source's metric families, in output order. */
export type SourceFamilies = { [S in Source]: readonly VaultFamily<VaultOf<S>>[] };

/** The families every source exports, keyed by the sources of config/sources.ts: a missing one is a compile error. */
export const SOURCE_FAMILIES: SourceFamilies = {
  cbr: CBR_FAMILIES,
  hss: HSS_FAMILIES,
};

/** A source's families, for code that handles every source alike (rendering, headers). */
export function familiesOf(families: SourceFamilies, source: Source): readonly VaultFamily<VaultIdentity>[] {
  // Each list is of its own source's vault type; callers pair it with that source's vaults only.
  return families[source];
}
