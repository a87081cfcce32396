import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimProcessOptions } from './sim-process.js';

export interface SimChild {
  /** Simulator URL per latency (ms). */
  urls: Map<number, string>;
  stop(): Promise<void>;
}

/** Starts bench/sim-process.js and waits (at most `timeoutMs`) for the line with its URLs. */
export function startSimChild(options: SimProcessOptions, timeoutMs: number): Promise<SimChild> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('sim-process.js', import.meta.url)), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`simulator: no URL within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (code ${code})\n${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      const { urls } = JSON.parse(out.slice(0, newline)) as { urls: Record<string, string> };
      resolve({ urls: new Map(Object.entries(urls).map(([latency, url]) => [Number(latency), url])), stop });
    });
  });
}
