import { parseArgs } from 'node:util';
import { parseDuration } from './config/duration.js';
import { parseListenAddress, UsageError } from './flags.js';
import type { SimIamUser, SimKey } from './sim/auth.js';
import type { FaultSettings } from './sim/faults.js';
import { SOURCES } from './config/sources.js';

export const DEFAULT_SIMULATE_ADDRESS = '127.0.0.1:9798';
/** The README's example project, so that its config needs only `endpoints:` to read the simulator. */
const DEFAULT_PROJECT = { id: '0605767b5780d5762fc5c0118072a564', region: 'ap-southeast-1' };
/** Used when no credential is given: fixed, so that a config written for one run works for the next. */
const DEFAULT_KEY: SimKey = { ak: 'SIMULATEDACCESSKEY01', sk: 'simulated-secret-key-not-for-production' };

export interface SimulateFlags {
  listen: { host?: string; port: number };
  projects: { id: string; region: string }[];
  cbrVaults: number;
  hssVaults: number;
  malformed: boolean;
  seed: number;
  keys: SimKey[];
  tokens: string[];
  iamUsers: SimIamUser[];
  latencyMs: number;
  faults: Partial<FaultSettings>;
  help: boolean;
}

/** The `--fault.*` flags: each sets one switch of the simulator's Faults (src/sim/faults.ts). */
const COUNT_FAULTS = {
  'fault.throttle-every': 'throttleEvery',
  'fault.retry-after': 'retryAfterSeconds',
  'fault.server-error-every': 'serverErrorEvery',
  'fault.bad-gateway-every': 'htmlBadGatewayEvery',
  'fault.truncate-every': 'truncateEvery',
} as const satisfies Record<string, keyof FaultSettings>;

export const SIMULATE_USAGE = `usage: huaweicloud-vault-exporter simulate [<flags>]

Runs the simulated Huawei Cloud alone (CBR, HSS and IAM on one address) and prints a config for the
exporter that reads it, so that a config can be tried before it points at Huawei Cloud:
  huaweicloud-vault-exporter simulate > trial.yml &
  huaweicloud-vault-exporter --config.file=trial.yml
Requests must carry one of the credentials below, AK/SK-signed or with X-Auth-Token, as Huawei Cloud's.

Flags:
  --help                         Show this help and exit.
  --web.listen-address=ADDR      Address to listen on (default "${DEFAULT_SIMULATE_ADDRESS}"; port 0: any free port).
  --project=ID[:REGION]          A project to simulate, repeatable (default ${DEFAULT_PROJECT.id}:${DEFAULT_PROJECT.region};
                                 REGION defaults to ${DEFAULT_PROJECT.region}).
  --vaults.cbr=N                 CBR vaults per project (default 200).
  --vaults.hss=N                 HSS ransomware backup vaults per project (default 30 % of the CBR vaults, at least 10).
  --vaults.malformed             Add records with one defect each, which the exporter must skip and count.
  --vaults.seed=N                Another fleet of the same sizes (default 1).
  --auth.access-key=AK           With --auth.secret-key: an AK/SK pair it accepts signatures of
  --auth.secret-key=SK             (default, when no credential is given: ${DEFAULT_KEY.ak}).
  --auth.security-token=TOKEN    Makes that pair a temporary one: requests must carry this X-Security-Token.
  --auth.token=TOKEN             An X-Auth-Token it accepts for any project, repeatable.
  --auth.iam-user=DOMAIN/USER:PASSWORD
                                 An IAM user that can log in (POST /v3/auth/tokens), repeatable.
  --latency=DURATION             Delay before every response (default 20ms).
  --fault.throttle-every=N       Every Nth CBR/HSS request: 429 APIG.0308, as APIG sends it (no Retry-After).
  --fault.retry-after=SECONDS    Send a Retry-After of this many seconds with those (default: none, as APIG).
  --fault.server-error-every=N   Every Nth request: a JSON 500 (or --fault.server-error-status=502 or 504, the gateway's).
  --fault.bad-gateway-every=N    Every Nth request: an nginx HTML 502 page.
  --fault.truncate-every=N       Every Nth request: the JSON body cut in half.
  --fault.outage=MODE            unavailable (every request 502 APIG.0202) or reset (connections reset).
  --fault.delay=DURATION         Added to every CBR/HSS response.
  --fault.page-shift=KIND        Between the pages of a listing a vault is inserted, deleted, or both.
  --fault.only=API               Faults for one API only (${SOURCES.join(' or ')}; default every API).
`;

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`--${flag}: "${text}" is not a whole number from ${min} to ${max}`);
  return value;
}

function durationMs(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`--${flag}: "${text}" is not a duration (examples: 20ms, 1s)`);
  return ms;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`--${flag}: "${text}" is not one of ${allowed.join(', ')}`);
}

function project(text: string): { id: string; region: string } {
  const [id = '', region = DEFAULT_PROJECT.region, extra] = text.split(':');
  if (!/^[\w-]{1,256}$/.test(id) || !/^[a-z0-9-]+$/.test(region) || extra !== undefined) {
    throw new UsageError(`--project: "${text}" is not PROJECT_ID or PROJECT_ID:REGION (example: ${DEFAULT_PROJECT.id}:${DEFAULT_PROJECT.region})`);
  }
  return { id, region };
}

function iamUser(text: string): SimIamUser {
  const match = /^([^/:]+)\/([^/:]+):(.+)$/.exec(text);
  if (!match) throw new UsageError(`--auth.iam-user: "${text}" is not DOMAIN/USER:PASSWORD`);
  return { domain: match[1] as string, user: match[2] as string, password: match[3] as string };
}

function faultsOf(values: Record<string, string | undefined>): Partial<FaultSettings> {
  const faults: Partial<FaultSettings> = {};
  for (const [flag, key] of Object.entries(COUNT_FAULTS)) {
    const text = values[flag];
    if (text !== undefined) faults[key] = wholeNumber(flag, text, 0, 1_000_000);
  }
  const status = values['fault.server-error-status'];
  if (status !== undefined) faults.serverErrorStatus = Number(oneOf('fault.server-error-status', status, ['500', '502', '504'] as const)) as 500 | 502 | 504;
  const outage = values['fault.outage'];
  if (outage !== undefined) faults.outage = oneOf('fault.outage', outage, ['off', 'unavailable', 'reset'] as const);
  const delay = values['fault.delay'];
  if (delay !== undefined) faults.extraDelayMs = durationMs('fault.delay', delay);
  const shift = values['fault.page-shift'];
  if (shift !== undefined) {
    const kind = oneOf('fault.page-shift', shift, ['insert', 'delete', 'both'] as const);
    faults.insertBetweenPages = kind !== 'delete';
    faults.deleteBetweenPages = kind !== 'insert';
  }
  const only = values['fault.only'];
  if (only !== undefined) faults.only = oneOf('fault.only', only, SOURCES);
  return faults;
}

export function parseSimulateFlags(argv: string[]): SimulateFlags {
  const text = { type: 'string' } as const;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        'web.listen-address': { type: 'string', default: DEFAULT_SIMULATE_ADDRESS },
        project: { type: 'string', multiple: true },
        'vaults.cbr': { type: 'string', default: '200' },
        'vaults.hss': text,
        'vaults.malformed': { type: 'boolean' },
        'vaults.seed': { type: 'string', default: '1' },
        'auth.access-key': text,
        'auth.secret-key': text,
        'auth.security-token': text,
        'auth.token': { type: 'string', multiple: true },
        'auth.iam-user': { type: 'string', multiple: true },
        latency: { type: 'string', default: '20ms' },
        ...Object.fromEntries(Object.keys(COUNT_FAULTS).map((flag) => [flag, text])),
        'fault.server-error-status': text,
        'fault.outage': text,
        'fault.delay': text,
        'fault.page-shift': text,
        'fault.only': text,
      },
    });
  } catch (err) {
    throw new UsageError(`simulate: ${(err as Error).message.split('\n')[0]} (see simulate --help)`);
  }
  const { project: projectFlags, 'auth.token': tokenFlags, 'auth.iam-user': userFlags, help, 'vaults.malformed': malformed, ...rest } = parsed.values;
  const values = rest as Record<string, string | undefined>;
  const ak = values['auth.access-key'];
  const sk = values['auth.secret-key'];
  if ((ak === undefined) !== (sk === undefined)) throw new UsageError('simulate: --auth.access-key and --auth.secret-key go together');
  const securityToken = values['auth.security-token'];
  if (securityToken !== undefined && ak === undefined) throw new UsageError('simulate: --auth.security-token needs --auth.access-key and --auth.secret-key');
  const tokens = tokenFlags ?? [];
  const iamUsers = (userFlags ?? []).map(iamUser);
  const given: SimKey[] = ak !== undefined && sk !== undefined ? [{ ak, sk, ...(securityToken !== undefined && { securityToken }) }] : [];
  const keys = given.length === 0 && tokens.length === 0 && iamUsers.length === 0 ? [DEFAULT_KEY] : given;

  const projects = (projectFlags ?? [`${DEFAULT_PROJECT.id}:${DEFAULT_PROJECT.region}`]).map(project);
  const ids = projects.map((p) => p.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new UsageError(`--project: ${twice} is given twice`);
  const cbrVaults = wholeNumber('vaults.cbr', values['vaults.cbr'] as string, 0, 200_000);
  const hss = values['vaults.hss'];
  return {
    listen: parseListenAddress(values['web.listen-address'] as string),
    projects,
    cbrVaults,
    hssVaults: hss === undefined ? Math.max(10, Math.round(cbrVaults * 0.3)) : wholeNumber('vaults.hss', hss, 0, 200_000),
    malformed: malformed === true,
    seed: wholeNumber('vaults.seed', values['vaults.seed'] as string, 0, 2 ** 31),
    keys,
    tokens,
    iamUsers,
    latencyMs: durationMs('latency', values.latency as string),
    faults: faultsOf(values),
    help: help === true,
  };
}
