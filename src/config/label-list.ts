/** Extra labels in output order (by name), as every consumer writes them. Without zod: the refresh worker reads it. */
export type ExtraLabelList = readonly (readonly [string, string])[];

export function sortedLabels(labels: Readonly<Record<string, string>>): ExtraLabelList {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
