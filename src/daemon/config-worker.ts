/**
 * The config file's reader and validator, run in a short-lived thread by config-thread.ts: zod and yaml load
 * here and go when it ends, so the main thread, which only serves, never holds them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError, loadConfig } from '../config/load.js';
import { withCredentials } from '../config/target-auth.js';
import type { ConfigAnswer } from './config-thread.js';

const { path } = workerData as { path: string };
let answer: ConfigAnswer;
try {
  answer = { ok: true, loaded: withCredentials(loadConfig(path), process.env, path) };
} catch (err) {
  answer = { ok: false, config: err instanceof ConfigError, message: (err as Error).message, stack: (err as Error).stack };
}
parentPort?.postMessage(answer);
