import type { VaultSource } from './records.js';

/** The paging parameters of one listing API, as its reference page states them. */
interface PagingRule {
  defaultLimit: number;
  minLimit: number;
  maxLimit: number;
  maxOffset: number;
}

export const PAGING: Readonly<Record<VaultSource, PagingRule>> = {
  // CBR: limit 1–1000, default 1000; offset default 0, no documented maximum.
  cbr: { defaultLimit: 1000, minLimit: 1, maxLimit: 1000, maxOffset: Number.MAX_SAFE_INTEGER },
  // HSS: limit 10–200, default 10 (a client that omits limit gets ten); offset 0–2,000,000.
  hss: { defaultLimit: 10, minLimit: 10, maxLimit: 200, maxOffset: 2_000_000 },
};

export interface Page {
  limit: number;
  offset: number;
}

export interface InvalidPageParameter {
  parameter: 'limit' | 'offset';
  rule: string;
}

const DIGITS = /^[0-9]+$/;

function readInteger(raw: string | null, fallback: number, min: number, max: number): number | undefined {
  if (raw === null) return fallback;
  if (!DIGITS.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

function describe(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
}

/** The page a query asks for, or the first parameter that is not an integer in range. */
export function readPage(query: URLSearchParams, source: VaultSource): Page | InvalidPageParameter {
  const rule = PAGING[source];
  const limit = readInteger(query.get('limit'), rule.defaultLimit, rule.minLimit, rule.maxLimit);
  if (limit === undefined) return { parameter: 'limit', rule: describe(rule.minLimit, rule.maxLimit) };
  const offset = readInteger(query.get('offset'), 0, 0, rule.maxOffset);
  if (offset === undefined) return { parameter: 'offset', rule: describe(0, rule.maxOffset) };
  return { limit, offset };
}
