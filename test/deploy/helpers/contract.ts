/** The exporter's metric contract (the brief of this deploy work); names are exact. */
export const VAULT_LABELS = ['project_id', 'region', 'vault_id', 'vault_name'] as const;

export const CBR_VAULT_METRICS = [
  'huaweicloud_cbr_vault_size_bytes',
  'huaweicloud_cbr_vault_used_bytes',
  'huaweicloud_cbr_vault_allocated_bytes',
  'huaweicloud_cbr_vault_resources',
  'huaweicloud_cbr_vault_status',
  'huaweicloud_cbr_vault_info',
  'huaweicloud_cbr_vault_capacity_alarm_threshold_ratio',
  'huaweicloud_cbr_vault_smn_notify',
  'huaweicloud_cbr_vault_locked',
  // Behind export.tags and export.resources (the demo exports both).
  'huaweicloud_cbr_vault_tags',
  'huaweicloud_cbr_vault_resource_info',
  'huaweicloud_cbr_vault_resource_backups',
  'huaweicloud_cbr_vault_resource_backup_size_bytes',
  'huaweicloud_cbr_vault_resource_allocated_bytes',
] as const;

export const HSS_VAULT_METRICS = [
  'huaweicloud_hss_vault_size_bytes',
  'huaweicloud_hss_vault_used_bytes',
  'huaweicloud_hss_vault_allocated_bytes',
  'huaweicloud_hss_vault_bound_servers',
  'huaweicloud_hss_vault_status',
  'huaweicloud_hss_vault_backup_policy_enabled',
  'huaweicloud_hss_vault_info',
  'huaweicloud_hss_vault_bind_eligible',
  'huaweicloud_hss_vault_bind_blocked',
] as const;

export const BIND_BLOCKED_REASONS = ['vault_unavailable', 'policy_unbound', 'policy_disabled', 'capacity_full', 'server_limit'] as const;

export const EXPORTER_METRICS = [
  'huaweicloud_vault_exporter_source_up',
  'huaweicloud_vault_exporter_last_success_timestamp_seconds',
  'huaweicloud_vault_exporter_refresh_duration_seconds',
  'huaweicloud_vault_exporter_vaults',
  'huaweicloud_vault_exporter_api_requests_total',
  'huaweicloud_vault_exporter_refresh_interval_seconds',
  'huaweicloud_vault_exporter_config_last_reload_successful',
  'huaweicloud_vault_exporter_web_config_last_reload_successful',
  'huaweicloud_vault_exporter_build_info',
] as const;

export const CONTRACT_METRICS: readonly string[] = [...CBR_VAULT_METRICS, ...HSS_VAULT_METRICS, ...EXPORTER_METRICS];

/** Alert names are a contract too: dashboards, silences and routes refer to them. */
export const ALERT_NAMES = [
  'HuaweiCloudVaultNearFull',
  'HuaweiCloudVaultFull',
  'HuaweiCloudVaultFillingUp',
  'HuaweiCloudVaultWillExpand',
  'HuaweiCloudVaultResourceUnprotected',
  'HuaweiCloudHssVaultBindIneligible',
  'HuaweiCloudVaultStatusAbnormal',
  'HuaweiCloudVaultExporterSourceDown',
  'HuaweiCloudVaultExporterStale',
  'HuaweiCloudVaultExporterThrottled',
  'HuaweiCloudVaultExporterConfigReloadFailed',
  'HuaweiCloudVaultExporterDown',
] as const;

/** The scrape job name the alerts assume. */
export const JOB_NAME = 'huaweicloud-vault-exporter';

const NAME_MATCHER = /__name__\s*=~\s*"([^"]*)"/g;
const METRIC = /\bhuaweicloud[_:][a-z0-9_:]+/g;

/** Metric names that a PromQL text (or an annotation template) selects; `__name__` regexes apart. */
export function metricNames(text: string): string[] {
  return [...new Set(text.replace(NAME_MATCHER, '').match(METRIC) ?? [])];
}

/** The `__name__=~"..."` regexes of a PromQL text, as anchored RegExps. */
export function nameRegexes(text: string): RegExp[] {
  return [...text.matchAll(NAME_MATCHER)].map((m) => new RegExp(`^(?:${m[1]})$`));
}
