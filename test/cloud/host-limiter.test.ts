import { describe, expect, it } from 'vitest';
import { HostLimiter } from '../../src/cloud/host-limiter.js';

// A task's work: the tasks overlap for as long as they take, whatever that is; nothing waits on a state.
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HostLimiter', () => {
  it('keeps at most N tasks in flight per host, and hosts apart', async () => {
    const limiter = new HostLimiter(3);
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const task = (host: string) =>
      limiter.run(host, async () => {
        inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
        peak.set(host, Math.max(peak.get(host) ?? 0, inFlight.get(host)!));
        await tick(5);
        inFlight.set(host, inFlight.get(host)! - 1);
      });
    await Promise.all([...Array.from({ length: 20 }, () => task('cbr')), ...Array.from({ length: 7 }, () => task('hss'))]);
    expect(peak.get('cbr')).toBe(3);
    expect(peak.get('hss')).toBe(3);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new HostLimiter(1);
    await expect(limiter.run('h', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run('h', async () => 'next')).resolves.toBe('next');
  });
});
