// `huaweicloud-vault-exporter simulate`: the simulated cloud alone, with the projects, credentials and
// faults asked for; the exporter, started on the config it prints, reads it.
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { MAIN_JS, run, startDaemon, TestProcess, type DaemonProcess } from './helpers/process.js';
import { configParserModules, loadedModules, moduleLoadsHook } from './helpers/module-loads.js';
import { writeTempFile } from './helpers/temp-dirs.js';
import { scrapeUntil, values } from './helpers/scrape.js';
import { waitFor } from './helpers/wait-for.js';

const running: { stop(): Promise<unknown> }[] = [];

interface Printed {
  text: string;
  config: { auth: Record<string, unknown>; targets: { project_id: string; region: string; endpoints: Record<string, string> }[] };
}

/** Starts `simulate` on a free port; resolves with what it printed, once that is a whole config. */
async function simulate(args: string[]): Promise<Printed> {
  const sim = new TestProcess('simulate', process.execPath, [MAIN_JS, 'simulate', '--web.listen-address=127.0.0.1:0', ...args]);
  running.push(sim);
  return waitFor('simulate to print a whole config', () => {
    const text = sim.stdout.map((line) => `${line}\n`).join('');
    try {
      const config = parse(text) as Printed['config'] | null;
      return config?.targets && { text, config };
    } catch {
      return undefined;
    }
  }, { daemons: [sim], wakeOnOutput: true });
}

async function exporterOn(config: unknown, env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const daemon = await startDaemon([`--config.file=${writeTempFile('trial.yml', typeof config === 'string' ? config : stringify(config))}`], env);
  running.push(daemon);
  return daemon;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

const A = 'aaaabbbbccccddddeeeeffff00001111';
const B = '0123456789';

describe('huaweicloud-vault-exporter simulate', () => {
  it('serves the projects, regions and vault counts asked for, and the config it prints reads them through its faults', async () => {
    const sim = await simulate([`--project=${A}:eu-west-101`, `--project=${B}`, '--vaults.cbr=30', '--vaults.hss=12', '--fault.throttle-every=4']);
    expect(sim.text).toMatch(/^# Simulated Huawei Cloud at http:\/\/127\.0\.0\.1:\d+/);
    // APIG documents no Retry-After on its 429s: the simulator sends none unless asked.
    expect(sim.text).toContain('429 (no Retry-After) for 1 request in 4');
    expect(sim.config.targets.map((t) => [t.project_id, t.region])).toEqual([[A, 'eu-west-101'], [B, 'ap-southeast-1']]);
    expect(Object.keys(sim.config.auth).sort()).toEqual(['access_key', 'secret_key']);

    // stdout as it is, a config file: `simulate > trial.yml`.
    const exporter = await exporterOn(sim.text);
    const samples = await scrapeUntil(exporter, (s) => {
      const up = values(s, 'huaweicloud_vault_exporter_source_up');
      return up.length === 4 && up.every((v) => v === 1);
    });
    for (const [project, region] of [[A, 'eu-west-101'], [B, 'ap-southeast-1']] as const) {
      expect(values(samples, 'huaweicloud_vault_exporter_vaults', { source: 'cbr', project_id: project, region })).toEqual([30]);
      expect(values(samples, 'huaweicloud_vault_exporter_vaults', { source: 'hss', project_id: project, region })).toEqual([12]);
    }
    const throttled = values(samples, 'huaweicloud_vault_exporter_api_requests_total', { code: '429' });
    expect(throttled.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('accepts the IAM users and tokens asked for, and only those', async () => {
    const sim = await simulate(['--auth.iam-user=my-domain/reader:s3cret', '--auth.token=trial-token', '--vaults.cbr=5']);
    expect(sim.config.auth).toEqual({ iam: { domain_name: 'my-domain', user_name: 'reader', password: 's3cret' } });
    const { targets } = sim.config;
    expect(targets[0]?.endpoints.iam).toBe(targets[0]?.endpoints.cbr);
    const withAuth = (auth: unknown) => ({ auth, targets });
    const noIam = targets.map(({ endpoints: { cbr, hss }, ...t }) => ({ ...t, endpoints: { cbr, hss } }));

    const iam = await exporterOn(sim.config);
    const token = await exporterOn({ auth: { token: 'trial-token' }, targets: noIam });
    const wrong = await exporterOn(withAuth({ iam: { domain_name: 'my-domain', user_name: 'reader', password: 'wrong' } }));
    for (const exporter of [iam, token]) {
      await scrapeUntil(exporter, (s) => values(s, 'huaweicloud_vault_exporter_source_up').join() === '1,1');
    }
    const refused = await scrapeUntil(wrong, (s) => values(s, 'huaweicloud_vault_exporter_source_up').join() === '0,0');
    expect(refused.filter((s) => s.name.startsWith('huaweicloud_cbr_vault_'))).toEqual([]);
  });

  it.each([
    [['--fault.outage=sometimes'], /--fault\.outage: "sometimes" is not one of off, unavailable, reset/],
    [['--project=abc:EU_WEST'], /--project: "abc:EU_WEST" is not PROJECT_ID or PROJECT_ID:REGION/],
    [['--project=abc', '--project=abc'], /--project: abc is given twice/],
    [['--auth.access-key=AK'], /--auth\.access-key and --auth\.secret-key go together/],
    [['--vaults.cbr=-1'], /--vaults\.cbr: "-1" is not a whole number from 0 to 200000/],
    [['--latency=soon'], /--latency: "soon" is not a duration/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with one line and exit 1', (args, message) => {
    const result = run(process.execPath, [MAIN_JS, 'simulate', ...args]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says in one line that its address is taken', async () => {
    const first = await simulate([]);
    const url = /at (http:\/\/[\d.]+:\d+)/.exec(first.text)?.[1] as string;
    const result = run(process.execPath, [MAIN_JS, 'simulate', `--web.listen-address=${new URL(url).host}`], { timeoutMs: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('huaweicloud-vault-exporter: --web.listen-address: cannot listen: EADDRINUSE');
  });

  it('--help lists its flags, and the exporter --help names the command', () => {
    const help = run(process.execPath, [MAIN_JS, 'simulate', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--project', '--vaults.cbr', '--auth.access-key', '--auth.iam-user', '--fault.throttle-every', '--fault.outage', '--latency']) {
      expect(help.stdout).toContain(flag);
    }
    expect(run(process.execPath, [MAIN_JS, '--help']).stdout).toMatch(/^\s+simulate \[<flags>\]/m);
  });
});

// The demo and the simulator are loaded only by --demo and simulate (dynamic imports in main.ts).
describe('what a start loads', () => {
  // Prints every module of dist/src that is loaded.
  const HOOK = moduleLoadsHook('/dist/src/');
  const loaded = (args: string[]): string[] => {
    const result = run(process.execPath, [HOOK, MAIN_JS, ...args]);
    expect(result.status, result.stderr).toBe(0);
    return loadedModules(result.stderr.split('\n'));
  };
  const simulatorModules = (modules: string[]) => modules.filter((m) => m.startsWith('sim/') || ['demo.js', 'simulate.js', 'simulate-flags.js'].includes(m));

  it('--config.check loads the exporter without the demo or the simulator', () => {
    const config = writeTempFile('check.yml', 'auth: { token: t }\ntargets: [{ project_id: p, region: ap-southeast-1 }]\n');
    const modules = loaded(['--config.check', `--config.file=${config}`]);
    expect(modules).toContain('daemon/runtime.js');
    expect(simulatorModules(modules)).toEqual([]);
  });

  it("the exporter's graph loads no WebSocket client (Node's bundled undici, which an ESM import of node:http loads)", () => {
    const config = writeTempFile('check.yml', 'auth: { token: t }\ntargets: [{ project_id: p, region: ap-southeast-1 }]\n');
    const exitHook = `data:text/javascript,${encodeURIComponent(
      'process.on("exit", () => process.stderr.write(`bundled undici: ${process.moduleLoadList.includes("NativeModule internal/deps/undici/undici")}\\n`));',
    )}`;
    // One start with both hooks: the graph holds the server (which imports node:http), and no bundled undici.
    const result = run(process.execPath, [HOOK, '--import', exitHook, MAIN_JS, '--config.check', `--config.file=${config}`]);
    expect(result.status, result.stderr).toBe(0);
    expect(loadedModules(result.stderr.split('\n'))).toContain('server/secure-listen.js');
    expect(result.stderr).toContain('bundled undici: false');
  });

  it("a serving exporter's threads load undici's request and proxy agent, not its index (fetch, WebSocket, caches)", async () => {
    const printed = await simulate(['--vaults.cbr=20']);
    const daemon = await exporterOn(printed.config, { NODE_OPTIONS: moduleLoadsHook('/node_modules/undici/') });
    const scraped = await scrapeUntil(daemon, (s) => values(s, 'huaweicloud_vault_exporter_source_up').join() === '1,1');
    expect(values(scraped, 'huaweicloud_vault_exporter_source_up')).toEqual([1, 1]);
    const undiciModules = loadedModules(daemon.lines);
    expect(undiciModules).toEqual(expect.arrayContaining(['lib/api/api-request.js', 'lib/dispatcher/env-http-proxy-agent.js', 'lib/dispatcher/client-h1.js']));
    expect(undiciModules.filter((m) => m === 'index.js' || m.startsWith('lib/web/') || m.startsWith('lib/cache/') || m.startsWith('lib/mock/'))).toEqual([]);
  });

  it("a serving exporter's main thread loads no schema or YAML parser, at start nor on a reload (its config thread does)", async () => {
    const printed = await simulate(['--vaults.cbr=20']);
    const fragment = '/node_modules/';
    const inMain = await exporterOn(printed.config, { NODE_OPTIONS: moduleLoadsHook(fragment, { mainThreadOnly: true }) });
    const anyThread = await exporterOn(printed.config, { NODE_OPTIONS: moduleLoadsHook(fragment) });
    for (const daemon of [inMain, anyThread]) {
      await scrapeUntil(daemon, (s) => values(s, 'huaweicloud_vault_exporter_source_up').join() === '1,1');
      daemon.child.kill('SIGHUP');
      await daemon.waitForLog((r) => r.msg === 'config reloaded');
    }
    // The main thread loads its own packages (the hook sees them), and none of the config's.
    expect(loadedModules(inMain.lines)).toEqual(expect.arrayContaining([expect.stringMatching(/^express\//), expect.stringMatching(/^prom-client\//)]));
    expect(configParserModules(inMain.lines)).toEqual([]);
    // The config was validated all the same: in the config thread, at start and again on the reload.
    const loads = configParserModules(anyThread.lines);
    expect(loads).toEqual(expect.arrayContaining([expect.stringMatching(/^zod\//), expect.stringMatching(/^yaml\//)]));
    const yamlEntry = loads.find((m) => m.startsWith('yaml/'));
    expect(loads.filter((m) => m === yamlEntry)).toHaveLength(2);
  });

  it('simulate loads them', () => {
    expect(simulatorModules(loaded(['simulate', '--help']))).toEqual(expect.arrayContaining(['simulate.js', 'sim/server.js']));
  });
});
