import { parseArgs } from 'node:util';
import { parseShard, type Shard } from './config/shard.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';

export const DEFAULT_LISTEN_ADDRESS = ':9797';

export interface Flags {
  configFile?: string;
  listen: { host?: string; port: number };
  telemetryPath: string;
  webConfigFile?: string;
  healthWithoutAuth: boolean;
  enableLifecycle: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  configCheck: boolean;
  /** --shard=I/N; wins over the config file's shard:. */
  shard?: Shard;
  demo: boolean;
  demoVaults: number;
  help: boolean;
  version: boolean;
}

/** A mistake on the command line: reported as one line, exit 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: huaweicloud-vault-exporter [<flags>]

Prometheus exporter for Huawei Cloud backup vaults (CBR and HSS).

Flags:
  --help                        Show this help and exit.
  --version                     Show the version and exit.
  --config.file=PATH            YAML configuration file (required unless --demo).
  --config.check                Validate the configuration and exit 0 (valid) or 1 (invalid); lists what discovery finds (asks IAM only).
  --shard=INDEX/COUNT           Serve only the targets whose project id hashes to INDEX modulo COUNT (Prometheus hashmod); default: all.
  --web.listen-address=ADDR     Address to listen on for the web interface and telemetry (default "${DEFAULT_LISTEN_ADDRESS}").
  --web.telemetry-path=PATH     Path under which to expose metrics (default "/metrics").
  --web.config.file=PATH        Exporter-toolkit web configuration (TLS, basic auth, headers).
  --web.health-without-auth     Serve /-/healthy and /-/ready without basic auth (for probes); default: same rules as /metrics.
  --web.enable-lifecycle        Enable POST /-/reload (behind the same auth as /metrics); default off, as Prometheus.
  --log.level=LEVEL             Only log messages with this severity or above: debug, info, warn, error (default "info").
  --log.format=FORMAT           Log format: json or logfmt (default "json").
  --demo                        Run against a built-in simulated Huawei Cloud on loopback (no credentials needed).
  --demo.vaults=N               CBR vaults in the demo's first project (default 200; the second has half).
`;

/** Parses `host:port`, `:port` or `[v6]:port`. */
export function parseListenAddress(text: string): { host?: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`--web.listen-address: "${text}" is not host:port (examples: :9797, 127.0.0.1:9797, [::1]:9797)`);
  const host = match[1] ?? match[2];
  return host ? { host, port } : { port };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag}: "${value}" is not one of ${allowed.join(', ')}`);
}

export function parseFlags(argv: string[]): Flags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        'config.file': { type: 'string' },
        'config.check': { type: 'boolean' },
        shard: { type: 'string' },
        'web.listen-address': { type: 'string', default: DEFAULT_LISTEN_ADDRESS },
        'web.telemetry-path': { type: 'string', default: '/metrics' },
        'web.config.file': { type: 'string' },
        'web.health-without-auth': { type: 'boolean' },
        'web.enable-lifecycle': { type: 'boolean' },
        'log.level': { type: 'string', default: 'info' },
        'log.format': { type: 'string', default: 'json' },
        demo: { type: 'boolean' },
        'demo.vaults': { type: 'string', default: '200' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see --help)`);
  }
  const telemetryPath = values['web.telemetry-path'];
  if (!/^\/[^\s?#]*$/.test(telemetryPath) || telemetryPath === '/' || telemetryPath.startsWith('/-/')) {
    throw new UsageError(`--web.telemetry-path: "${telemetryPath}" must be a path such as /metrics (not /, not under /-/)`);
  }
  const demoVaults = Number(values['demo.vaults']);
  if (!Number.isInteger(demoVaults) || demoVaults < 3 || demoVaults > 200_000) {
    throw new UsageError(`--demo.vaults: "${values['demo.vaults']}" is not a whole number from 3 to 200000`);
  }
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (typeof shard === 'string') throw new UsageError(`--shard: ${shard}`);
  return {
    configFile: values['config.file'],
    ...(shard ? { shard } : {}),
    listen: parseListenAddress(values['web.listen-address']),
    telemetryPath,
    webConfigFile: values['web.config.file'],
    healthWithoutAuth: values['web.health-without-auth'] ?? false,
    enableLifecycle: values['web.enable-lifecycle'] ?? false,
    logLevel: oneOf('log.level', values['log.level'], LOG_LEVELS),
    logFormat: oneOf('log.format', values['log.format'], ['json', 'logfmt'] as const),
    configCheck: values['config.check'] ?? false,
    demo: values.demo ?? false,
    demoVaults,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
