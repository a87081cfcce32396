// The process harness itself (test/helpers/process.ts): what a failing e2e test can tell about its processes.
import { describe, expect, it } from 'vitest';
import { TestProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait-for.js';

const node = (name: string, script: string) => new TestProcess(name, process.execPath, ['-e', script]);

describe('TestProcess', () => {
  it('keeps every line, parses the JSON ones, and finds a log line printed just before the exit', async () => {
    const child = node('printer', 'console.log("plain"); console.error(JSON.stringify({ msg: "bye", n: 1 }));');
    await expect(child.waitForLog((r) => r.msg === 'bye')).resolves.toEqual({ msg: 'bye', n: 1 });
    expect(await child.exited).toBe(0);
    expect([...child.lines].sort()).toEqual(['plain', '{"msg":"bye","n":1}']);
    expect(child.stdout).toEqual(['plain']);
    expect(child.logs()).toEqual([{ msg: 'bye', n: 1 }]);
  });

  it('ends a wait on a state it can no longer reach, with how it ended and what it printed', async () => {
    const child = node('crasher', 'console.error("cannot listen: EADDRINUSE"); process.exit(3);');
    const wait = waitFor('a state that never comes', () => false, { timeoutMs: 60_000, intervalMs: 60_000, daemons: [child] });
    await expect(wait).rejects.toThrow(/^crasher ended while waiting for a state that never comes\n--- crasher \(exit code 3\), output \(tail\) ---\ncannot listen: EADDRINUSE$/);
  });

  it('reports a command that cannot start', async () => {
    const child = new TestProcess('missing', 'no-such-command-hve', []);
    expect(await child.stop()).toBe(-1);
    expect(child.running).toBe(false);
    expect(child.output()).toMatch(/missing \(could not start\).*\nmissing: spawn no-such-command-hve ENOENT$/s);
  });

  it('stops a process with SIGTERM and gives its exit code', async () => {
    const child = node('sleeper', 'process.on("SIGTERM", () => process.exit(0)); console.log("up"); setInterval(() => undefined, 1000);');
    await waitFor('the sleeper to be up', () => child.stdout.includes('up'), { daemons: [child], wakeOnOutput: true });
    expect(await child.stop()).toBe(0);
    expect(child.output()).toContain('sleeper (exit code 0)');
  });
});
