import { parseExposition, type ParsedSample } from './parse-exposition.js';

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

/** Scrapes until `check` passes (returns the samples), or throws after `timeoutMs` with the last failure. */
export async function scrapeUntil(
  url: string, check: (samples: ParsedSample[]) => boolean, timeoutMs = 20_000, init: RequestInit = {},
): Promise<ParsedSample[]> {
  const deadline = Date.now() + timeoutMs;
  let last: ParsedSample[] = [];
  while (Date.now() < deadline) {
    last = await scrape(url, init).catch(() => []);
    if (check(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; source_up=${JSON.stringify(values(last, 'huaweicloud_vault_exporter_source_up'))}`);
}
