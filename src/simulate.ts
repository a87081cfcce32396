import { stringify } from 'yaml';
import { UsageError } from './flags.js';
import { createSimAuth } from './sim/auth.js';
import type { FaultSettings } from './sim/faults.js';
import { generateFleet } from './sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from './sim/server.js';
import { simulatedEndpoints } from './sim/sources.js';
import { parseSimulateFlags, SIMULATE_USAGE, type SimulateFlags } from './simulate-flags.js';

/** `huaweicloud-vault-exporter simulate`: the simulated cloud alone, until SIGINT or SIGTERM. */
export async function simulate(argv: string[]): Promise<number> {
  const flags = parseSimulateFlags(argv);
  if (flags.help) {
    process.stdout.write(SIMULATE_USAGE);
    return 0;
  }
  const cloud = await start(flags);
  process.stdout.write(describe(flags, cloud));
  return new Promise((resolve) => {
    const stop = () => void cloud.close().then(() => resolve(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

async function start(flags: SimulateFlags): Promise<SimulatedCloud> {
  const fleets = flags.projects.map((project) =>
    generateFleet({ projectId: project.id, cbrVaults: flags.cbrVaults, hssVaults: flags.hssVaults, seed: flags.seed, malformed: flags.malformed }),
  );
  const auth = createSimAuth({ keys: flags.keys, tokens: flags.tokens, iamUsers: flags.iamUsers });
  let cloud: SimulatedCloud;
  try {
    cloud = await startSimulatedCloud({
      fleets,
      host: flags.listen.host ?? '0.0.0.0',
      port: flags.listen.port,
      latencyMs: flags.latencyMs,
      authenticate: (req, projectId) => auth.check(req, projectId),
      iam: (body) => auth.issueToken(body),
    });
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    throw new UsageError(`--web.listen-address: cannot listen: ${code ?? message}`);
  }
  cloud.faults.set(flags.faults);
  return cloud;
}

function faultText(faults: Readonly<FaultSettings>): string {
  const every = (n: number, what: string) => (n > 0 ? [`${what} for 1 request in ${n}`] : []);
  const parts = [
    ...(faults.outage !== 'off' ? [`outage: ${faults.outage}`] : []),
    ...every(faults.throttleEvery, `429 (${faults.retryAfterSeconds === undefined ? 'no Retry-After' : `Retry-After ${faults.retryAfterSeconds} s`})`),
    ...every(faults.serverErrorEvery, String(faults.serverErrorStatus)),
    ...every(faults.htmlBadGatewayEvery, 'an HTML 502'),
    ...every(faults.truncateEvery, 'a truncated body'),
    ...(faults.extraDelayMs > 0 ? [`${faults.extraDelayMs} ms more delay`] : []),
    ...(faults.insertBetweenPages ? ['a vault inserted between pages'] : []),
    ...(faults.deleteBetweenPages ? ['a vault deleted between pages'] : []),
  ];
  if (parts.length === 0) return 'none';
  return `${parts.join(', ')}${faults.only ? ` (${faults.only} only)` : ''}`;
}

/** What it serves, as YAML comments, then a config for the exporter that reads it: stdout is a config file. */
function describe(flags: SimulateFlags, cloud: SimulatedCloud): string {
  // A wildcard address is reached on loopback from this machine.
  const reach = cloud.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
  const accepted = [
    ...flags.keys.map((k) => `AK ${k.ak} with its SK${k.securityToken ? ' and security token' : ''}`),
    ...flags.tokens.map((t) => `X-Auth-Token ${t}`),
    ...flags.iamUsers.map((u) => `IAM user ${u.domain}/${u.user}`),
  ];
  const header = [
    `Simulated Huawei Cloud at ${reach}: CBR, HSS and IAM (POST /v3/auth/tokens). Ctrl-C stops it.`,
    ...flags.projects.map((p) => `  project ${p.id} (${p.region}): ${flags.cbrVaults} CBR and ${flags.hssVaults} HSS vaults${flags.malformed ? ', and malformed records' : ''}`),
    `Accepts: ${accepted.join('; ')}.`,
    `Latency ${flags.latencyMs} ms; faults: ${faultText(cloud.faults.settings)}.`,
    'A config for huaweicloud-vault-exporter --config.file that reads it (outside a trial, keep secrets in *_file):',
  ];
  const [key] = flags.keys;
  const [user] = flags.iamUsers;
  // The credential a production config would rather use: AK/SK, then an IAM login, then a fixed token.
  const auth = key
    ? { access_key: key.ak, secret_key: key.sk, ...(key.securityToken !== undefined && { security_token: key.securityToken }) }
    : user
      ? { iam: { domain_name: user.domain, user_name: user.user, password: user.password } }
      : { token: flags.tokens[0] };
  const config = {
    auth,
    targets: flags.projects.map((p) => ({
      project_id: p.id,
      region: p.region,
      endpoints: { ...simulatedEndpoints(reach), ...('iam' in auth && { iam: reach }) },
    })),
  };
  // Quoted strings: a project id of digits alone must stay a string.
  return `${header.map((line) => `# ${line}`).join('\n')}\n${stringify(config, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })}`;
}
