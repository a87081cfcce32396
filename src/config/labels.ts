import { z } from 'zod';

/**
 * `labels:` of a target or a discover entry: added to every series about its vaults and its pairs. The names the
 * exporter writes itself are refused, since a series would carry one of them twice (invalid exposition) or an
 * operator's label would stand in for the exporter's. test/config/labels.test.ts checks this table against every
 * label the exporter writes.
 */
export const EXPORTER_LABELS = [
  // identity of every vault series and of a pair's own figures
  'project_id', 'region', 'vault_id', 'vault_name', 'source',
  // the vault families' own labels
  'status', 'reason', 'object_type', 'protect_type', 'charging_mode', 'cloud_type', 'spec_code', 'consistent_level',
  'auto_bind', 'auto_expand', 'backup_policy_id', 'backup_policy_name',
  'enterprise_project_id', 'availability_zone', 'is_multi_az', 'sys_lock_source_service', 'frozen_scene',
  'resource_id', 'resource_name', 'resource_type', 'protect_status',
  // the exporter's own series
  'code', 'discovery', 'origin', 'version', 'nodejs_version',
] as const;

/** `__` is Prometheus's own; `tag_` holds the vaults' resource tags, one label per tag key. */
export const RESERVED_LABEL_PREFIXES = ['__', 'tag_'] as const;

/** Prometheus sets these on every scraped series: an exported one would be renamed exported_job / exported_instance. */
const TARGET_LABELS = ['job', 'instance'];

/** Prometheus's label name rule (before UTF-8 names, which most tools do not read yet). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Why `name` cannot be an extra label, or undefined when it can. */
export function labelNameProblem(name: string): string | undefined {
  if (!LABEL_NAME.test(name)) return 'not a Prometheus label name (letters, digits and _, not starting with a digit)';
  const prefix = RESERVED_LABEL_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `names starting with ${prefix} are reserved${prefix === 'tag_' ? ' for vault tags' : ' by Prometheus'}`;
  if ((EXPORTER_LABELS as readonly string[]).includes(name)) return 'the exporter writes this label itself';
  if (TARGET_LABELS.includes(name)) return 'Prometheus sets this label on every scraped series';
  return undefined;
}

export { sortedLabels, type ExtraLabelList } from './label-list.js';

export const labelsSchema = z.record(z.string(), z.string().min(1, { message: 'an empty value is no label (Prometheus drops it)' })).superRefine((labels, ctx) => {
  for (const name of Object.keys(labels)) {
    const problem = labelNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: `${problem}` });
  }
});
