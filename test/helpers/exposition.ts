import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { PairStatus, VaultSnapshot } from '../../src/collect/snapshot.js';
import { initialStatus, pairKey, summaryOf } from '../../src/collect/snapshot.js';
import { inflateBody } from '../../src/metrics/gzip-parts.js';
import { PairRenderer } from '../../src/metrics/pair-renderer.js';
import { BASE_EXPORT } from '../../src/config/export-config.js';
import { vaultFamilies, type VaultFamilies } from '../../src/metrics/source-families.js';
import { VaultExposition } from '../../src/metrics/vault-exposition.js';

export const silentLog = pino({ level: 'silent' });

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
}

/** A status that serves `snapshot`, freshly taken. */
export function statusOf(snapshot: VaultSnapshot): PairStatus {
  return { ...initialStatus(snapshot.pair), attempted: true, up: true, snapshot: summaryOf(snapshot), lastSuccess: snapshot.takenAt };
}

export function pairFor(source: 'cbr' | 'hss', projectId = '0605767b5780d5762fc5c0118072a564', region = 'ap-southeast-1', labels: readonly (readonly [string, string])[] = []) {
  return { key: pairKey(source, projectId, region), source, projectId, region, endpoint: 'http://127.0.0.1:1', labels };
}

let snapshotIds = 0;

/** A snapshot as the collector takes it, with an id of its own. */
export function snapshotOf(snapshot: Omit<VaultSnapshot, 'id'>): VaultSnapshot {
  return { ...snapshot, id: ++snapshotIds } as VaultSnapshot;
}

/** The families of a config without an `export:` block. */
export const baseFamilies = vaultFamilies(BASE_EXPORT);

/** A renderer feeding an exposition of `statuses`' pairs, as a runtime wires them across its threads. */
export function publisher(statuses: readonly PairStatus[], families: VaultFamilies = baseFamilies) {
  const exposition = new VaultExposition(statuses.map((status) => initialStatus(status.pair)), silentLog, families);
  const renderer = new PairRenderer(families, silentLog);
  renderer.onUnit((unit) => exposition.publish(unit));
  return { exposition, renderer, text: async () => (await inflateBody(exposition.publication().body)).toString('utf8') };
}

/**
 * The vault and pair part of /metrics for these pairs, as the exporter serves it once every listing is rendered
 * and published: each status with the listing it took, if any.
 */
export async function exposeStatuses(pairs: readonly { status: PairStatus; listed?: VaultSnapshot }[], families: VaultFamilies = baseFamilies): Promise<string> {
  const { renderer, text } = publisher(pairs.map(({ status }) => status), families);
  for (const { status, listed } of pairs) renderer.update(status, listed);
  await renderer.settled();
  return text();
}

/** The same for freshly taken snapshots. */
export function exposeSnapshots(snapshots: Omit<VaultSnapshot, 'id'>[], families: VaultFamilies = baseFamilies): Promise<string> {
  const pairs = snapshots.map((snapshot) => {
    const listed = snapshotOf(snapshot);
    return { status: statusOf(listed), listed };
  });
  return exposeStatuses(pairs, families);
}

/** Only the sample lines of the named family. */
export function samplesOf(text: string, family: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `));
}
