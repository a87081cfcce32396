import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Keeps the end of a child's stderr, to explain a failure without flooding the bench's output. */
const STDERR_TAIL_CHARS = 4000;

/** A forked bench child that answers messages in order; every wait is bounded. */
export class BenchChild<Reply extends { type: string }> {
  private readonly process: ChildProcess;
  private readonly inbox: Reply[] = [];
  private waiter: ((reply: Reply) => void) | undefined;
  private exited: string | undefined;
  private onExit: ((why: string) => void) | undefined;
  private stderr = '';

  /** `module` is a sibling of this file in dist/bench, e.g. 'exporter-process.js'; `execArgv` e.g. --cpu-prof; `env` added to this process's. */
  constructor(module: string, args: string[], readonly name: string, execArgv: string[] = [], env: Record<string, string> = {}) {
    this.process = fork(fileURLToPath(new URL(module, import.meta.url)), args, {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [...process.execArgv, ...execArgv],
      env: { ...process.env, ...env },
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    this.process.on('message', (message: Reply) => {
      if (this.waiter) this.waiter(message);
      else this.inbox.push(message);
    });
    this.process.on('exit', (code, signal) => {
      this.exited = `${name} exited (code ${code}, signal ${signal})`;
      this.onExit?.(this.exited);
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** The next message from the child, or a rejection after `timeoutMs`, on exit, or on an error reply. */
  next(timeoutMs: number): Promise<Reply> {
    const queued = this.inbox.shift();
    if (queued) return this.checked(queued);
    if (this.exited) return Promise.reject(new Error(`${this.exited}\n${this.stderr}`));
    return new Promise<Reply>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        this.onExit = undefined;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no answer within ${timeoutMs} ms\n${this.stderr}`));
      }, timeoutMs);
      this.waiter = (reply) => {
        done();
        this.checked(reply).then(resolve, reject);
      };
      this.onExit = (why) => {
        done();
        reject(new Error(`${why}\n${this.stderr}`));
      };
    });
  }

  /** Sends `command`, which has no answer. */
  send(command: object): void {
    this.process.send(command);
  }

  /** Sends `command` and waits for its answer. */
  request(command: object, timeoutMs: number): Promise<Reply> {
    this.process.send(command);
    return this.next(timeoutMs);
  }

  /**
   * Ends this child (and only this one): closing the IPC channel lets it exit on its own (so that
   * --cpu-prof gets written); SIGTERM after 5 s, SIGKILL after 10 s.
   */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    if (this.process.connected) this.process.disconnect();
    const term = setTimeout(() => this.process.kill('SIGTERM'), 5000);
    const kill = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(term);
    clearTimeout(kill);
  }

  private checked(reply: Reply): Promise<Reply> {
    if (reply.type === 'error') return Promise.reject(new Error(`${this.name}: ${(reply as { message?: string }).message}\n${this.stderr}`));
    return Promise.resolve(reply);
  }
}
