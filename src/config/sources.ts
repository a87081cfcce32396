/**
 * The vault list APIs the exporter reads, each a "source". This table is the one place they are named: every
 * other table about sources (the clouds' hosts, the API clients in cloud/vault-apis.ts, the metric families in
 * metrics/source-families.ts, the simulator's fleets) is keyed by Source, so a source missing from any of them
 * is a compile error. Adding an API is a row here, its client, its families and its simulated fleet.
 */
export const SOURCE_ROWS = {
  cbr: { title: 'CBR vault list' },
  hss: { title: 'HSS ransomware vault list' },
} as const satisfies Record<string, { title: string }>;

export type Source = keyof typeof SOURCE_ROWS;
/** In output order: the metric families of the first source come first. */
export const SOURCES = Object.keys(SOURCE_ROWS) as [Source, ...Source[]];

/** One value per source, e.g. a target's endpoints. */
export type PerSource<T> = { [S in Source]: T };
