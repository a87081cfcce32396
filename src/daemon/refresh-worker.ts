/**
 * The refresh worker's thread: runs one config's engine (listing, parsing, mapping, rendering) away from the
 * main thread, which only serves. Started by refresh-thread.ts with the engine's init as workerData.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
// Not from config/load.js: that would load zod and yaml into the refresh worker (13 MB), which validates nothing.
import { ConfigError } from '../config/config-error.js';
import { createLogger } from '../log.js';
import type { EngineInit } from './engine.js';
import { createEngine } from './engine.js';
import type { FromWorker, ToWorker } from './engine-protocol.js';
import { boundHeapGrowth } from './heap-growth-bound.js';
import { fullGcs } from './release-memory.js';
import { packUnit } from './unit-packing.js';

const port = parentPort;
if (!port) throw new Error('refresh-worker.js runs as a worker thread only');
const { init, logLevel } = workerData as { init: EngineInit; logLevel: string };
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

// JSON lines, posted to the main thread, which writes them to its own sink (in its format) in order.
const log = createLogger({ level: logLevel as 'info', format: 'json', stream: { write: (line) => post({ type: 'log', line }) } });

// During a refresh, its garbage is collected as it grows (heap-growth-bound.ts); after it, all of it (collect).
const gcs = fullGcs();
const collect = gcs?.release;
const bound = gcs && boundHeapGrowth(gcs.regular);
const postHeap = () => {
  const heap = getHeapStatistics();
  const bounded = bound?.takeCollections() ?? { collections: 0, seconds: 0 };
  post({ type: 'heap', heap: { used: heap.used_heap_size, total: heap.total_heap_size, external: heap.external_memory, bounded } });
};

let engine: ReturnType<typeof createEngine>;
try {
  engine = createEngine(
    init,
    {
      unit(unit) {
        const { packed, transfer } = packUnit(unit);
        post({ type: 'unit', unit: packed }, transfer);
      },
      request: (labels, code) => post({ type: 'request', labels, code }),
      counters: (counters) => post({ type: 'counters', counters }),
      holds: (holds) => post({ type: 'holds', holds }),
      refreshing: (running) => {
        if (running) bound?.start();
        else bound?.stop(); // the last-resort collection follows, and the bound measures from what it left
        post({ type: 'refreshing', running });
      },
    },
    log,
    // After each refresh: the collection, then what the heap holds once it is done.
    () => {
      collect?.();
      bound?.rebase();
      postHeap();
    },
  );
  post({ type: 'ready' });
  postHeap();
} catch (err) {
  post({ type: 'failed', message: (err as Error).message, config: err instanceof ConfigError });
  process.exit(1);
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      engine.start();
      break;
    case 'refresh':
      void engine.refreshNow().then((started) => post({ type: 'refreshed', id: message.id, started }));
      break;
    case 'stop':
      void engine.stop().then(async ({ interrupted }) => {
        await engine.close();
        post({ type: 'stopped', interrupted });
      });
      break;
  }
});
