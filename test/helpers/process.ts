// The process harness of every test that starts real processes: the exporter, the simulator, Prometheus,
// buildah, promtool, kubectl, npm.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { waitFor200 } from './http.js';
import { waitFor, type Watched } from './wait-for.js';

export type LogRecord = Record<string, unknown>;

/** Kept of a process's output for an error message. */
const OUTPUT_TAIL_CHARS = 8000;

/**
 * A long-running child process: every line it prints (stdout and stderr) is kept, JSON lines also as log
 * records, for assertions and for failure messages. waitFor fails early when one of its `daemons` ends.
 */
export class TestProcess implements Watched {
  readonly child: ChildProcess;
  /** Every line, stdout and stderr as they came. */
  readonly lines: string[] = [];
  /** The lines of stdout alone. */
  readonly stdout: string[] = [];
  private readonly records: LogRecord[] = [];
  private wakers: (() => void)[] = [];
  private ending: string | undefined;
  /** Resolves with the exit code (null when a signal ended it, -1 when it could not start). */
  readonly exited: Promise<number | null>;
  readonly closed: Promise<void>;

  constructor(readonly name: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    if (this.child.stdout) createInterface({ input: this.child.stdout }).on('line', (line) => this.add(line, this.stdout));
    if (this.child.stderr) createInterface({ input: this.child.stderr }).on('line', (line) => this.add(line));
    let exit: (code: number | null) => void = () => undefined;
    this.exited = new Promise((resolve) => (exit = resolve));
    this.child.once('exit', (code, signal) => {
      this.end(code === null ? `killed by ${signal}` : `exit code ${code}`);
      exit(code);
    });
    // A command that cannot start (ENOENT) emits 'error' and 'close', no 'exit'.
    this.child.once('error', (err) => {
      this.add(`${name}: ${err.message}`);
      if (this.child.pid === undefined) {
        this.end('could not start');
        exit(-1);
      }
    });
    this.closed = new Promise((resolve) => this.child.once('close', () => resolve()));
  }

  get running(): boolean {
    return this.ending === undefined;
  }

  /** Log records (the JSON lines) so far. */
  logs(): LogRecord[] {
    return [...this.records];
  }

  /** The first log record for which `match` is true, waiting for it. */
  waitForLog(match: (record: LogRecord) => boolean, timeoutMs = 30_000): Promise<LogRecord> {
    return waitFor(`${this.name} to log a line where ${match.toString()}`, () => this.records.find(match), {
      timeoutMs,
      intervalMs: 1000,
      daemons: [this],
      wakeOnOutput: true,
    });
  }

  changed(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  output(): string {
    const text = this.lines.join('\n');
    return `--- ${this.name} (${this.ending ?? 'running'}), output (tail) ---\n${text.slice(-OUTPUT_TAIL_CHARS)}`;
  }

  /** `signal` (SIGTERM), then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private add(line: string, stream?: string[]): void {
    this.lines.push(line);
    stream?.push(line);
    if (line.startsWith('{')) {
      try {
        this.records.push(JSON.parse(line) as LogRecord);
      } catch {
        // not JSON after all: kept as a line only
      }
    }
    this.wake();
  }

  private end(how: string): void {
    this.ending = how;
    this.wake();
  }

  private wake(): void {
    for (const wake of this.wakers.splice(0)) wake();
  }
}

/** The built exporter (`npm test` builds first). */
export const MAIN_JS = new URL('../../dist/src/main.js', import.meta.url).pathname;

export type DaemonProcess = TestProcess & { readonly url: string };

/** Starts the built exporter on a free loopback port; resolves once it listens. */
export async function startDaemon(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const daemon = new TestProcess('exporter', process.execPath, [MAIN_JS, '--web.listen-address=127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH, ...env },
  });
  const listening = await daemon.waitForLog((r) => r.msg === 'listening', 20_000);
  return Object.assign(daemon, { url: new URL(String(listening.url)).origin });
}

/** Resolves once the exporter's /-/ready answers 200 (its first refresh is done); fails early if it ends. */
export function waitForReady(daemon: DaemonProcess, timeoutMs = 30_000): Promise<void> {
  return waitFor200(`${daemon.url}/-/ready`, timeoutMs, [daemon]);
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by `timeoutMs`, default 60 s). */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
