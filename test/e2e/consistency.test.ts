import { afterEach, describe, expect, it } from 'vitest';
import { generateFleet, generateInsertedVault, recordId } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { inconsistencies, pairViews, type PairView } from '../helpers/consistency.js';
import { startDaemon, type DaemonProcess } from '../helpers/process.js';
import { writeTempFile } from '../helpers/temp-dirs.js';

const TOKEN = 'consistency-token-8c1f2e3d4b5a';
const SOURCES = ['cbr', 'hss'] as const;

/**
 * A Prometheus-like scraper that never stops: every body it gets is checked for consistency (each pair's own
 * figures describe exactly the vault series beside them), and the test waits on what the bodies show.
 */
class Scraper {
  bodies = 0;
  readonly problems: string[] = [];
  latest = new Map<string, PairView>();
  private stopped = false;
  private readonly loop: Promise<void>;
  private readonly waiters: (() => void)[] = [];
  /** Called with every body's pairs; see watch(). */
  private readonly watchers = new Set<(views: Map<string, PairView>) => void>();

  constructor(private readonly url: string) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      // Prometheus asks for gzip; fetch inflates it.
      const text = await fetch(`${this.url}/metrics`).then((r) => (r.status === 200 ? r.text() : undefined), () => undefined);
      if (text === undefined) continue;
      this.bodies++;
      for (const problem of inconsistencies(text)) if (this.problems.length < 20) this.problems.push(`body ${this.bodies}: ${problem}`);
      this.latest = pairViews(text);
      for (const watcher of this.watchers) watcher(this.latest);
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Resolves with the first body (from now on) for which `check` holds. */
  async until(what: string, check: (views: Map<string, PairView>) => boolean, timeoutMs = 60_000): Promise<Map<string, PairView>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      if (this.problems.length) throw new Error(`while waiting for ${what}, bodies contradicted themselves:\n${this.problems.join('\n')}`);
      if (check(this.latest)) return this.latest;
      if (Date.now() > deadline) throw new Error(`no body showed ${what} within ${timeoutMs} ms (${this.bodies} bodies)`);
    }
  }

  /** Calls `watcher` with every body from now on, until the returned function is called. */
  watch(watcher: (views: Map<string, PairView>) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

const running: { daemon?: DaemonProcess; cloud?: SimulatedCloud; scraper?: Scraper }[] = [];
afterEach(async () => {
  for (const { daemon, cloud, scraper } of running.splice(0)) {
    await scraper?.stop();
    await daemon?.stop('SIGKILL');
    await cloud?.close();
  }
});

interface Project {
  id: string;
  region: string;
  cbr: number;
  hss: number;
}

const keyOf = (source: string, p: Project) => `${source}/${p.id}/${p.region}`;

/** Every pair shows source_up `up` and the simulator's current vault count (or none at all, `expired`). */
function showsFleet(cloud: SimulatedCloud, projects: Project[], state: { up: 0 | 1; expired?: boolean }) {
  return (views: Map<string, PairView>) =>
    projects.every((p) =>
      SOURCES.every((source) => {
        const view = views.get(keyOf(source, p));
        const want = state.expired ? 0 : cloud.vaults(p.id, source).length;
        return view?.figures.get('source_up') === state.up && view.figures.get('vaults') === want && (view.families.get('size_bytes')?.size ?? 0) === want;
      }),
    );
}

async function scrapeThroughEverything(total: number, projects: Project[], exportBlock = ''): Promise<void> {
  const cloud = await startSimulatedCloud({
    fleets: projects.map((p) => generateFleet({ projectId: p.id, cbrVaults: p.cbr, hssVaults: p.hss })),
    tokens: [TOKEN],
  });
  running.push({ cloud });
  // A schedule of one second: at 30,000 vaults shorter than a rendering, so renderings and refreshes overlap.
  const config = writeTempFile(
    'exporter.yaml',
    // refresh.timeout bounds one refresh: beside other test files and busy loops on two cores, a 30,000-vault
    // refresh may take longer than 10 s, and an aborted one would never show the fleet up (the suite failed once
    // so, unexplained); max_staleness follows it (3 x 1 s + timeout).
    `refresh:\n  schedule: "*/1 * * * * *"\n  timeout: ${total > 10_000 ? 30 : 10}s\nauth:\n  token: "${TOKEN}"\ntargets:\n` +
      projects.map((p) => `  - project_id: "${p.id}"\n    region: ${p.region}\n    endpoints: { cbr: "${cloud.url}", hss: "${cloud.url}" }\n`).join('') +
      exportBlock,
  );
  const daemon = await startDaemon([`--config.file=${config}`]);
  const scraper = new Scraper(daemon.url);
  running.push({ daemon, scraper });
  expect(projects.reduce((n, p) => n + p.cbr + p.hss, 0)).toBe(total);

  // 1. The first refresh: from before it ends until every pair is whole.
  const first = await scraper.until('the whole fleet up', showsFleet(cloud, projects, { up: 1 }));
  if (exportBlock.includes('resources: true')) {
    for (const p of projects) {
      const bound = cloud.vaults(p.id, 'cbr').reduce((n, record) => n + (record as { resources: unknown[] }).resources.length, 0);
      expect(first.get(keyOf('cbr', p))?.resources.get('resource_info')?.size).toBe(bound);
      expect(first.get(keyOf('cbr', p))?.families.get('tags')?.size).toBe(p.cbr);
    }
  }

  // 2. Churn: vaults deleted and created between refreshes.
  for (const p of projects) {
    for (const source of SOURCES) {
      const ids = cloud.vaults(p.id, source).flatMap((record, i) => (i % 7 === 3 ? [recordId(source, record)!] : []));
      cloud.deleteVaults(p.id, source, ids);
      cloud.addVaults(p.id, source, Array.from({ length: 25 }, (_, i) => generateInsertedVault(p.id, source, 9000 + i)), 'start');
    }
  }
  await scraper.until('the churned fleet', showsFleet(cloud, projects, { up: 1 }));

  // 3. An outage past max_staleness (3 × 1 s + refresh.timeout), and the recovery.
  cloud.faults.set({ outage: 'unavailable' });
  await scraper.until('every source down with its last snapshot', showsFleet(cloud, projects, { up: 0 }));
  await scraper.until('every snapshot expired', showsFleet(cloud, projects, { up: 0, expired: true }), 90_000);
  cloud.faults.reset();
  await scraper.until('the recovered fleet', showsFleet(cloud, projects, { up: 1 }));

  // 4. Reloads of an unchanged config: no body may miss a vault, during or after.
  const before = scraper.bodies;
  const missing: number[] = [];
  const whole = showsFleet(cloud, projects, { up: 1 });
  const unwatch = scraper.watch((views) => {
    if (!whole(views)) missing.push(scraper.bodies);
  });
  for (let reload = 1; reload <= 3; reload++) {
    daemon.child.kill('SIGHUP');
    await daemon.waitForLog(() => daemon.logs().filter((r) => r.msg === 'config reloaded').length >= reload);
  }
  await scraper.until('ten bodies after the last reload', () => scraper.bodies >= before + 10);
  unwatch();
  expect(missing, 'bodies that missed vaults around a reload').toEqual([]);
  expect(scraper.problems).toEqual([]);
  expect(scraper.bodies).toBeGreaterThan(20);
}

describe('one consistent /metrics', () => {
  // With tags and a series per bound resource, whose families the checker holds to each vault's resource count.
  it('every body agrees with itself through the first refresh, churn, an outage, recovery and reloads, at 3,000 vaults', async () => {
    await scrapeThroughEverything(
      3000,
      [
        { id: 'consist00000000000000000000000a1', region: 'ap-southeast-1', cbr: 1800, hss: 600 },
        { id: 'consist00000000000000000000000b2', region: 'eu-west-101', cbr: 500, hss: 100 },
      ],
      'export:\n  tags: [env, team]\n  resources: true\n',
    );
  }, 240_000);

  it('and at 30,000 vaults, with a schedule shorter than a rendering', async () => {
    await scrapeThroughEverything(30_000, [
      { id: 'consist00000000000000000000000c3', region: 'ap-southeast-1', cbr: 20_000, hss: 6000 },
      { id: 'consist00000000000000000000000d4', region: 'cn-north-4', cbr: 3000, hss: 1000 },
    ]);
  }, 400_000);
});
