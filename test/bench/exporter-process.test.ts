import { describe, expect, it } from 'vitest';
import { configParserModules, loadedModules, moduleLoadsHook } from '../helpers/module-loads.js';
import { run } from '../helpers/process.js';

const EXPORTER_JS = new URL('../../dist/bench/exporter-process.js', import.meta.url).pathname;

describe("the bench's exporter child", () => {
  // Its RSS rows stand for the daemon's: its main thread must hold what the daemon's does, no more.
  it('loads its config as the daemon does: no schema or YAML parser on its main thread', () => {
    const options = { simUrl: 'http://127.0.0.1:9', projectId: '0605767b5780d5762fc5c0118072a564', region: 'ap-southeast-1', concurrency: 4, token: 'bench-token', delayResolutionMs: 5 };
    // Without an IPC channel it sets the daemon up (config loaded, nothing started) and exits.
    const result = run(process.execPath, [moduleLoadsHook('/node_modules/', { mainThreadOnly: true }), EXPORTER_JS, JSON.stringify(options)]);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stderr.split('\n');
    expect(loadedModules(lines)).toEqual(expect.arrayContaining([expect.stringMatching(/^express\//), expect.stringMatching(/^prom-client\//)]));
    expect(configParserModules(lines)).toEqual([]);
  });
});
