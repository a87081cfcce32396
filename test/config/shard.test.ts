import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { hashmod, parseShard, servesProject } from '../../src/config/shard.js';
import { configErrorOf } from '../helpers/config-error.js';

describe('shards', () => {
  it('hashes as Prometheus hashmod does: the last 8 bytes of the MD5, big-endian, modulo N', () => {
    // md5("a") = 0cc175b9c0f1b6a831c399e269772661: the last 8 bytes are 0x31c399e269772661.
    expect(hashmod('a', 1_000_000_007)).toBe(Number(0x31c399e269772661n % 1_000_000_007n));
    expect(hashmod('a', 2)).toBe(1);
  });

  it('gives every project to exactly one of N shards, and roughly evenly', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `project-${i}`);
    for (const total of [1, 2, 3, 7]) {
      const counts = Array.from({ length: total }, (_, index) => ids.filter((id) => servesProject({ index, total }, id)).length);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length);
      for (const count of counts) expect(count).toBeGreaterThan((ids.length / total) * 0.85);
    }
  });

  it('reads --shard=I/N and shard: {index, total}, and says what is wrong', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, total: 2 });
    expect(parseShard('2/2')).toBe('shard index 2 is not below the shard count 2 (shards are numbered 0 to 1)');
    expect(parseShard('0/0')).toBe('the shard count must be 1 to 1000');
    expect(parseShard('one/two')).toBe('"one/two" is not INDEX/TOTAL (example: 0/2 for the first of two replicas)');
    const target = { project_id: 'p', region: 'ap-southeast-1' };
    expect(validateConfig({ auth: { token: 't' }, targets: [target], shard: { index: 1, total: 3 } }, 'x').shard).toEqual({ index: 1, total: 3 });
    expect(configErrorOf(() => validateConfig({ auth: { token: 't' }, targets: [target], shard: { index: 3, total: 3 } }, 'x'))).toBe(
      'x: shard: shard index 3 is not below the shard count 3 (shards are numbered 0 to 2)',
    );
  });
});
