/**
 * The Prometheus text format 0.0.4, written the way prom-client 15 writes it (registry.js), so that the
 * pre-rendered vault families are byte-identical to what prom-client would produce for the same series.
 */

/** HELP text and label values: backslash and newline escaped (prom-client's escapeString). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value: as HELP, plus the double quote. */
export function escapeLabelValue(text: string): string {
  return escapeHelp(text).replace(/"/g, '\\"');
}

/** prom-client's getValueAsString, including its 'Nan' spelling. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return String(value);
}

/** `name="value",...` for label pairs in the given order (no braces). */
export function formatLabelPairs(pairs: readonly (readonly [string, string])[]): string {
  let out = '';
  for (const [name, value] of pairs) out += `${out ? ',' : ''}${name}="${escapeLabelValue(value)}"`;
  return out;
}

/** `pairs` as they follow other labels inside the braces: `,a="1",b="2"`, or nothing for none. */
export function labelsAfter(pairs: readonly (readonly [string, string])[]): string {
  return pairs.length ? `,${formatLabelPairs(pairs)}` : '';
}

export function familyHeader(name: string, help: string, type: 'gauge' | 'counter'): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}`;
}
