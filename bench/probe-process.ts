/**
 * The health probe: GET /-/healthy every 10 ms from a process of its own (the time a real client waits,
 * whatever the exporter's event loop does), each on a kept-alive connection, answer times recorded.
 * argv[2]: the exporter's URL. {cmd:'start'} begins probing, {cmd:'stop'} answers with the figures.
 */
import http from 'node:http';
import type { ProbeReply } from './protocol.js';

const url = `${process.argv[2] ?? ''}/-/healthy`;
const EVERY_MS = 10;
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let timer: NodeJS.Timeout | undefined;
let times: number[] = [];
let failures = 0;

function probe(): void {
  const started = performance.now();
  const req = http.get(url, { agent, timeout: 30_000 }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode === 200) times.push(performance.now() - started);
      else failures++;
    });
  });
  req.on('error', () => failures++);
}

const reply = (message: ProbeReply) => process.send?.(message);
process.on('message', (message: { cmd: 'start' | 'stop' }) => {
  if (message.cmd === 'start') {
    times = [];
    failures = 0;
    timer = setInterval(probe, EVERY_MS);
    return;
  }
  clearInterval(timer);
  // The probes in flight get their answers first.
  setTimeout(() => {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    reply({ type: 'probed', probes: sorted.length, failures, maxMs: sorted.at(-1) ?? 0, p99Ms: at(0.99), p50Ms: at(0.5) });
  }, 1000);
});
process.on('disconnect', () => process.exit(0));
