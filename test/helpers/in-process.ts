import { afterEach } from 'vitest';
import type { Daemon } from '../../src/daemon/daemon.js';
import type { SimulatedCloud } from '../../src/sim/server.js';

/** What a test started in this process, to be stopped after it. */
export interface InProcess {
  cloud?: SimulatedCloud;
  daemon?: Daemon;
}

/** After each test of the file: its daemon shut down, then its simulated cloud closed. */
export function stoppedAfterEach(): InProcess {
  const started: InProcess = {};
  afterEach(async () => {
    await started.daemon?.shutdown(1000);
    await started.cloud?.close();
    started.daemon = started.cloud = undefined;
  });
  return started;
}
