import { pino } from 'pino';
import { cloudName } from '../config/clouds.js';
import { ConfigError } from '../config/config-error.js';
import { hashmod, NO_SHARD } from '../config/shard.js';
import type { LoadedConfig } from '../config/target-auth.js';
import { describeEndpoints, describeTarget } from '../config/targets.js';
import { createExporterMetrics } from '../metrics/exporter-metrics.js';
import { discoveryLoopOf, servedTargets } from './discovery.js';
import { checkRuntime } from './runtime.js';

/**
 * `--config.check`: reads every file the config names (credentials, CA) as a start would, asks IAM once for each
 * discover entry's projects (the only requests it sends), and prints what the exporter would run: each target's
 * endpoints, what discovery found and skipped, and which shard serves what. Throws ConfigError naming the first
 * problem, a failed discovery included.
 */
export async function checkConfig(origin: string, loaded: LoadedConfig, version: string): Promise<string[]> {
  const { config } = loaded;
  const log = pino({ level: 'silent' });
  const metrics = createExporterMetrics(version);
  checkRuntime(config, loaded.auths);
  const discovery = await discoveryLoopOf(loaded, { log, metrics, counters: new Map(), onChange: () => undefined });
  try {
    await discovery?.discoverOnce();
  } finally {
    await discovery?.stop();
  }
  const shard = config.shard ?? NO_SHARD;
  const shardOf = (projectId: string) => (shard.total > 1 ? ` [shard ${hashmod(projectId, shard.total)}]` : '');
  const pairs = config.targets.reduce((n, t) => n + t.sources.length, 0);
  const entries = config.discover.length ? ` and ${config.discover.length} discover entr${config.discover.length === 1 ? 'y' : 'ies'}` : '';
  const lines = [`${origin}: SUCCESS: ${config.targets.length} target(s), ${pairs} source(s)${entries} to refresh on "${config.refresh.schedule}"`];
  describeEndpoints(config.targets, loaded.auths).forEach((line, i) => lines.push(`  ${line}${shardOf(config.targets[i]!.project_id)}`));
  for (const status of discovery?.statuses() ?? []) {
    const { entry, found } = status;
    if (!status.up) throw new ConfigError(`${origin}: discover[${entry.index}]: discovery failed: ${status.lastError ?? 'no answer'}`);
    const on = cloudName(entry.settings.cloud);
    lines.push(`  discover[${entry.index}]: GET ${status.iam} on ${on}: ${found.targets.length + found.skipped.length} project(s), ${found.targets.length} target(s)`);
    for (const target of found.targets) lines.push(`    ${target.discovered?.name}: ${describeTarget(target, target.auth)}${shardOf(target.project_id)}`);
    for (const { project, reason } of found.skipped) lines.push(`    ${project.name}: project ${project.id} skipped: ${reason.replace('_', ' ')}`);
  }
  const list = servedTargets(loaded, discovery, log);
  for (const { target, listedBy } of list.duplicates) lines.push(`  discover[${target.discovered?.entry}] ${target.discovered?.name}: project ${target.project_id} left out: listed by ${listedBy}`);
  if (shard.total > 1) {
    const all = list.all.static + list.all.discovered;
    lines.push(`  shard ${shard.index}/${shard.total}: serves ${list.targets.length} of ${all} target(s)`);
  }
  return lines;
}
