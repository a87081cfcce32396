import { Worker } from 'node:worker_threads';
import { ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/target-auth.js';
import { workerScript } from './worker-script.js';

/** What config-worker.ts posts back: the loaded config, or why there is none. */
export type ConfigAnswer =
  | { ok: true; loaded: LoadedConfig }
  | { ok: false; config: boolean; message: string; stack?: string };

/**
 * Reads and validates the config file at `path`, with its targets' credentials (from the environment as it is
 * now), in a thread of its own that ends when it answers. The schema (zod) and the YAML parser cost the main
 * thread about 4 MB that it would keep for the process's life, for a file read at start and on reloads.
 * Rejects with ConfigError naming the problem, as loading on this thread would.
 */
export function loadConfigOffThread(path: string): Promise<LoadedConfig> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const worker = new Worker(workerScript('config-worker.js'), { workerData: { path } });
    worker.once('message', (answer: ConfigAnswer) => {
      answered = true;
      if (answer.ok) return resolve(answer.loaded);
      if (answer.config) return reject(new ConfigError(answer.message));
      reject(Object.assign(new Error(answer.message), { stack: answer.stack }));
    });
    worker.once('error', (err) => {
      answered = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the config thread ended (exit code ${code}) without an answer`));
    });
  });
}
