/** One printed row: a measurement, what it is compared with, and its target when it has one. */
export interface Row {
  measure: string;
  setting: string;
  value: string;
  reference: string;
  ratio: string;
  target: string;
  result: 'PASS' | 'MISS' | '';
}

const COLUMNS: readonly [keyof Row, string][] = [
  ['measure', 'Measure'],
  ['setting', 'Setting'],
  ['value', 'Value'],
  ['reference', 'Compared with'],
  ['ratio', 'Ratio'],
  ['target', 'Target'],
  ['result', 'Result'],
];

/** PASS when `value` is on the right side of `limit`. */
export function verdict(value: number, op: '<=' | '>=', limit: number): 'PASS' | 'MISS' {
  return (op === '<=' ? value <= limit : value >= limit) ? 'PASS' : 'MISS';
}

export const ms = (value: number): string => (value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`);
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
export const perSecond = (value: number): string => `${value >= 100 ? Math.round(value) : value.toFixed(1)} req/s`;

/** A Markdown table, padded so that it also reads well in a terminal. */
export function markdownTable(rows: readonly Row[]): string {
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((row) => row[key].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(COLUMNS.map(([key]) => row[key]))),
  ].join('\n');
}
