import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet, type CbrVaultRecord, type HssVaultRecord } from '../../src/sim/fleet.js';
import { startSimulatedCloud, type SimulatedCloud } from '../../src/sim/server.js';
import { startDaemon, waitForReady, type DaemonProcess } from '../helpers/process.js';
import { writeTempFile } from '../helpers/temp-dirs.js';
import { byVault, parseExposition, type ParsedSample } from '../helpers/parse-exposition.js';
import { havePromtool, promtoolCheckMetrics } from '../helpers/promtool.js';

const TOKEN = 'e2e-token-0f9a8b7c6d5e4f3a2b1c';
const PROJECTS = [
  { id: 'e2e0000000000000000000000000000a', region: 'ap-southeast-1', cbr: 3500, hss: 900, malformed: false },
  { id: 'e2e0000000000000000000000000000b', region: 'cn-north-4', cbr: 1200, hss: 300, malformed: true },
];
const GIB = 2 ** 30;
const MIB = 2 ** 20;
const TAG_KEYS = ['env', 'team', 'cost-center'];
const TAG_LABELS = ['tag_env', 'tag_team', 'tag_cost_center'];

let cloud: SimulatedCloud;
let daemon: DaemonProcess;
let text: string;
let samples: ParsedSample[];

beforeAll(async () => {
  cloud = await startSimulatedCloud({
    fleets: PROJECTS.map((p) => generateFleet({ projectId: p.id, cbrVaults: p.cbr, hssVaults: p.hss, malformed: p.malformed })),
    tokens: [TOKEN],
  });
  const config = writeTempFile(
    'exporter.yaml',
    `refresh:\n  schedule: "0 0 1 1 *"\nauth:\n  token: "${TOKEN}"\ntargets:\n` +
      PROJECTS.map((p) => `  - project_id: "${p.id}"\n    region: ${p.region}\n    endpoints: { cbr: "${cloud.url}", hss: "${cloud.url}" }\n`).join('') +
      `export:\n  tags: [${TAG_KEYS.join(', ')}]\n  resources: true\n`,
  );
  daemon = await startDaemon([`--config.file=${config}`]);
  await waitForReady(daemon);
  text = await (await fetch(`${daemon.url}/metrics`, { headers: { 'accept-encoding': 'identity' } })).text();
  samples = parseExposition(text);
});

afterAll(async () => {
  await daemon?.stop();
  await cloud?.close();
});

const num = (v: unknown) => (typeof v === 'number' && v >= 0 ? v : undefined);
const one = (family: Map<string, ParsedSample[]> | undefined, id: string) => family?.get(id)?.[0]?.value;

describe('the daemon against the simulated cloud', () => {
  it('exports every CBR vault with the values the API gave, in bytes', () => {
    const vaults = byVault(samples);
    let checked = 0;
    for (const project of PROJECTS) {
      for (const record of cloud.vaults(project.id, 'cbr') as CbrVaultRecord[]) {
        const raw = record as unknown as Record<string, any>;
        if (typeof raw.id !== 'string' || raw.id === '') continue;
        const billing = raw.billing ?? {};
        const expected = (v: unknown, unit: number) => (num(v) === undefined ? undefined : (v as number) * unit);
        expect(one(vaults.get('huaweicloud_cbr_vault_size_bytes'), raw.id)).toBe(expected(billing.size, GIB));
        expect(one(vaults.get('huaweicloud_cbr_vault_used_bytes'), raw.id)).toBe(expected(billing.used, MIB));
        expect(one(vaults.get('huaweicloud_cbr_vault_allocated_bytes'), raw.id)).toBe(expected(billing.allocated, GIB));
        expect(one(vaults.get('huaweicloud_cbr_vault_resources'), raw.id)).toBe(Array.isArray(raw.resources) ? raw.resources.length : undefined);
        const status = vaults.get('huaweicloud_cbr_vault_status')?.get(raw.id) ?? [];
        if (typeof billing.status === 'string') {
          expect(status.filter((s) => s.value === 1).map((s) => s.labels.status)).toEqual([billing.status]);
        } else {
          expect(status).toEqual([]);
        }
        const info = vaults.get('huaweicloud_cbr_vault_info')!.get(raw.id)![0]!;
        expect(info.labels).toMatchObject({ project_id: project.id, region: project.region, vault_name: typeof raw.name === 'string' ? raw.name : '' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(4690);
  });

  it("exports every CBR vault's alarm threshold, SMN switch, lock, info labels, tags and bound resources as the API gave them", () => {
    const vaults = byVault(samples);
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const seen = { thresholds: new Set<number>(), tagged: 0, unprotected: 0, resources: 0, locked: 0 };
    for (const project of PROJECTS) {
      for (const record of cloud.vaults(project.id, 'cbr') as CbrVaultRecord[]) {
        const raw = record as unknown as Record<string, any>;
        if (typeof raw.id !== 'string' || raw.id === '') continue;
        const billing = raw.billing ?? {};
        const threshold = typeof raw.threshold === 'number' && raw.threshold >= 1 && raw.threshold <= 100 ? raw.threshold / 100 : undefined;
        expect(one(vaults.get('huaweicloud_cbr_vault_capacity_alarm_threshold_ratio'), raw.id)).toBe(threshold);
        if (threshold !== undefined) seen.thresholds.add(threshold);
        const flag = (v: unknown) => (typeof v === 'boolean' ? Number(v) : undefined);
        expect(one(vaults.get('huaweicloud_cbr_vault_smn_notify'), raw.id)).toBe(flag(raw.smn_notify));
        expect(one(vaults.get('huaweicloud_cbr_vault_locked'), raw.id)).toBe(flag(raw.locked));
        if (raw.locked === true) seen.locked++;
        expect(vaults.get('huaweicloud_cbr_vault_info')!.get(raw.id)![0]!.labels).toMatchObject({
          auto_expand: String(raw.auto_expand),
          enterprise_project_id: String(raw.enterprise_project_id ?? ''),
          availability_zone: text(raw.availability_zone),
          is_multi_az: typeof raw.is_multi_az === 'boolean' ? String(raw.is_multi_az) : '',
          sys_lock_source_service: text(raw.sys_lock_source_service),
          frozen_scene: text(billing.frozen_scene),
        });
        const tags = vaults.get('huaweicloud_cbr_vault_tags')?.get(raw.id) ?? [];
        const values = TAG_KEYS.map((key) => (raw.tags as { key: string; value: string }[]).find((t) => t.key === key)?.value ?? '');
        expect(tags.map((s) => TAG_LABELS.map((label) => s.labels[label]))).toEqual([values]);
        if (values.some((v) => v !== '')) seen.tagged++;
        const bound = Array.isArray(raw.resources) ? (raw.resources as Record<string, any>[]) : [];
        const exported = (family: string) =>
          Object.fromEntries((vaults.get(`huaweicloud_cbr_vault_resource_${family}`)?.get(raw.id) ?? []).map((s) => [s.labels.resource_id, s]));
        const [info, backups, backupSize, allocated] = ['info', 'backups', 'backup_size_bytes', 'allocated_bytes'].map(exported);
        expect(Object.keys(info).sort()).toEqual(bound.map((r) => r.id).sort());
        for (const resource of bound) {
          expect(info![resource.id]!.labels).toMatchObject({ resource_name: resource.name, resource_type: resource.type, protect_status: resource.protect_status, vault_name: raw.name });
          expect(backups![resource.id]?.value).toBe(resource.backup_count);
          expect(backupSize![resource.id]?.value).toBe(resource.backup_size * GIB);
          expect(allocated![resource.id]?.value).toBe(resource.size * GIB);
          if (resource.backup_count === 0 || resource.protect_status !== 'available') seen.unprotected++;
          seen.resources++;
        }
      }
    }
    // The fleet shows each kind of fact: own thresholds 50 %, 80 %, 90 %, locks, tags, resources never backed up.
    expect([...seen.thresholds].sort()).toEqual([0.5, 0.8, 0.9]);
    expect(seen.locked).toBeGreaterThan(0);
    expect(seen.tagged).toBeGreaterThan(1000);
    expect(seen.resources).toBeGreaterThan(10_000);
    expect(seen.unprotected).toBeGreaterThan(100);
  });

  it('exports every HSS vault with its bind eligibility as the API page defines it', () => {
    const vaults = byVault(samples);
    let eligible = 0;
    let checked = 0;
    for (const project of PROJECTS) {
      for (const record of cloud.vaults(project.id, 'hss') as HssVaultRecord[]) {
        const raw = record as unknown as Record<string, any>;
        if (typeof raw.vault_id !== 'string' || raw.vault_id === '') continue;
        const id = raw.vault_id;
        const size = num(raw.vault_size);
        const used = num(raw.vault_used);
        const servers = num(raw.resources_num);
        expect(one(vaults.get('huaweicloud_hss_vault_size_bytes'), id)).toBe(size === undefined ? undefined : size * GIB);
        expect(one(vaults.get('huaweicloud_hss_vault_used_bytes'), id)).toBe(used === undefined ? undefined : used * MIB);
        expect(one(vaults.get('huaweicloud_hss_vault_bound_servers'), id)).toBe(servers);
        const bound = typeof raw.backup_policy_id === 'string' && raw.backup_policy_id !== '';
        const decidable = size !== undefined && used !== undefined && servers !== undefined && typeof raw.vault_status === 'string' && (!bound || typeof raw.backup_policy_enabled === 'boolean');
        const expected = !decidable
          ? undefined
          : raw.vault_status === 'available' && bound && raw.backup_policy_enabled === true && used * MIB < size * GIB && servers < 256 ? 1 : 0;
        expect(one(vaults.get('huaweicloud_hss_vault_bind_eligible'), id)).toBe(expected);
        if (expected === 1) eligible++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1190);
    expect(eligible).toBeGreaterThan(0);
  });

  it('escapes odd vault names so they read back exactly', () => {
    const names = new Set(samples.filter((s) => s.name === 'huaweicloud_cbr_vault_info').map((s) => s.labels.vault_name));
    expect(names).toContain('备份-vault "prod" \\ 1');
    expect(names).toContain('C:\\backups\\vault-é');
  });

  it('reports each source up with its vault count, and counts invalid fields', () => {
    const exporter = samples.filter((s) => s.name === 'huaweicloud_vault_exporter_source_up');
    expect(exporter.map((s) => s.value)).toEqual([1, 1, 1, 1]);
    const counts = samples.filter((s) => s.name === 'huaweicloud_vault_exporter_vaults');
    const cbrA = counts.find((s) => s.labels.source === 'cbr' && s.labels.project_id === PROJECTS[0]!.id)!;
    expect(cbrA.value).toBe(3500);
    const invalid = samples.filter((s) => s.name === 'huaweicloud_vault_exporter_invalid_fields_total' && s.labels.project_id === PROJECTS[1]!.id);
    expect(invalid.every((s) => s.value > 0)).toBe(true);
    const requests = samples.filter((s) => s.name === 'huaweicloud_vault_exporter_api_requests_total' && s.labels.code === '200');
    expect(requests.length).toBe(4);
    // Malformed records are logged once per refresh and pair, with counts.
    const warnings = daemon.logs().filter((r) => r.msg === 'API records did not match the documented shape; affected series left out');
    expect(warnings.map((r) => r.pair).sort()).toEqual([`cbr/${PROJECTS[1]!.id}/cn-north-4`, `hss/${PROJECTS[1]!.id}/cn-north-4`]);
    expect(warnings.every((r) => Number(r.invalid_fields) > 0 && Number(r.invalid_records) === 1)).toBe(true);
  });

  it('passes promtool check metrics with no complaints', (ctx) => {
    if (!havePromtool()) return ctx.skip();
    const result = promtoolCheckMetrics(text);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('serves the same vault series gzip-compressed, with Content-Length', async () => {
    const response = await request(`${daemon.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers['content-encoding']).toBe('gzip');
    const body = Buffer.from(await response.body.arrayBuffer());
    expect(Number(response.headers['content-length'])).toBe(body.length);
    const vaultLines = (t: string) => t.split('\n').filter((l) => l.startsWith('huaweicloud_cbr_') || l.startsWith('huaweicloud_hss_'));
    expect(vaultLines(gunzipSync(body).toString('utf8'))).toEqual(vaultLines(text));
    expect(body.length).toBeLessThan(Buffer.byteLength(text) / 5);
  });

  it('answers health, landing, unknown paths and wrong methods as an exporter should', async () => {
    expect((await fetch(`${daemon.url}/-/healthy`)).status).toBe(200);
    const landing = await (await fetch(`${daemon.url}/`)).text();
    expect(landing).toContain('href="/metrics"');
    expect((await fetch(`${daemon.url}/nope`)).status).toBe(404);
    const post = await fetch(`${daemon.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${daemon.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1_000_000);
  });

  it('never writes the token to its logs or its pages', async () => {
    const landing = await (await fetch(`${daemon.url}/`)).text();
    expect(landing).not.toContain(TOKEN);
    expect(text).not.toContain(TOKEN);
    expect(daemon.lines.join('\n')).not.toContain(TOKEN);
  });
});
