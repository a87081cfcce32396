import type { PairStatus } from '../collect/snapshot.js';
import { escapeLabelValue, familyHeader, formatValue, labelsAfter } from './exposition.js';
import { storedSegment, type DeflatedSegment } from './gzip-parts.js';

/** One of the exporter's own families about a pair; published with the pair's vault series, never apart. */
interface PairFigure {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** The figure, or undefined when the pair has none yet (the series is left out, never a made-up 0). */
  value(status: PairStatus): number | undefined;
}

/** The exporter's figures about each pair, in output order. Names and labels are a public contract. */
export const PAIR_FIGURES: readonly PairFigure[] = [
  {
    name: 'huaweicloud_vault_exporter_source_up',
    help: 'Whether the last refresh of this source for this project succeeded (1) or failed (0).',
    type: 'gauge',
    value: (s) => (s.up ? 1 : 0),
  },
  {
    name: 'huaweicloud_vault_exporter_last_success_timestamp_seconds',
    help: 'Unix time of the last successful refresh of this source for this project.',
    type: 'gauge',
    value: (s) => (s.lastSuccess === undefined ? undefined : s.lastSuccess / 1000),
  },
  {
    name: 'huaweicloud_vault_exporter_refresh_duration_seconds',
    help: 'Duration of the last refresh attempt of this source for this project, in seconds.',
    type: 'gauge',
    value: (s) => (s.lastDurationMs === undefined ? undefined : s.lastDurationMs / 1000),
  },
  {
    name: 'huaweicloud_vault_exporter_vaults',
    help: 'Vaults in the published snapshot of this source for this project (0 when none is served).',
    type: 'gauge',
    value: (s) => s.snapshot?.vaults ?? 0,
  },
  {
    name: 'huaweicloud_vault_exporter_unreachable_vaults',
    help: 'Vaults the API reports but its offset cap (HSS: 2,000,000) puts out of reach of paging.',
    type: 'gauge',
    value: (s) => s.unreachable,
  },
  {
    name: 'huaweicloud_vault_exporter_invalid_fields_total',
    help: 'Fields of API vault records that were missing or not of the documented type; their series were left out.',
    type: 'counter',
    value: (s) => s.invalidFields,
  },
  {
    name: 'huaweicloud_vault_exporter_invalid_records_total',
    help: 'API vault records dropped because they had no usable vault id.',
    type: 'counter',
    value: (s) => s.invalidRecords,
  },
  {
    name: 'huaweicloud_vault_exporter_listing_inconsistencies_total',
    help: 'Contradictions between listing pages (vaults repeated on two pages, a non-empty page after a short one) in listings that were still complete and were published.',
    type: 'counter',
    value: (s) => s.listingInconsistencies,
  },
];

/** `# HELP`/`# TYPE` of each figure family, as prom-client writes them (a blank line before each family). */
export function pairFigureHeaders(): DeflatedSegment[] {
  return PAIR_FIGURES.map((figure) => storedSegment(Buffer.from(`\n${familyHeader(figure.name, figure.help, figure.type)}\n`)));
}

/** The sample line of each figure family for one pair, in PAIR_FIGURES order; undefined where it has no value. */
export function renderPairFigures(status: PairStatus): (DeflatedSegment | undefined)[] {
  const { pair } = status;
  const extra = labelsAfter(pair.labels);
  const labels = `{source="${escapeLabelValue(pair.source)}",project_id="${escapeLabelValue(pair.projectId)}",region="${escapeLabelValue(pair.region)}"${extra}}`;
  return PAIR_FIGURES.map((figure) => {
    const value = figure.value(status);
    return value === undefined ? undefined : storedSegment(Buffer.from(`${figure.name}${labels} ${formatValue(value)}\n`));
  });
}
