#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { ConfigError } from './config/config-error.js';
import type { LoadedConfig } from './config/target-auth.js';
import { loadConfigOffThread } from './daemon/config-thread.js';
import { Daemon } from './daemon/daemon.js';
import { fullGc } from './daemon/release-memory.js';
import { parseFlags, USAGE, UsageError, type Flags } from './flags.js';
import { createLogger } from './log.js';
import { createExporterMetrics } from './metrics/exporter-metrics.js';
import type { WebConfig } from './server/web-config.js';

const SHUTDOWN_GRACE_MS = 4000;
const COMMANDS = `
Commands:
  simulate [<flags>]            Run the simulated Huawei Cloud alone, to try a config on (see simulate --help).
`;

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The config file with its credentials (read off the main thread); --shard wins over its shard:. */
async function loadFromFile(path: string, flags: Flags): Promise<LoadedConfig> {
  const loaded = await loadConfigOffThread(path);
  if (flags.shard) loaded.config.shard = flags.shard;
  return loaded;
}

async function run(flags: Flags, version: string): Promise<number> {
  if (flags.help) {
    process.stdout.write(USAGE + COMMANDS);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`huaweicloud-vault-exporter ${version} (node ${process.version})\n`);
    return 0;
  }
  if (!flags.demo && !flags.configFile) throw new UsageError('--config.file is required (or --demo to run against the built-in simulated cloud)');
  // Loaded only when given: its schema (zod) stays on the main thread, which reloads the file when it changes.
  const webConfig: WebConfig | undefined = flags.webConfigFile ? (await import('./server/web-config.js')).loadWebConfig(flags.webConfigFile) : undefined;
  if (flags.configCheck) {
    if (!flags.configFile) throw new UsageError('--config.check needs --config.file');
    const { checkConfig } = await import('./daemon/config-check.js');
    const lines = await checkConfig(flags.configFile, await loadFromFile(flags.configFile, flags), version);
    process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    return 0;
  }

  const log = createLogger({ level: flags.logLevel, format: flags.logFormat });
  const metrics = createExporterMetrics(version);
  // The demo and the simulator load only when asked for: a production start does not pay for them.
  const demo = flags.demo ? await (await import('./demo.js')).startDemo(flags.demoVaults, log) : undefined;
  const configFile = flags.configFile;
  const initial = demo ?? (await loadFromFile(configFile as string, flags));
  const daemon = new Daemon(
    {
      version,
      telemetryPath: flags.telemetryPath,
      listen: flags.listen,
      webConfig,
      healthWithoutAuth: flags.healthWithoutAuth,
      enableLifecycle: flags.enableLifecycle,
      log,
      metrics,
      loadConfig: configFile && !demo ? () => loadFromFile(configFile, flags) : undefined,
      gc: fullGc(),
    },
    initial,
  );
  await daemon.start();
  if (demo) process.stdout.write(`Demo running: metrics at ${daemon.url}${flags.telemetryPath} (simulated cloud at ${demo.cloud.url}). Ctrl-C stops it.\n`);

  process.on('SIGHUP', () => void daemon.reload());
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      // Past the grace period, leave anyway: an orchestrator's kill would come next.
      setTimeout(() => resolve(0), SHUTDOWN_GRACE_MS + 1000).unref();
      void daemon
        .shutdown(SHUTDOWN_GRACE_MS)
        .then(() => demo?.cloud.close())
        .then(() => resolve(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

async function main(): Promise<void> {
  const version = readVersion();
  try {
    const argv = process.argv.slice(2);
    const code = argv[0] === 'simulate' ? await (await import('./simulate.js')).simulate(argv.slice(1)) : await run(parseFlags(argv), version);
    process.exit(code);
  } catch (err) {
    // User mistakes get their one line; anything else is a bug and keeps its stack.
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`huaweicloud-vault-exporter: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

await main();
