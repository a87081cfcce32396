/**
 * Deterministic generated fleets: the same (projectId, counts, seed, malformed) always gives the same
 * records, and a smaller fleet is a prefix of a larger one. Different project IDs give different IDs.
 *
 * CBR head (index: state), then a random tail (mostly available, every tail vault below 80 % used):
 *   0 available server, empty (used 0, no resources)   5 deleting turbo
 *   1 available server, 90 % used (used/size = 0.9)    6 error disk
 *   2 available server pre_paid, 100 % used (full)     7 "creating" server (a status the page does not list)
 *   3 lock server, name `备份-vault "prod" \ 1`        8 available disk replication, name `vault "quoted" ünïcode`
 *   4 frozen disk pre_paid (frozen_scene ARREAR)       9 available turbo, 97 % used, name `C:\backups\vault-é`
 * and their facts (head default: threshold 80, smn_notify true, locked false, auto_expand false):
 *   0 tags: none                                       6 2 resources: one protect_status error (5 backups), one fine
 *   1 tags env=prod team=storage; 3 resources, the     8 threshold 50 (60 % used: above its own threshold)
 *     second never backed up (backup_count 0)          9 auto_expand, threshold 90 (full, but it expands)
 *   2 tags env=prod team=db cost-center=cc-1024
 *   3 locked; tag team with the empty value
 *   4 smn_notify false; tag env=test
 * Tail vaults draw theirs: threshold 80 or 90 (never below their fill), smn_notify mostly true, a few locked,
 * tags from env/team/cost-center, resources with 0–30 backups (some never backed up) and protect_status
 * mostly available (some protecting or error).
 *
 * HSS head, each ineligible vault failing exactly one of the HSS page's four bind rules:
 *   0 eligible               = CBR 0         5 no policy: backup_policy_* absent           (HSS-only)
 *   1 policy disabled        = CBR 1         6 resources_num 256                            (HSS-only)
 *   2 full (used MB·2^20 ≥ size GB·2^30) = CBR 2   7 eligible, pre_paid                  (HSS-only)
 *   3 not available (lock)   = CBR 3         8 eligible, name `勒索防护 "hss" \ vault-ß`   (HSS-only)
 *   4 no policy: backup_policy_id "" and backup_policy_name ""                          (HSS-only)
 * "= CBR n" means the same vault_id, name, sizes and status as CBR vault n (when the fleet has n + 1 CBR
 * vaults; otherwise an HSS-only vault in the same state). HSS tail: four slots in five are CBR tail
 * server backup vaults, the fifth HSS-only; policies mostly enabled, some disabled, empty or absent.
 *
 * `cbrHybridVaults` hybrid-cloud vaults (cloud_type hybrid, VMware or file) follow the public ones; the
 * CBR list shows them only to `cloud_type=hybrid`.
 *
 * `malformed: true` inserts the CBR_DEFECTS records right after the CBR head (at index min(10, cbrVaults))
 * and the HSS_DEFECTS records right after the HSS head (at min(9, hssVaults)), named `malformed-<defect>`
 * (see malformed.ts); `cbrVaults` and `hssVaults` count only the well-formed records.
 */
import { asHybridVault, buildCbrVault, cbrShapeAt, CBR_HEAD_LENGTH, randomCbrShape, type CbrProject } from './cbr-fleet.js';
import { generateHssVaults, HSS_HEAD_LENGTH, randomHssVault } from './hss-fleet.js';
import { CBR_DEFECTS, HSS_DEFECTS, malformedCbrVaults, malformedHssVaults } from './malformed.js';
import { hashText, mixSeed, Random, serialUuid } from './random.js';
import type { CbrVaultRecord, ProjectFleet, VaultRecordOf, Source } from './records.js';

export type * from './records.js';
export { recordId } from './records.js';
export { CBR_DEFECTS, HSS_DEFECTS } from './malformed.js';
export { ODD_VAULT_NAMES } from './cbr-fleet.js';
export { ODD_HSS_VAULT_NAME } from './hss-fleet.js';

export interface FleetOptions {
  projectId: string;
  cbrVaults: number;
  hssVaults: number;
  /** Hybrid-cloud CBR vaults after the public ones (default 0). */
  cbrHybridVaults?: number;
  /** Default 1. */
  seed?: number;
  malformed?: boolean;
}

// Independent random streams, so that one kind of record never shifts another.
const STREAM = { project: 1, cbr: 2, hss: 3, malformedCbr: 4, malformedHss: 5, inserted: 6, hybrid: 7 } as const;

/** `record` with an id unique in its fleet (see serialUuid). */
function withSerialId(record: CbrVaultRecord, stream: number, index: number): CbrVaultRecord {
  record.id = serialUuid(record.id, stream, index);
  return record;
}

function projectOf(projectId: string): CbrProject {
  return { projectId, userId: new Random(mixSeed(hashText(projectId), STREAM.project)).hex(32) };
}

export function generateFleet(options: FleetOptions): ProjectFleet {
  const { projectId, cbrVaults, hssVaults, cbrHybridVaults = 0, seed = 1, malformed = false } = options;
  for (const [key, count] of [['cbrVaults', cbrVaults], ['hssVaults', hssVaults], ['cbrHybridVaults', cbrHybridVaults]] as const) {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`generateFleet: ${key} must be a whole number ≥ 0, got ${count}`);
  }
  const base = mixSeed(hashText(projectId), seed);
  const randomAt = (stream: number, index: number): Random => new Random(mixSeed(base, stream, index));
  const project = projectOf(projectId);

  const cbr = Array.from({ length: cbrVaults }, (_, index) => {
    const random = randomAt(STREAM.cbr, index);
    return withSerialId(buildCbrVault(random, project, cbrShapeAt(index, random)), STREAM.cbr, index);
  });
  const cbrIds = new Set(cbr.map((record) => record.id));
  const hss = generateHssVaults(cbr, hssVaults, (index) => randomAt(STREAM.hss, index));
  // HSS twins of CBR vaults keep the CBR id; the HSS-only ones get their own.
  hss.forEach((record, index) => {
    if (!cbrIds.has(record.vault_id)) record.vault_id = serialUuid(record.vault_id, STREAM.hss, index);
  });
  for (let index = 0; index < cbrHybridVaults; index++) {
    const random = randomAt(STREAM.hybrid, index);
    const record = buildCbrVault(random, project, randomCbrShape(random, `hybrid-vault-${String(index).padStart(4, '0')}`));
    cbr.push(asHybridVault(withSerialId(record, STREAM.hybrid, index), random));
  }

  if (malformed) {
    const badCbr = malformedCbrVaults((defect) => {
      const index = CBR_DEFECTS.indexOf(defect);
      const random = randomAt(STREAM.malformedCbr, index);
      return withSerialId(buildCbrVault(random, project, randomCbrShape(random, `malformed-${defect}`)), STREAM.malformedCbr, index);
    });
    const badHss = malformedHssVaults((defect) => {
      const index = HSS_DEFECTS.indexOf(defect);
      const record = randomHssVault(randomAt(STREAM.malformedHss, index), index);
      return { ...record, vault_id: serialUuid(record.vault_id, STREAM.malformedHss, index), vault_name: `malformed-${defect}` };
    });
    cbr.splice(Math.min(CBR_HEAD_LENGTH, cbr.length), 0, ...badCbr);
    hss.splice(Math.min(HSS_HEAD_LENGTH, hss.length), 0, ...badHss);
  }
  return { projectId, cbr, hss };
}

/** How each source makes a new well-formed vault: a source missing here is a compile error. */
const INSERTED_VAULT: { [S in Source]: (random: Random, projectId: string, name: string, serial: number) => VaultRecordOf[S] } = {
  cbr: (random, projectId, name, serial) => withSerialId(buildCbrVault(random, projectOf(projectId), randomCbrShape(random, name)), STREAM.inserted, serial),
  hss: (random, _projectId, name, serial) => {
    const hss = randomHssVault(random, serial);
    return { ...hss, vault_id: serialUuid(hss.vault_id, STREAM.inserted, serial), vault_name: name };
  },
};

/** A new well-formed vault named `inserted-vault-<serial>`, for fleets that change while being listed. */
export function generateInsertedVault<S extends Source>(projectId: string, source: S, serial: number): VaultRecordOf[S] {
  const random = new Random(mixSeed(hashText(projectId), STREAM.inserted, serial));
  return INSERTED_VAULT[source](random, projectId, `inserted-vault-${serial}`, serial);
}
