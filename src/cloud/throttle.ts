/**
 * How long to wait after a 429. APIG answers `APIG.0308` (newer: `APIGW.0308`) with an error_msg such as
 * `The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 minute` and no
 * Retry-After; its windows are fixed, so the one safe wait is a whole window, into the next one.
 */

const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export interface ThrottleWindow {
  limit?: number;
  windowMs: number;
}

/** The window named in an APIG throttling message, or undefined when it names none. */
export function throttleWindow(errorMsg: string | undefined): ThrottleWindow | undefined {
  if (!errorMsg) return undefined;
  const time = /time\s*:\s*(\d+)?\s*(second|minute|hour|day)s?\b/i.exec(errorMsg);
  if (!time) return undefined;
  const windowMs = Number(time[1] ?? 1) * (UNIT_MS[(time[2] as string).toLowerCase()] as number);
  const limit = /limit\s*:\s*(\d+)/i.exec(errorMsg)?.[1];
  return limit === undefined ? { windowMs } : { limit: Number(limit), windowMs };
}

/** Huawei's advice for a 429 that says nothing more: wait 2 to 5 seconds; doubled for each 429 in a row. */
export const UNHINTED_THROTTLE_MS = { minMs: 2000, maxMs: 5000, capMs: 60_000 };

/**
 * The wait after the `throttles`-th 429 in a row (0-based): Retry-After when sent, else a whole window
 * plus up to a tenth of one (so that a reset exactly at the boundary is behind us), else 2–5 s doubling.
 */
export function throttleWaitMs(retryAfterMs: number | undefined, errorMsg: string | undefined, throttles: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const window = throttleWindow(errorMsg);
  if (window) return window.windowMs + Math.floor(random() * Math.min(window.windowMs / 10, 2000));
  const { minMs, maxMs, capMs } = UNHINTED_THROTTLE_MS;
  return Math.min(capMs, Math.floor((minMs + random() * (maxMs - minMs)) * 2 ** throttles));
}
