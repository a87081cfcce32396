/**
 * Sizes as Prometheus writes them (`body_size_limit: 10MB`): an integer and a unit, base 2 as Prometheus
 * reads them (KB = KiB = 1024 B), or a bare number of bytes.
 */
const UNITS: Record<string, number> = {
  B: 1,
  KB: 2 ** 10,
  KIB: 2 ** 10,
  MB: 2 ** 20,
  MIB: 2 ** 20,
  GB: 2 ** 30,
  GIB: 2 ** 30,
};

/** Bytes of `text` (`512KB`, `32MiB`, `1GB`, `4096`), or undefined when it is not a size. */
export function parseByteSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : undefined;
  const match = /^(\d+)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS[(match[2] || 'B').toUpperCase()];
  const bytes = unit === undefined ? NaN : Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** The shortest exact spelling of a byte count, for messages and docs. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
