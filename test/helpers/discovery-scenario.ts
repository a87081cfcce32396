import { createSimAccounts, type SimAccounts, type SimAccountSpec } from '../../src/sim/accounts.js';
import { generateFleet } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import type { ParsedSample } from './parse-exposition.js';

/**
 * Two accounts as IAM lists them, for the discovery tests: "prod" signs with AK/SK, "dev" sends a token. Between
 * them: a sub-project, a disabled project, a system project (MOS), a region outside the lists, and a region whose
 * vault lists prod's key may not read (403). Every project has vaults, those that must never be asked too.
 */
export const PROD_KEY = { ak: 'DISCOVERYPRODAK00001', sk: 'discovery-prod-secret-key' };
export const DEV_TOKEN = 'discovery-dev-token-5e4f3a2b1c0d';

export interface ScenarioProject {
  id: string;
  name: string;
  /** The region it is a target in; undefined: not a target (why: `skipped`). */
  region?: string;
  skipped?: 'disabled' | 'not_region' | 'excluded_region';
  account: 'prod' | 'dev';
  cbr: number;
  hss: number;
  parent?: string;
}

export const PROJECTS: ScenarioProject[] = [
  { id: 'disc-prod-ap1', name: 'ap-southeast-1', region: 'ap-southeast-1', account: 'prod', cbr: 40, hss: 12 },
  { id: 'disc-prod-ap1-dev', name: 'ap-southeast-1_dev', region: 'ap-southeast-1', account: 'prod', cbr: 15, hss: 10, parent: 'disc-prod-ap1' },
  { id: 'disc-prod-eu', name: 'eu-west-101', region: 'eu-west-101', account: 'prod', cbr: 7, hss: 10 },
  { id: 'disc-prod-cn4', name: 'cn-north-4', skipped: 'disabled', account: 'prod', cbr: 5, hss: 10 },
  { id: 'disc-prod-mos', name: 'MOS', skipped: 'not_region', account: 'prod', cbr: 5, hss: 10 },
  { id: 'disc-prod-la2', name: 'la-south-2', skipped: 'excluded_region', account: 'prod', cbr: 5, hss: 10 },
  { id: 'disc-dev-af1', name: 'af-south-1', region: 'af-south-1', account: 'dev', cbr: 22, hss: 11 },
  { id: 'disc-dev-ap3', name: 'ap-southeast-3', region: 'ap-southeast-3', account: 'dev', cbr: 9, hss: 10 },
  { id: 'disc-dev-cn4', name: 'cn-north-4', skipped: 'excluded_region', account: 'dev', cbr: 5, hss: 10 },
];

/** prod's key may not read this region's vault lists. */
export const FORBIDDEN = 'disc-prod-eu';
/** Created while the exporter runs. */
export const LATE: ScenarioProject = { id: 'disc-prod-ap2', name: 'ap-southeast-2', region: 'ap-southeast-2', account: 'prod', cbr: 18, hss: 10 };

export const TARGETS = () => PROJECTS.filter((p) => p.region !== undefined);
export const NOT_TARGETS = () => PROJECTS.filter((p) => p.region === undefined);

const DOMAIN = { prod: 'disc-domain-prod', dev: 'disc-domain-dev' } as const;

function spec(account: 'prod' | 'dev'): SimAccountSpec {
  return {
    domainId: DOMAIN[account],
    domainName: `${account}-account`,
    ...(account === 'prod' ? { keys: [PROD_KEY], forbidden: [FORBIDDEN] } : { tokens: [DEV_TOKEN] }),
    projects: PROJECTS.filter((p) => p.account === account).map((p) => ({
      id: p.id,
      name: p.name,
      ...(p.parent ? { parent_id: p.parent } : {}),
      ...(p.skipped === 'disabled' ? { enabled: false } : {}),
    })),
  };
}

export interface Scenario {
  cloud: SimulatedCloud;
  accounts: SimAccounts;
  /** Creates LATE in prod's account, vaults and all. */
  addLate(): void;
}

export async function startScenario(): Promise<Scenario> {
  const accounts = createSimAccounts([spec('prod'), spec('dev')]);
  const cloud = await startSimulatedCloud({
    fleets: PROJECTS.map((p) => generateFleet({ projectId: p.id, cbrVaults: p.cbr, hssVaults: p.hss })),
    authenticate: accounts.authenticate,
    projects: accounts.listProjects,
  });
  return {
    cloud,
    accounts,
    addLate() {
      cloud.addFleet(generateFleet({ projectId: LATE.id, cbrVaults: LATE.cbr, hssVaults: LATE.hss }));
      accounts.addProject(DOMAIN.prod, { id: LATE.id, name: LATE.name });
    },
  };
}

/** The two discover entries, every host pointed at the simulator (YAML-ready object). */
export function discoverEntries(url: string, interval: string): Record<string, unknown>[] {
  const endpoints = { iam: url, cbr: url, hss: url };
  return [
    { auth: { access_key: PROD_KEY.ak, secret_key: PROD_KEY.sk }, exclude_regions: ['la-*'], labels: { account: 'prod' }, interval, endpoints },
    { auth: { token: DEV_TOKEN }, regions: ['af-*', 'ap-*'], labels: { account: 'dev' }, interval, endpoints },
  ];
}

/** Vault ids per project in a scrape, from one family, with the labels they carry. */
export function vaultsByProject(samples: readonly ParsedSample[], family: string): Map<string, { ids: Set<string>; labels: Set<string> }> {
  const out = new Map<string, { ids: Set<string>; labels: Set<string> }>();
  for (const sample of samples) {
    if (sample.name !== family) continue;
    const { project_id: project = '', region, account, vault_id: id = '' } = sample.labels;
    const entry = out.get(project) ?? { ids: new Set(), labels: new Set() };
    out.set(project, entry);
    entry.ids.add(id);
    entry.labels.add(`${region}/${account}`);
  }
  return out;
}
