import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

export interface DaemonProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  url: string;
  /** Every stdout/stderr line so far (JSON log lines and anything else). */
  lines: string[];
  /** Log records (parsed JSON lines). */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log record for which `match` is true, waiting up to `timeoutMs`. */
  waitForLog(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export { writeTempFile } from './temp-dirs.js';

/** Starts the built daemon (`npm test` builds first) on a free loopback port; resolves once it listens. */
export async function startDaemon(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [MAIN, '--web.listen-address=127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const wake of waiters.splice(0)) wake();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs = () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const waitForLog = async (match: (record: Record<string, unknown>) => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = logs().find(match);
      if (found) return found;
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`daemon log line not seen (exit ${child.exitCode}); output:\n${lines.slice(-20).join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  const listening = await waitForLog((r) => r.msg === 'listening', 20_000);
  const url = new URL(String(listening.url)).origin;
  return {
    child,
    url,
    lines,
    logs,
    waitForLog,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Resolves once `url` answers 200, polling. */
export async function waitFor200(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}
