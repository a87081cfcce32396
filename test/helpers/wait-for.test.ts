import { describe, expect, it } from 'vitest';
import { waitFor, type Watched } from './wait-for.js';

/** A process stand-in that ends when told to. */
function fakeDaemon(name: string): Watched & { end(): void } {
  let ended: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (ended = resolve));
  const state = { running: true };
  return {
    name,
    get running() {
      return state.running;
    },
    closed,
    changed: () => closed,
    output: () => `--- ${name} output ---\nlast words`,
    end() {
      state.running = false;
      ended();
    },
  };
}

describe('waitFor', () => {
  it('returns the first value that is not undefined, null or false, trying again after errors', async () => {
    let probes = 0;
    const value = await waitFor('the third probe', () => {
      probes++;
      if (probes === 1) throw new Error('not listening yet');
      return probes === 3 && { probes };
    }, { intervalMs: 1 });
    expect(value).toEqual({ probes: 3 });
  });

  it('fails at once on a failed expect() in the probe', async () => {
    let probes = 0;
    await expect(waitFor('never', () => {
      probes++;
      expect(probes).toBe(0);
      return true;
    }, { intervalMs: 1 })).rejects.toThrow(/^expected 1 to be \+0/);
    expect(probes).toBe(1);
  });

  it('names what it waited for, the last error and the state last seen when the time is up', async () => {
    const wait = waitFor('the moon', () => {
      throw new Error('ECONNREFUSED');
    }, { timeoutMs: 20, intervalMs: 5, detail: () => 'no moon' });
    await expect(wait).rejects.toThrow(/^timed out after 20 ms waiting for the moon; last error: ECONNREFUSED; last seen: no moon/);
  });

  it('fails as soon as a process it depends on ends, with that process\'s output', async () => {
    const daemon = fakeDaemon('exporter');
    const started = Date.now();
    const wait = waitFor('a state that never comes', () => false, { timeoutMs: 60_000, intervalMs: 60_000, daemons: [daemon] });
    daemon.end();
    await expect(wait).rejects.toThrow(/^exporter ended while waiting for a state that never comes\n--- exporter output ---\nlast words$/);
    // Woken by the end itself, not by the next probe a minute later.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('still returns the state when the process printed it just before it ended', async () => {
    const daemon = fakeDaemon('simulate');
    let printed = false;
    const wait = waitFor('the last line', () => printed && 'seen', { intervalMs: 60_000, daemons: [daemon] });
    printed = true;
    daemon.end();
    await expect(wait).resolves.toBe('seen');
  });
});
