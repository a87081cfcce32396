import { readFileSync } from 'node:fs';

/**
 * The environment the image gives the exporter (the Dockerfile's ENV lines): the exporter child runs with it,
 * so that the bench measures what ships (the malloc settings change RSS by tens of MB).
 */
export function imageEnv(): Record<string, string> {
  const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  const env: Record<string, string> = {};
  for (const line of dockerfile.split('\n')) {
    if (!line.startsWith('ENV ')) continue;
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const at = pair.indexOf('=');
      if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return env;
}
