import { parseExposition, type ParsedSample } from './parse-exposition.js';
import type { DaemonProcess } from './process.js';
import { waitFor } from './wait-for.js';

export async function scrape(url: string, init: RequestInit = {}): Promise<ParsedSample[]> {
  const response = await fetch(`${url}/metrics`, init);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseExposition(await response.text());
}

/** Values of one metric, optionally narrowed by labels. */
export function values(samples: ParsedSample[], name: string, labels: Record<string, string> = {}): number[] {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .map((s) => s.value);
}

/**
 * Scrapes until `check` passes (returns the samples), or throws after `timeoutMs` with source_up as last seen.
 * Given the daemon itself rather than its URL, it fails as soon as the daemon ends, with its output.
 */
export async function scrapeUntil(
  target: string | DaemonProcess, check: (samples: ParsedSample[]) => boolean, timeoutMs = 20_000, init: RequestInit = {},
): Promise<ParsedSample[]> {
  const [url, daemons] = typeof target === 'string' ? [target, []] : [target.url, [target]];
  let last: ParsedSample[] = [];
  return waitFor(`a scrape where ${check.toString()}`, async () => {
    last = await scrape(url, init);
    return check(last) && last;
  }, { timeoutMs, intervalMs: 150, daemons, detail: () => `source_up=${JSON.stringify(values(last, 'huaweicloud_vault_exporter_source_up'))}` });
}
