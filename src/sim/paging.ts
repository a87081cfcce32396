import type { Source } from './records.js';
import { SIM_SOURCES } from './sources.js';

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
export function readPage(query: URLSearchParams, source: Source): Page | InvalidPageParameter {
  const rule = SIM_SOURCES[source].facts;
  const maxOffset = rule.maxOffset ?? Number.MAX_SAFE_INTEGER;
  const limit = readInteger(query.get('limit'), rule.defaultLimit, rule.minLimit, rule.maxLimit);
  if (limit === undefined) return { parameter: 'limit', rule: describe(rule.minLimit, rule.maxLimit) };
  const offset = readInteger(query.get('offset'), 0, 0, maxOffset);
  if (offset === undefined) return { parameter: 'offset', rule: describe(0, maxOffset) };
  return { limit, offset };
}
