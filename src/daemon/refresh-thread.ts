import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.js';
import { sinkOf } from '../log.js';
import type { WorkerHeap } from '../metrics/exporter-metrics.js';
import type { Engine, EngineEvents, EngineInit } from './engine.js';
import type { FromWorker, ToWorker } from './engine-protocol.js';
import { unpackUnit } from './unit-packing.js';
import { workerScript } from './worker-script.js';

/**
 * The worker's young generation: V8's default on Node 24 lets a refresh's short-lived garbage (parsed pages,
 * rendered text) grow the process by ~75 MB at 10,000 vaults, and more at each refresh; with this bound RSS
 * stayed flat (bench: 297 MB after 4 refreshes by default, 221-230 MB with 8 MB). Its collections run in the
 * worker, so their pauses never reach a scrape.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/** A refresh that outlives refresh.timeout by this much is a hung worker: it is ended, and the refresh fails. */
export const HUNG_WORKER_GRACE_MS = 15_000;

/** What a worker tells beyond an engine's events. */
export interface ThreadEvents extends EngineEvents {
  heap(heap: WorkerHeap): void;
}

/** Told when the worker died or hung (it is gone by then): the runtime fails what was in flight and starts another. */
export type OnWorkerLost = (reason: string) => void;

/** For tests of a lost worker: another script (one that dies or hangs on purpose), a shorter grace. */
export interface WorkerOptions {
  script?: URL;
  hungGraceMs?: number;
}

/**
 * An engine in a worker thread: the main thread keeps only the serving, and a refresh's heap, its parsing and
 * its garbage collections are the worker's. Resolves once the worker has made its engine; rejects with a
 * ConfigError when the config's files cannot be read there.
 */
export function startRefreshThread(init: EngineInit, events: ThreadEvents, log: Logger, lost: OnWorkerLost, options: WorkerOptions = {}): Promise<Engine> {
  const grace = options.hungGraceMs ?? HUNG_WORKER_GRACE_MS;
  const worker = new Worker(options.script ?? workerScript('refresh-worker.js'), { workerData: { init, logLevel: log.level }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  const sink = sinkOf(log);
  const waiting = new Map<number, (started: boolean) => void>();
  let serial = 0;
  let stopping: ((interrupted: boolean) => void) | undefined;
  let ended = false;
  let hung: NodeJS.Timeout | undefined;
  const send = (message: ToWorker) => worker.postMessage(message);

  // The reason the worker is being lost. It is told only at 'exit': Node delivers what the worker posted before
  // it died (a unit already published) by then, but may emit 'error' ahead of it, and a hung worker's watchdog
  // may fire while its last unit still waits in the queue.
  let losing: string | undefined;
  const end = (reason: string) => {
    if (ended || losing !== undefined) return;
    losing = reason;
    clearTimeout(hung);
    void worker.terminate();
  };
  const gone = (reason: string) => {
    if (ended) return;
    ended = true;
    clearTimeout(hung);
    // Whoever waits on the worker gets an answer: nothing more will come.
    for (const resolve of waiting.values()) resolve(false);
    waiting.clear();
    if (stopping) stopping(true);
    else lost(reason);
  };

  return new Promise<Engine>((resolve, reject) => {
    const engine: Engine = {
      start: () => send({ type: 'start' }),
      refreshNow: () =>
        new Promise<boolean>((done) => {
          if (ended) return done(false);
          const id = ++serial;
          waiting.set(id, done);
          send({ type: 'refresh', id });
        }),
      stop: () =>
        new Promise<{ interrupted: boolean }>((done) => {
          if (ended) return done({ interrupted: true });
          stopping = (interrupted) => done({ interrupted });
          send({ type: 'stop' });
          // A worker that cannot stop (hung) is ended: a reload or shutdown must not wait on it forever. This
          // watchdog takes the running refresh's place: left running, that one held the runtime for its timeout.
          clearTimeout(hung);
          hung = setTimeout(() => end('the refresh worker did not stop'), init.config.refresh.timeout + grace);
        }),
      async close() {
        ended = true;
        clearTimeout(hung);
        await worker.terminate();
      },
    };
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          resolve(engine);
          break;
        case 'failed':
          ended = true;
          reject(message.config ? new ConfigError(message.message) : new Error(message.message));
          break;
        case 'unit':
          events.unit(unpackUnit(message.unit));
          break;
        case 'request':
          events.request(message.labels, message.code);
          break;
        case 'counters':
          events.counters(message.counters);
          break;
        case 'holds':
          events.holds(message.holds);
          break;
        case 'heap':
          events.heap(message.heap);
          break;
        case 'refreshing':
          clearTimeout(hung);
          if (message.running && !stopping) {
            hung = setTimeout(() => end(`the refresh worker did not finish a refresh within refresh.timeout + ${grace / 1000} s`), init.config.refresh.timeout + grace);
          }
          events.refreshing(message.running);
          break;
        case 'refreshed':
          waiting.get(message.id)?.(message.started);
          waiting.delete(message.id);
          break;
        case 'stopped':
          ended = true;
          clearTimeout(hung);
          stopping?.(message.interrupted);
          stopping = undefined;
          void worker.terminate();
          break;
        case 'log':
          sink.write(message.line);
          break;
      }
    });
    worker.on('error', (err: Error) => {
      log.error({ err_msg: err.message }, 'the refresh worker failed');
      reject(err);
      end(`the refresh worker failed: ${err.message}`);
    });
    worker.on('exit', (code) => {
      const reason = losing ?? `the refresh worker exited (code ${code})`;
      reject(new Error(reason));
      gone(reason);
    });
  });
}
