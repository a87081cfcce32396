/**
 * The simulated cloud of the discovery bench, in a process of its own: `accounts` accounts of `projects`
 * projects each (region projects and their sub-projects, as IAM lists them), every project with its vaults.
 *
 * argv[2]: JSON DiscoverySimOptions. Prints one JSON line on stdout, {"url": ..., "keys": [[ak, sk], ...]},
 * then serves until stdin closes (the parent exited) or SIGTERM.
 */
import { createSimAccounts, type SimAccountSpec } from '../src/sim/accounts.js';
import { generateFleet } from '../src/sim/fleet.js';
import { startSimulatedCloud } from '../src/sim/server.js';
import type { ProjectFleet } from '../src/sim/records.js';

export interface DiscoverySimOptions {
  accounts: number;
  projectsPerAccount: number;
  cbrVaults: number;
  hssVaults: number;
  latencyMs: number;
}

/** Regions as Huawei Cloud names them; an account's further projects are sub-projects of these. */
const REGIONS = [
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'cn-north-4', 'cn-north-9',
  'cn-east-3', 'cn-east-5', 'cn-south-1', 'cn-southwest-2', 'af-south-1', 'af-north-1', 'la-south-2', 'la-north-2',
  'sa-brazil-1', 'me-east-1', 'tr-west-1', 'ru-moscow-1', 'eu-west-101', 'eu-west-0', 'my-kualalumpur-1', 'ae-ad-1',
  'cn-north-11', 'cn-south-4',
];

const options = JSON.parse(process.argv[2] ?? '') as DiscoverySimOptions;
const specs: SimAccountSpec[] = [];
const fleets: ProjectFleet[] = [];
for (let a = 0; a < options.accounts; a++) {
  const key = { ak: `BENCHAK${String(a).padStart(13, '0')}`, sk: `bench-secret-key-of-account-${a}` };
  const spec: SimAccountSpec = { domainId: `bench-domain-${a}`, domainName: `bench-account-${a}`, keys: [key], projects: [] };
  for (let p = 0; p < options.projectsPerAccount; p++) {
    const region = REGIONS[p % REGIONS.length] as string;
    const id = `bench${String(a).padStart(3, '0')}${String(p).padStart(4, '0')}`.padEnd(32, '0');
    const regionProject = `bench${String(a).padStart(3, '0')}${String(p % REGIONS.length).padStart(4, '0')}`.padEnd(32, '0');
    spec.projects.push(p < REGIONS.length ? { id, name: region } : { id, name: `${region}_team${Math.floor(p / REGIONS.length)}`, parent_id: regionProject });
    fleets.push(generateFleet({ projectId: id, cbrVaults: options.cbrVaults, hssVaults: options.hssVaults }));
  }
  specs.push(spec);
}
const accounts = createSimAccounts(specs);
// A small request log: the bench never reads it, and 6,000 requests a refresh would fill the default one.
const cloud = await startSimulatedCloud({ fleets, latencyMs: options.latencyMs, authenticate: accounts.authenticate, projects: accounts.listProjects, requestLogCapacity: 16 });
process.stdout.write(`${JSON.stringify({ url: cloud.url, keys: specs.map((s) => [s.keys![0]!.ak, s.keys![0]!.sk]) })}\n`);

const stop = () => void cloud.close().then(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.once('SIGTERM', stop);
