/**
 * `npm run bench:consistency`: what a scraper sees around reloads and fast schedules (issue #9), against the
 * real daemon process and the simulator in processes of their own.
 *
 * 1. reloads: 10,000 CBR + 2,000 HSS, 20 SIGHUPs one after another while a scraper asks every 50 ms; every body
 *    must hold every vault, /-/ready must stay 200, and RSS (VmRSS of the daemon) is sampled after each reload.
 * 2. fast schedule: 50,000 CBR + 10,000 HSS on a 1 s schedule (shorter than a rendering), 30 s of scrapes every
 *    50 ms; no body may be without the vault series.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { simulatedEndpoints } from '../src/sim/sources.js';
import { rawGet } from './raw-get.js';
import { startSimChild } from './sim-child.js';
import { CHILD_TIMEOUT_MS, REGION, TOKEN } from './sizes.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
/** One info series per vault, whatever fields the record lacks. */
const VAULT_SERIES = ['\nhuaweicloud_cbr_vault_info{', '\nhuaweicloud_hss_vault_info{'];

interface Daemon {
  child: ChildProcess;
  url: string;
  reloads(): number;
  stop(): Promise<void>;
}

async function startDaemon(configFile: string): Promise<Daemon> {
  const child = spawn(process.execPath, [MAIN, `--config.file=${configFile}`, '--web.listen-address=127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let reloads = 0;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`daemon exited (code ${code})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const record = JSON.parse(line) as { msg?: string; url?: string };
      if (record.msg === 'listening') resolve(new URL(String(record.url)).origin);
      if (record.msg === 'config reloaded') reloads++;
    });
  });
  return {
    child,
    url,
    reloads: () => reloads,
    async stop() {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** Vault series in one gzip body. */
async function vaultSeries(url: string): Promise<number> {
  const { status, body } = await rawGet(`${url}/metrics`, { 'accept-encoding': 'gzip' });
  if (status !== 200) throw new Error(`/metrics answered ${status}`);
  const text = gunzipSync(body).toString('latin1');
  let count = 0;
  for (const needle of VAULT_SERIES) for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

/** Scrapes every `everyMs` until stopped; counts bodies, and those with fewer vault series than `want`. */
function scrapeLoop(url: string, want: number, everyMs: number) {
  let stopped = false;
  const seen = { bodies: 0, short: 0, notReady: 0, fewest: Infinity };
  const loop = (async () => {
    while (!stopped) {
      const [series, ready] = await Promise.all([vaultSeries(url), rawGet(`${url}/-/ready`, {}).then((r) => r.status)]);
      seen.bodies++;
      seen.fewest = Math.min(seen.fewest, series);
      if (series < want) seen.short++;
      if (ready !== 200) seen.notReady++;
      await sleep(everyMs);
    }
  })();
  return { seen, stop: async () => ((stopped = true), await loop) };
}

function configText(simUrl: string, projectId: string, schedule: string): string {
  return `refresh:\n  schedule: "${schedule}"\n  timeout: 60s\nauth:\n  token: "${TOKEN}"\ntargets:\n  - project_id: "${projectId}"\n    region: ${REGION}\n    endpoints: ${JSON.stringify(simulatedEndpoints(simUrl))}\n`;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = CHILD_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A daemon on `projectId` of the simulator once its first refresh is served, and the vault series it serves then. */
async function readyDaemon(simUrl: string, dir: string, projectId: string, schedule: string): Promise<{ daemon: Daemon; want: number }> {
  const file = join(dir, `${projectId}.yaml`);
  writeFileSync(file, configText(simUrl, projectId, schedule));
  const daemon = await startDaemon(file);
  await until('the first refresh', async () => (await rawGet(`${daemon.url}/-/ready`, {})).status === 200);
  // What the daemon serves once ready: the simulator's records, less any it deduplicated by id.
  return { daemon, want: await vaultSeries(daemon.url) };
}

async function reloads(simUrl: string, dir: string): Promise<string> {
  const { daemon, want } = await readyDaemon(simUrl, dir, 'soak-10k', '0 0 1 1 *');
  try {
    await sleep(2000); // the full GC after the first publication
    const startRss = rssMb(daemon.child.pid!);
    const scraper = scrapeLoop(daemon.url, want, 50);
    const rss: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const scraped = scraper.seen.bodies;
      daemon.child.kill('SIGHUP');
      await until(`reload ${i}`, () => daemon.reloads() >= i);
      // A few scrapes after each reload, before the next.
      await until(`scrapes after reload ${i}`, () => scraper.seen.bodies >= scraped + 3);
      rss.push(rssMb(daemon.child.pid!));
    }
    await sleep(1000);
    await scraper.stop();
    const endRss = rssMb(daemon.child.pid!);
    const { seen } = scraper;
    return (
      `20 SIGHUPs at 10,000 CBR + 2,000 HSS under a 50 ms scraper: ${seen.bodies} scrapes, ${seen.short} missing vaults (fewest ${seen.fewest} of ${want}), ` +
      `${seen.notReady} not ready; RSS ${startRss.toFixed(1)} MB before, ${endRss.toFixed(1)} MB after (${(endRss - startRss).toFixed(1)} MB), ` +
      `after each reload ${rss.map((v) => v.toFixed(0)).join(' ')} MB`
    );
  } finally {
    await daemon.stop();
  }
}

async function fastSchedule(simUrl: string, dir: string): Promise<string> {
  const { daemon, want } = await readyDaemon(simUrl, dir, 'soak-50k', '*/1 * * * * *');
  try {
    const scraper = scrapeLoop(daemon.url, want, 50);
    await sleep(30_000);
    await scraper.stop();
    const { seen } = scraper;
    return `50,000 CBR + 10,000 HSS on a 1 s schedule, 30 s of scrapes every 50 ms: ${seen.bodies} scrapes, ${seen.short} without every vault series (fewest ${seen.fewest} of ${want})`;
  } finally {
    await daemon.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hve-soak-'));
  const sim = await startSimChild(
    {
      projects: [
        { projectId: 'soak-10k', cbrVaults: 10_000, hssVaults: 2_000 },
        { projectId: 'soak-50k', cbrVaults: 50_000, hssVaults: 10_000 },
      ],
      latenciesMs: [20],
      token: TOKEN,
    },
    CHILD_TIMEOUT_MS,
  );
  try {
    const simUrl = sim.urls.get(20) as string;
    process.stdout.write(`${await reloads(simUrl, dir)}\n`);
    process.stdout.write(`${await fastSchedule(simUrl, dir)}\n`);
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
