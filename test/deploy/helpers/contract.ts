import { goldenFamilies } from '../../helpers/golden.js';

/** The exporter's metric contract (the brief of this deploy work); names are exact. */
export const VAULT_LABELS = ['project_id', 'region', 'vault_id', 'vault_name'] as const;

/** The vault families, as the golden exposition shows them (test/fixtures/golden/vaults.prom). */
const VAULT_FAMILIES = goldenFamilies();
export const CBR_VAULT_METRICS: readonly string[] = VAULT_FAMILIES.filter((name) => name.startsWith('huaweicloud_cbr_'));
export const HSS_VAULT_METRICS: readonly string[] = VAULT_FAMILIES.filter((name) => name.startsWith('huaweicloud_hss_'));

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
  'huaweicloud_vault_exporter_discovery_up',
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
  'HuaweiCloudVaultExporterDiscoveryFailing',
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
