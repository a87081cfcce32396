import type { VaultSource } from './records.js';

/**
 * Fault switches of the simulated cloud, all off by default and changeable while it runs.
 * "Every N" switches count the GET requests to the CBR/HSS listings in scope (never IAM, unknown paths
 * or other methods), 1-based, from the last set() or reset(); N = 0 is off. When several match the
 * same request, the first in this order wins: outage, throttle, serverError, htmlBadGateway, truncate.
 * Faults come before authentication, as at the API gateway.
 */
export interface FaultSettings {
  /** Restricts counting and every fault to one API; undefined: both. */
  only: VaultSource | undefined;
  /** Every Nth request gets 429 APIG.0308 with a Retry-After header. */
  throttleEvery: number;
  retryAfterSeconds: number;
  /** Every Nth request gets serverErrorStatus with a JSON error body. */
  serverErrorEvery: number;
  serverErrorStatus: 500 | 503;
  /** Every Nth request gets an nginx-style HTML 502 page. */
  htmlBadGatewayEvery: number;
  /** Every Nth request gets its JSON body cut in half (Content-Length matches what is sent). */
  truncateEvery: number;
  /** Added to every response's delay, on top of the cloud's base latency. */
  extraDelayMs: number;
  /** 'unavailable': every request 503 APIG.0202; 'reset': every connection reset without a response. */
  outage: 'off' | 'unavailable' | 'reset';
  /** Before each page after the first (offset > 0) of a listing, a new vault appears at index 0. */
  insertBetweenPages: boolean;
  /**
   * Before each page after the first, the vault at index 0 disappears. With both on, the delete comes
   * first: count and positions stay the same while the set of vaults changes under the reader.
   */
  deleteBetweenPages: boolean;
}

export type FaultKind = 'outage' | 'reset' | 'throttle' | 'server_error' | 'html_bad_gateway' | 'truncate';

const NO_FAULTS: Readonly<FaultSettings> = {
  only: undefined,
  throttleEvery: 0,
  retryAfterSeconds: 1,
  serverErrorEvery: 0,
  serverErrorStatus: 500,
  htmlBadGatewayEvery: 0,
  truncateEvery: 0,
  extraDelayMs: 0,
  outage: 'off',
  insertBetweenPages: false,
  deleteBetweenPages: false,
};

const COUNTS = ['throttleEvery', 'retryAfterSeconds', 'serverErrorEvery', 'htmlBadGatewayEvery', 'truncateEvery', 'extraDelayMs'] as const;

export class Faults {
  private current: FaultSettings = { ...NO_FAULTS };
  private counter = 0;

  get settings(): Readonly<FaultSettings> {
    return this.current;
  }

  /** Requests counted since the last set() or reset(). */
  get counted(): number {
    return this.counter;
  }

  /** Changes some switches (the others keep their values) and restarts the count. */
  set(changes: Partial<FaultSettings>): void {
    for (const key of COUNTS) {
      const value = changes[key];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new RangeError(`Faults.set: ${key} must be a whole number ≥ 0, got ${value}`);
      }
    }
    this.current = { ...this.current, ...changes };
    this.counter = 0;
  }

  /** Switches everything off and restarts the count. */
  reset(): void {
    this.current = { ...NO_FAULTS };
    this.counter = 0;
  }

  private inScope(source: VaultSource): boolean {
    return this.current.only === undefined || this.current.only === source;
  }

  /** Counts one request to `source` and names the fault it suffers, if any. */
  next(source: VaultSource): FaultKind | undefined {
    if (!this.inScope(source)) return undefined;
    const n = ++this.counter;
    const s = this.current;
    const every = (period: number): boolean => period > 0 && n % period === 0;
    if (s.outage === 'unavailable') return 'outage';
    if (s.outage === 'reset') return 'reset';
    if (every(s.throttleEvery)) return 'throttle';
    if (every(s.serverErrorEvery)) return 'server_error';
    if (every(s.htmlBadGatewayEvery)) return 'html_bad_gateway';
    if (every(s.truncateEvery)) return 'truncate';
    return undefined;
  }

  extraDelayMs(source: VaultSource): number {
    return this.inScope(source) ? this.current.extraDelayMs : 0;
  }

  pageShift(source: VaultSource): { insert: boolean; delete: boolean } | undefined {
    const { insertBetweenPages: insert, deleteBetweenPages: del } = this.current;
    return (insert || del) && this.inScope(source) ? { insert, delete: del } : undefined;
  }
}
