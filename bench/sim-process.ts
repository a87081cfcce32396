/**
 * The simulated cloud in a process of its own, so that building pages (JSON.stringify of 1000 vaults)
 * runs on the other core and never on the exporter's event loop.
 *
 * argv[2]: JSON SimProcessOptions. Prints one JSON line on stdout, {"urls": {"<latency>": url}}, then
 * serves until stdin closes (the parent exited) or SIGTERM.
 */
import { generateFleet } from '../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../src/sim/server.js';

export interface SimProcessOptions {
  projects: { projectId: string; cbrVaults: number; hssVaults: number }[];
  /** One simulator (same fleets, own port) per per-response latency. */
  latenciesMs: number[];
  token: string;
}

const options = JSON.parse(process.argv[2] ?? '') as SimProcessOptions;
const fleets = options.projects.map((project) => generateFleet(project));
const clouds: SimulatedCloud[] = [];
const urls: Record<string, string> = {};
for (const latencyMs of options.latenciesMs) {
  // A small request log: the default keeps 10,000 records with their headers, which the bench never reads.
  const cloud = await startSimulatedCloud({ fleets, latencyMs, tokens: [options.token], requestLogCapacity: 16 });
  clouds.push(cloud);
  urls[String(latencyMs)] = cloud.url;
}
process.stdout.write(`${JSON.stringify({ urls })}\n`);

const stop = () => {
  void Promise.allSettled(clouds.map((cloud) => cloud.close())).then(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.resume();
process.once('SIGTERM', stop);
