import { readFileSync } from 'node:fs';
import { parseCbrVault } from '../../src/cloud/cbr-vault.js';
import { parseHssVault } from '../../src/cloud/hss-vault.js';
import type { Parsed } from '../../src/cloud/cbr-vault.js';
import { initialStatus, summaryOf, type PairStatus, type VaultSnapshot } from '../../src/collect/snapshot.js';
import { vaultFamilies } from '../../src/metrics/source-families.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { exposeStatuses, pairFor } from './exposition.js';

/** The golden exposition: what the exporter serves for a small fleet in every state, byte for byte. */
export const GOLDEN_FILE = new URL('../fixtures/golden/vaults.prom', import.meta.url);

const TAKEN_AT = Date.UTC(2026, 0, 1);
/** The golden config exports everything (tags, one of two keys that share a label name, and resources), so that every family shows. */
export const GOLDEN_EXPORT = { tags: ['env', 'team', 'cost-center', 'cost_center'], resources: true } as const;
const parseCbr = (raw: unknown) => parseCbrVault(raw, GOLDEN_EXPORT);

function parsedAll<T>(records: readonly unknown[], parse: (raw: unknown) => Parsed<T>): { vaults: T[]; invalidFields: number; invalidRecords: number } {
  const out = { vaults: [] as T[], invalidFields: 0, invalidRecords: 0 };
  for (const record of records) {
    const parsed = parse(record);
    if (parsed.vault === undefined) out.invalidRecords++;
    else {
      out.vaults.push(parsed.vault);
      out.invalidFields += parsed.invalidFields;
    }
  }
  return out;
}

/**
 * Two projects: one with every vault state the generator has and every malformed record, both sources up;
 * the other with CBR failing while it keeps its snapshot, and HSS never refreshed.
 */
export function goldenPairs(): { status: PairStatus; listed?: VaultSnapshot }[] {
  const one = generateFleet({ projectId: 'golden-project-one', cbrVaults: 12, hssVaults: 10, malformed: true });
  const two = generateFleet({ projectId: 'golden-project-two', cbrVaults: 3, hssVaults: 0 });
  const up = (snapshot: VaultSnapshot, counts: { invalidFields: number; invalidRecords: number }): PairStatus => ({
    ...initialStatus(snapshot.pair),
    attempted: true,
    up: true,
    lastSuccess: TAKEN_AT,
    lastDurationMs: 1250,
    snapshot: summaryOf(snapshot),
    ...counts,
  });
  const cbrOne = parsedAll(one.cbr, parseCbr);
  const hssOne = parsedAll(one.hss, parseHssVault);
  const cbrTwo = parsedAll(two.cbr, parseCbr);
  const pairCbrOne = pairFor('cbr', 'golden-project-one', 'ap-southeast-1');
  const pairHssOne = pairFor('hss', 'golden-project-one', 'ap-southeast-1');
  const pairCbrTwo = pairFor('cbr', 'golden-project-two', 'eu-west-101');
  const listed: VaultSnapshot[] = [
    { id: 1, pair: pairCbrOne, source: 'cbr', vaults: cbrOne.vaults, takenAt: TAKEN_AT },
    { id: 2, pair: pairHssOne, source: 'hss', vaults: hssOne.vaults, takenAt: TAKEN_AT },
    { id: 3, pair: pairCbrTwo, source: 'cbr', vaults: cbrTwo.vaults, takenAt: TAKEN_AT },
  ];
  return [
    { status: up(listed[0]!, cbrOne), listed: listed[0] },
    { status: up(listed[1]!, hssOne), listed: listed[1] },
    {
      status: {
        ...up(listed[2]!, cbrTwo),
        up: false,
        lastDurationMs: 30_000,
        lastError: 'GET /v3/golden-project-two/vaults: HTTP 502, APIG.0202, Backend unavailable.',
      },
      listed: listed[2],
    },
    { status: initialStatus(pairFor('hss', 'golden-project-two', 'eu-west-101')) },
  ];
}

export function goldenExposition(): Promise<string> {
  return exposeStatuses(goldenPairs(), vaultFamilies(GOLDEN_EXPORT));
}

/** The metric families the golden file shows, in order (from its `# TYPE` lines). */
export function goldenFamilies(): string[] {
  return readFileSync(GOLDEN_FILE, 'utf8')
    .split('\n')
    .flatMap((line) => (line.startsWith('# TYPE ') ? [line.split(' ')[2] as string] : []));
}
