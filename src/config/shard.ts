import { createHash } from 'node:crypto';

/** This replica's part of the target list: the targets whose project id hashes to `index` modulo `total`. */
export interface Shard {
  index: number;
  total: number;
}

export const NO_SHARD: Shard = { index: 0, total: 1 };

/**
 * Prometheus's `hashmod` relabel action: the MD5 of the value, its last 8 bytes read as a big-endian unsigned
 * 64-bit integer, modulo `modulus` (Prometheus's relabel.go). The same function, so that an operator can tell
 * with Prometheus's own tools which replica serves a project, and so that every replica, reading the same list,
 * decides the same.
 */
export function hashmod(value: string, modulus: number): number {
  const digest = createHash('md5').update(value, 'utf8').digest();
  return Number(digest.readBigUInt64BE(8) % BigInt(modulus));
}

/**
 * The key is the project id: unique across regions and accounts (a project is one region of one account), and
 * stable while other projects come and go, so a project stays on its replica. Both sources of a project land on
 * one replica, which then holds that project's only credentials (one IAM token per project, not one per replica).
 */
export function servesProject(shard: Shard, projectId: string): boolean {
  return shard.total === 1 || hashmod(projectId, shard.total) === shard.index;
}

const SHARD_TEXT = /^(\d{1,4})\/(\d{1,4})$/;
const MAX_SHARDS = 1000;

/** The shard INDEX/TOTAL, or a one-line problem (for `--shard` and the config's `shard:`). */
export function checkShard(index: number, total: number): Shard | string {
  if (total < 1 || total > MAX_SHARDS) return `the shard count must be 1 to ${MAX_SHARDS}`;
  if (index >= total) return `shard index ${index} is not below the shard count ${total} (shards are numbered 0 to ${total - 1})`;
  return { index, total };
}

/** `--shard=I/N`: the shard, or a one-line problem. */
export function parseShard(text: string): Shard | string {
  const match = SHARD_TEXT.exec(text);
  if (!match) return `"${text}" is not INDEX/TOTAL (example: 0/2 for the first of two replicas)`;
  return checkShard(Number(match[1]), Number(match[2]));
}
