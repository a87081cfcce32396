import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startDeadline } from '../../src/cloud/deadline.js';

// These sleeps test a timer itself, no state of anything else: Node runs timers in the order they are due, so a
// sleep longer than the deadline's time ends after that timer had its turn, however loaded the machine is.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startDeadline', () => {
  it('aborts with a TimeoutError naming itself when the time is up', async () => {
    const deadline = startDeadline(30, new AbortController().signal, 'refresh.timeout');
    expect(deadline.expired).toBe(false);
    await sleep(80);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired).toBe(true);
    expect(deadline.signal.reason).toMatchObject({ name: 'TimeoutError', message: 'refresh.timeout of 30 ms passed' });
  });

  it('follows its parent without counting that as expiry, even a parent aborted before it started', () => {
    const parent = new AbortController();
    const deadline = startDeadline(10_000, parent.signal);
    parent.abort(new Error('shutting down'));
    expect(deadline.signal.reason).toEqual(new Error('shutting down'));
    expect(deadline.expired).toBe(false);
    deadline.clear();
    expect(startDeadline(10_000, parent.signal).signal.aborted).toBe(true);
  });

  it('stops its timer and lets go of the parent when cleared', async () => {
    const parent = new AbortController();
    const deadline = startDeadline(20, parent.signal);
    deadline.clear();
    await sleep(60); // past the 20 ms the cleared timer would have fired at: proves it does not
    parent.abort();
    expect(deadline.signal.aborted).toBe(false);
  });

  // nodejs/node#57736: AbortSignal.any([parent, AbortSignal.timeout(ms)]) on Node 20 loses its timeout when
  // the garbage collector runs first (it did in CI: a request outlived its timeout). Only a process with
  // --expose-gc can force a collection, so run one, and check through a WeakRef that it really collected.
  it('still fires after garbage collection', () => {
    const module = fileURLToPath(new URL('../../dist/src/cloud/deadline.js', import.meta.url));
    const script = `
      const { startDeadline } = await import(${JSON.stringify(module)});
      const parent = new AbortController();
      const garbage = new WeakRef({});
      let fired = false;
      startDeadline(100, parent.signal).signal.addEventListener('abort', () => (fired = true));
      for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      // Past the deadline's 100 ms (timers run in order): the timer under test had its turn.
      await new Promise((r) => setTimeout(r, 300));
      console.log(JSON.stringify({ fired, collected: garbage.deref() === undefined }));`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ fired: true, collected: true });
  });
});
