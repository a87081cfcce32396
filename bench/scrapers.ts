import http from 'node:http';
import { rawGet } from './raw-get.js';

export interface ScrapeStats {
  scrapes: number;
  failures: number;
  maxMs: number;
}

/**
 * `count` gzip scrapers in a closed loop against `url` (each starts its next scrape when the last one
 * ended), until stop(). Keeps the exporter serving its full body while a refresh runs.
 */
export function startScrapers(url: string, count: number): { stop(): Promise<ScrapeStats> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: count });
  const stats: ScrapeStats = { scrapes: 0, failures: 0, maxMs: 0 };
  let running = true;
  const loop = async () => {
    while (running) {
      const started = performance.now();
      try {
        const { status } = await rawGet(url, { 'accept-encoding': 'gzip' }, { agent, timeoutMs: 30_000 });
        if (status !== 200) stats.failures++;
        else stats.scrapes++;
      } catch {
        stats.failures++;
      }
      stats.maxMs = Math.max(stats.maxMs, performance.now() - started);
    }
  };
  const loops = Array.from({ length: count }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops); // each ends after its scrape in flight, itself bounded by the 30 s timeout
      agent.destroy();
      return stats;
    },
  };
}
