import type { Logger } from 'pino';
import type { AuthConfig } from './config/auth.js';
import { validateConfig } from './config/load.js';
import type { LoadedConfig } from './config/target-auth.js';
import { createSimAuth } from './sim/auth.js';
import { generateFleet, type ProjectFleet } from './sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from './sim/server.js';
import { simulatedEndpoints } from './sim/sources.js';

/** Demo credentials: AK/SK signing, as a production setup should use; the simulator verifies every signature. */
const DEMO_KEY = { ak: 'DEMOACCESSKEY0000001', sk: 'demo-secret-key-not-for-production-use-0001' };
const DEMO_PROJECTS = [
  { id: '0605767b5780d5762fc5c0118072a564', region: 'ap-southeast-1', share: 1 },
  { id: '9f3c1b2a7d6e4f5a8b9c0d1e2f3a4b5c', region: 'eu-west-101', share: 0.5 },
];

/** The demo exports every optional fact, so that its dashboard and alerts show them all. */
const DEMO_EXPORT = { tags: ['env', 'team', 'cost-center'], resources: true };

/** The fleets the demo's simulated cloud serves for `--demo.vaults=cbrVaults` (tests read them too). */
export function demoFleets(cbrVaults: number): { projectId: string; region: string; fleet: ProjectFleet }[] {
  return DEMO_PROJECTS.map((project) => {
    const cbr = Math.max(3, Math.round(cbrVaults * project.share));
    return { projectId: project.id, region: project.region, fleet: generateFleet({ projectId: project.id, cbrVaults: cbr, hssVaults: Math.max(10, Math.round(cbr * 0.3)) }) };
  });
}

/** The built-in simulated cloud of `--demo` and a config pointing at it; the first refresh comes every 10 s. */
export async function startDemo(cbrVaults: number, log: Logger): Promise<{ cloud: SimulatedCloud } & LoadedConfig> {
  const fleets = demoFleets(cbrVaults).map((demo) => demo.fleet);
  const auth = createSimAuth({ keys: [DEMO_KEY] });
  const cloud = await startSimulatedCloud({ fleets, authenticate: (req, projectId) => auth.check(req, projectId), latencyMs: 20 });
  log.info({ url: cloud.url, projects: DEMO_PROJECTS.length, vaults: fleets.reduce((n, f) => n + f.cbr.length + f.hss.length, 0) }, 'demo: simulated Huawei Cloud started');
  const config = validateConfig(
    {
      refresh: { schedule: '*/10 * * * * *', timeout: '8s', request_timeout: '5s' },
      auth: { access_key: DEMO_KEY.ak, secret_key: DEMO_KEY.sk },
      targets: DEMO_PROJECTS.map((project) => ({
        project_id: project.id,
        region: project.region,
        endpoints: simulatedEndpoints(cloud.url),
      })),
      export: DEMO_EXPORT,
    },
    'demo config',
  );
  const auths = config.targets.map(() => config.auth as AuthConfig);
  return { cloud, config, auths, discoveryAuths: [] };
}
