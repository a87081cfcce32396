import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { PairStatus, VaultSnapshot } from '../../src/collect/snapshot.js';
import { initialStatus, pairKey } from '../../src/collect/snapshot.js';
import { inflateBody } from '../../src/metrics/gzip-parts.js';
import { VaultExposition } from '../../src/metrics/vault-exposition.js';

export const silentLog = pino({ level: 'silent' });

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
}

export function statusOf(snapshot: VaultSnapshot): PairStatus {
  return { ...initialStatus(snapshot.pair), attempted: true, up: true, snapshot, lastSuccess: snapshot.takenAt };
}

export function pairFor(source: 'cbr' | 'hss', projectId = '0605767b5780d5762fc5c0118072a564', region = 'ap-southeast-1', labels: readonly (readonly [string, string])[] = []) {
  return { key: pairKey(source, projectId, region), source, projectId, region, endpoint: 'http://127.0.0.1:1', labels };
}

/** The vault and pair part of /metrics for these pairs, as the exporter serves it once every one is published. */
export async function exposeStatuses(statuses: PairStatus[]): Promise<string> {
  const exposition = new VaultExposition(statuses, silentLog);
  await exposition.settled();
  return (await inflateBody(exposition.publication().body)).toString('utf8');
}

/** The same for freshly taken snapshots. */
export function exposeSnapshots(snapshots: VaultSnapshot[]): Promise<string> {
  return exposeStatuses(snapshots.map(statusOf));
}

/** Only the sample lines of the named family. */
export function samplesOf(text: string, family: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `));
}
